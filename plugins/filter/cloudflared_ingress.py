# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validate cloudflared ingress rules the way cloudflared 2026.x does and render them as YAML.

The rules mirror cloudflared's ``ingress/ingress.go`` (``validateIngress``, ``validateHostname``,
``validateAccessConfiguration``), ``config/configuration.go`` (the ``OriginRequestConfig``,
``AccessConfig`` and ``IngressIPRule`` structs decoded by gopkg.in/yaml.v3) and ``ipaccess/access.go``.
The Go standard library pieces cloudflared relies on are re-implemented from the Go 1.26 sources
(cloudflared 2026.x is built with Go 1.26 and its go.mod says ``go 1.26``): ``time.ParseDuration``,
``strconv.Atoi``, ``net/url.Parse``, ``net.SplitHostPort``, ``net.ParseCIDR`` and, for ``regexp.Compile``,
C++ RE2 (google-re2) plus a Go-faithful pre-pass for the places where Go's ``regexp/syntax`` and C++ RE2
disagree (see ``validate_path_regex``).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import yaml
from ansible.errors import AnsibleFilterError

try:
    import re2
except ImportError as _re2_import_error:  # pragma: no cover - exercised only without google-re2
    re2 = None
    RE2_IMPORT_ERROR: ImportError | None = _re2_import_error
else:
    RE2_IMPORT_ERROR = None

DOCUMENTATION = r"""
name: cloudflared_ingress
short_description: Validate cloudflared ingress rules and render the C(ingress:) block of its config
version_added: 1.0.0
author:
  - lacatfly (@lacatfly)
description:
  - Takes the list of cloudflared ingress rules as a user writes them and returns the YAML text of the
    C(ingress:) block of cloudflared's C(config.yml), with the keys of every rule in the order
    C(hostname), C(path), C(service), C(originRequest).
  - Accepts and rejects exactly what cloudflared 2026.x accepts and rejects when it loads its config
    (C(cloudflared tunnel ingress validate)), so that a broken tunnel configuration fails the play
    instead of the service.
  - That covers the catch-all rule (the last rule must have no hostname, or C(*), and no path; no other
    rule may be one), hostnames (no port, at most one C(*) and only as the first character), paths (Go
    RE2 regular expressions, matched unanchored), services (C(http_status:N) with N from 100 to 999,
    C(unix:PATH), C(unix+tls:PATH), C(hello_world), C(hello-world), C(socks-proxy), C(bastion), or a URL
    with a scheme, a hostname and no path at all, so V(http://127.0.0.1:8081/) is rejected for its
    trailing slash) and C(originRequest) values (Go duration strings, booleans, integers, IP rules,
    Access settings).
  - Stricter than cloudflared where cloudflared only warns or silently ignores, so that typos do not
    deploy silently; an unknown key in a rule, in C(originRequest), in C(access) or in an C(ipRules)
    item is an error (with a suggestion when a known key is close), values must have the exact
    type cloudflared decodes (V(true) is not an integer, V(1) is not a boolean, V(30) is not a
    duration), and every C(ipRules) prefix must be a valid CIDR even outside C(socks-proxy) rules.
  - "Every error names the rule, counted from 1 as cloudflared does (C(ingress rule #2: ...)), and the
    problem."
  - The input is never modified.
requirements:
  - google-re2 (the Python bindings of RE2) on the controller
  - PyYAML on the controller
options:
  _input:
    description:
      - The ingress rules, each a dictionary with the keys C(hostname), C(path), C(service) and
        C(originRequest) (all optional; C(service) is needed unless bastion mode is on).
    type: list
    elements: dict
    required: true
  append_catch_all:
    description:
      - 'When the last rule is not a catch-all, append the catch-all rule C({"service": "http_status:404"}).'
      - When V(false), the list is checked exactly as given, so a missing catch-all is an error.
    type: bool
    default: true
  origin_request:
    description:
      - The top-level C(originRequest) of the config, which the rules inherit.
      - It is validated with the same rules as a rule's C(originRequest) but not emitted by this filter.
      - Pass it when it sets C(bastionMode), which changes how cloudflared reads every rule's service.
    type: dict
"""

EXAMPLES = r"""
- name: Render the ingress block of cloudflared's config.yml
  ansible.builtin.copy:
    dest: /home/tunnel/.cloudflared/config.yml
    mode: "0600"
    content: |
      tunnel: {{ tunnel_id }}
      credentials-file: /home/tunnel/.cloudflared/{{ tunnel_id }}.json
      {{ tunnel_ingress | lacatfly.twilight_drive.cloudflared_ingress(origin_request=tunnel_origin_request) }}
  vars:
    tunnel_origin_request:
      connectTimeout: 30s
    tunnel_ingress:
      - hostname: api.fsagent.cc
        service: http://127.0.0.1:8081
        originRequest:
          connectTimeout: 30s
          noTLSVerify: false

# The result for the rules above (the catch-all is appended):
# ingress:
# - hostname: api.fsagent.cc
#   service: http://127.0.0.1:8081
#   originRequest:
#     connectTimeout: 30s
#     noTLSVerify: false
# - service: http_status:404

- name: Check a complete rule list exactly as given (it must end with its own catch-all)
  ansible.builtin.debug:
    msg: "{{ rules | lacatfly.twilight_drive.cloudflared_ingress(append_catch_all=false) }}"
  vars:
    rules:
      - hostname: "*.example.com"
        path: ^/api/v[0-9]+/
        service: unix:/run/app.sock
      - service: http_status:404

# These fail the task:
#   [{hostname: api.example.com, service: "http://127.0.0.1:8081/"}]
#     ingress rule #1: service 'http://127.0.0.1:8081/': http://127.0.0.1:8081/ is an invalid address,
#     ingress rules don't support proxying to a different path on the origin service ...
#   [{hostname: "a*.example.com", service: "http://127.0.0.1:8081"}]
#     ingress rule #1: hostname 'a*.example.com': Hostname patterns can have at most one wildcard ...
#   [{hostname: api.example.com, service: "http://127.0.0.1:8081", orginRequest: {}}]
#     ingress rule #1: unknown key 'orginRequest' (did you mean 'originRequest'?) ...
"""

RETURN = r"""
_value:
  description:
    - The C(ingress:) block of cloudflared's C(config.yml) as YAML text, starting with C(ingress:) and
      ending with a newline, the rules' keys in the order C(hostname), C(path), C(service),
      C(originRequest).
  type: string
"""


