# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Go's ``strconv.Quote`` (how Go error messages show a value) and ``strconv.Atoi`` (Go 1.26, 64-bit).

Private to this collection; raises only ``ValueError`` and imports nothing from Ansible.
"""

from __future__ import annotations

import json
import re

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_ATOI_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)


def quote(value: str) -> str:
    """Approximate Go's ``strconv.Quote``, as Go's error messages quote the offending text."""
    return json.dumps(value, ensure_ascii=False)


def atoi(value: str) -> int:
    """Parse an int like Go's ``strconv.Atoi`` on 64-bit: optional sign, ASCII decimal digits, int64 range."""
    if _ATOI_RE.fullmatch(value) is None:
        raise ValueError(f"strconv.Atoi: parsing {quote(value)}: invalid syntax")
    number = int(value, 10)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(f"strconv.Atoi: parsing {quote(value)}: value out of range")
    return number
