# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: rollout_summary
short_description: The end of a rolling deploy in words, host by host
version_added: 1.0.0
author: lacatfly
description:
  - Turns what each host of a rolling run of C(playbooks/site.yml) recorded (the fact C(twilight_rollout)) into the
    lines the run ends with; which hosts run the wanted version, which were not touched, and why.
  - A host without a record was not reached; it is reported as such, naming the host the rollout stopped at.
options:
  _input:
    description:
      - The play's hosts in rollout order, each mapped to its record or null. A record has C(failed) (bool),
        C(task) and C(msg) (where and why it failed), C(check) (check mode), C(tunnel_restarted) (bool) and
        C(backend), the fact C(twilight_backend_rollout) of the backend role or null.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Rollout summary
  ansible.builtin.debug:
    msg: "{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'twilight_rollout')
             | map('default', none))) | lacatfly.twilight_drive.rollout_summary }}"
"""

RETURN = r"""
_value:
  description: A headline, then one line per host.
  type: list
  elements: str
"""

MAX_MESSAGE = 400


def _short(text: Any) -> str:
    """One line of at most MAX_MESSAGE characters."""
    line = " ".join(str(text or "").split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def _drain(backend: Mapping, tunnel_restarted: bool) -> str:
    if backend.get("drained"):
        back = "started again and ready" if tunnel_restarted or backend.get("undrained") else "NOT started again"
        return f"its connector was drained before the swap and {back}"
    return f"its connector was not drained ({backend.get('drain_off') or 'no restart'})"


def _backend_line(backend: Mapping, record: Mapping) -> tuple[str, str]:
    """(kind, text) for a host whose tasks ran: kind is updated, unchanged, restarted, or pending (check mode)."""
    image = backend.get("image", "?")
    before = backend.get("previous_image") or ""
    canary = backend.get("canary") or {}
    if record.get("check"):
        drain = ", draining its connector first" if backend.get("drained") else ""
        if backend.get("version_change"):
            return "pending", f"check mode: would replace {before} with {image}, after a canary{drain}"
        return "pending", f"check mode: runs {before or 'nothing yet'}; {image} wanted"
    if not backend.get("restarted"):
        return "unchanged", f"runs {image}, unchanged"
    drain = _drain(backend, bool(record.get("tunnel_restarted")))
    if backend.get("version_change"):
        if canary:
            check = f"its canary passed ({canary.get('seconds', '?')} s from start to removal)"
        else:
            check = "no canary (twilight_backend_canary is false)"
        return "updated", f"now runs {image} (was {before}); {check}; {drain}"
    if not before:
        return "updated", f"now runs {image} (first install: no live service to protect, so no canary)"
    return "restarted", f"runs {image}, restarted for a changed configuration; {drain}"


def rollout_summary(records: Mapping) -> list[str]:
    """Lines that say, host by host, how a rolling run of playbooks/site.yml ended."""
    if not isinstance(records, Mapping):
        raise AnsibleFilterError("rollout_summary: expects a mapping of host to record (or null)")
    lines = []
    groups: dict[str, list[str]] = {"wanted": [], "failed": [], "not reached": []}
    stopped_at = None
    for host, record in records.items():
        if record is None:
            reason = f"the rollout stopped at {stopped_at}" if stopped_at else "no record (not part of this run)"
            lines.append(f"{host}: not touched: not reached ({reason})")
            groups["not reached"].append(host)
            continue
        backend = record.get("backend")
        if record.get("failed"):
            stopped_at = stopped_at or host
            text = f"{host}: FAILED at {record.get('task') or 'a task'}: {_short(record.get('msg'))}"
            if backend and backend.get("drained") and not (record.get("tunnel_restarted") or backend.get("undrained")):
                text += " Its connector was drained and stays stopped; the other replicas serve."
            lines.append(text)
            groups["failed"].append(host)
            continue
        if backend is None:
            lines.append(f"{host}: the backend was not part of this run (tags)")
            continue
        _kind, text = _backend_line(backend, record)
        lines.append(f"{host}: {text}")
        groups["wanted"].append(host)
    headline = (
        f"Rollout over {len(records)} host(s): running the wanted version: {', '.join(groups['wanted']) or 'none'}"
        f"; failed: {', '.join(groups['failed']) or 'none'}; not touched: {', '.join(groups['not reached']) or 'none'}."
    )
    return [headline, *lines]


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"rollout_summary": rollout_summary}
