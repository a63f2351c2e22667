# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The status_summary filter: the fleet's verdicts in a few lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._status import fleet_summary

DOCUMENTATION = r"""
name: status_summary
short_description: The fleet's health and drift in a few lines, from each host's status_report
version_added: 1.0.0
author:
  - lacatfly (@lacatfly)
description:
  - Takes, per host of the play, the result of the M(lacatfly.twilight_drive.status_report) filter, or nothing for
    a host that was not read (unreachable, or failed before its report), and counts the healthy, the unhealthy,
    those not read and those that differ from the inventory, with one line per host.
options:
  _input:
    description: Host name to its report (null or missing for a host without one).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Summarise the fleet
  ansible.builtin.debug:
    msg: "{{ (dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars)
              | map(attribute='twilight_status', default=none))) | lacatfly.twilight_drive.status_summary).lines }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The fleet's verdicts.
  type: dict
  contains:
    healthy:
      description: Hosts found healthy.
      type: list
      elements: str
    unhealthy:
      description: Hosts with a problem.
      type: list
      elements: str
    not_read:
      description: Hosts without a report.
      type: list
      elements: str
    drifted:
      description: Hosts that differ from the inventory.
      type: list
      elements: str
    lines:
      description: The summary, its counts first, then one line per host.
      type: list
      elements: str
"""


def status_summary(reports: Any) -> dict[str, Any]:
    """The fleet's counts and one line per host."""
    if not isinstance(reports, Mapping):
        raise AnsibleFilterError("status_summary: _input must map each host to its status_report (or null)")
    return fleet_summary(reports)


class FilterModule:
    """lacatfly.twilight_drive.status_summary"""

    def filters(self) -> dict[str, Any]:
        return {"status_summary": status_summary}