# --------------------------------------------------------------------------------------------------
# Deliberate decisions, where cloudflared's behaviour was ambiguous or where this filter is stricter:
#
# * Target: cloudflared 2026.x, built with Go 1.26 (go.mod: go 1.26). That fixes the regexp/syntax rules
#   (\p{...} names are looked up as Go 1.25+ does) and net/url's host parsing (GODEBUG urlstrictcolons=1:
#   an http or https host may contain only one colon, so http://a:b:80 is an error, tcp://a:b:80 is not).
# * Values must have the Python type cloudflared's Go field has. gopkg.in/yaml.v3 is laxer: it decodes
#   any scalar into a string field, a whole float into an int field and the strings y/yes/on/n/no/off into
#   a bool field; those are rejected here so that a typo or a templating slip does not deploy silently.
#   A duration must be a string: yaml.v3 refuses an integer (even 0) for a time.Duration.
# * YAML null, like an absent key, leaves a field unset (as in cloudflared); null rule keys are not emitted.
# * Unknown keys are errors (cloudflared only logs a warning); proxyType must be "" or "socks" (cloudflared
#   takes any string and treats all but "socks" as ""); every ipRules item must be valid (cloudflared
#   drops invalid ones silently unless the service is socks-proxy); the top-level originRequest gets the
#   same checks as a rule's, including the Access one cloudflared only applies per rule.
# * proxyPort is a Go uint: any integer from 0 to 2**64-1 is accepted, as cloudflared does.
# * The port check is net.SplitHostPort succeeding, as in cloudflared (not "contains a colon"): a bare
#   IPv6 address such as ::1 is accepted, example.com: is not.
# * Hostnames are not checked for IDNA validity: cloudflared only adds the idna.Lookup.ToASCII form as an
#   extra name to match and ignores conversion errors.
# * An empty rule list is an error even with append_catch_all (cloudflared refuses a config without rules).
# --------------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------------
# Keys, types and messages taken from cloudflared's source.
# --------------------------------------------------------------------------------------------------

RULE_KEYS: tuple[str, ...] = ("hostname", "path", "service", "originRequest")

# config.OriginRequestConfig, with the yaml tags spelled exactly as in cloudflared.
DURATION_KEYS: tuple[str, ...] = ("connectTimeout", "tlsTimeout", "tcpKeepAlive", "keepAliveTimeout")
BOOL_KEYS: tuple[str, ...] = (
    "noHappyEyeballs",
    "matchSNItoHost",
    "noTLSVerify",
    "disableChunkedEncoding",
    "bastionMode",
    "http2Origin",
)
STRING_KEYS: tuple[str, ...] = ("httpHostHeader", "originServerName", "caPool", "proxyAddress")
ORIGIN_REQUEST_KEYS: tuple[str, ...] = (
    "connectTimeout",
    "tlsTimeout",
    "tcpKeepAlive",
    "noHappyEyeballs",
    "keepAliveConnections",
    "keepAliveTimeout",
    "httpHostHeader",
    "originServerName",
    "matchSNItoHost",
    "caPool",
    "noTLSVerify",
    "disableChunkedEncoding",
    "bastionMode",
    "proxyAddress",
    "proxyPort",
    "proxyType",
    "ipRules",
    "http2Origin",
    "access",
)
ACCESS_KEYS: tuple[str, ...] = ("required", "teamName", "audTag", "environment")
IP_RULE_KEYS: tuple[str, ...] = ("prefix", "ports", "allow")
# "Valid options are 'socks' or empty." (config.OriginRequestConfig.ProxyType)
PROXY_TYPES: tuple[str, ...] = ("", "socks")

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1

CATCH_ALL_RULE: dict[str, str] = {"service": "http_status:404"}

ERR_NO_INGRESS_RULES = "The config file doesn't contain any ingress rules"
ERR_LAST_RULE_NOT_CATCH_ALL = (
    "The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)"
)
ERR_BAD_WILDCARD = (
    'Hostname patterns can have at most one wildcard character ("*") and it can only be used for '
    'subdomains, e.g. "*.example.com"'
)
ERR_HOSTNAME_CONTAINS_PORT = "Hostname cannot contain a port"

SERVICE_HELLO_WORLD: tuple[str, ...] = ("hello_world", "hello-world")
SERVICE_SOCKS_PROXY = "socks-proxy"
SERVICE_BASTION = "bastion"
HTTP_SCHEMES: tuple[str, ...] = ("http", "https", "ws", "wss")


def _go_quote(value: str) -> str:
    """Approximate Go's strconv.Quote for error messages."""
    return json.dumps(value, ensure_ascii=False)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Mapping):
        return "dict"
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return "list"
    return type(value).__name__


def _describe(value: Any) -> str:
    if isinstance(value, (str, bool, int, float)) or value is None:
        return f"{_type_name(value)} {value!r}"
    return _type_name(value)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_key_message(key: Any, known: Sequence[str]) -> str:
    msg = f"unknown key {key!r}"
    if isinstance(key, str):
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if not close:
            lowered = {k.lower(): k for k in known}
            if key.lower() in lowered:
                close = [lowered[key.lower()]]
        if close:
            msg += f" (did you mean {close[0]!r}?)"
    return f"{msg}; valid keys: {', '.join(known)}"


def _require_known_keys(value: Any, where: str, known: Sequence[str], *, list_keys: bool = True) -> None:
    """Raise unless ``value`` is a dict whose keys are all in ``known`` (with a did-you-mean for a typo)."""
    if not isinstance(value, Mapping):
        keys = f" with keys {', '.join(known)}" if list_keys else ""
        raise AnsibleFilterError(f"{where}: must be a dict{keys}, got {_describe(value)}")
    for key in value:
        if key not in known:
            raise AnsibleFilterError(f"{where}: {_unknown_key_message(key, known)}")


