# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Go's net.SplitHostPort and net.ParseCIDR (plugin_utils/_go_net.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_net import parse_cidr, split_host_port


@pytest.mark.parametrize(
    ("hostport", "expected"),
    [("a:80", ("a", "80")), ("a:", ("a", "")), ("[::1]:80", ("::1", "80")), (":80", ("", "80"))],
)
def test_go_split_host_port_splits(hostport, expected):
    assert split_host_port(hostport) == expected


@pytest.mark.parametrize("hostport", ["a", "::1", "[::1]", "a:b:c", "[a]b:1", "a]:1", "[a:1"])
def test_go_split_host_port_fails(hostport):
    with pytest.raises(ValueError):
        split_host_port(hostport)


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "10.0.0.0/08", "::/0", "2001:db8::/32", "1:2:3:4:5:6:7:8/128"])
def test_go_parse_cidr_accepts(cidr):
    parse_cidr(cidr)


@pytest.mark.parametrize(
    "cidr", ["10.0.0.0", "10.0.0/8", "10.0.0.0/", "10.0.0.0/-1", "::/129", "1.2.3.4.5/8", "a::g/8", "1::2::3/8", "/8"]
)
def test_go_parse_cidr_rejects(cidr):
    with pytest.raises(ValueError, match="invalid CIDR address"):
        parse_cidr(cidr)
