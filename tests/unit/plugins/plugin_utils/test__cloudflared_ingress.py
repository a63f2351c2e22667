# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cloudflared's ingress rules (plugin_utils/_cloudflared_ingress.py): the structured error and the rule list.

What each rule accepts and refuses is tested through the filter, its contract, in
tests/unit/plugins/filter/test_cloudflared_ingress.py; here: where an IngressError says the problem is.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._cloudflared_ingress import (
    IngressError,
    validate_origin_request,
    validate_rules,
)
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_regexp import RE2MissingError

APP = "http://127.0.0.1:8081"


def rule(**keys: Any) -> dict[str, Any]:
    return {"hostname": "a.example.com", "service": APP, **keys}


def error_of(rules: Any, **kwargs: Any) -> IngressError:
    with pytest.raises(IngressError) as info:
        validate_rules(rules, **kwargs)
    return info.value


def test_input_is_not_mutated():
    rules = [
        {
            "hostname": "a.example.com",
            "service": APP,
            "originRequest": {
                "connectTimeout": "30s",
                "ipRules": [{"prefix": "10.0.0.0/8", "ports": [443, 80], "allow": True}],
                "access": {"required": True, "teamName": "team", "audTag": ["aud"]},
            },
        }
    ]
    before = copy.deepcopy(rules)
    result = validate_rules(rules)
    assert rules == before
    assert len(rules) == 1  # the catch-all went to the result only
    result[0]["originRequest"]["ipRules"][0]["ports"].append(8080)
    result[0]["hostname"] = "changed"
    assert rules == before


# (rules, options, rule index, field, message start)
WHERE = [
    pytest.param([rule(), rule(service="http://x/")], {}, 1, "service", "ingress rule #2: service ", id="service"),
    pytest.param([rule(service=None)], {}, 0, "service", "ingress rule #1: service is missing", id="no-service"),
    pytest.param([rule(service=8080)], {}, 0, "service", "ingress rule #1: service must be", id="service-type"),
    pytest.param([rule(hostname="a:1")], {}, 0, "hostname", "ingress rule #1: hostname 'a:1'", id="hostname"),
    pytest.param([rule(path="(")], {}, 0, "path", "ingress rule #1: path '('", id="path"),
    pytest.param([rule(sevice=APP)], {}, 0, "sevice", "ingress rule #1: unknown key 'sevice'", id="unknown-key"),
    pytest.param([rule(), "x"], {}, 1, "", "ingress rule #2: must be a dict", id="not-a-dict"),
    pytest.param([{"service": APP}, rule()], {}, 0, "", "ingress rule #1: Rule #1 is matching", id="early-catch-all"),
    pytest.param([rule()], {"append_catch_all": False}, 0, "", "ingress rule #1: The last", id="no-catch-all"),
    pytest.param(
        [rule(originRequest={"tlsTimeout": "1d"})],
        {},
        0,
        "originRequest.tlsTimeout",
        "ingress rule #1: originRequest.tlsTimeout: time: unknown unit",
        id="rule-origin-request",
    ),
    pytest.param(
        [rule(originRequest={"ipRules": [{"prefix": "10.0.0.0/8", "ports": [0]}]})],
        {},
        0,
        "originRequest.ipRules[0].ports",
        "ingress rule #1: originRequest.ipRules[0]: invalid port 0",
        id="ip-rule-port",
    ),
    pytest.param(
        [rule(originRequest={"access": {"required": True, "audTag": ["a"]}})],
        {},
        0,
        "originRequest.access.teamName",
        "ingress rule #1: originRequest.access: access.TeamName cannot be blank",
        id="access",
    ),
    pytest.param(
        [rule()],
        {"origin_request": {"connectTimeout": 30}},
        None,
        "originRequest.connectTimeout",
        "top-level originRequest.connectTimeout must be a duration string",
        id="top-level-origin-request",
    ),
    pytest.param(
        [rule()],
        {"origin_request": {"noTLSverify": True}},
        None,
        "originRequest.noTLSverify",
        "top-level originRequest: unknown key 'noTLSverify'",
        id="top-level-unknown-key",
    ),
    pytest.param(
        [rule()],
        {"origin_request": "30s"},
        None,
        "originRequest",
        "top-level originRequest: must be a dict",
        id="top-level-not-a-dict",
    ),
    pytest.param([], {}, None, "ingress", "ingress: no ingress rules given", id="empty-list"),
    pytest.param({}, {}, None, "ingress", "cloudflared_ingress: expected a list", id="not-a-list"),
]