def _plain(value: Any) -> Any:
    """Deep copy into plain Python types (Ansible hands over tagged str/dict/list subclasses)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if _is_list(value):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


# --------------------------------------------------------------------------------------------------
# Go standard library behaviour (Go 1.26).
# --------------------------------------------------------------------------------------------------

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


def parse_go_duration(value: str) -> int:
    """Parse a duration exactly like Go's ``time.ParseDuration`` and return nanoseconds.

    ``[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+`` with units ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h;
    a bare ``0`` (optionally signed) is the only unit-less value accepted; the result must fit an int64.
    Raises ``ValueError`` with Go's message otherwise.
    """
    if not isinstance(value, str):
        raise ValueError(f"must be a duration string like 30s, got {_describe(value)}")
    orig = value
    try:
        s = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"time: invalid duration {_go_quote(orig)}") from exc

    def bad(message: str = "invalid duration") -> ValueError:
        return ValueError(f"time: {message} {_go_quote(orig)}")

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
            raise bad(f"unknown unit {_go_quote(unit_name.decode('utf-8', 'replace'))} in duration")
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


_ATOI_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)


def go_atoi(value: str) -> int:
    """Parse an int like Go's ``strconv.Atoi`` on 64-bit: optional sign, ASCII decimal digits, int64 range."""
    if _ATOI_RE.fullmatch(value) is None:
        raise ValueError(f"strconv.Atoi: parsing {_go_quote(value)}: invalid syntax")
    number = int(value, 10)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(f"strconv.Atoi: parsing {_go_quote(value)}: value out of range")
    return number


def go_split_host_port(hostport: str) -> tuple[str, str]:
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


class GoAddr(NamedTuple):
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
                raise ValueError(f"ParseAddr({_go_quote(text)}): IPv4 field has octet with leading zero")
            val = val * 10 + ord(ch) - 0x30
            dig_len += 1
            if val > 255:
                raise ValueError(f"ParseAddr({_go_quote(text)}): IPv4 field has value >255")
        elif ch == ".":
            if i == 0 or i == len(part) - 1 or part[i - 1] == ".":
                raise ValueError(f"ParseAddr({_go_quote(text)}): IPv4 field must have at least one digit")
            if pos == 3:
                raise ValueError(f"ParseAddr({_go_quote(text)}): IPv4 address too long")
            pos += 1
            val = 0
            dig_len = 0
        else:
            raise ValueError(f"ParseAddr({_go_quote(text)}): unexpected character")
    if pos < 3:
        raise ValueError(f"ParseAddr({_go_quote(text)}): IPv4 address too short")


def _parse_ipv6(text: str) -> GoAddr:
    s = text
    zone = ""
    pct = s.find("%")
    if pct != -1:
        s, zone = s[:pct], s[pct + 1 :]
        if zone == "":
            raise ValueError(f"ParseAddr({_go_quote(text)}): zone must be a non-empty string")

    def err(msg: str) -> ValueError:
        return ValueError(f"ParseAddr({_go_quote(text)}): {msg}")

    ellipsis = -1
    if len(s) >= 2 and s[0] == ":" and s[1] == ":":
        ellipsis = 0
        s = s[2:]
        if not s:
            return GoAddr(is4=False, zone=zone)
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
    return GoAddr(is4=False, zone=zone)


def go_parse_addr(text: str) -> GoAddr:
    """Go's ``netip.ParseAddr`` (validity, family and zone only)."""
    for ch in text:
        if ch == ".":
            _parse_ipv4_fields(text, text)
            return GoAddr(is4=True, zone="")
        if ch == ":":
            return _parse_ipv6(text)
        if ch == "%":
            raise ValueError(f"ParseAddr({_go_quote(text)}): missing IPv6 address")
    raise ValueError(f"ParseAddr({_go_quote(text)}): unable to parse IP")


def go_parse_cidr(text: str) -> tuple[GoAddr, int]:
    """Go's ``net.ParseCIDR``: an IP address without zone, '/', and a decimal prefix length within the family."""
    error = ValueError(f"invalid CIDR address: {text}")
    addr_text, sep, mask = text.partition("/")
    if not sep:
        raise error
    try:
        addr = go_parse_addr(addr_text)
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


# net/url: characters a host (or zone) may contain unescaped (shouldEscape(c, encodeHost) == false).
_URL_HOST_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"")
_HEX = frozenset("0123456789abcdefABCDEF")
_URL_USERINFO_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@")


class GoURL(NamedTuple):
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
                raise ValueError(f"invalid URL escape {_go_quote(bad)}")
            value = int(chunk[1:].decode("ascii"), 16)
            if mode == "host" and value < 0x80 and chunk != b"%25":
                raise ValueError(f"invalid URL escape {_go_quote(chunk.decode('ascii'))}")
            if (
                mode == "zone"
                and chunk != b"%25"
                and value != 0x20
                and (value >= 0x80 or chr(value) not in _URL_HOST_OK)
            ):
                raise ValueError(f"invalid URL escape {_go_quote(chunk.decode('ascii'))}")
            out.append(value)
            i += 3
            continue
        if mode in ("host", "zone") and b < 0x80 and chr(b) not in _URL_HOST_OK:
            raise ValueError(f"invalid character {_go_quote(chr(b))} in host name")
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
            raise ValueError(f"invalid port {_go_quote(colon_port)} after host")
        colon_port = _url_unescape(colon_port, "host")
        hostname = host[1:close_bracket]
        zone_idx = hostname.find("%25")
        if zone_idx >= 0:
            unescaped = _url_unescape(hostname[:zone_idx], "host") + _url_unescape(hostname[zone_idx:], "zone")
        else:
            unescaped = _url_unescape(hostname, "host")
        try:
            addr = go_parse_addr(unescaped)
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
            raise ValueError(f"invalid port {_go_quote(colon_port)} after host")
    return _url_unescape(host, "host")


def go_url_parse(raw_url: str) -> GoURL:
    """Go's ``net/url.Parse`` (Go 1.26), returning the fields cloudflared uses; raises ``ValueError``."""
    rest_all, has_frag, frag = raw_url.partition("#")

    def fail(reason: str) -> ValueError:
        return ValueError(f"parse {_go_quote(rest_all)}: {reason}")

    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in rest_all):
        raise fail("net/url: invalid control character in URL")
    if rest_all == "*":
        url = GoURL("", "", "", "*")
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
                url = GoURL(scheme, rest, "", "")
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
        url = GoURL(scheme, "", host, path)
    return _url_with_fragment(url, raw_url, has_frag, frag)


def _url_with_fragment(url: GoURL, raw_url: str, has_frag: str, frag: str) -> GoURL:
    if has_frag and frag:
        try:
            _url_unescape(frag, "fragment")
        except ValueError as exc:
            raise ValueError(f"parse {_go_quote(raw_url)}: {exc}") from exc
    return url


# --------------------------------------------------------------------------------------------------
# Path regular expressions: Go's regexp.Compile (regexp/syntax with the Perl flags), via C++ RE2.
# --------------------------------------------------------------------------------------------------


