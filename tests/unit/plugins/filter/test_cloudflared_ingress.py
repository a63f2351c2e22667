# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the lacatfly.twilight_drive.cloudflared_ingress filter: its contract, end to end.

The expected verdicts come from cloudflared's source (ingress/ingress.go, config/configuration.go,
ipaccess/access.go) and from Go 1.26 itself, which the filter was checked against. The Go standard library
pieces have their own tests in tests/unit/plugins/plugin_utils/, with the Go verdicts pinned there.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.cloudflared_ingress import (
    DOCUMENTATION,
    EXAMPLES,
    RETURN,
    FilterModule,
    cloudflared_ingress,
)
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._cloudflared_ingress import (
    IngressError,
    is_catch_all,
    validate_origin_request,
    validate_service,
)
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_duration import parse_duration
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_regexp import RE2MissingError, check_regexp

APP = "http://127.0.0.1:8081"
CATCH_ALL = {"service": "http_status:404"}


def rule(hostname: str | None = "app.example.com", service: str | None = APP, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if hostname is not None:
        out["hostname"] = hostname
    if service is not None:
        out["service"] = service
    out.update(extra)
    return out


def with_origin(**origin: Any) -> list[dict[str, Any]]:
    return [rule(originRequest=origin)]


def render(rules: Any, **kwargs: Any) -> dict[str, Any]:
    return yaml.safe_load(cloudflared_ingress(rules, **kwargs))


def expect_error(rules: Any, *fragments: str, **kwargs: Any) -> AnsibleFilterError:
    with pytest.raises(AnsibleFilterError) as info:
        cloudflared_ingress(rules, **kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return info.value


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def test_project_default_rules_get_the_404_catch_all():
    rules = [
        {
            "hostname": "api.fsagent.cc",
            "service": "http://127.0.0.1:8081",
            "originRequest": {"connectTimeout": "30s", "noTLSVerify": False},
        }
    ]
    text = cloudflared_ingress(rules)
    assert text.startswith("ingress:\n")
    assert yaml.safe_load(text) == {
        "ingress": [
            {
                "hostname": "api.fsagent.cc",
                "service": "http://127.0.0.1:8081",
                "originRequest": {"connectTimeout": "30s", "noTLSVerify": False},
            },
            {"service": "http_status:404"},
        ]
    }


def test_rule_keys_are_emitted_in_cloudflared_order():
    rules = [
        {"originRequest": {"noTLSVerify": True}, "service": APP, "path": "^/api/", "hostname": "a.example.com"},
        {"service": "http_status:404"},
    ]
    text = cloudflared_ingress(rules, append_catch_all=False)
    first = text.split("\n- ")[1]
    positions = [first.index(key) for key in ("hostname:", "path:", "service:", "originRequest:")]
    assert positions == sorted(positions)
    assert list(yaml.safe_load(text)["ingress"][0]) == ["hostname", "path", "service", "originRequest"]


@pytest.mark.parametrize(
    "value",
    ["30s", "*.example.com", "0", "-0", "1h2m3.4s", "yes", "null", "~", "0x10", "1:30", "true", "@x", "%x", "*"],
)
def test_values_round_trip_as_strings(value):
    rules = [{"hostname": "*.example.com", "service": APP, "originRequest": {"httpHostHeader": value}}]
    doc = render(rules)
    assert doc["ingress"][0]["hostname"] == "*.example.com"
    assert doc["ingress"][0]["originRequest"]["httpHostHeader"] == value


@pytest.mark.parametrize("duration", ["30s", "0", "+0", "1m30s", ".5s"])
def test_durations_stay_strings_in_the_output(duration):
    doc = render(with_origin(connectTimeout=duration))
    assert doc["ingress"][0]["originRequest"]["connectTimeout"] == duration


def test_unicode_is_written_as_is():
    text = cloudflared_ingress([rule(hostname="b\u00fccher.example")])
    assert "b\u00fccher.example" in text
    assert render([rule(hostname="b\u00fccher.example")])["ingress"][0]["hostname"] == "b\u00fccher.example"


def test_existing_catch_all_is_not_duplicated():
    doc = render([rule(), {"hostname": "*", "service": "http_status:503"}])
    assert doc["ingress"][-1] == {"hostname": "*", "service": "http_status:503"}
    assert len(doc["ingress"]) == 2


def test_catch_all_with_a_path_is_not_a_catch_all():
    doc = render([rule(), {"hostname": "*", "path": "^/x", "service": APP}])
    assert doc["ingress"][-1] == CATCH_ALL
    assert len(doc["ingress"]) == 3


def test_null_values_count_as_missing():
    doc = render([{"hostname": "a.example.com", "path": None, "service": APP, "originRequest": None}])
    assert doc["ingress"][0] == {"hostname": "a.example.com", "service": APP}


def test_top_level_origin_request_is_validated_but_not_emitted():
    text = cloudflared_ingress([rule()], origin_request={"connectTimeout": "10s", "noTLSVerify": True})
    assert "10s" not in text
    assert "noTLSVerify" not in text
    expect_error([rule()], "top-level originRequest.connectTimeout", origin_request={"connectTimeout": 10})
    expect_error(
        [rule()],
        "top-level originRequest",
        "unknown key 'noTLSverify'",
        "did you mean 'noTLSVerify'?",
        origin_request={"noTLSverify": True},
    )


class TaggedStr(str):
    """Stands in for Ansible's tagged str subclasses, which yaml.safe_dump cannot represent."""


class TaggedDict(dict):
    pass


class TaggedList(list):
    pass


def test_ansible_tagged_subclasses_are_dumped_as_plain_types():
    rules = TaggedList(
        [
            TaggedDict(
                {
                    TaggedStr("hostname"): TaggedStr("a.example.com"),
                    TaggedStr("service"): TaggedStr(APP),
                    TaggedStr("originRequest"): TaggedDict({TaggedStr("connectTimeout"): TaggedStr("5s")}),
                }
            )
        ]
    )
    assert render(rules)["ingress"][0] == {
        "hostname": "a.example.com",
        "service": APP,
        "originRequest": {"connectTimeout": "5s"},
    }


def test_filter_module_exposes_the_filter():
    assert FilterModule().filters() == {"cloudflared_ingress": cloudflared_ingress}


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        cloudflared_ingress([rule()], False)  # type: ignore[misc]


def test_documentation_parses():
    for block in (DOCUMENTATION, EXAMPLES, RETURN):
        assert yaml.safe_load(block)
    doc = yaml.safe_load(DOCUMENTATION)
    assert doc["name"] == "cloudflared_ingress"
    assert set(doc["options"]) == {"_input", "append_catch_all", "origin_request"}
    assert yaml.safe_load(RETURN)["_value"]["type"] == "string"


# --------------------------------------------------------------------------------------------------
# Rule list shape and catch-all
# --------------------------------------------------------------------------------------------------

VALID_LISTS = [
    pytest.param([rule()], {}, id="one-rule-catch-all-appended"),
    pytest.param([CATCH_ALL], {"append_catch_all": False}, id="only-catch-all"),
    pytest.param([{"hostname": "*", "service": "http_status:404"}], {"append_catch_all": False}, id="star-catch-all"),
    pytest.param([{"hostname": "", "service": "http_status:404"}], {"append_catch_all": False}, id="empty-host"),
    pytest.param([{"service": APP}], {"append_catch_all": False}, id="url-catch-all"),
    pytest.param([rule(), rule(hostname="*.example.com"), CATCH_ALL], {"append_catch_all": False}, id="full-list"),
    pytest.param([rule(hostname="*", path="^/api/"), CATCH_ALL], {}, id="star-with-path-not-last"),
    pytest.param([rule(hostname=None, path="^/api/"), CATCH_ALL], {}, id="no-host-with-path-not-last"),
    pytest.param([rule(hostname="b\u00fccher.example")], {}, id="unicode-hostname"),
    pytest.param([rule(hostname="*.\u4f8b\u3048.jp")], {}, id="unicode-wildcard-hostname"),
    pytest.param([rule(hostname="xn--bcher-kva.example")], {}, id="punycode-hostname"),
    pytest.param([rule(hostname="*example.com")], {}, id="wildcard-without-dot"),
    pytest.param([rule(hostname="::1")], {}, id="bare-ipv6-is-not-a-port"),
    pytest.param([rule(hostname="[::1]")], {}, id="bracketed-ipv6-without-port"),
    pytest.param((rule(),), {}, id="tuple-input"),
]


@pytest.mark.parametrize(("rules", "kwargs"), VALID_LISTS)
def test_valid_rule_lists(rules, kwargs):
    doc = render(rules, **kwargs)
    assert doc["ingress"]
    assert is_catch_all(doc["ingress"][-1])


INVALID_LISTS = [
    pytest.param([], {}, ["ingress", "no ingress rules", "doesn't contain any ingress rules"], id="empty-list"),
    pytest.param([], {"append_catch_all": False}, ["no ingress rules"], id="empty-list-no-append"),
    pytest.param({"hostname": "a"}, {}, ["expected a list of ingress rules", "got dict"], id="dict-input"),
    pytest.param("a.example.com", {}, ["expected a list of ingress rules", "got str"], id="string-input"),
    pytest.param(None, {}, ["expected a list of ingress rules", "got null"], id="none-input"),
    pytest.param([rule(), "oops"], {}, ["ingress rule #2", "must be a dict", "got str 'oops'"], id="non-dict-rule"),
    pytest.param(
        [{"hostname": 42, "service": APP}], {}, ["ingress rule #1", "hostname must be a string"], id="int-host"
    ),
    pytest.param(
        [{"service": 8080}], {}, ["ingress rule #1", "service must be a string", "got int 8080"], id="int-svc"
    ),
    pytest.param([{"path": ["x"], "service": APP}], {}, ["ingress rule #1", "path must be a string"], id="list-path"),
    pytest.param(
        [rule()],
        {"append_catch_all": False},
        ["ingress rule #1", "The last ingress rule must match all URLs", "append_catch_all"],
        id="no-catch-all-without-append",
    ),
    pytest.param(
        [rule(), rule(hostname="*", path="^/x")],
        {"append_catch_all": False},
        ["ingress rule #2", "The last ingress rule must match all URLs"],
        id="last-rule-has-path",
    ),
    pytest.param(
        [CATCH_ALL, rule()],
        {},
        ["ingress rule #1", "Rule #1 is matching the hostname ''", "will match every hostname"],
        id="catch-all-first",
    ),
    pytest.param(
        [rule(), {"hostname": "*", "service": APP}, rule(hostname="b.example.com")],
        {},
        ["ingress rule #2", "Rule #2 is matching the hostname '*'", "never be triggered"],
        id="star-catch-all-in-the-middle",
    ),
    pytest.param(
        [CATCH_ALL, CATCH_ALL],
        {"append_catch_all": False},
        ["ingress rule #1", "will match every hostname"],
        id="two-catch-alls",
    ),
    pytest.param([rule()], {"append_catch_all": "false"}, ["append_catch_all must be a boolean"], id="str-append"),
]


@pytest.mark.parametrize(("rules", "kwargs", "fragments"), INVALID_LISTS)
def test_invalid_rule_lists(rules, kwargs, fragments):
    expect_error(rules, *fragments, **kwargs)


# --------------------------------------------------------------------------------------------------
# Hostnames
# --------------------------------------------------------------------------------------------------

BAD_HOSTNAMES = [
    pytest.param("api.example.com:8080", "Hostname cannot contain a port", id="port"),
    pytest.param("api.example.com:", "Hostname cannot contain a port", id="empty-port"),
    pytest.param("[::1]:443", "Hostname cannot contain a port", id="ipv6-port"),
    pytest.param("a*.example.com", "at most one wildcard", id="star-inside-label"),
    pytest.param("x.*.y", "at most one wildcard", id="star-in-the-middle"),
    pytest.param("*.*.example.com", "at most one wildcard", id="two-stars"),
    pytest.param("**", "at most one wildcard", id="double-star"),
    pytest.param("example.com*", "at most one wildcard", id="trailing-star"),
]


@pytest.mark.parametrize(("hostname", "problem"), BAD_HOSTNAMES)
def test_bad_hostnames(hostname, problem):
    error = expect_error([rule(), rule(hostname=hostname)], "ingress rule #2", f"hostname {hostname!r}", problem)
    assert error.__cause__ is not None


# --------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------

GOOD_SERVICES = [
    pytest.param("http://127.0.0.1:8081", "http", id="http"),
    pytest.param("https://localhost", "http", id="https"),
    pytest.param("HTTPS://localhost:8443", "http", id="upper-case-scheme"),
    pytest.param("ws://localhost:8080", "http", id="ws"),
    pytest.param("wss://localhost", "http", id="wss"),
    pytest.param("http://localhost:8000?x=1", "http", id="query-is-not-a-path"),
    pytest.param("http://localhost:8000#frag", "http", id="fragment-is-not-a-path"),
    pytest.param("http://user:pw@localhost:8000", "http", id="userinfo"),
    pytest.param("http://[::1]:8080", "http", id="ipv6"),
    pytest.param("ssh://localhost:22", "tcp", id="ssh"),
    pytest.param("ssh://localhost", "tcp", id="ssh-default-port"),
    pytest.param("rdp://10.0.0.5", "tcp", id="rdp"),
    pytest.param("tcp://localhost:5432", "tcp", id="tcp"),
    pytest.param("smb://fileserver", "tcp", id="smb"),
    pytest.param("postgres://db:5432", "tcp", id="any-scheme"),
    pytest.param("tcp://a:b:5432", "tcp", id="colons-in-host-for-non-http"),
    pytest.param("unix:/run/app.sock", "unix", id="unix"),
    pytest.param("unix:", "unix", id="unix-empty-path"),
    pytest.param("unix+tls:/run/app.sock", "unix+tls", id="unix-tls"),
    pytest.param("http_status:404", "http_status", id="status-404"),
    pytest.param("http_status:100", "http_status", id="status-100"),
    pytest.param("http_status:999", "http_status", id="status-999"),
    pytest.param("http_status:+200", "http_status", id="status-plus-sign"),
    pytest.param("http_status:0200", "http_status", id="status-leading-zero"),
    pytest.param("hello_world", "hello_world", id="hello_world"),
    pytest.param("hello-world", "hello_world", id="hello-world"),
    pytest.param("socks-proxy", "socks-proxy", id="socks-proxy"),
    pytest.param("bastion", "bastion", id="bastion"),
]


@pytest.mark.parametrize(("service", "kind"), GOOD_SERVICES)
def test_good_services(service, kind):
    assert validate_service(service) == kind
    render([rule(service=service)])


BAD_SERVICES = [
    pytest.param("http://127.0.0.1:8081/", "don't support proxying to a different path", id="trailing-slash"),
    pytest.param("http://127.0.0.1:8081/api", "don't support proxying to a different path", id="path"),
    pytest.param("http://localhost/%2F", "don't support proxying to a different path", id="escaped-path"),
    pytest.param("localhost:8080", "please make sure it has a scheme and a hostname", id="no-scheme"),
    pytest.param("127.0.0.1:8080", "first path segment in URL cannot contain colon", id="ip-port-no-scheme"),
    pytest.param("http://", "please make sure it has a scheme and a hostname", id="no-host"),
    pytest.param("http://:8080", "please make sure it has a scheme and a hostname", id="only-port"),
    pytest.param("http:localhost", "please make sure it has a scheme and a hostname", id="opaque"),
    pytest.param("helloworld", "please make sure it has a scheme and a hostname", id="helloworld-is-gone"),
    pytest.param("Bastion", "please make sure it has a scheme and a hostname", id="case-sensitive-keyword"),
    pytest.param("http://a:b:80", "invalid port", id="http-colons-in-host"),
    pytest.param("http://local host", "invalid character", id="space-in-host"),
    pytest.param("http://%41bc", "invalid URL escape", id="escaped-ascii-host"),
    pytest.param("http://localhost:80a", "invalid port", id="bad-port"),
    pytest.param("http://[1.2.3.4]", "invalid IP-literal", id="bracketed-ipv4"),
    pytest.param("http://loc\talhost", "invalid control character", id="control-char"),
    pytest.param(":8080", "missing protocol scheme", id="missing-scheme"),
    pytest.param("http_status:99", "invalid HTTP status code: 99", id="status-99"),
    pytest.param("http_status:1000", "invalid HTTP status code: 1000", id="status-1000"),
    pytest.param("http_status:abc", 'strconv.Atoi: parsing "abc": invalid syntax', id="status-abc"),
    pytest.param("http_status:", 'strconv.Atoi: parsing "": invalid syntax', id="status-empty"),
    pytest.param("http_status: 404", "invalid syntax", id="status-space"),
    pytest.param("http_status:4_04", "invalid syntax", id="status-underscore"),
    pytest.param("http_status:\u0664\u0660\u0664", "invalid syntax", id="status-arabic-digits"),
    pytest.param("http_status:99999999999999999999", "value out of range", id="status-overflow"),
]


@pytest.mark.parametrize(("service", "problem"), BAD_SERVICES)
def test_bad_services(service, problem):
    expect_error([rule(), rule(service=service)], "ingress rule #2", f"service {service!r}", problem)


def test_trailing_slash_error_hints_at_the_fix():
    expect_error([rule(service="http://127.0.0.1:8081/")], "ingress rule #1", "remove the trailing slash")


def test_missing_service_is_an_error_without_bastion_mode():
    expect_error([{"hostname": "a.example.com"}], "ingress rule #1", "service is missing")


def test_bastion_mode_accepts_any_service_like_cloudflared():
    render([{"hostname": "a.example.com", "originRequest": {"bastionMode": True}}])
    render([rule(service="http://anything/with/a/path", originRequest={"bastionMode": True})])
    render([rule(service="")], origin_request={"bastionMode": True})
    # The rule's own setting wins over the top-level one.
    expect_error(
        [rule(service="", originRequest={"bastionMode": False})],
        "ingress rule #1",
        "service is missing",
        origin_request={"bastionMode": True},
    )
    # Status codes are still checked, as cloudflared looks at them first.
    expect_error([rule(service="http_status:42")], "invalid HTTP status code", origin_request={"bastionMode": True})


# --------------------------------------------------------------------------------------------------
# Paths: Go regexp syntax, which Python's re does not implement
# --------------------------------------------------------------------------------------------------

# The patterns of tests/unit/plugins/plugin_utils/test__go_regexp.py, where Go's verdict on each is pinned;
# here: the filter takes Go's verdict and names the rule.
GOOD_PATHS = [
    *(r"^/api/", r"\.(jpg|png)$", r"[^/]+/v[0-9]+", r"\pN", r"\p{Greek}", r"\PL", r"\p{^Greek}", r"\p{Letter}"),
    *(r"\p{greek}", r"[[:alpha:]]", r"[[:^space:]]", r"(?i)abc", r"(?i:abc)d", r"(?s).(?U)a*", r"\Qa.b*c\E"),
    *(r"(?P<ver>v\d+)", r"(?<ver>v\d+)", r"x{1000}", r"(x{10}){100}", r"((x{30}){0}){40}", r"a*(?i)*", r"x{,3}"),
    *(r"x{01}", r"\z", r"\x{10FFFF}\101\x41", "(" * 999 + "a" + ")" * 999, r"\pL{1000}"),
]
BAD_PATHS = [
    *(r"(?=x)", r"(?!x)", r"(?<=x)y", r"(a)\1", r"(?P<n>a)(?P=n)", r"x{1001}", r"x{0,1001}", r"x{2,1}"),
    *(r"(x{100}){11}", r"((x{30}){0,1}){40}", r"a**", r"a{2}{3}", r"*a", r"\C", r"\Z", r"\e", r"\8", r"[\b]"),
    *("(?P<n\u00e4me>x)", r"(?P<>x)", r"\p{Old_Italic}", r"\p{Klingon}", r"\p{Garay}", r"[[:foo:]]", r"[z-a]"),
    *(r"(?x)a b", r"(?#comment)", r"(?>a)", r"(a", r"a)", r"[a", "a\\", "(" * 1000 + "a" + ")" * 1000),
]


@pytest.mark.parametrize("path", GOOD_PATHS)
def test_good_paths(path):
    check_regexp(path)
    render([rule(path=path)])


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_paths(path):
    with pytest.raises(ValueError) as go:
        check_regexp(path)
    error = expect_error([rule(path=path)], "ingress rule #1", "has an invalid regex", str(go.value))
    assert isinstance(error.__cause__, ValueError)


def test_without_google_re2_the_filter_names_the_package_not_the_regex(monkeypatch):
    monkeypatch.setitem(sys.modules, "re2", None)  # `import re2` now raises ImportError
    error = expect_error([rule(path="^/api/")], "google-re2", "pip install google-re2")
    assert "invalid regex" not in str(error)
    assert "ingress rule" not in str(error)
    assert isinstance(error.__cause__, RE2MissingError)
    render([rule()])  # rules without a path need no regular expression engine


def test_empty_path_means_no_path():
    doc = render([rule(path="")])
    assert doc["ingress"][0]["path"] == ""
    # ... and so an empty path does not stop a rule from being a catch-all
    expect_error([{"path": "", "service": APP}, rule()], "ingress rule #1", "will match every hostname")


def test_path_is_checked_after_the_hostname_like_cloudflared():
    expect_error([rule(hostname="a:1", path="(")], "ingress rule #1", "Hostname cannot contain a port")


# --------------------------------------------------------------------------------------------------
# Durations: Go's time.ParseDuration
# --------------------------------------------------------------------------------------------------

# The durations of tests/unit/plugins/plugin_utils/test__go_duration.py, where Go's verdict on each is pinned;
# here: every duration key takes Go's verdict, and an error names the rule and the key.
GOOD_DURATIONS = [
    *("30s", "1m30s", "1h2m3.4s", ".5s", "1.s", "-5s", "+5s", "-1.5h", "0", "-0", "300ms", "10us", "10\u00b5s"),
    *("10\u03bcs", "7ns", "1h1h", "0s", "2562047h47m16.854775807s", "-2562047h47m16.854775808s"),
]
BAD_DURATIONS = [
    "5",
    "1.5",
    "1d",
    "1S",
    "1 s",
    "",
    "-",
    "s",
    ".s",
    "00",
    "9223372036854775808ns",
    "2562047h47m16.854775808s",
]


@pytest.mark.parametrize("text", GOOD_DURATIONS)
def test_good_durations(text):
    parse_duration(text)
    render(with_origin(connectTimeout=text, tlsTimeout=text, tcpKeepAlive=text, keepAliveTimeout=text))


@pytest.mark.parametrize("text", BAD_DURATIONS)
def test_bad_durations(text):
    with pytest.raises(ValueError) as go:
        parse_duration(text)
    error = expect_error(
        with_origin(connectTimeout=text), "ingress rule #1", "originRequest.connectTimeout", str(go.value)
    )
    assert isinstance(error.__cause__, ValueError)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(30, id="int"),
        pytest.param(0, id="int-zero"),
        pytest.param(1.5, id="float"),
        pytest.param(True, id="bool"),
    ],
)
def test_non_string_durations_are_rejected(value):
    expect_error(
        with_origin(keepAliveTimeout=value),
        "ingress rule #1",
        "originRequest.keepAliveTimeout must be a duration string like 30s",
    )


