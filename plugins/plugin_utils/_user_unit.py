# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the internal_user_unit role decides from what it read, as one pure function.

Private to this collection (no compatibility promise). The role compares the
files a service wants with what account_info described (pending_writes), then
decides here, once per run and service, whether the user manager reloads its
units, whether the unit is started, reloaded or restarted, enabled, drained,
whether its log rotation timer is started, whether the record of what it
runs is stale, and whether the systemd step runs at all. The tasks then read
these answers instead of templating the same chain of role variables again
at every task.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

RUNNING = ("active", "activating", "reloading")


def wanted_digest(fingerprint: str, plan_digest: str) -> str:
    """What ~/.local/state/twilight-drive/<unit>.applied records once the unit runs it: a sha256 of the caller's
    fingerprint and of every file and directory written (the same text the role has always hashed, so a
    record written by an earlier version still matches)."""
    return hashlib.sha256(f"{fingerprint} {plan_digest}".encode()).hexdigest()


def decide(
    plan: Mapping[str, Any],
    *,
    fingerprint: str,
    recorded: str,
    unit: Mapping[str, Any],
    timer: Mapping[str, Any],
    unit_dir: str,
    reload_applies: bool,
    logs: bool,
    drain: bool,
    manager_up: bool,
    check_mode: bool,
) -> dict[str, Any]:
    """``plan`` (pending_writes' result) with the role's decisions added."""
    wanted = wanted_digest(fingerprint, plan["digest"])
    stale = recorded.strip() != wanted
    # daemon-reload when a file of the user manager changes
    reload = any(str(spec["path"]).startswith(unit_dir.rstrip("/") + "/") for spec in plan["files"])
    # start a unit that does not run; one that runs something else is reloaded when its reload applies what
    # changed (and none of its unit files changed), else restarted
    if unit.get("ActiveState", "inactive") not in RUNNING:
        action = "started"
    elif not stale:
        action = ""
    elif reload_applies and not reload:
        action = "reloaded"
    else:
        action = "restarted"
    enable = unit.get("UnitFileState", "") != "enabled"
    # stop the caller's units to drain only right before a restart or a reload that swaps what runs (in check
    # mode: when the reload of the user manager would not be skipped)
    draining = drain and action in ("restarted", "reloaded") and manager_up and not (check_mode and reload)
    timer_start = logs and (
        timer.get("ActiveState", "inactive") != "active" or timer.get("UnitFileState", "") != "enabled"
    )
    pending = bool(plan["files"] or plan["directories"] or action or enable or timer_start or stale)
    # the systemd step (reload, enable, start or restart, the timer, the record) runs: only under a user manager,
    # and not in check mode after a unit file changed (the file is not written, so systemd would not see it)
    apply = manager_up and not (check_mode and reload) and bool(reload or enable or action or timer_start or stale)
    return {
        **plan,
        "wanted": wanted,
        "stale": stale,
        "reload": reload,
        "action": action,
        "enable": enable,
        "draining": draining,
        "timer_start": timer_start,
        "pending": pending,
        "apply": apply,
    }