# Go 1.26's unicode package (Unicode 15.0.0): the names \p{...} may resolve to.
def _words(text: str) -> list[str]:
    return text.split()


_GO_UNICODE_CATEGORIES = _words(
    "C Cc Cf Cn Co Cs L LC Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs"
)
_GO_UNICODE_SCRIPTS = _words("""
Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki
Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee
Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan
Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi
Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited
Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi
Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian
Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui
Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari
Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic
Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage
Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan
Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri
Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh
Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square
""")
_GO_UNICODE_CATEGORY_ALIASES = _words("""
Cased_Letter Close_Punctuation Combining_Mark Connector_Punctuation Control Currency_Symbol Dash_Punctuation
Decimal_Number Enclosing_Mark Final_Punctuation Format Initial_Punctuation Letter Letter_Number Line_Separator
Lowercase_Letter Mark Math_Symbol Modifier_Letter Modifier_Symbol Nonspacing_Mark Number Open_Punctuation Other
Other_Letter Other_Number Other_Punctuation Other_Symbol Paragraph_Separator Private_Use Punctuation Separator
Space_Separator Spacing_Mark Surrogate Symbol Titlecase_Letter Unassigned Uppercase_Letter cntrl digit punct
""")


def _go_canonical_unicode_name(name: str) -> str:
    """regexp/syntax ``canonicalName`` (Go 1.25+): drop ``_ - space``, first letter upper, the rest lower."""
    out = []
    first = True
    for ch in name:
        if ch in "_- ":
            continue
        if first:
            if "a" <= ch <= "z":
                ch = ch.upper()
            first = False
        elif "A" <= ch <= "Z":
            ch = ch.lower()
        out.append(ch)
    return "".join(out)


# regexp/syntax ``unicodeTable``: special names, then unicode.Categories and unicode.Scripts looked up by the
# canonical name (so multi-word scripts such as Old_Italic are not found, as in Go 1.26), then the category
# aliases looked up by their canonical names.
_GO_UNICODE_NAMES = frozenset(
    ["Any", "Assigned", "Ascii", "Lc"]
    + _GO_UNICODE_CATEGORIES
    + _GO_UNICODE_SCRIPTS
    + [_go_canonical_unicode_name(alias) for alias in _GO_UNICODE_CATEGORY_ALIASES]
)

_GO_POSIX_CLASSES = frozenset(
    f"[:{neg}{name}:]"
    for neg in ("", "^")
    for name in _words("alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit")
)
_GO_MAX_HEIGHT = 1000


