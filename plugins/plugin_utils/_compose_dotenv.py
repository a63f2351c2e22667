# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What docker compose reads back differently from a ``KEY='value'`` env file line.

Private to this collection (no compatibility promise). The roles write each
pair as ``KEY='value'``; these rules come from testing that form against the
compose binary (2.26.1, Debian 12 and 13 test platforms; docs/dotenv-rules.md):

- a value ending in an odd number of backslashes escapes its closing quote,
  so compose reads on into the next line (an injected variable, a swallowed
  one); an even number is read as written;
- a single quote ends the value early (and compose's parse error quotes the
  rest of it);
- NUL makes the whole project fail; a line break or carriage return round-trip
  in 2.26.1 but not in older compose; the other control characters (C0, DEL,
  C1 with NEL, U+2028, U+2029) are refused too, so one rule holds on every
  compose >= 2.18 the roles accept;
- a lone surrogate cannot be written as UTF-8;
- a pair longer than 131071 bytes does not fit Linux's MAX_ARG_STRLEN: the
  container would not start; the whole file is capped at 1 MiB;
- ``COMPOSE_*`` keys are compose's own settings (project name, files,
  profiles) when it reads a project's .env.

Every message names the key and the problem, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TRAILING_BACKSLASHES = re.compile(r"\\+\Z")
MAX_PAIR_BYTES = 131071
MAX_FILE_BYTES = 1 << 20


def value_text(value):
    """The text the roles write for a value (booleans lowercase, like YAML's)."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def value_problem(value):
    """Why ``value`` cannot be written as ``'value'``, or None."""
    if isinstance(value, (Mapping, list, tuple, set)) or value is None:
        return "must be a string, number or boolean"
    text = value_text(value)
    if "'" in text:
        return "holds a single quote, which ends a single-quoted .env value early"
    trailing = TRAILING_BACKSLASHES.search(text)
    if trailing and len(trailing.group(0)) % 2 == 1:
        return "ends in an odd number of backslashes, which escape the closing quote (compose would read on)"
    if CONTROL.search(text):
        return "holds a control character (a line break, tab, NUL, DEL, C1, U+2028 or U+2029)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    return None


def problems(env, prefix=""):
    """Messages naming each key whose pair compose would not read back exactly."""
    found = []
    total = 0
    for key, value in env.items():
        if not isinstance(key, str) or not KEY.match(key):
            found.append(f"key {key!r} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
            continue
        if key.upper().startswith("COMPOSE_"):
            found.append(f"key {key} is refused: COMPOSE_* variables are docker compose's own settings")
        if prefix and not key.startswith(prefix):
            found.append(f"key {key} does not start with {prefix}")
        problem = value_problem(value)
        if problem:
            found.append(f"the value of {key} {problem}")
            continue
        size = len(key.encode("utf-8")) + 1 + len(value_text(value).encode("utf-8"))
        total += size + 3
        if size > MAX_PAIR_BYTES:
            found.append(f"the value of {key} is too long: KEY=value may take at most {MAX_PAIR_BYTES} bytes")
    if total > MAX_FILE_BYTES:
        found.append(f"the values take {total} bytes in all; at most {MAX_FILE_BYTES} fit an env file here")
    return found
