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


# Where roles/internal_user_unit keeps a unit's files, relative to the account's home (its vars/main.yml says the
# same, and the unit tests of the filter user_unit_questions compare the two).
UNIT_DIR = ".config/systemd/user"
STATE_DIR = ".local/state/twilight-drive"
LIB_DIR = ".local/lib/twilight-drive"
ROTATE_SCRIPT = f"{LIB_DIR}/rotate-logs"


def own_paths(name: str) -> list[str]:
    """The paths of a unit's own files and directories that the role describes before it writes them."""
    logrotate = logrotate_name(name)
    return [
        UNIT_DIR,
        f"{UNIT_DIR}/{name}.d",
        LIB_DIR,
        f"{UNIT_DIR}/{name}",
        f"{UNIT_DIR}/{name}.d/10-sandbox.conf",
        f"{UNIT_DIR}/{logrotate}.service",
        f"{UNIT_DIR}/{logrotate}.timer",
        ROTATE_SCRIPT,
    ]


def logrotate_name(name: str) -> str:
    """The base name of a unit's log rotation timer and service."""
    base = name[: -len(".service")] if name.endswith(".service") else name
    return f"{base}-logrotate"


def applied_path(name: str) -> str:
    """The record of what a unit runs."""
    return f"{STATE_DIR}/{name}.applied"


def questions(name: str, **caller: Any) -> dict[str, Any]:
    """What roles/internal_user_unit/tasks/state.yml asks account_info for the unit ``name``: the caller's questions,
    with the unit's own files, its record and its units."""
    return {
        "paths": [*(caller.get("paths") or []), *own_paths(name)],
        "stat_only": list(caller.get("stat_only") or []),
        "read": [*(caller.get("read") or []), applied_path(name)],
        "json_fields": list(caller.get("json_fields") or []),
        "executables": list(caller.get("executables") or []),
        "units": [name, f"{logrotate_name(name)}.timer", *(caller.get("units") or [])],
        "images": list(caller.get("images") or []),
        "containers": list(caller.get("containers") or []),
        "probes": list(caller.get("probes") or []),
        "docker": bool(caller.get("docker", False)),
        "docker_host": str(caller.get("docker_host") or ""),
    }
