# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cloudflared_ingress_problems filter: what cloudflared_ingress would refuse, as data to assert on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._cloudflared_ingress import (
    IngressError,
    validate_rules,
)
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_regexp import RE2MissingError

DOCUMENTATION = r"""
name: cloudflared_ingress_problems
short_description: List what cloudflared would refuse in ingress rules, naming the argument, rule and field
version_added: 1.0.0
author:
  - lacatfly (@lacatfly)
description:
  - Runs exactly the checks of P(lacatfly.twilight_drive.cloudflared_ingress#filter) on the same arguments and
    returns the problem found instead of failing, so that a role can say which of its variables is wrong
    without reading the message.
  - The checks stop at the first problem, in cloudflared's order, so the list has at most one element.
  - An empty list means P(lacatfly.twilight_drive.cloudflared_ingress#filter) accepts the same arguments.
requirements:
  - google-re2 (the Python bindings of RE2) on the controller, for rules with a C(path); without it such a rule
    fails the task with an error naming the package (it is not a problem of the rules)
seealso:
  - plugin: lacatfly.twilight_drive.cloudflared_ingress
    plugin_type: filter
    description: Renders the rules as the C(ingress:) block of cloudflared's config, failing on the first problem.
options:
  _input:
    description: The ingress rules, as for P(lacatfly.twilight_drive.cloudflared_ingress#filter).
    type: list
    elements: dict
    required: true
  append_catch_all:
    description: As for P(lacatfly.twilight_drive.cloudflared_ingress#filter).
    type: bool
    default: true
  origin_request:
    description: The top-level C(originRequest), as for P(lacatfly.twilight_drive.cloudflared_ingress#filter).
    type: dict
"""

EXAMPLES = r"""
- name: Refuse ingress rules cloudflared would refuse, naming the variable at fault
  ansible.builtin.fail:
    msg: "{{ names[item.argument] }}: {{ item.message }}"
  loop: "{{ tunnel_ingress | lacatfly.twilight_drive.cloudflared_ingress_problems(origin_request=tunnel_origin) }}"
  vars:
    names:
      _input: tunnel_ingress
      origin_request: tunnel_origin

# For [{hostname: api.example.com, service: "http://127.0.0.1:8081/"}] the result is:
# - argument: _input
#   rule: 0
#   field: service
#   message: "ingress rule #1: service 'http://127.0.0.1:8081/': http://127.0.0.1:8081/ is an invalid address, ..."
"""

RETURN = r"""
_value:
  description:
    - The problems found, empty when the rules are fine; at most one, the first cloudflared would report.
  type: list
  elements: dict
  contains:
    argument:
      description:
        - Which argument of the filter is at fault, C(_input) (the rules) or C(origin_request).
      type: str
    rule:
      description:
        - The index, from 0, of the rule at fault in the list given; null when the problem is in
          C(origin_request) or in the list as a whole.
      type: int
    field:
      description:
        - The key path at fault, inside the rule when C(rule) is set (C(service), C(hostname),
          C(originRequest.ipRules[0].prefix); empty for the rule as a whole), else from the top of cloudflared's
          config (C(originRequest.connectTimeout), or C(ingress) for the list as a whole).
      type: str
    message:
      description:
        - The message P(lacatfly.twilight_drive.cloudflared_ingress#filter) fails with, naming the rule counted
          from 1 as cloudflared does (C(ingress rule #2: ...)).
      type: str
"""


def cloudflared_ingress_problems(
    rules: Any,
    *,
    append_catch_all: bool = True,
    origin_request: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Return what the cloudflared_ingress filter would refuse, as a list of at most one problem."""
    if not isinstance(append_catch_all, bool):
        raise AnsibleFilterError(
            f"append_catch_all must be a boolean, got {type(append_catch_all).__name__} {append_catch_all!r}"
        )
    try:
        validate_rules(rules, append_catch_all=append_catch_all, origin_request=origin_request)
    except IngressError as exc:
        return [
            {
                "argument": "origin_request" if exc.in_origin_request else "_input",
                "rule": exc.rule,
                "field": exc.field,
                "message": exc.message,
            }
        ]
    except RE2MissingError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    return []


class FilterModule:
    """lacatfly.twilight_drive.cloudflared_ingress_problems"""

    def filters(self) -> dict[str, Any]:
        return {"cloudflared_ingress_problems": cloudflared_ingress_problems}
