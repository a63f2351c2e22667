# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cloudflared_ingress filter: cloudflared's ingress rules checked as cloudflared does, rendered as YAML.

The rules are in ``plugins/plugin_utils/_cloudflared_ingress.py``; the Go standard library behaviour they
rely on (``time.ParseDuration``, ``strconv.Atoi``, ``net/url.Parse``, ``net.SplitHostPort``,
``net.ParseCIDR``, ``regexp.Compile`` through C++ RE2) in the ``_go_*`` modules beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._cloudflared_ingress import (
    IngressError,
    validate_rules,
)
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_regexp import RE2MissingError

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
  - google-re2 (the Python bindings of RE2) on the controller, for rules with a C(path); without it such a rule
    fails with an error naming the package (C(pip install google-re2)), not as a bad regular expression
  - PyYAML on the controller
seealso:
  - plugin: lacatfly.twilight_drive.cloudflared_ingress_problems
    plugin_type: filter
    description: The same checks, returning the problem as data (argument, rule, field, message) instead of failing.
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


def cloudflared_ingress(
    rules: Any,
    *,
    append_catch_all: bool = True,
    origin_request: Mapping[str, Any] | None = None,
) -> str:
    """Validate the rules and return the ``ingress:`` block of cloudflared's config as YAML."""
    if not isinstance(append_catch_all, bool):
        raise AnsibleFilterError(
            f"append_catch_all must be a boolean, got {type(append_catch_all).__name__} {append_catch_all!r}"
        )
    try:
        ingress = validate_rules(rules, append_catch_all=append_catch_all, origin_request=origin_request)
    except (IngressError, RE2MissingError) as exc:
        raise AnsibleFilterError(str(exc)) from exc
    return yaml.safe_dump(
        {"ingress": ingress},
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 30,
    )


class FilterModule:
    """lacatfly.twilight_drive.cloudflared_ingress"""

    def filters(self) -> dict[str, Any]:
        return {"cloudflared_ingress": cloudflared_ingress}