# --------------------------------------------------------------------------------------------------
# originRequest values
# --------------------------------------------------------------------------------------------------

GOOD_ORIGIN_REQUESTS = [
    pytest.param({"noTLSVerify": True, "noHappyEyeballs": False, "http2Origin": True}, id="bools"),
    pytest.param({"disableChunkedEncoding": True, "bastionMode": False, "matchSNItoHost": True}, id="more-bools"),
    pytest.param({"keepAliveConnections": 100}, id="int"),
    pytest.param({"keepAliveConnections": -1}, id="negative-int"),
    pytest.param({"proxyPort": 0}, id="uint-zero"),
    pytest.param({"proxyPort": 65536}, id="uint-over-port-range"),
    pytest.param({"httpHostHeader": "app.internal", "originServerName": "app", "caPool": "/ca.pem"}, id="strings"),
    pytest.param({"proxyAddress": "127.0.0.1", "proxyType": "socks"}, id="socks-proxy-type"),
    pytest.param({"proxyType": ""}, id="empty-proxy-type"),
    pytest.param({"connectTimeout": None}, id="null-is-unset"),
    pytest.param({"ipRules": [{"prefix": "10.0.0.0/8", "ports": [80, 443], "allow": True}]}, id="ip-rules"),
    pytest.param({"ipRules": [{"prefix": "::1/128"}, {"prefix": "::ffff:1.2.3.4/104"}]}, id="ipv6-rules"),
    pytest.param({"ipRules": [{"prefix": "10.0.0.1/32", "ports": [], "allow": False}]}, id="host-prefix"),
    pytest.param({"ipRules": []}, id="no-ip-rules"),
    pytest.param({"access": {"required": True, "teamName": "team", "audTag": ["a", "b"]}}, id="access"),
    pytest.param({"access": {"required": False, "audTag": ["a"]}}, id="access-not-required"),
    pytest.param({"access": {"required": True}}, id="access-required-only"),
    pytest.param({"access": {"required": True, "teamName": "t", "environment": "fed"}}, id="access-environment"),
    pytest.param({}, id="empty"),
]


