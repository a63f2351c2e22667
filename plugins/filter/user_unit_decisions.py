# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._user_unit import decide

DOCUMENTATION = r"""
name: user_unit_decisions
short_description: What a user unit of this collection needs, from what differs and what runs
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Adds to the result of P(lacatfly.twilight_drive.pending_writes#filter) what the internal role that installs a
    systemd user unit decides from it, once per run and unit, on the controller.
  - The unit is C(started) when it does not run; when it runs something other than the recorded digest says, it
    is C(reloaded) if its reload applies the change (I(reload_applies)) and none of the user manager's files
    changed, else C(restarted).
options:
  _input:
    description: The result of P(lacatfly.twilight_drive.pending_writes#filter) (C(files), C(directories), C(digest)).
    type: dict
    required: true
  fingerprint:
    description: What the service must reflect besides the files written (image IDs, a binary's checksum).
    type: str
    required: true
  recorded:
    description: The content of the unit's record of what it runs (empty when there is none).
    type: str
    default: ""
  unit:
    description: The unit's properties as M(lacatfly.twilight_drive.account_info) read them (C(ActiveState),
      C(UnitFileState)); empty when it is not loaded.
    type: dict
    default: {}
  timer:
    description: The same for the unit's log rotation timer.
    type: dict
    default: {}
  unit_dir:
    description: Where the user manager reads units, relative to the home; a file written there needs a
      daemon-reload.
    type: str
    required: true
  reload_applies:
    description: The unit's reload applies a change of its files or fingerprint as a restart would.
    type: bool
    default: false
  logs:
    description: The unit has log files, rotated by its timer.
    type: bool
    default: false
  drain:
    description: The caller has units to stop before a restart or a swapping reload.
    type: bool
    default: false
  manager_up:
    description: The account's user manager runs.
    type: bool
    default: true
  check_mode:
    description: The run is in check mode.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Work out what differs and what the unit needs
  ansible.builtin.set_fact:
    __plan: >-
      {{ files | lacatfly.twilight_drive.pending_writes(described=state.paths, directories=dirs)
         | lacatfly.twilight_drive.user_unit_decisions(fingerprint=image_ids, recorded=record, unit=state.units[name],
             unit_dir='.config/systemd/user', reload_applies=true) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: The input, with the decisions added.
  type: dict
  contains:
    wanted:
      description: The digest the record should hold once the unit runs what is wanted.
      type: str
    stale:
      description: The record differs from I(wanted).
      type: bool
    reload:
      description: A file of the user manager is written (a daemon-reload is due).
      type: bool
    action:
      description: C(started), C(reloaded), C(restarted), or empty when the unit runs what is wanted.
      type: str
    enable:
      description: The unit is not enabled.
      type: bool
    draining:
      description: The caller's units to drain are stopped before the restart or reload.
      type: bool
    timer_start:
      description: The log rotation timer needs enabling or starting.
      type: bool
    pending:
      description: Anything at all to write, start, reload, restart, enable or record.
      type: bool
    apply:
      description:
        - The systemd step runs (daemon-reload, enable, start, reload or restart, the timer, the record). That is when
          something of it is due, the user manager runs, and it is not check mode after a unit file changed (the file
          is not written then).
      type: bool
"""


def user_unit_decisions(
    plan: Any,
    *,
    fingerprint: str,
    unit_dir: str,
    recorded: str = "",
    unit: Mapping | None = None,
    timer: Mapping | None = None,
    reload_applies: bool = False,
    logs: bool = False,
    drain: bool = False,
    manager_up: bool = True,
    check_mode: bool = False,
) -> dict[str, Any]:
    """pending_writes' result with what the unit needs."""
    if not isinstance(plan, Mapping) or not {"files", "directories", "digest"} <= set(plan):
        raise AnsibleFilterError("user_unit_decisions: _input must be the result of pending_writes")
    return decide(
        plan,
        fingerprint=str(fingerprint),
        recorded=str(recorded or ""),
        unit=unit or {},
        timer=timer or {},
        unit_dir=unit_dir,
        reload_applies=bool(reload_applies),
        logs=bool(logs),
        drain=bool(drain),
        manager_up=bool(manager_up),
        check_mode=bool(check_mode),
    )


class FilterModule:
    """lacatfly.twilight_drive.user_unit_decisions"""

    def filters(self) -> dict[str, Any]:
        return {"user_unit_decisions": user_unit_decisions}
