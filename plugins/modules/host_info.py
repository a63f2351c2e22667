#!/usr/bin/python
# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

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


def user_info(module, name):
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return {"exists": False}
    groups = sorted({g.gr_name for g in grp.getgrall() if name in g.gr_mem} | {_group_name(entry.pw_gid)})
    rc, out, _err = module.run_command(
        ["systemctl", "show", "--property=ActiveState", "--value", f"user@{entry.pw_uid}.service"]
    )
    return {
        "exists": True,
        "uid": entry.pw_uid,
        "gid": entry.pw_gid,
        "home": entry.pw_dir,
        "shell": entry.pw_shell,
        "groups": groups,
        "linger": os.path.lexists(f"/var/lib/systemd/linger/{name}"),
        "manager": out.strip() if rc == 0 else "unknown",
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


def unit_places(module, units):
    places = {unit: [] for unit in units}
    if not units:
        return places
    rc, out, _err = module.run_command(["systemctl", "show", "--property=Id,LoadState,FragmentPath", "--", *units])
    if rc == 0:
        for block in out.strip().split("\n\n"):
            props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
            if props.get("Id") in places and props.get("LoadState") not in (None, "not-found"):
                places[props["Id"]].append(props.get("FragmentPath") or f"system scope ({props['LoadState']})")
    for unit in units:
        for directory in GLOBAL_USER_UNIT_DIRS:
            path = f"{directory}/{unit}"
            if os.path.lexists(path):
                places[unit].append(path)
    return places


def docker_versions(module):
    rc, out, err = module.run_command(["docker", "version", "--format", "{{.Server.Version}}"])
    if rc != 0:
        return {"server": None, "compose": None, "error": (err or out).strip() or f"docker exited {rc}"}
    server = out.strip()
    rc, out, err = module.run_command(["docker", "compose", "version", "--short"])
    return {
        "server": server,
        "compose": out.strip().lstrip("v") if rc == 0 else None,
        "error": None if rc == 0 else (err or out).strip(),
    }


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
    module.exit_json(
        changed=False,
        users={name: user_info(module, name) for name in params["users"]},
        groups={name: group_info(name) for name in params["groups"]},
        system_units=unit_places(module, params["system_units"]),
        docker=docker_versions(module) if params["docker"] else {},
    )


if __name__ == "__main__":
    main()
