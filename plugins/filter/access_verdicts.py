# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The access_verdicts filter: what the answers of a public hostname with and without a service token mean."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._access_verify import verdicts

DOCUMENTATION = r"""
name: access_verdicts
short_description: Judge the answers of public hostnames behind Cloudflare Access, without and with a service token
version_added: 1.0.0
author:
  - lacatfly (@lacatfly)
description:
  - Takes the C(results) of two looped M(ansible.builtin.uri) tasks over the same hostnames (the loop item), one
    without credentials and one with a service token (C(CF-Access-Client-Id), C(CF-Access-Client-Secret)), both
    with C(follow_redirects=none), and says per hostname whether Access protects it and the token reaches the
    backend.
  - Without credentials the answer must be Access's refusal, 403, or a redirect to the Access login page
    (C(https://<team>.cloudflareaccess.com/cdn-cgi/access/login/...)). With the token the answer must be 200.
  - Reads only C(item), C(status), C(location), C(msg) and the C(error code) of a Cloudflare error page in
    C(content); nothing else of the results (the request headers hold the token) reaches the verdicts.
options:
  _input:
    description: C(results) of the uri loop without credentials.
    type: list
    elements: dict
    required: true
  with_token:
    description: C(results) of the uri loop with the service token.
    type: list
    elements: dict
    required: true
  path:
    description: The path both asked (for the report).
    type: str
    required: true
  team:
    description: The Zero Trust team name; when given a redirect must go to C(<team>.cloudflareaccess.com).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Judge the answers
  ansible.builtin.set_fact:
    verdicts: >-
      {{ anonymous.results | lacatfly.twilight_drive.access_verdicts(with_token=tokened.results, path='/healthz') }}
"""

RETURN = r"""
_value:
  description: One verdict per hostname, in the order of I(_input).
  type: list
  elements: dict
  contains:
    hostname:
      description: The hostname (the loop item).
      type: str
    ok:
      description: Whether both answers are the expected ones.
      type: bool
    without_credentials:
      description: What the anonymous request got, in words.
      type: str
    with_token:
      description: What the request with the token got, in words.
      type: str
    line:
      description: The report line for the hostname.
      type: str
"""


def access_verdicts(anonymous: Any, *, with_token: Any, path: str, team: str = "") -> list[dict[str, Any]]:
    """One verdict per hostname from the two uri loops' results."""
    for name, value in (("_input", anonymous), ("with_token", with_token)):
        if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
            raise AnsibleFilterError(f"access_verdicts: {name} must be the results list of a looped uri task")
    return verdicts(anonymous, with_token, path=str(path), team=str(team or ""))


class FilterModule:
    """lacatfly.twilight_drive.access_verdicts"""

    def filters(self) -> dict[str, Any]:
        return {"access_verdicts": access_verdicts}
