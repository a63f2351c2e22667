# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Go's ``net.SplitHostPort``, ``netip.ParseAddr`` and ``net.ParseCIDR`` (Go 1.26), from the Go sources.

Only validity is modelled, plus the address family and zone that callers need.
Private to this collection; raises only ``ValueError`` and imports nothing from Ansible.
"""

from __future__ import annotations

from typing import NamedTuple

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_strconv import quote


def split_host_port(hostport: str) -> tuple[str, str]:
    """Go's ``net.SplitHostPort``; raises ``ValueError`` where Go returns an error."""

    def addr_err(why: str) -> ValueError:
        return ValueError(f"address {hostport}: {why}")

    j = k = 0
    i = hostport.rfind(":")
    if i < 0:
        raise addr_err("missing port in address")
    if hostport[0] == "[":
        end = hostport.find("]")
        if end < 0:
            raise addr_err("missing ']' in address")
        if end + 1 == len(hostport):
            raise addr_err("missing port in address")
        if end + 1 != i:
            if hostport[end + 1] == ":":
                raise addr_err("too many colons in address")
            raise addr_err("missing port in address")
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            raise addr_err("too many colons in address")
    if "[" in hostport[j:]:
        raise addr_err("unexpected '[' in address")
    if "]" in hostport[k:]:
        raise addr_err("unexpected ']' in address")
    return host, hostport[i + 1 :]


class Addr(NamedTuple):
    """The parts of a Go ``netip.Addr`` that the checks here need."""

    is4: bool
    zone: str


def _parse_ipv4_fields(text: str, part: str) -> None:
    val = 0
    pos = 0
    dig_len = 0
    for i, ch in enumerate(part):
        if "0" <= ch <= "9":
            if dig_len == 1 and val == 0:
                raise ValueError(f"ParseAddr({quote(text)}): IPv4 field has octet with leading zero")
            val = val * 10 + ord(ch) - 0x30
            dig_len += 1
            if val > 255:
                raise ValueError(f"ParseAddr({quote(text)}): IPv4 field has value >255")
        elif ch == ".":
            if i == 0 or i == len(part) - 1 or part[i - 1] == ".":
                raise ValueError(f"ParseAddr({quote(text)}): IPv4 field must have at least one digit")
            if pos == 3:
                raise ValueError(f"ParseAddr({quote(text)}): IPv4 address too long")
            pos += 1
            val = 0
            dig_len = 0
        else:
            raise ValueError(f"ParseAddr({quote(text)}): unexpected character")
    if pos < 3:
        raise ValueError(f"ParseAddr({quote(text)}): IPv4 address too short")


def _parse_ipv6(text: str) -> Addr:
    s = text
    zone = ""
    pct = s.find("%")
    if pct != -1:
        s, zone = s[:pct], s[pct + 1 :]
        if zone == "":
            raise ValueError(f"ParseAddr({quote(text)}): zone must be a non-empty string")

    def err(msg: str) -> ValueError:
        return ValueError(f"ParseAddr({quote(text)}): {msg}")

    ellipsis = -1
    if len(s) >= 2 and s[0] == ":" and s[1] == ":":
        ellipsis = 0
        s = s[2:]
        if not s:
            return Addr(is4=False, zone=zone)
    i = 0
    while i < 16:
        off = 0
        acc = 0
        while off < len(s):
            ch = s[off]
            if "0" <= ch <= "9" or "a" <= ch <= "f" or "A" <= ch <= "F":
                acc = (acc << 4) + int(ch, 16)
            else:
                break
            if off > 3:
                raise err("each group must have 4 or less digits")
            if acc > 0xFFFF:
                raise err("IPv6 field has value >=2^16")
            off += 1
        if off == 0:
            raise err("each colon-separated field must have at least one digit")
        if off < len(s) and s[off] == ".":
            if ellipsis < 0 and i != 12:
                raise err("embedded IPv4 address must replace the final 2 fields of the address")
            if i + 4 > 16:
                raise err("too many hex fields to fit an embedded IPv4 at the end of the address")
            _parse_ipv4_fields(text, s)
            s = ""
            i += 4
            break
        i += 2
        s = s[off:]
        if not s:
            break
        if s[0] != ":":
            raise err("unexpected character, want colon")
        if len(s) == 1:
            raise err("colon must be followed by more characters")
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                raise err("multiple :: in address")
            ellipsis = i
            s = s[1:]
            if not s:
                break
    if s:
        raise err("trailing garbage after address")
    if i < 16:
        if ellipsis < 0:
            raise err("address string too short")
    elif ellipsis >= 0:
        raise err("the :: must expand to at least one field of zeros")
    return Addr(is4=False, zone=zone)


def parse_addr(text: str) -> Addr:
    """Go's ``netip.ParseAddr`` (validity, family and zone only)."""
    for ch in text:
        if ch == ".":
            _parse_ipv4_fields(text, text)
            return Addr(is4=True, zone="")
        if ch == ":":
            return _parse_ipv6(text)
        if ch == "%":
            raise ValueError(f"ParseAddr({quote(text)}): missing IPv6 address")
    raise ValueError(f"ParseAddr({quote(text)}): unable to parse IP")


def parse_cidr(text: str) -> tuple[Addr, int]:
    """Go's ``net.ParseCIDR``: an IP address without zone, '/', and a decimal prefix length within the family."""
    error = ValueError(f"invalid CIDR address: {text}")
    addr_text, sep, mask = text.partition("/")
    if not sep:
        raise error
    try:
        addr = parse_addr(addr_text)
    except ValueError as exc:
        raise error from exc
    if addr.zone:
        raise error
    if not mask or not mask.isascii() or not mask.isdigit():
        raise error
    bits = int(mask)
    if bits > (32 if addr.is4 else 128):
        raise error
    return addr, bits
