# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The public_hostnames filter: which hostnames of a tunnel's ingress playbooks/verify.yml can ask."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._access_verify import public_hostnames as _public

DOCUMENTATION = r"""
name: public_hostnames
short_description: The hostnames of cloudflared ingress rules that can be checked from outside, and the others
version_added: 1.0.0
author:
  - lacatfly (@lacatfly)
description:
  - Reads ingress rules as P(lacatfly.twilight_drive.cloudflared_ingress#filter) takes them and returns the
    hostnames a request from the internet can be sent to, each once, in order.
  - Not checkable, each returned with the reason, are the catch-all rule (no hostname of its own), wildcard
    hostnames (no single name to ask; list concrete names instead), rules that answer a fixed status
    (C(http_status:)) and rules whose service is not an HTTP origin (ssh, tcp, unix sockets).
options:
  _input:
    description: The ingress rules (C(cloudflared_tunnel_ingress)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The names to verify
  ansible.builtin.set_fact:
    names: "{{ cloudflared_tunnel_ingress | lacatfly.twilight_drive.public_hostnames }}"

# For [{hostname: api.example.com, service: "http://127.0.0.1:8081"}, {hostname: "*.example.com",
# service: "http://127.0.0.1:8082"}] the result is:
# hostnames: [api.example.com]
# skipped:
#   - {hostname: "*.example.com", reason: "a wildcard: list concrete names under it in twilight_verify_hostnames"}
"""

RETURN = r"""
_value:
  description: The hostnames to check and the rules that are not checked.
  type: dict
  contains:
    hostnames:
      description: Plain hostnames of rules with an http(s) service, each once, in the order of the rules.
      type: list
      elements: str
    skipped:
      description: The other rules, each C(hostname) (C((catch-all)) for the last rule) and C(reason).
      type: list
      elements: dict
"""


def public_hostnames(rules: Any) -> dict[str, list]:
    """The checkable hostnames of ``rules`` and the rules that are not checked, with the reason."""
    if not isinstance(rules, list) or not all(isinstance(r, Mapping) for r in rules):
        raise AnsibleFilterError("public_hostnames: the input must be a list of ingress rules (mappings)")
    return _public(rules)


class FilterModule:
    """lacatfly.twilight_drive.public_hostnames"""

    def filters(self) -> dict[str, Any]:
        return {"public_hostnames": public_hostnames}