@pytest.mark.parametrize("origin", GOOD_ORIGIN_REQUESTS)
def test_good_origin_requests(origin):
    doc = render([rule(originRequest=origin)])
    assert doc["ingress"][0]["originRequest"] == origin
    assert validate_origin_request(origin) == origin


BAD_ORIGIN_REQUESTS = [
    pytest.param({"noTLSVerify": "yes"}, "originRequest.noTLSVerify must be a boolean", id="str-bool"),
    pytest.param({"noTLSVerify": 1}, "originRequest.noTLSVerify must be a boolean", id="int-bool"),
    pytest.param({"http2Origin": "true"}, "originRequest.http2Origin must be a boolean", id="str-true"),
    pytest.param({"keepAliveConnections": True}, "keepAliveConnections must be an integer", id="bool-int"),
    pytest.param({"keepAliveConnections": "100"}, "keepAliveConnections must be an integer", id="str-int"),
    pytest.param({"keepAliveConnections": 1.5}, "keepAliveConnections must be an integer", id="float-int"),
    pytest.param({"keepAliveConnections": 2**63}, "keepAliveConnections must be an integer", id="int-overflow"),
    pytest.param({"proxyPort": -1}, "proxyPort must be a non-negative integer", id="negative-uint"),
    pytest.param({"proxyPort": 2**64}, "proxyPort must be a non-negative integer", id="uint-overflow"),
    pytest.param({"proxyPort": False}, "proxyPort must be a non-negative integer", id="bool-uint"),
    pytest.param({"httpHostHeader": 5}, "originRequest.httpHostHeader must be a string", id="int-string"),
    pytest.param({"caPool": ["a"]}, "originRequest.caPool must be a string", id="list-string"),
    pytest.param({"proxyType": "http"}, "originRequest.proxyType must be 'socks' or ''", id="proxy-type"),
    pytest.param({"ipRules": {"prefix": "10.0.0.0/8"}}, "originRequest.ipRules must be a list", id="ip-rules-dict"),
    pytest.param(
        {"ipRules": ["10.0.0.0/8"]},
        "originRequest.ipRules[0]: must be a dict with keys prefix, ports, allow",
        id="ip-rule-str",
    ),
    pytest.param({"ipRules": [{"prefix": "10.0.0.0/33"}]}, "unable to parse cidr: 10.0.0.0/33", id="prefix-too-long"),
    pytest.param({"ipRules": [{"prefix": "10.0.0.1"}]}, "unable to parse cidr: 10.0.0.1", id="prefix-without-mask"),
    pytest.param({"ipRules": [{"prefix": "010.0.0.0/8"}]}, "unable to parse cidr", id="prefix-leading-zero"),
    pytest.param({"ipRules": [{"prefix": "fe80::1%eth0/64"}]}, "unable to parse cidr", id="prefix-with-zone"),
    pytest.param({"ipRules": [{"prefix": "10.0.0.0/8 "}]}, "unable to parse cidr", id="prefix-trailing-space"),
    pytest.param({"ipRules": [{"ports": [80]}]}, "originRequest.ipRules[0]: no prefix provided", id="no-prefix"),
    pytest.param({"ipRules": [{"prefix": 10}]}, "ipRules[0].prefix must be a string", id="int-prefix"),
    pytest.param({"ipRules": [{"prefix": "::/0", "ports": [0]}]}, "invalid port 0", id="port-0"),
    pytest.param({"ipRules": [{"prefix": "::/0", "ports": [65536]}]}, "invalid port 65536", id="port-65536"),
    pytest.param({"ipRules": [{"prefix": "::/0", "ports": ["80"]}]}, "ports items must be integers", id="str-port"),
    pytest.param({"ipRules": [{"prefix": "::/0", "ports": 80}]}, "ports must be a list of integers", id="int-ports"),
    pytest.param({"ipRules": [{"prefix": "::/0", "allow": "yes"}]}, "ipRules[0].allow must be a boolean", id="allow"),
    pytest.param({"access": {"required": True, "audTag": ["a"]}}, "access.TeamName cannot be blank", id="aud-no-team"),
    pytest.param(
        {"access": {"required": True, "teamName": "", "audTag": ["a"]}},
        "access.TeamName cannot be blank",
        id="aud-empty-team",
    ),
    pytest.param({"access": {"audTag": "a"}}, "originRequest.access.audTag must be a list", id="aud-str"),
    pytest.param({"access": {"audTag": [1]}}, "access.audTag items must be strings", id="aud-int"),
    pytest.param({"access": {"required": "true"}}, "access.required must be a boolean", id="required-str"),
    pytest.param({"access": {"teamName": 5}}, "access.teamName must be a string", id="team-int"),
    pytest.param({"access": True}, "originRequest.access: must be a dict with keys", id="access-bool"),
    pytest.param("30s", "originRequest: must be a dict, got str", id="not-a-dict"),
]


