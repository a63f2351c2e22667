# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Go's ``net/url.Parse`` (Go 1.26), from the Go sources, for the fields cloudflared looks at.

Go 1.26 parses hosts with GODEBUG urlstrictcolons=1 (the default for a ``go 1.26`` module such as
cloudflared): an http or https host may contain only one colon, so ``http://a:b:80`` is an error while
``tcp://a:b:80`` is not.
Private to this collection; raises only ``ValueError`` and imports nothing from Ansible.
"""

from __future__ import annotations

from typing import NamedTuple

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_net import parse_addr
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_strconv import quote

# net/url: characters a host (or zone) may contain unescaped (shouldEscape(c, encodeHost) == false).
_URL_HOST_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"")
_HEX = frozenset("0123456789abcdefABCDEF")
_URL_USERINFO_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@")


class URL(NamedTuple):
    """The fields of a Go ``*url.URL`` that cloudflared looks at."""

    scheme: str
    opaque: str
    host: str
    path: str

    def hostname(self) -> str:
        """``(*url.URL).Hostname``."""
        host = self.host
        colon = host.rfind(":")
        if colon != -1 and _valid_optional_port(host[colon:]):
            host = host[:colon]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    if port[0] != ":":
        return False
    return all("0" <= ch <= "9" for ch in port[1:])


def _url_unescape(s: str, mode: str) -> str:
    """net/url ``unescape`` for the modes "host", "zone" and the others (path, fragment, userinfo)."""
    raw = s.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        b = raw[i]
        if b == 0x25:  # '%'
            chunk = raw[i : i + 3]
            if i + 2 >= len(raw) or chr(raw[i + 1]) not in _HEX or chr(raw[i + 2]) not in _HEX:
                bad = raw[i : i + 3].decode("utf-8", "replace")
                raise ValueError(f"invalid URL escape {quote(bad)}")
            value = int(chunk[1:].decode("ascii"), 16)
            if mode == "host" and value < 0x80 and chunk != b"%25":
                raise ValueError(f"invalid URL escape {quote(chunk.decode('ascii'))}")
            if (
                mode == "zone"
                and chunk != b"%25"
                and value != 0x20
                and (value >= 0x80 or chr(value) not in _URL_HOST_OK)
            ):
                raise ValueError(f"invalid URL escape {quote(chunk.decode('ascii'))}")
            out.append(value)
            i += 3
            continue
        if mode in ("host", "zone") and b < 0x80 and chr(b) not in _URL_HOST_OK:
            raise ValueError(f"invalid character {quote(chr(b))} in host name")
        out.append(b)
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _url_parse_host(scheme: str, host: str) -> str:
    open_bracket = host.rfind("[")
    if open_bracket > 0:
        raise ValueError("invalid IP-literal")
    if open_bracket == 0:
        close_bracket = host.rfind("]")
        if close_bracket < 0:
            raise ValueError("missing ']' in host")
        colon_port = host[close_bracket + 1 :]
        if not _valid_optional_port(colon_port):
            raise ValueError(f"invalid port {quote(colon_port)} after host")
        colon_port = _url_unescape(colon_port, "host")
        hostname = host[1:close_bracket]
        zone_idx = hostname.find("%25")
        if zone_idx >= 0:
            unescaped = _url_unescape(hostname[:zone_idx], "host") + _url_unescape(hostname[zone_idx:], "zone")
        else:
            unescaped = _url_unescape(hostname, "host")
        try:
            addr = parse_addr(unescaped)
        except ValueError as exc:
            raise ValueError(f"invalid host: {exc}") from exc
        if addr.is4:
            raise ValueError("invalid IP-literal")
        return "[" + unescaped + "]" + colon_port
    first_colon = host.find(":")
    if first_colon != -1:
        i = first_colon
        last_colon = host.rfind(":")
        # Go 1.26 (GODEBUG urlstrictcolons=1, the default for a go 1.26 module such as cloudflared) only
        # lets other schemes than http and https keep colons inside the host.
        if last_colon != first_colon and scheme not in ("http", "https"):
            i = last_colon
        colon_port = host[i:]
        if not _valid_optional_port(colon_port):
            raise ValueError(f"invalid port {quote(colon_port)} after host")
    return _url_unescape(host, "host")


def parse_url(raw_url: str) -> URL:
    """Go's ``net/url.Parse`` (Go 1.26), returning the fields cloudflared uses; raises ``ValueError``."""
    rest_all, has_frag, frag = raw_url.partition("#")

    def fail(reason: str) -> ValueError:
        return ValueError(f"parse {quote(rest_all)}: {reason}")

    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in rest_all):
        raise fail("net/url: invalid control character in URL")
    if rest_all == "*":
        url = URL("", "", "", "*")
    else:
        scheme = ""
        rest = rest_all
        for i, ch in enumerate(rest_all):
            if "a" <= ch <= "z" or "A" <= ch <= "Z":
                continue
            if "0" <= ch <= "9" or ch in "+-.":
                if i == 0:
                    break
                continue
            if ch == ":":
                if i == 0:
                    raise fail("missing protocol scheme")
                scheme, rest = rest_all[:i], rest_all[i + 1 :]
            break
        scheme = scheme.lower()
        # A lone trailing '?' is ForceQuery; otherwise the query starts at the first '?'.
        rest = rest[:-1] if rest.endswith("?") and rest.count("?") == 1 else rest.partition("?")[0]
        if not rest.startswith("/"):
            if scheme:
                url = URL(scheme, rest, "", "")
                return _url_with_fragment(url, raw_url, has_frag, frag)
            if ":" in rest.partition("/")[0]:
                raise fail("first path segment in URL cannot contain colon")
        host = ""
        if (scheme or not rest.startswith("///")) and rest.startswith("//"):
            authority, slash, path_rest = rest[2:].partition("/")
            rest = slash + path_rest
            at = authority.rfind("@")
            try:
                host = _url_parse_host(scheme, authority[at + 1 :] if at >= 0 else authority)
                if at >= 0:
                    userinfo = authority[:at]
                    if any(ch not in _URL_USERINFO_OK for ch in userinfo):
                        raise ValueError("net/url: invalid userinfo")
                    for part in userinfo.split(":", 1):
                        _url_unescape(part, "userinfo")
            except ValueError as exc:
                raise fail(str(exc)) from exc
        try:
            path = _url_unescape(rest, "path")
        except ValueError as exc:
            raise fail(str(exc)) from exc
        url = URL(scheme, "", host, path)
    return _url_with_fragment(url, raw_url, has_frag, frag)


def _url_with_fragment(url: URL, raw_url: str, has_frag: str, frag: str) -> URL:
    if has_frag and frag:
        try:
            _url_unescape(frag, "fragment")
        except ValueError as exc:
            raise ValueError(f"parse {quote(raw_url)}: {exc}") from exc
    return url
