# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Go's net/url.Parse, the fields cloudflared looks at (plugin_utils/_go_url.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_url import parse_url


@pytest.mark.parametrize(
    ("url", "scheme", "hostname", "path"),
    [
        ("http://127.0.0.1:8081", "http", "127.0.0.1", ""),
        ("http://127.0.0.1:8081/", "http", "127.0.0.1", "/"),
        ("HTTP://[::1]:80/x?y#z", "http", "::1", "/x"),
        ("ssh://user@host", "ssh", "host", ""),
        ("mailto:a@b", "mailto", "", ""),
        ("//host/p", "", "host", "/p"),
    ],
)
def test_go_url_parse(url, scheme, hostname, path):
    parsed = parse_url(url)
    assert (parsed.scheme, parsed.hostname(), parsed.path) == (scheme, hostname, path)