@pytest.mark.parametrize(("origin", "problem"), BAD_ORIGIN_REQUESTS)
def test_bad_origin_requests(origin, problem):
    expect_error([rule(), rule(originRequest=origin)], "ingress rule #2", problem)
    with pytest.raises(IngressError, match=re.escape(problem)):
        validate_origin_request(origin)


def test_ip_rules_errors_chain_their_cause():
    error = expect_error(with_origin(ipRules=[{"prefix": "300.0.0.0/8"}]), "unable to parse cidr: 300.0.0.0/8")
    assert isinstance(error.__cause__, ValueError)


def test_ip_rules_on_a_socks_proxy():
    render([rule(service="socks-proxy", originRequest={"ipRules": [{"prefix": "10.0.0.0/8", "ports": [1080]}]})])
    expect_error(
        [rule(service="socks-proxy", originRequest={"ipRules": [{"prefix": "nope"}]})],
        "ingress rule #1",
        "unable to parse cidr: nope",
    )


# --------------------------------------------------------------------------------------------------
# Unknown keys
# --------------------------------------------------------------------------------------------------

UNKNOWN_KEYS = [
    pytest.param([rule(orginRequest={})], "ingress rule #1: unknown key 'orginRequest'", "'originRequest'", id="rule"),
    pytest.param([rule(hostame="x")], "unknown key 'hostame'", "did you mean 'hostname'?", id="hostname-typo"),
    pytest.param([rule(Service="x")], "unknown key 'Service'", "did you mean 'service'?", id="capitalised"),
    pytest.param(with_origin(noTLSverify=True), "originRequest: unknown key 'noTLSverify'", "'noTLSVerify'", id="tls"),
    pytest.param(with_origin(connecTimeout="1s"), "unknown key 'connecTimeout'", "'connectTimeout'", id="timeout"),
    pytest.param(with_origin(matchSNIToHost=True), "unknown key 'matchSNIToHost'", "'matchSNItoHost'", id="sni"),
    pytest.param(
        with_origin(access={"teamname": "t"}),
        "originRequest.access: unknown key 'teamname'",
        "did you mean 'teamName'?",
        id="access",
    ),
    pytest.param(
        with_origin(ipRules=[{"prefx": "10.0.0.0/8"}]),
        "originRequest.ipRules[0]: unknown key 'prefx'",
        "did you mean 'prefix'?",
        id="ip-rule",
    ),
]


@pytest.mark.parametrize(("rules", "problem", "suggestion"), UNKNOWN_KEYS)
def test_unknown_keys_are_errors_with_a_suggestion(rules, problem, suggestion):
    expect_error(rules, problem, suggestion)


def test_unknown_key_without_a_close_match_lists_the_valid_keys():
    error = expect_error(with_origin(zzzzzz=1), "unknown key 'zzzzzz'", "valid keys: connectTimeout")
    assert "did you mean" not in str(error)


def test_non_string_keys_are_unknown():
    expect_error([{1: "x", "service": APP}], "ingress rule #1: unknown key 1")
