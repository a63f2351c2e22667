# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Go's time.ParseDuration (plugin_utils/_go_duration.py); the verdicts are Go 1.26's."""

from __future__ import annotations

import re

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_duration import parse_duration

GOOD_DURATIONS = [
    pytest.param("30s", 30 * 10**9, id="seconds"),
    pytest.param("1m30s", 90 * 10**9, id="minutes-seconds"),
    pytest.param("1h2m3.4s", 3_723_400_000_000, id="mixed-fraction"),
    pytest.param(".5s", 5 * 10**8, id="leading-dot"),
    pytest.param("1.s", 10**9, id="trailing-dot"),
    pytest.param("-5s", -5 * 10**9, id="negative"),
    pytest.param("+5s", 5 * 10**9, id="plus-sign"),
    pytest.param("-1.5h", -5_400 * 10**9, id="negative-fraction"),
    pytest.param("0", 0, id="bare-zero"),
    pytest.param("-0", 0, id="signed-zero"),
    pytest.param("300ms", 3 * 10**8, id="milliseconds"),
    pytest.param("10us", 10_000, id="us"),
    pytest.param("10\u00b5s", 10_000, id="micro-sign"),
    pytest.param("10\u03bcs", 10_000, id="greek-mu"),
    pytest.param("7ns", 7, id="nanoseconds"),
    pytest.param("1h1h", 2 * 3_600 * 10**9, id="repeated-unit"),
    pytest.param("0s", 0, id="zero-seconds"),
    pytest.param("2562047h47m16.854775807s", 2**63 - 1, id="max"),
    pytest.param("-2562047h47m16.854775808s", -(2**63), id="min"),
]


@pytest.mark.parametrize(("text", "nanoseconds"), GOOD_DURATIONS)
def test_good_durations(text, nanoseconds):
    assert parse_duration(text) == nanoseconds


BAD_DURATIONS = [
    pytest.param("5", "missing unit in duration", id="bare-number"),
    pytest.param("1.5", "missing unit in duration", id="bare-fraction"),
    pytest.param("1d", 'unknown unit "d"', id="days"),
    pytest.param("1S", 'unknown unit "S"', id="upper-case-unit"),
    pytest.param("1 s", 'unknown unit " s"', id="space"),
    pytest.param("", "invalid duration", id="empty"),
    pytest.param("-", "invalid duration", id="sign-only"),
    pytest.param("s", "invalid duration", id="unit-only"),
    pytest.param(".s", "invalid duration", id="dot-unit"),
    pytest.param("00", "missing unit in duration", id="double-zero"),
    pytest.param("9223372036854775808ns", "invalid duration", id="overflow"),
    pytest.param("2562047h47m16.854775808s", "invalid duration", id="overflow-mixed"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_DURATIONS)
def test_bad_durations(text, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_duration(text)


@pytest.mark.parametrize("value", [30, None, b"30s"])
def test_only_strings_are_durations(value):
    with pytest.raises(ValueError, match="time: invalid duration: expected a string"):
        parse_duration(value)
