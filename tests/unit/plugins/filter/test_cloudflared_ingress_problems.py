# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the lacatfly.twilight_drive.cloudflared_ingress_problems filter."""

from __future__ import annotations

import sys
from typing import Any

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.cloudflared_ingress import cloudflared_ingress
from ansible_collections.lacatfly.twilight_drive.plugins.filter.cloudflared_ingress_problems import (
    DOCUMENTATION,
    EXAMPLES,
    RETURN,
    FilterModule,
    cloudflared_ingress_problems,
)
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._cloudflared_ingress import IngressError

APP = "http://127.0.0.1:8081"


def rule(**keys: Any) -> dict[str, Any]:
    return {"hostname": "a.example.com", "service": APP, **keys}


@pytest.mark.parametrize(
    ("rules", "kwargs"),
    [
        pytest.param([rule()], {}, id="appended-catch-all"),
        pytest.param([rule(), {"service": "http_status:404"}], {"append_catch_all": False}, id="own-catch-all"),
        pytest.param([rule(path="^/api/")], {"origin_request": {"connectTimeout": "5s"}}, id="path-and-origin"),
    ],
)
def test_accepted_rules_have_no_problems(rules, kwargs):
    assert cloudflared_ingress_problems(rules, **kwargs) == []
    cloudflared_ingress(rules, **kwargs)  # and the rendering filter agrees


# (rules, options, expected problem without its message)
PROBLEMS = [
    pytest.param(
        [rule(), rule(service=APP + "/")],
        {},
        {"argument": "_input", "rule": 1, "field": "service"},
        id="rule-service",
    ),
    pytest.param(
        [rule(originRequest={"noTLSVerify": "yes"})],
        {},
        {"argument": "_input", "rule": 0, "field": "originRequest.noTLSVerify"},
        id="rule-origin-request",
    ),
    pytest.param(
        [rule()],
        {"origin_request": {"noTLSVerify": "yes"}},
        {"argument": "origin_request", "rule": None, "field": "originRequest.noTLSVerify"},
        id="top-level-origin-request",
    ),
    pytest.param(
        [rule()],
        {"origin_request": ["connectTimeout"]},
        {"argument": "origin_request", "rule": None, "field": "originRequest"},
        id="top-level-not-a-dict",
    ),
    pytest.param([], {}, {"argument": "_input", "rule": None, "field": "ingress"}, id="no-rules"),
    pytest.param("x", {}, {"argument": "_input", "rule": None, "field": "ingress"}, id="not-a-list"),
    pytest.param(
        [rule()],
        {"append_catch_all": False},
        {"argument": "_input", "rule": 0, "field": ""},
        id="missing-catch-all",
    ),
]


@pytest.mark.parametrize(("rules", "kwargs", "expected"), PROBLEMS)
def test_a_problem_names_the_argument_rule_and_field(rules, kwargs, expected):
    (problem,) = cloudflared_ingress_problems(rules, **kwargs)
    assert {key: problem[key] for key in ("argument", "rule", "field")} == expected


@pytest.mark.parametrize(("rules", "kwargs", "expected"), PROBLEMS)
def test_the_message_is_the_one_cloudflared_ingress_fails_with(rules, kwargs, expected):
    (problem,) = cloudflared_ingress_problems(rules, **kwargs)
    with pytest.raises(AnsibleFilterError) as info:
        cloudflared_ingress(rules, **kwargs)
    assert isinstance(info.value.__cause__, IngressError)
    assert info.value.__cause__.message == problem["message"]
    assert str(info.value).startswith(problem["message"])  # Ansible may append the messages of the causes


def test_without_google_re2_the_task_fails_naming_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "re2", None)  # `import re2` now raises ImportError
    with pytest.raises(AnsibleFilterError, match="pip install google-re2"):
        cloudflared_ingress_problems([rule(path="^/api/")])


def test_a_bad_option_is_an_error_not_a_problem():
    with pytest.raises(AnsibleFilterError, match="append_catch_all must be a boolean"):
        cloudflared_ingress_problems([rule()], append_catch_all="no")


def test_filter_module_exposes_the_filter():
    assert FilterModule().filters() == {"cloudflared_ingress_problems": cloudflared_ingress_problems}


def test_documentation_parses():
    for block in (DOCUMENTATION, EXAMPLES, RETURN):
        assert yaml.safe_load(block)
    doc = yaml.safe_load(DOCUMENTATION)
    assert doc["name"] == "cloudflared_ingress_problems"
    assert set(doc["options"]) == {"_input", "append_catch_all", "origin_request"}
    assert set(yaml.safe_load(RETURN)["_value"]["contains"]) == {"argument", "rule", "field", "message"}