class _GoRegexpError(ValueError):
    """A pattern Go's regexp/syntax rejects; the message follows Go's ``*syntax.Error``."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


def _go_isalnum(ch: str) -> bool:
    return "0" <= ch <= "9" or "a" <= ch <= "z" or "A" <= ch <= "Z"


def _go_unhex(ch: str | None) -> int:
    if ch is not None and ch in _HEX:
        return int(ch, 16)
    return -1


class _Item:
    """Something a repetition operator can apply to, in the scanner's view of Go's parse stack."""

    __slots__ = ("height", "out_end", "out_start", "repeated", "structured")

    def __init__(self, height: int, out_start: int, out_end: int, structured: bool):
        self.height = height  # lower bound of the height of Go's parse tree for it
        self.out_start = out_start  # span of its text in the scanner's output pieces
        self.out_end = out_end
        self.structured = structured  # a group (may contain repetitions)
        self.repeated = False  # its outermost node is a repetition


class _Level:
    __slots__ = ("capture", "last", "max_height", "out_start")

    def __init__(self, capture: bool, out_start: int):
        self.capture = capture
        self.out_start = out_start
        self.max_height = 0
        self.last: _Item | None = None


class _GoRegexpScanner:
    """Walks a pattern the way Go's ``regexp/syntax.Parse`` (Perl flags) does.

    It raises ``_GoRegexpError`` for the errors Go reports and C++ RE2 does not, and writes the pattern
    to hand to C++ RE2 for everything else (balance of parentheses, repetition operands and sizes, the
    character ranges, the rest of the Perl syntax), rewritten where the two engines diverge:

    * ``\\C`` (any byte): RE2 accepts it, Go rejects it.
    * Capture names: Go accepts only ``[A-Za-z0-9_]+``; RE2 also accepts Unicode word characters.
    * ``\\p{...}`` and ``\\pX`` names are resolved as Go 1.26 does (case-, space-, ``_``- and ``-``-insensitive,
      long category names like ``Letter``, ``Any``, ``ASCII``, ``Assigned``, ``LC``, ``Cn``; but only
      one-word script names, so ``\\p{Old_Italic}`` is an error in Go 1.26) against Go's Unicode 15.0.0
      tables, then replaced by ``\\d`` for RE2 (RE2 knows other names and Unicode versions, and compiles
      big classes into big programs where Go counts a class as one instruction).
    * A repetition with a maximum of 0 (``x{0}``, ``x{0,0}``): Go's nested-repetition limit stops looking
      inside it, RE2 looks through it, so ``((x{30}){0}){40}`` is valid in Go only. Its operand is checked
      on its own and replaced by ``(?:)`` for RE2.
    * An empty ``\\Q\\E`` or a flag group such as ``(?i)`` between two repetition operators ends the
      first one for Go (``a*(?i)*`` is valid); the first operand is wrapped in ``(?:...)`` for RE2.
    * Go rejects parse trees higher than 1000 ("expression nests too deeply"); RE2 has no such limit.
      A lower bound of Go's height is tracked (capture groups and repetitions), which is exact for
      plain nesting such as 1000 nested capture groups.
    """

    def __init__(self, pattern: str):
        self.s = pattern
        self.n = len(pattern)
        self.out: list[str] = []
        self.levels = [_Level(capture=False, out_start=0)]
        self.last_repeat = False  # Go's lastRepeat != ""

    # -- helpers ---------------------------------------------------------------------------------
    def _add_item(self, height: int, out_start: int, structured: bool) -> None:
        lvl = self.levels[-1]
        item = _Item(height, out_start, len(self.out), structured)
        lvl.last = item
        lvl.max_height = max(lvl.max_height, height)
        self._check_height(height)

    def _check_height(self, height: int) -> None:
        total = height + sum(1 for lvl in self.levels if lvl.capture)
        if total > _GO_MAX_HEIGHT:
            raise _GoRegexpError("expression nests too deeply", self.s)

    def _atom(self, text: str) -> None:
        out_start = len(self.out)
        self.out.append(text)
        self._add_item(1, out_start, structured=False)

    def _scan_escape(self, j: int) -> int:
        """regexp/syntax ``parseEscape``: return the index after the escape at ``j`` or raise."""
        s, n = self.s, self.n
        t = j + 1
        if t >= n:
            raise _GoRegexpError("trailing backslash at end of expression", "")
        c = s[t]
        t += 1
        if ord(c) < 0x80 and not _go_isalnum(c):
            return t
        if c in "1234567" and (t >= n or not "0" <= s[t] <= "7"):
            raise _GoRegexpError("invalid escape sequence", s[j:t])
        if c in "01234567":
            for _ in range(2):
                if t < n and "0" <= s[t] <= "7":
                    t += 1
                else:
                    break
            return t
        if c == "x":
            if t >= n:
                raise _GoRegexpError("invalid escape sequence", s[j:t])
            c = s[t]
            t += 1
            if c == "{":
                nhex = 0
                value = 0
                while True:
                    if t >= n:
                        raise _GoRegexpError("invalid escape sequence", s[j:t])
                    c = s[t]
                    t += 1
                    if c == "}":
                        break
                    digit = _go_unhex(c)
                    if digit < 0:
                        raise _GoRegexpError("invalid escape sequence", s[j:t])
                    value = value * 16 + digit
                    if value > 0x10FFFF:
                        raise _GoRegexpError("invalid escape sequence", s[j:t])
                    nhex += 1
                if nhex == 0:
                    raise _GoRegexpError("invalid escape sequence", s[j:t])
                return t
            x = _go_unhex(c)
            c2 = s[t] if t < n else None
            if c2 is not None:
                t += 1
            if x < 0 or _go_unhex(c2) < 0:
                raise _GoRegexpError("invalid escape sequence", s[j:t])
            return t
        if c in "afnrtv":
            return t
        raise _GoRegexpError("invalid escape sequence", s[j:t])

    def _scan_unicode_class(self, j: int) -> int:
        """regexp/syntax ``parseUnicodeClass`` for ``\\p``/``\\P`` at ``j``; returns the index after it."""
        s, n = self.s, self.n
        t = j + 2
        if t < n and s[t] == "{":
            end = s.find("}", j)
            if end < 0:
                raise _GoRegexpError("invalid character class range", s[j:])
            seq, name, after = s[j : end + 1], s[t + 1 : end], end + 1
        else:
            after = min(t + 1, n)
            seq, name = s[j:after], s[t:after]
        if name.startswith("^"):
            name = name[1:]
        if _go_canonical_unicode_name(name) not in _GO_UNICODE_NAMES:
            raise _GoRegexpError("invalid character class range", seq)
        return after

    def _scan_class(self, i: int) -> int:
        """regexp/syntax ``parseClass`` for the class opening at ``i``; appends RE2's version to out."""
        s, n = self.s, self.n
        parts = ["["]
        t = i + 1
        if t < n and s[t] == "^":
            parts.append("^")
            t += 1
        first = True
        while t >= n or s[t] != "]" or first:
            if t >= n:
                raise _GoRegexpError("missing closing ]", s[i:])
            first = False
            if s.startswith("[:", t) and n - t > 2:
                end = s.find(":]", t + 2)
                if end >= 0:
                    name = s[t : end + 2]
                    if name not in _GO_POSIX_CLASSES:
                        raise _GoRegexpError("invalid character class range", name)
                    parts.append(name)
                    t = end + 2
                    continue
            if s[t] == "\\" and t + 1 < n and s[t + 1] in "pP":
                t = self._scan_unicode_class(t)
                parts.append("\\d")
                continue
            if s[t] == "\\" and t + 1 < n and s[t + 1] in "dDsSwW":
                parts.append(s[t : t + 2])
                t += 2
                continue
            start = t
            t = self._scan_class_char(t, i)
            if t + 1 < n and s[t] == "-" and s[t + 1] != "]":
                t = self._scan_class_char(t + 1, i)
            parts.append(s[start:t])
        parts.append("]")
        self.out.append("".join(parts))
        return t + 1

    def _scan_class_char(self, t: int, class_start: int) -> int:
        if t >= self.n:
            raise _GoRegexpError("missing closing ]", self.s[class_start:])
        if self.s[t] == "\\":
            return self._scan_escape(t)
        return t + 1

    def _scan_perl_flags(self, i: int) -> tuple[int, str]:
        """regexp/syntax ``parsePerlFlags`` for ``(?`` at ``i``: (end, "capture" | "group" | "flags")."""
        t = self.s[i:]
        starts_with_p = len(t) > 4 and t[2] == "P" and t[3] == "<"
        starts_with_name = len(t) > 3 and t[2] == "<"
        if starts_with_p or starts_with_name:
            end = t.find(">")
            if end < 0:
                raise _GoRegexpError("invalid named capture", t)
            name = t[4 if starts_with_p else 3 : end]
            if not name or not all(ch == "_" or _go_isalnum(ch) for ch in name):
                raise _GoRegexpError("invalid named capture", t[: end + 1])
            return i + end + 1, "capture"
        j = 2
        sign = 1
        saw_flag = False
        while j < len(t):
            c = t[j]
            j += 1
            if c in "imsU":
                saw_flag = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                saw_flag = False
            elif c in ":)":
                if sign < 0 and not saw_flag:
                    break
                return i + j, "group" if c == ":" else "flags"
            else:
                break
        raise _GoRegexpError("invalid or unsupported Perl syntax", t[:j])

    @staticmethod
    def _parse_int(s: str, t: int) -> tuple[int, int] | None:
        n = len(s)
        if t >= n or not "0" <= s[t] <= "9":
            return None
        if t + 1 < n and s[t] == "0" and "0" <= s[t + 1] <= "9":
            return None
        start = t
        while t < n and "0" <= s[t] <= "9":
            t += 1
        digits = s[start:t]
        value = int(digits) if len(digits) <= 8 else -1
        if value >= 10**8:
            value = -1
        return value, t

    def _parse_repeat(self, i: int) -> tuple[int, int, int] | None:
        """regexp/syntax ``parseRepeat`` for ``{`` at ``i``: (min, max, end) or None when ``{`` is literal."""
        s, n = self.s, self.n
        parsed = self._parse_int(s, i + 1)
        if parsed is None:
            return None
        lo, t = parsed
        if t >= n:
            return None
        if s[t] != ",":
            hi = lo
        else:
            t += 1
            if t >= n:
                return None
            if s[t] == "}":
                hi = -1
            else:
                parsed = self._parse_int(s, t)
                if parsed is None:
                    return None
                hi, t = parsed
                if hi < 0:
                    lo = -1
        if t >= n or s[t] != "}":
            return None
        return lo, hi, t + 1

    def _repeat(self, i: int, end: int, max_zero: bool) -> int:
        """Apply the repetition operator ``s[i:end]`` (plus a non-greedy ``?``) to the last item."""
        s = self.s
        if end < self.n and s[end] == "?":
            end += 1
        lvl = self.levels[-1]
        item = lvl.last
        if item is not None and not self.last_repeat:
            if item.repeated:
                # Go's lastRepeat was reset by an empty \Q\E or a flag group: keep RE2 from seeing a**.
                self.out[item.out_start] = "(?:" + self.out[item.out_start]
                self.out[item.out_end - 1] += ")"
            if max_zero and (item.structured or item.repeated):
                # Go does not look inside x{0} when it checks nested repetition sizes; RE2 does.
                _re2_check("".join(self.out[item.out_start : item.out_end]))
                self.out[item.out_start] = "(?:)"
                for k in range(item.out_start + 1, item.out_end):
                    self.out[k] = ""
                item.structured = False
        self.out.append(s[i:end])
        if item is not None:
            item.height += 1
            item.out_end = len(self.out)
            item.repeated = True
            lvl.max_height = max(lvl.max_height, item.height)
            self._check_height(item.height)
        self.last_repeat = True
        return end

    # -- main loop -------------------------------------------------------------------------------
    def scan(self) -> str:
        s, n = self.s, self.n
        i = 0
        while i < n:
            c = s[i]
            repeat = False
            if c == "(":
                if i + 1 < n and s[i + 1] == "?":
                    end, kind = self._scan_perl_flags(i)
                    self.out.append(s[i:end])
                    if kind != "flags":
                        self.levels.append(_Level(kind == "capture", len(self.out) - 1))
                        self.levels[-2].last = None
                    i = end
                else:
                    self.out.append("(")
                    self.levels.append(_Level(True, len(self.out) - 1))
                    self.levels[-2].last = None
                    i += 1
            elif c == ")":
                if len(self.levels) == 1:
                    raise _GoRegexpError("unexpected )", s)
                done = self.levels.pop()
                self.out.append(")")
                height = max(done.max_height, 1) + (1 if done.capture else 0)
                self._add_item(height, done.out_start, structured=True)
                i += 1
            elif c == "|":
                self.out.append("|")
                self.levels[-1].last = None
                i += 1
            elif c == "[":
                out_start = len(self.out)
                end = self._scan_class(i)
                self._add_item(1, out_start, structured=False)
                i = end
            elif c in "*+?":
                i = self._repeat(i, i + 1, max_zero=False)
                repeat = True
            elif c == "{":
                parsed = self._parse_repeat(i)
                if parsed is None:
                    self._atom("\\{")
                    i += 1
                else:
                    lo, hi, end = parsed
                    if lo < 0 or lo > 1000 or hi > 1000 or 0 <= hi < lo:
                        raise _GoRegexpError("invalid repeat count", s[i:end])
                    i = self._repeat(i, end, max_zero=hi == 0)
                    repeat = True
            elif c == "\\":
                i = self._scan_backslash(i)
            else:
                self._atom(c)
                i += 1
            if not repeat:
                self.last_repeat = False
        return "".join(self.out)

    def _scan_backslash(self, i: int) -> int:
        s, n = self.s, self.n
        if i + 1 < n:
            c = s[i + 1]
            if c in "AbBz":
                self._atom(s[i : i + 2])
                return i + 2
            if c == "C":
                raise _GoRegexpError("invalid escape sequence", "\\C")
            if c == "Q":
                close = s.find("\\E", i + 2)
                end = n if close < 0 else close + 2
                for ch in s[i + 2 : n if close < 0 else close]:
                    if ord(ch) < 0x80 and not _go_isalnum(ch):
                        self._atom(f"\\x{{{ord(ch):x}}}")
                    else:
                        self._atom(ch)
                return end
            if c in "pP":
                end = self._scan_unicode_class(i)
                self._atom("\\d")
                return end
            if c in "dDsSwW":
                self._atom(s[i : i + 2])
                return i + 2
        end = self._scan_escape(i)
        self._atom(s[i:end])
        return end


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 otherwise logs every rejected pattern to stderr
    return options


