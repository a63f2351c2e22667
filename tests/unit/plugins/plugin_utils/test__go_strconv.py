# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Go's strconv.Atoi and strconv.Quote as cloudflared's messages show them (plugin_utils/_go_strconv.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_strconv import atoi, quote


@pytest.mark.parametrize(
    ("text", "expected"),
    [("200", 200), ("+200", 200), ("-5", -5), ("0200", 200), ("9223372036854775807", 2**63 - 1)],
)
def test_go_atoi_accepts(text, expected):
    assert atoi(text) == expected


@pytest.mark.parametrize("text", ["", "+", "2 ", " 2", "2_0", "0x10", "1e3", "9223372036854775808"])
def test_go_atoi_rejects(text):
    with pytest.raises(ValueError, match=r"strconv\.Atoi"):
        atoi(text)


def test_quote_is_gos_strconv_quote_for_plain_text():
    assert quote('a"b') == '"a\\"b"'
    assert quote("b\u00fccher") == '"b\u00fccher"'
