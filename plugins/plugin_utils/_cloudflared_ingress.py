# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloudflared's ingress rules (cloudflared 2026.x), for the cloudflared_ingress filters.

The rules mirror cloudflared's ``ingress/ingress.go`` (``validateIngress``, ``validateHostname``,
``validateAccessConfiguration``), ``config/configuration.go`` (the ``OriginRequestConfig``,
``AccessConfig`` and ``IngressIPRule`` structs decoded by gopkg.in/yaml.v3) and ``ipaccess/access.go``.
The Go standard library behaviour they rely on is in the ``_go_*`` modules beside this one.

Private to this collection. Every problem is an ``IngressError`` (a ``ValueError``) naming the rule and
the field; nothing here imports Ansible.
"""

# --------------------------------------------------------------------------------------------------
# Deliberate decisions, where cloudflared's behaviour was ambiguous or where this is stricter:
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

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_duration import parse_duration
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_net import parse_cidr, split_host_port
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_regexp import check_regexp
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_strconv import INT64_MAX, INT64_MIN, atoi
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_url import parse_url

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


# --------------------------------------------------------------------------------------------------
# The error.
# --------------------------------------------------------------------------------------------------


class IngressError(ValueError):
    """A rule list (or top-level originRequest) cloudflared would refuse, or this module refuses.

    ``rule`` is the index (from 0) of the rule at fault in the list as given, or None when the problem is
    not in one rule: in the top-level originRequest, or in the list as a whole.

    ``field`` is the key path at fault: inside the rule when ``rule`` is set (``service``, ``hostname``,
    ``originRequest.ipRules[0].prefix``; ``""`` for the rule as a whole), else from the top of
    cloudflared's config (``originRequest.connectTimeout`` for the top-level originRequest, ``ingress`` for
    the list as a whole).

    ``message`` is the whole text, naming the rule counted from 1 as cloudflared does
    (``ingress rule #2: ...``); it is also ``str()`` of the error.
    """

    def __init__(self, rule: int | None, field: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message

    @property
    def in_origin_request(self) -> bool:
        """Whether the problem is in the top-level originRequest rather than in the rule list."""
        return self.rule is None and self.field.split(".", 1)[0] == "originRequest"


def _where(rule: int | None, field: str) -> str:
    """How messages name a place: ``ingress rule #2: originRequest.tlsTimeout``, ``top-level originRequest``."""
    if rule is None:
        return f"top-level {field}"
    return f"ingress rule #{rule + 1}: {field}" if field else f"ingress rule #{rule + 1}"


# --------------------------------------------------------------------------------------------------
# Small helpers.
# --------------------------------------------------------------------------------------------------


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


def _require_known_keys(
    value: Any, rule: int | None, field: str, known: Sequence[str], *, list_keys: bool = True
) -> None:
    """Raise unless ``value`` is a dict whose keys are all in ``known`` (with a did-you-mean for a typo)."""
    where = _where(rule, field)
    if not isinstance(value, Mapping):
        keys = f" with keys {', '.join(known)}" if list_keys else ""
        raise IngressError(rule, field, f"{where}: must be a dict{keys}, got {_describe(value)}")
    for key in value:
        if key not in known:
            raise IngressError(rule, _join(field, key), f"{where}: {_unknown_key_message(key, known)}")


def _join(field: str, key: Any) -> str:
    return f"{field}.{key}" if field else str(key)


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
# Services, hostnames, ipRules: the checks of ingress.validateIngress, raising ValueError.
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
            code = atoi(service[len("http_status:") :])
        except ValueError as exc:
            raise ValueError(f"invalid HTTP status code: {exc}") from exc
        if code < 100 or code > 999:
            raise ValueError(f"invalid HTTP status code: {code} (it must be from 100 to 999)")
        return "http_status"
    if service in SERVICE_HELLO_WORLD:
        return "hello_world"
    if service == SERVICE_SOCKS_PROXY:
        for index, ip_rule in enumerate(ip_rules or []):
            prefix = ip_rule.get("prefix") if isinstance(ip_rule, Mapping) else None
            try:
                _check_ip_rule(prefix, ip_rule.get("ports") if isinstance(ip_rule, Mapping) else None)
            except ValueError as exc:
                raise ValueError(f"unable to create ip rule for {service}: {exc} (ipRules[{index}])") from exc
        return "socks-proxy"
    if service == SERVICE_BASTION or bastion_mode:
        return "bastion"
    url = parse_url(service)
    if url.scheme == "" or url.hostname() == "":
        raise ValueError(f"{service} is an invalid address, please make sure it has a scheme and a hostname")
    if url.path != "":
        hint = " (remove the trailing slash)" if url.path == "/" else ""
        raise ValueError(
            f"{service} is an invalid address, ingress rules don't support proxying to a different path on the "
            f"origin service. The path will be the same as the eyeball request's path{hint}"
        )
    return "http" if url.scheme in HTTP_SCHEMES else "tcp"


def _check_ip_prefix(prefix: Any) -> None:
    """ipaccess.NewRuleByCIDR, its prefix: one that net.ParseCIDR accepts."""
    if prefix is None or prefix == "":
        raise ValueError("no prefix provided")
    try:
        parse_cidr(prefix)
    except ValueError as exc:
        raise ValueError(f"unable to parse cidr: {prefix}") from exc


def _check_ip_ports(ports: Any) -> None:
    """ipaccess.NewRuleByCIDR, its ports: each from 1 to 65535."""
    for port in ports or []:
        if not _is_int(port) or port < 1 or port > 65535:
            raise ValueError(f"invalid port {port}, needs to be between 1 and 65535")


def _check_ip_rule(prefix: Any, ports: Any) -> None:
    """ipaccess.NewRuleByCIDR: a prefix that net.ParseCIDR accepts, ports from 1 to 65535."""
    _check_ip_prefix(prefix)
    _check_ip_ports(ports)


def validate_hostname(hostname: str) -> None:
    """cloudflared's ``validateHostname``, the hostname itself; raises ``ValueError``.

    No port (``net.SplitHostPort`` must fail, so ``example.com:8080`` and ``[::1]:80`` are rejected while
    a bare ``::1`` is not), no ``*`` other than as the first character. Unicode hostnames are fine:
    cloudflared only adds their punycode form (``idna.Lookup``) as a second name to match, ignoring
    conversion errors.
    """
    try:
        split_host_port(hostname)
    except ValueError:
        pass
    else:
        raise ValueError(f"hostname {hostname!r}: {ERR_HOSTNAME_CONTAINS_PORT}")
    if hostname.rfind("*") > 0:
        raise ValueError(f"hostname {hostname!r}: {ERR_BAD_WILDCARD}")


def validate_catch_all_position(hostname: str, path: str, index: int, total: int) -> None:
    """cloudflared's ``validateHostname``, the rule's place: the last rule, and only it, is a catch-all.

    ``index`` counts from 0 in a list of ``total`` rules. Raises ``ValueError``.
    """
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


# --------------------------------------------------------------------------------------------------
# originRequest (a rule's or the top-level one): types as cloudflared's Go structs, raising IngressError.
# --------------------------------------------------------------------------------------------------


def validate_origin_request(cfg: Any, rule: int | None = None) -> dict[str, Any]:
    """Validate an ``originRequest`` mapping and return a plain copy.

    ``rule`` is the index (from 0) of the rule it belongs to, or None for the top-level originRequest.
    Raises ``IngressError``.
    """
    if cfg is None:
        return {}
    _require_known_keys(cfg, rule, "originRequest", ORIGIN_REQUEST_KEYS, list_keys=False)
    for key, value in cfg.items():
        if value is None:
            continue  # YAML null leaves cloudflared's *T field unset
        field = f"originRequest.{key}"
        where = _where(rule, field)
        if key in DURATION_KEYS:
            if not isinstance(value, str):
                raise IngressError(rule, field, f"{where} must be a duration string like 30s, got {_describe(value)}")
            try:
                parse_duration(value)
            except ValueError as exc:
                raise IngressError(rule, field, f"{where}: {exc} (valid units: ns, us, ms, s, m, h)") from exc
        elif key in BOOL_KEYS:
            if not isinstance(value, bool):
                raise IngressError(rule, field, f"{where} must be a boolean (true or false), got {_describe(value)}")
        elif key in STRING_KEYS:
            if not isinstance(value, str):
                raise IngressError(rule, field, f"{where} must be a string, got {_describe(value)}")
        elif key == "keepAliveConnections":
            if not _is_int(value) or not INT64_MIN <= value <= INT64_MAX:
                raise IngressError(rule, field, f"{where} must be an integer, got {_describe(value)}")
        elif key == "proxyPort":
            if not _is_int(value) or not 0 <= value <= UINT64_MAX:
                raise IngressError(rule, field, f"{where} must be a non-negative integer, got {_describe(value)}")
        elif key == "proxyType":
            if not isinstance(value, str) or value not in PROXY_TYPES:
                raise IngressError(rule, field, f"{where} must be 'socks' or '', got {_describe(value)}")
        elif key == "ipRules":
            _validate_ip_rules(value, rule, field)
        elif key == "access":
            _validate_access(value, rule, field)
    return _plain(cfg)


def _validate_ip_rules(value: Any, rule: int | None, field: str) -> None:
    if not _is_list(value):
        raise IngressError(
            rule, field, f"{_where(rule, field)} must be a list of {{prefix, ports, allow}}, got {_describe(value)}"
        )
    for index, item in enumerate(value):
        item_field = f"{field}[{index}]"
        where = _where(rule, item_field)
        _require_known_keys(item, rule, item_field, IP_RULE_KEYS)
        prefix = item.get("prefix")
        ports = item.get("ports")
        allow = item.get("allow")
        if prefix is not None and not isinstance(prefix, str):
            raise IngressError(
                rule, f"{item_field}.prefix", f"{where}.prefix must be a string (a CIDR), got {_describe(prefix)}"
            )
        if ports is not None:
            if not _is_list(ports):
                raise IngressError(
                    rule, f"{item_field}.ports", f"{where}.ports must be a list of integers, got {_describe(ports)}"
                )
            for port in ports:
                if not _is_int(port) or not INT64_MIN <= port <= INT64_MAX:
                    raise IngressError(
                        rule, f"{item_field}.ports", f"{where}.ports items must be integers, got {_describe(port)}"
                    )
        if allow is not None and not isinstance(allow, bool):
            raise IngressError(
                rule, f"{item_field}.allow", f"{where}.allow must be a boolean (true or false), got {_describe(allow)}"
            )
        for key, check, part in (("prefix", _check_ip_prefix, prefix), ("ports", _check_ip_ports, ports)):
            try:
                check(part)
            except ValueError as exc:
                raise IngressError(rule, f"{item_field}.{key}", f"{where}: {exc}") from exc


def _validate_access(value: Any, rule: int | None, field: str) -> None:
    _require_known_keys(value, rule, field, ACCESS_KEYS)
    where = _where(rule, field)
    required = value.get("required")
    team_name = value.get("teamName")
    aud_tag = value.get("audTag")
    environment = value.get("environment")
    if required is not None and not isinstance(required, bool):
        raise IngressError(
            rule, f"{field}.required", f"{where}.required must be a boolean (true or false), got {_describe(required)}"
        )
    for key, item in (("teamName", team_name), ("environment", environment)):
        if item is not None and not isinstance(item, str):
            raise IngressError(rule, f"{field}.{key}", f"{where}.{key} must be a string, got {_describe(item)}")
    if aud_tag is not None:
        if not _is_list(aud_tag):
            raise IngressError(
                rule, f"{field}.audTag", f"{where}.audTag must be a list of strings, got {_describe(aud_tag)}"
            )
        for tag in aud_tag:
            if not isinstance(tag, str):
                raise IngressError(
                    rule, f"{field}.audTag", f"{where}.audTag items must be strings, got {_describe(tag)}"
                )
    # ingress.validateAccessConfiguration
    if required and not team_name and aud_tag:
        raise IngressError(
            rule, f"{field}.teamName", f"{where}: access.TeamName cannot be blank when access.audTags are present"
        )


# --------------------------------------------------------------------------------------------------
# The rule list.
# --------------------------------------------------------------------------------------------------


CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def refuse_control_characters(value: Any, rule: int | None, field: str) -> None:
    """Refuse a string anywhere in ``value`` that holds a C0 or C1 control character (NEL included), DEL, U+2028
    or U+2029 (this module's rule, not cloudflared's: they could end a line of the config or of a log)."""
    if isinstance(value, str):
        found = CONTROL_CHARACTERS.search(value)
        if found:
            where = _where(rule, "") if rule is not None else "top-level originRequest"
            raise IngressError(
                rule, field, f"{where}: {field} holds a control character (U+{ord(found.group(0)):04X}), refused"
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_control_characters(key, rule, field)
            refuse_control_characters(item, rule, _join(field, key))
    elif _is_list(value):
        for position, item in enumerate(value):
            refuse_control_characters(item, rule, f"{field}[{position}]")


def _check_rule_shape(rule: Any, index: int) -> None:
    _require_known_keys(rule, index, "", RULE_KEYS)
    for key in ("hostname", "path", "service"):
        value = rule.get(key)
        if value is not None and not isinstance(value, str):
            raise IngressError(index, key, f"{_where(index, '')}: {key} must be a string, got {_describe(value)}")


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
    returned. Raises ``IngressError`` for the first problem, in cloudflared's order; nothing passed in is
    modified. Raises ``RE2MissingError`` (from ``_go_regexp``) when a path is to be checked without
    google-re2.
    """
    if not _is_list(rules):
        raise IngressError(
            None, "ingress", f"cloudflared_ingress: expected a list of ingress rules, got {_describe(rules)}"
        )
    if len(rules) == 0:
        raise IngressError(None, "ingress", f"ingress: no ingress rules given ({ERR_NO_INGRESS_RULES})")
    defaults = validate_origin_request(origin_request, None)
    refuse_control_characters(origin_request, None, "originRequest")
    default_bastion = defaults.get("bastionMode") is True

    given = len(rules)
    for index, rule in enumerate(rules):
        _check_rule_shape(rule, index)
    work: list[Mapping[str, Any]] = list(rules)
    if append_catch_all and not is_catch_all(work[-1]):
        work.append(CATCH_ALL_RULE)
    total = len(work)

    result: list[dict[str, Any]] = []
    for index, rule in enumerate(work):
        where = _where(index, "")
        origin = validate_origin_request(rule.get("originRequest"), index)
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
                raise IngressError(
                    index, "service", f"{where}: service is missing (only bastion mode allows that): {exc}"
                ) from exc
            raise IngressError(index, "service", f"{where}: service {service!r}: {exc}") from exc
        hint = ""
        if index == total - 1 and index < given and not append_catch_all:
            hint = " (add a last rule with only a service, such as http_status:404, or set append_catch_all)"
        try:
            validate_hostname(hostname)
        except ValueError as exc:
            raise IngressError(index, "hostname", f"{where}: {exc}{hint}") from exc
        try:
            validate_catch_all_position(hostname, path, index, total)
        except ValueError as exc:
            raise IngressError(index, "", f"{where}: {exc}{hint}") from exc
        if path:
            try:
                check_regexp(path)
            except ValueError as exc:
                raise IngressError(index, "path", f"{where}: path {path!r} has an invalid regex: {exc}") from exc
        # after cloudflared's own checks, so its verdict comes first where it has one
        for key in RULE_KEYS:
            refuse_control_characters(rule.get(key), index, key)

        out: dict[str, Any] = {}
        for key in RULE_KEYS:
            value = rule.get(key)
            if value is not None:
                out[key] = origin if key == "originRequest" else _plain(value)
        result.append(out)
    return result
