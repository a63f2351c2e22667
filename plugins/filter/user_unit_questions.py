# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._user_unit import questions

DOCUMENTATION = r"""
name: user_unit_questions
short_description: What the internal role of a user unit asks its account, as account_info's arguments
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - The questions the internal role that installs a systemd user unit asks M(lacatfly.twilight_drive.account_info)
    as the unit's account. They are the caller's, with the unit's own files and directories, the record of what it
    runs, the unit and its log rotation timer.
  - The role asks with it, and so can a playbook that has them asked earlier, in one call with others (the
    I(accounts) of M(lacatfly.twilight_drive.host_info)), so that the role's read takes that answer instead of a call.
options:
  _input:
    description: The unit's name.
    type: str
    required: true
  paths:
    description: The caller's paths to describe (relative to the home).
    type: list
    elements: str
    default: []
  stat_only:
    description: The caller's paths to describe without reading their content.
    type: list
    elements: str
    default: []
  read:
    description: The caller's small files to read.
    type: list
    elements: str
    default: []
  json_fields:
    description: The caller's JSON files and the fields to return from each.
    type: list
    elements: dict
    default: []
  executables:
    description: The programs the service runs.
    type: list
    elements: str
    default: []
  units:
    description: Further user units to describe.
    type: list
    elements: str
    default: []
  images:
    description: Image references whose IDs to return.
    type: list
    elements: str
    default: []
  containers:
    description: Containers to describe.
    type: list
    elements: str
    default: []
  probes:
    description: Local URLs to request once.
    type: list
    elements: str
    default: []
  docker:
    description: Ask the Docker engine's and compose's versions.
    type: bool
    default: false
  docker_host:
    description: C(DOCKER_HOST) for the Docker questions; empty for the default.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Read the tunnel's side as twilight together with root's view of the host
  lacatfly.twilight_drive.host_info:
    users: [twilight]
    accounts:
      twilight:
        twilight-cloudflared.service: >-
          {{ 'twilight-cloudflared.service'
             | lacatfly.twilight_drive.user_unit_questions(paths=['.cloudflared/twilight-config.yml']) }}
  register: __host
"""

RETURN = r"""
_value:
  description: The arguments of M(lacatfly.twilight_drive.account_info) (C(paths), C(stat_only), C(read),
    C(json_fields), C(executables), C(units), C(images), C(containers), C(probes), C(docker), C(docker_host)).
  type: dict
"""


def user_unit_questions(name: Any, **caller: Any) -> dict[str, Any]:
    """account_info's arguments for the unit ``name`` and the caller's questions."""
    if not isinstance(name, str) or not name:
        raise AnsibleFilterError("user_unit_questions: _input must be the unit's name")
    return questions(name, **caller)


class FilterModule:
    """lacatfly.twilight_drive.user_unit_questions"""

    def filters(self) -> dict[str, Any]:
        return {"user_unit_questions": user_unit_questions}
