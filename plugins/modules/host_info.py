#!/usr/bin/python
# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import contextlib
import grp
import os
import pwd
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._commands import docker_versions, systemctl_show

DOCUMENTATION = r"""
module: host_info
short_description: What the deploy needs to know from the system's side, in one call
version_added: 1.0.0
author: lacatfly
description:
  - Run as root. Reports the accounts (uid, home, groups, linger, the state of their C(user@UID.service)), groups,
    units with given names at system scope and in the global user unit directories, and the system Docker
    engine, so the roles can check the host before changing it with a single call.
  - Never looks inside an account's home directory.
options:
  users:
    description: Account names to describe.
    type: list
    elements: str
    default: []
  groups:
    description: Group names to describe.
    type: list
    elements: str
    default: []
  system_units:
    description: Unit names to look for at system scope and in the global user unit directories.
    type: list
    elements: str
    default: []
  docker:
    description: Return the versions of the system Docker engine and of C(docker compose) as root sees them.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Accounts, docker group, units named like ours, the engine
  lacatfly.twilight_drive.host_info:
    users: [twilight]
    groups: [docker]
    system_units: [twilight-backend.service]
    docker: true
  register: __host
"""

RETURN = r"""
users:
  description: Per name, C(exists) and, when it does, C(uid), C(gid), C(home), C(shell), C(groups) (names, the primary
    one included), C(linger), C(manager) (ActiveState of C(user@UID.service)), C(subuid) and C(subgid) (subordinate id
    ranges of at least 65536).
  returned: always
  type: dict
groups:
  description: Per name, C(exists), C(gid) and C(members).
  returned: always
  type: dict
system_units:
  description: Per unit name, the list of places a unit of that name is defined outside any home directory.
  returned: always
  type: dict
docker:
  description: C(server) and C(compose) versions, or C(error), when I(docker) is true.
  returned: always
  type: dict
"""


GLOBAL_USER_UNIT_DIRS = (
    "/etc/systemd/user",
    "/run/systemd/user",
    "/usr/local/lib/systemd/user",
    "/usr/local/share/systemd/user",
    "/usr/lib/systemd/user",
    "/usr/share/systemd/user",
)


def subordinate(path, name, uid):
    """Whether /etc/subuid or /etc/subgid gives the account a range of at least 65536 ids."""
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                fields = line.strip().split(":")
                if (
                    len(fields) == 3
                    and fields[0] in (name, str(uid))
                    and fields[2].isdigit()
                    and int(fields[2]) >= 65536
                ):
                    return True
    except FileNotFoundError:
        return False
    return False


def user_info(name, managers):
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return {"exists": False}
    groups = sorted({g.gr_name for g in grp.getgrall() if name in g.gr_mem} | {_group_name(entry.pw_gid)})
    return {
        "exists": True,
        "uid": entry.pw_uid,
        "gid": entry.pw_gid,
        "home": entry.pw_dir,
        "shell": entry.pw_shell,
        "groups": groups,
        "linger": os.path.lexists(f"/var/lib/systemd/linger/{name}"),
        "manager": managers.get(f"user@{entry.pw_uid}.service", {}).get("ActiveState", "unknown"),
        "subuid": subordinate("/etc/subuid", name, entry.pw_uid),
        "subgid": subordinate("/etc/subgid", name, entry.pw_uid),
    }


def _group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def group_info(name):
    try:
        entry = grp.getgrnam(name)
    except KeyError:
        return {"exists": False}
    return {"exists": True, "gid": entry.gr_gid, "members": sorted(entry.gr_mem)}


def unit_places(units, shown):
    """Where a unit of each name is defined outside any home: system scope and the global user unit directories."""
    places = {}
    for unit in units:
        props = shown.get(unit, {})
        found = []
        if props.get("LoadState", "not-found") != "not-found":
            found.append(props.get("FragmentPath") or f"system scope ({props['LoadState']})")
        found.extend(f"{d}/{unit}" for d in GLOBAL_USER_UNIT_DIRS if os.path.lexists(f"{d}/{unit}"))
        places[unit] = found
    return places


def main():
    module = AnsibleModule(
        argument_spec={
            "users": {"type": "list", "elements": "str", "default": []},
            "groups": {"type": "list", "elements": "str", "default": []},
            "system_units": {"type": "list", "elements": "str", "default": []},
            "docker": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    uids = {}
    for name in params["users"]:
        with contextlib.suppress(KeyError):
            uids[name] = pwd.getpwnam(name).pw_uid
    # one question to the system manager for every user manager and unit name,
    # the engine's at the same time
    with ThreadPoolExecutor(max_workers=2) as pool:
        docker = pool.submit(docker_versions) if params["docker"] else None
        try:
            shown = systemctl_show(
                [],
                [f"user@{uid}.service" for uid in uids.values()] + params["system_units"],
                ("LoadState", "ActiveState", "FragmentPath"),
            )
        except RuntimeError as err:
            module.fail_json(msg=str(err))
        docker_result = docker.result() if docker else {}
    module.exit_json(
        changed=False,
        users={name: user_info(name, shown) for name in params["users"]},
        groups={name: group_info(name) for name in params["groups"]},
        system_units=unit_places(params["system_units"], shown),
        docker=docker_result,
    )


if __name__ == "__main__":
    main()