def validate_path_regex(path: str) -> None:
    """Check ``path`` as Go's ``regexp.Compile`` (RE2 syntax with Perl flags) would; raise ``ValueError``.

    C++ RE2 (google-re2) does the parsing, after ``_GoRegexpScanner`` has applied Go's rules where the two
    differ. RE2 failing only for lack of memory ("pattern too large") counts as valid: Go counts a
    character class as one instruction and allows about 3.3 million of them, far more than RE2's default
    budget. The reverse case, Go's own "expression too large" for programs over that size, is not
    detected (no realistic path regex gets near it).
    """
    if not isinstance(path, str):
        raise ValueError(f"must be a string, got {_describe(path)}")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("error parsing regexp: invalid UTF-8") from exc
    _re2_check(_GoRegexpScanner(path).scan())


def _re2_check(pattern: str) -> None:
    """Parse a (rewritten) pattern with C++ RE2; raise ``ValueError`` with its message if it is invalid."""
    if re2 is None:
        raise ValueError(f"the google-re2 Python package is required to check paths ({RE2_IMPORT_ERROR})")
    try:
        re2.compile(pattern, _re2_options())
    except re2.error as exc:
        message = exc.args[0] if exc.args else ""
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        if str(message).startswith("pattern too large"):
            return
        raise ValueError(f"error parsing regexp: {message}") from exc


# --------------------------------------------------------------------------------------------------
# Rules.
# --------------------------------------------------------------------------------------------------


