# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Go's ``time.ParseDuration`` (Go 1.26), re-implemented from the Go sources.

Private to this collection; raises only ``ValueError`` and imports nothing from Ansible.
"""

from __future__ import annotations

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_strconv import INT64_MAX, quote

_NS_PER_UNIT: dict[bytes, int] = {
    b"ns": 1,
    b"us": 1_000,
    "\u00b5s".encode(): 1_000,  # U+00B5 MICRO SIGN
    "\u03bcs".encode(): 1_000,  # U+03BC GREEK SMALL LETTER MU
    b"ms": 1_000_000,
    b"s": 1_000_000_000,
    b"m": 60_000_000_000,
    b"h": 3_600_000_000_000,
}


def parse_duration(value: str) -> int:
    """Parse a duration exactly like Go's ``time.ParseDuration`` and return nanoseconds.

    ``[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+`` with units ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h;
    a bare ``0`` (optionally signed) is the only unit-less value accepted; the result must fit an int64.
    Raises ``ValueError`` with Go's message otherwise.
    """
    if not isinstance(value, str):
        raise ValueError(f"time: invalid duration: expected a string, got {type(value).__name__}")
    orig = value
    try:
        s = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"time: invalid duration {quote(orig)}") from exc

    def bad(message: str = "invalid duration") -> ValueError:
        return ValueError(f"time: {message} {quote(orig)}")

    d = 0
    neg = False
    if s and s[0:1] in (b"-", b"+"):
        neg = s[0:1] == b"-"
        s = s[1:]
    if s == b"0":
        return 0
    if not s:
        raise bad()
    while s:
        if not (s[0] == 0x2E or 0x30 <= s[0] <= 0x39):  # [0-9.]
            raise bad()
        # leadingInt: consume [0-9]*, erroring on overflow past 1<<63.
        i = 0
        v = 0
        while i < len(s) and 0x30 <= s[i] <= 0x39:
            if v > (1 << 63) // 10:
                raise bad()
            v = v * 10 + s[i] - 0x30
            if v > 1 << 63:
                raise bad()
            i += 1
        pre = i > 0
        s = s[i:]
        # leadingFraction: consume (\.[0-9]*)?, silently dropping precision on overflow.
        f = 0
        scale = 1.0
        post = False
        if s[0:1] == b".":
            s = s[1:]
            i = 0
            overflow = False
            while i < len(s) and 0x30 <= s[i] <= 0x39:
                if not overflow:
                    if f > ((1 << 63) - 1) // 10:
                        overflow = True
                    else:
                        y = f * 10 + s[i] - 0x30
                        if y > 1 << 63:
                            overflow = True
                        else:
                            f = y
                            scale *= 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            raise bad()
        # The unit runs up to the next '.' or digit.
        i = 0
        while i < len(s) and not (s[i] == 0x2E or 0x30 <= s[i] <= 0x39):
            i += 1
        if i == 0:
            raise bad("missing unit in duration")
        unit_name = s[:i]
        s = s[i:]
        unit = _NS_PER_UNIT.get(unit_name)
        if unit is None:
            raise bad(f"unknown unit {quote(unit_name.decode('utf-8', 'replace'))} in duration")
        if v > (1 << 63) // unit:
            raise bad()
        v *= unit
        if f > 0:
            # float64 arithmetic, as Go does, truncated like uint64(float64).
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                raise bad()
        d += v
        if d > 1 << 63:
            raise bad()
    if neg:
        return -d
    if d > INT64_MAX:
        raise bad()
    return d
