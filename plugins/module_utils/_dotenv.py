# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compose env files this collection writes: one ``KEY='value'`` per line, ``#`` comments.

Private to this collection (no compatibility promise).
"""

from __future__ import annotations

import re

_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)='(.*)'\Z", re.DOTALL)


def parse_written(text):
    """``{line number: (key, value)}`` of an env file in the form the roles write; ValueError otherwise."""
    entries = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise ValueError(f"line {number} is not KEY='value'")
        entries[number] = (match.group(1), match.group(2))
    return entries