def validate_service(service: str, *, bastion_mode: bool = False, ip_rules: Any = None) -> str:
    """Check a rule's ``service`` as cloudflared's ``validateIngress`` does and return its kind.

    Kinds: ``unix``, ``unix+tls``, ``http_status``, ``hello_world``, ``socks-proxy``, ``bastion``, ``http``
    (http, https, ws, wss URLs) and ``tcp`` (any other scheme). ``bastion_mode`` is the rule's effective
    ``originRequest.bastionMode`` (its own, else the top-level one): cloudflared then treats any service
    that is not a unix socket, status code, hello world or socks proxy as bastion, even an empty one.
    Raises ``ValueError`` with cloudflared's message.
    """
    if not isinstance(service, str):
        raise ValueError(f"must be a string, got {_describe(service)}")
    if service.startswith("unix:"):
        return "unix"
    if service.startswith("unix+tls:"):
        return "unix+tls"
    if service.startswith("http_status:"):
        try:
            code = go_atoi(service[len("http_status:") :])
        except ValueError as exc:
            raise ValueError(f"invalid HTTP status code: {exc}") from exc
        if code < 100 or code > 999:
            raise ValueError(f"invalid HTTP status code: {code} (it must be from 100 to 999)")
        return "http_status"
    if service in SERVICE_HELLO_WORLD:
        return "hello_world"
    if service == SERVICE_SOCKS_PROXY:
        for index, rule in enumerate(ip_rules or []):
            prefix = rule.get("prefix") if isinstance(rule, Mapping) else None
            try:
                _check_ip_rule(prefix, rule.get("ports") if isinstance(rule, Mapping) else None)
            except ValueError as exc:
                raise ValueError(f"unable to create ip rule for {service}: {exc} (ipRules[{index}])") from exc
        return "socks-proxy"
    if service == SERVICE_BASTION or bastion_mode:
        return "bastion"
    url = go_url_parse(service)
    if url.scheme == "" or url.hostname() == "":
        raise ValueError(f"{service} is an invalid address, please make sure it has a scheme and a hostname")
    if url.path != "":
        hint = " (remove the trailing slash)" if url.path == "/" else ""
        raise ValueError(
            f"{service} is an invalid address, ingress rules don't support proxying to a different path on the "
            f"origin service. The path will be the same as the eyeball request's path{hint}"
        )
    return "http" if url.scheme in HTTP_SCHEMES else "tcp"


def _check_ip_rule(prefix: Any, ports: Any) -> None:
    """ipaccess.NewRuleByCIDR: a prefix that net.ParseCIDR accepts, ports from 1 to 65535."""
    if prefix is None or prefix == "":
        raise ValueError("no prefix provided")
    try:
        go_parse_cidr(prefix)
    except ValueError as exc:
        raise ValueError(f"unable to parse cidr: {prefix}") from exc
    for port in ports or []:
        if not _is_int(port) or port < 1 or port > 65535:
            raise ValueError(f"invalid port {port}, needs to be between 1 and 65535")


def validate_hostname(hostname: str, path: str, index: int, total: int) -> None:
    """cloudflared's ``validateHostname`` for rule ``index`` (0-based) of ``total``; raises ``ValueError``.

    No port (``net.SplitHostPort`` must fail, so ``example.com:8080`` and ``[::1]:80`` are rejected while
    a bare ``::1`` is not), no ``*`` other than as the first character, the last rule and only it a
    catch-all. Unicode hostnames are fine: cloudflared only adds their punycode form (``idna.Lookup``)
    as a second name to match, ignoring conversion errors.
    """
    try:
        go_split_host_port(hostname)
    except ValueError:
        pass
    else:
        raise ValueError(f"hostname {hostname!r}: {ERR_HOSTNAME_CONTAINS_PORT}")
    if hostname.rfind("*") > 0:
        raise ValueError(f"hostname {hostname!r}: {ERR_BAD_WILDCARD}")
    catch_all = hostname in ("", "*") and path == ""
    last = index == total - 1
    if last and not catch_all:
        raise ValueError(ERR_LAST_RULE_NOT_CATCH_ALL)
    if not last and catch_all:
        raise ValueError(
            f"Rule #{index + 1} is matching the hostname {hostname!r}, but this will match every hostname, "
            "meaning the rules which follow it will never be triggered (only the last rule may be a catch-all)"
        )


def is_catch_all(rule: Mapping[str, Any]) -> bool:
    """Whether a rule matches every request: hostname empty, missing or ``*``, and no path."""
    hostname = rule.get("hostname") or ""
    path = rule.get("path") or ""
    return hostname in ("", "*") and path == ""


def validate_origin_request(cfg: Any, where: str) -> dict[str, Any]:
    """Validate an ``originRequest`` mapping (a rule's or the top-level one) and return a plain copy.

    ``where`` names it in error messages, e.g. ``"ingress rule #2: originRequest"`` or
    ``"top-level originRequest"``. Raises ``AnsibleFilterError``.
    """
    if cfg is None:
        return {}
    _require_known_keys(cfg, where, ORIGIN_REQUEST_KEYS, list_keys=False)
    for key, value in cfg.items():
        if value is None:
            continue  # YAML null leaves cloudflared's *T field unset
        field = f"{where}.{key}"
        if key in DURATION_KEYS:
            if not isinstance(value, str):
                raise AnsibleFilterError(f"{field} must be a duration string like 30s, got {_describe(value)}")
            try:
                parse_go_duration(value)
            except ValueError as exc:
                raise AnsibleFilterError(f"{field}: {exc} (valid units: ns, us, ms, s, m, h)") from exc
        elif key in BOOL_KEYS:
            if not isinstance(value, bool):
                raise AnsibleFilterError(f"{field} must be a boolean (true or false), got {_describe(value)}")
        elif key in STRING_KEYS:
            if not isinstance(value, str):
                raise AnsibleFilterError(f"{field} must be a string, got {_describe(value)}")
        elif key == "keepAliveConnections":
            if not _is_int(value) or not INT64_MIN <= value <= INT64_MAX:
                raise AnsibleFilterError(f"{field} must be an integer, got {_describe(value)}")
        elif key == "proxyPort":
            if not _is_int(value) or not 0 <= value <= UINT64_MAX:
                raise AnsibleFilterError(f"{field} must be a non-negative integer, got {_describe(value)}")
        elif key == "proxyType":
            if not isinstance(value, str) or value not in PROXY_TYPES:
                raise AnsibleFilterError(f"{field} must be 'socks' or '', got {_describe(value)}")
        elif key == "ipRules":
            _validate_ip_rules(value, field)
        elif key == "access":
            _validate_access(value, field)
    return _plain(cfg)