@pytest.mark.parametrize(("rules", "kwargs", "index", "field", "start"), WHERE)
def test_the_error_names_the_rule_and_the_field(rules, kwargs, index, field, start):
    error = error_of(rules, **kwargs)
    assert (error.rule, error.field) == (index, field)
    assert error.message.startswith(start), error.message
    assert str(error) == error.message
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(("rules", "kwargs", "index", "field", "start"), WHERE)
def test_only_top_level_origin_request_problems_are_in_origin_request(rules, kwargs, index, field, start):
    error = error_of(rules, **kwargs)
    assert error.in_origin_request == ("origin_request" in kwargs), (error.rule, error.field, start)


def test_a_rules_origin_request_is_not_the_top_level_one():
    with pytest.raises(IngressError) as info:
        validate_origin_request({"connectTimeout": 5}, 3)
    assert (info.value.rule, info.value.field, info.value.in_origin_request) == (
        3,
        "originRequest.connectTimeout",
        False,
    )
    assert info.value.message.startswith("ingress rule #4: originRequest.connectTimeout")


def test_without_google_re2_a_path_is_not_blamed(monkeypatch):
    monkeypatch.setitem(sys.modules, "re2", None)  # `import re2` now raises ImportError
    assert validate_rules([rule()])  # no path: no regular expression to check
    with pytest.raises(RE2MissingError, match="pip install google-re2"):
        validate_rules([rule(path="^/api/")])


@pytest.mark.parametrize(
    "bad", ["\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"], ids=repr
)
@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"hostname": "a{}.example.com", "service": "http://127.0.0.1:8081"}, "hostname"),
        ({"hostname": "a.example.com", "path": "^/x{}$", "service": "http://127.0.0.1:8081"}, "path"),
        (
            {
                "hostname": "a.example.com",
                "service": "http://127.0.0.1:8081",
                "originRequest": {"httpHostHeader": "h{}"},
            },
            "originRequest.httpHostHeader",
        ),
    ],
)
def test_control_characters_are_refused_in_every_string(rule: dict, field: str, bad: str) -> None:
    poisoned = {
        k: (v.replace("{}", bad) if isinstance(v, str) else {kk: vv.replace("{}", bad) for kk, vv in v.items()})
        for k, v in rule.items()
    }
    with pytest.raises(IngressError) as info:
        validate_rules([poisoned])
    assert (info.value.rule, info.value.field) == (0, field)
    assert f"(U+{ord(bad):04X}), refused" in info.value.message


def test_control_characters_are_refused_in_the_top_level_origin_request() -> None:
    with pytest.raises(IngressError) as info:
        validate_rules([{"service": "http_status:404"}], origin_request={"httpHostHeader": "a\u2028b"})
    assert (info.value.rule, info.value.field, info.value.in_origin_request) == (
        None,
        "originRequest.httpHostHeader",
        True,
    )


@pytest.mark.parametrize("bad", ["\x00", "\t", "\n", "\x85", "\u2028"], ids=repr)
def test_a_service_with_a_control_character_is_refused_by_cloudflareds_own_rules_first(bad: str) -> None:
    with pytest.raises(IngressError) as info:
        validate_rules([{"hostname": "a.example.com", "service": f"http://127.0.0.1:8081{bad}"}])
    assert (info.value.rule, info.value.field) == (0, "service")
