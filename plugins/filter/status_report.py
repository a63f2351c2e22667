# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The status_report filter: one host's table, verdict and drift from what the roles' status entry points read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._status import host_report

DOCUMENTATION = r"""
name: status_report
short_description: One host's status table, health verdict and drift from the inventory
version_added: 1.0.0
author:
  - lacatfly (@lacatfly)
description:
  - Takes the facts C(twilight_backend_status) and C(cloudflared_tunnel_status) that the C(status) entry points of
    the C(twilight_backend) and C(cloudflared_tunnel) roles set (unit properties, the container and its image, the
    health and readiness probes, the tunnel's metrics and version, disk use, and the paths a deploy would write)
    and makes the lines of a compact table, the problems that make the host unhealthy and the drift in words.
  - Unhealthy is any of - a user manager not running; a unit not installed, not active or not enabled; the Docker
    engine not answering; no container, or one not running or not healthy; the health URL not answering 200;
    C(/ready) not answering 200; no edge connection (C(cloudflared_tunnel_ha_connections) of C(/metrics) below 1, or
    missing); C(cloudflared --version) failing as the account.
  - Drift is what a deploy would change - the files it would write (by name, never their content), the image (to
    pull, or another than the one running, with both versions), a pinned digest the running image lacks, the
    cloudflared binary, or a unit that runs an older configuration than its files.
options:
  _input:
    description: C(twilight_backend_status) (the backend role's status entry point).
    type: dict
    required: true
  tunnel:
    description: C(cloudflared_tunnel_status) (the tunnel role's status entry point).
    type: dict
    required: true
  host:
    description: The host's name, for the table's first line.
    type: str
    required: true
  fail_on_drift:
    description: Count drift as a problem too.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Report the host
  ansible.builtin.debug:
    msg: "{{ (twilight_backend_status | lacatfly.twilight_drive.status_report(tunnel=cloudflared_tunnel_status,
              host=inventory_hostname)).lines }}"
"""

RETURN = r"""
_value:
  description: The host's report.
  type: dict
  contains:
    host:
      description: The host's name.
      type: str
    healthy:
      description: Whether no problem was found.
      type: bool
    problems:
      description: What makes the host unhealthy, in words.
      type: list
      elements: str
    drift:
      description: What a deploy would change, in words (C(compose.yml), C(image (1.0.0 -> 1.1.0)), ...).
      type: list
      elements: str
    lines:
      description: The table, one line per row, the host and its verdict first.
      type: list
      elements: str
"""


def status_report(backend: Any, *, tunnel: Any, host: str, fail_on_drift: bool = False) -> dict[str, Any]:
    """The host's table, verdict and drift."""
    for name, value in (("_input", backend), ("tunnel", tunnel)):
        if not isinstance(value, Mapping):
            raise AnsibleFilterError(f"status_report: {name} must be the fact a role's status entry point sets")
    try:
        return host_report(str(host), backend, tunnel, fail_on_drift=bool(fail_on_drift))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise AnsibleFilterError(f"status_report: {host}: unexpected status data ({err})") from err


class FilterModule:
    """lacatfly.twilight_drive.status_report"""

    def filters(self) -> dict[str, Any]:
        return {"status_report": status_report}