def _validate_ip_rules(value: Any, field: str) -> None:
    if not _is_list(value):
        raise AnsibleFilterError(f"{field} must be a list of {{prefix, ports, allow}}, got {_describe(value)}")
    for index, item in enumerate(value):
        where = f"{field}[{index}]"
        _require_known_keys(item, where, IP_RULE_KEYS)
        prefix = item.get("prefix")
        ports = item.get("ports")
        allow = item.get("allow")
        if prefix is not None and not isinstance(prefix, str):
            raise AnsibleFilterError(f"{where}.prefix must be a string (a CIDR), got {_describe(prefix)}")
        if ports is not None:
            if not _is_list(ports):
                raise AnsibleFilterError(f"{where}.ports must be a list of integers, got {_describe(ports)}")
            for port in ports:
                if not _is_int(port) or not INT64_MIN <= port <= INT64_MAX:
                    raise AnsibleFilterError(f"{where}.ports items must be integers, got {_describe(port)}")
        if allow is not None and not isinstance(allow, bool):
            raise AnsibleFilterError(f"{where}.allow must be a boolean (true or false), got {_describe(allow)}")
        try:
            _check_ip_rule(prefix, ports)
        except ValueError as exc:
            raise AnsibleFilterError(f"{where}: {exc}") from exc


def _validate_access(value: Any, field: str) -> None:
    _require_known_keys(value, field, ACCESS_KEYS)
    required = value.get("required")
    team_name = value.get("teamName")
    aud_tag = value.get("audTag")
    environment = value.get("environment")
    if required is not None and not isinstance(required, bool):
        raise AnsibleFilterError(f"{field}.required must be a boolean (true or false), got {_describe(required)}")
    for key, item in (("teamName", team_name), ("environment", environment)):
        if item is not None and not isinstance(item, str):
            raise AnsibleFilterError(f"{field}.{key} must be a string, got {_describe(item)}")
    if aud_tag is not None:
        if not _is_list(aud_tag):
            raise AnsibleFilterError(f"{field}.audTag must be a list of strings, got {_describe(aud_tag)}")
        for tag in aud_tag:
            if not isinstance(tag, str):
                raise AnsibleFilterError(f"{field}.audTag items must be strings, got {_describe(tag)}")
    # ingress.validateAccessConfiguration
    if required and not team_name and aud_tag:
        raise AnsibleFilterError(f"{field}: access.TeamName cannot be blank when access.audTags are present")


def _check_rule_shape(rule: Any, where: str) -> None:
    _require_known_keys(rule, where, RULE_KEYS)
    for key in ("hostname", "path", "service"):
        value = rule.get(key)
        if value is not None and not isinstance(value, str):
            raise AnsibleFilterError(f"{where}: {key} must be a string, got {_describe(value)}")


def validate_rules(
    rules: Any,
    *,
    append_catch_all: bool = True,
    origin_request: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Validate ingress rules as cloudflared does and return them as plain dicts, ready to dump.

    Every returned rule has its keys in the order hostname, path, service, originRequest (keys whose
    value is null are left out). With ``append_catch_all`` the rule ``{service: http_status:404}`` is
    appended when the last rule is not a catch-all. ``origin_request`` is the top-level originRequest:
    it is validated, and its ``bastionMode`` applies to the rules as in cloudflared, but it is not
    returned. Raises ``AnsibleFilterError``; nothing passed in is modified.
    """
    if not isinstance(append_catch_all, bool):
        raise AnsibleFilterError(f"append_catch_all must be a boolean, got {_describe(append_catch_all)}")
    if not _is_list(rules):
        raise AnsibleFilterError(f"cloudflared_ingress: expected a list of ingress rules, got {_describe(rules)}")
    if len(rules) == 0:
        raise AnsibleFilterError(f"ingress: no ingress rules given ({ERR_NO_INGRESS_RULES})")
    defaults = validate_origin_request(origin_request, "top-level originRequest")
    default_bastion = defaults.get("bastionMode") is True

    given = len(rules)
    for index, rule in enumerate(rules):
        _check_rule_shape(rule, f"ingress rule #{index + 1}")
    work: list[Mapping[str, Any]] = list(rules)
    if append_catch_all and not is_catch_all(work[-1]):
        work.append(CATCH_ALL_RULE)
    total = len(work)

    result: list[dict[str, Any]] = []
    for index, rule in enumerate(work):
        where = f"ingress rule #{index + 1}"
        origin = validate_origin_request(rule.get("originRequest"), f"{where}: originRequest")
        hostname = rule.get("hostname") or ""
        path = rule.get("path") or ""
        service = rule.get("service") or ""

        # cloudflared's order: the service, the rule's access settings (checked above), the hostname,
        # then the path.
        rule_bastion = origin.get("bastionMode")
        bastion_mode = rule_bastion if isinstance(rule_bastion, bool) else default_bastion
        try:
            validate_service(service, bastion_mode=bastion_mode, ip_rules=origin.get("ipRules"))
        except ValueError as exc:
            if not service:
                raise AnsibleFilterError(f"{where}: service is missing (only bastion mode allows that): {exc}") from exc
            raise AnsibleFilterError(f"{where}: service {service!r}: {exc}") from exc
        try:
            validate_hostname(hostname, path, index, total)
        except ValueError as exc:
            hint = ""
            if index == total - 1 and index < given and not append_catch_all:
                hint = " (add a last rule with only a service, such as http_status:404, or set append_catch_all)"
            raise AnsibleFilterError(f"{where}: {exc}{hint}") from exc
        if path:
            try:
                validate_path_regex(path)
            except ValueError as exc:
                raise AnsibleFilterError(f"{where}: path {path!r} has an invalid regex: {exc}") from exc

        out: dict[str, Any] = {}
        for key in RULE_KEYS:
            value = rule.get(key)
            if value is not None:
                out[key] = origin if key == "originRequest" else _plain(value)
        result.append(out)
    return result


def cloudflared_ingress(
    rules: Any,
    *,
    append_catch_all: bool = True,
    origin_request: Mapping[str, Any] | None = None,
) -> str:
    """The filter: validate the rules and return the ``ingress:`` block of cloudflared's config as YAML."""
    document = {"ingress": validate_rules(rules, append_catch_all=append_catch_all, origin_request=origin_request)}
    return yaml.safe_dump(
        document,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 30,
    )


class FilterModule:
    """lacatfly.twilight_drive.cloudflared_ingress"""

    def filters(self) -> dict[str, Any]:
        return {"cloudflared_ingress": cloudflared_ingress}
