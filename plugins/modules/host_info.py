#!/usr/bin/python
# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: host_info
short_description: What the deploy needs to know from the system's side, in one call
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Run as root. Reports the accounts (uid, home, groups, linger, the state of their C(user@UID.service)), groups,
    units with given names at system scope and in the global user unit directories, and the system Docker
    engine, so the roles can check the host before changing it with a single call.
  - Never looks inside an account's home directory itself. With I(accounts) it asks what
    M(lacatfly.twilight_drive.account_info) would answer as an account from a child process that has become that
    account for good first (its groups, its group and its user ID, checked, with no way back to root), so a run with
    nothing to change reads root's side and the accounts' in one call.
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
  containers:
    description: Container names to look up in the system Docker engine (whether they exist and run there).
    type: list
    elements: str
    default: []
  images:
    description: Image references whose ID in the system Docker engine to return (null when it does not have them).
    type: list
    elements: str
    default: []
  packages:
    description: Debian package names whose installed version to return (null when not installed).
    type: list
    elements: str
    default: []
  rootless:
    description:
      - Return what rootless Docker needs from the kernel and the system for I(users) (user namespaces,
        C(newuidmap)/C(newgidmap), C(/dev/net/tun), the cgroup version and the controllers delegated to each user
        manager, C(dockerd-rootless.sh)).
    type: bool
    default: false
  accounts:
    description:
      - Per account name, sets of M(lacatfly.twilight_drive.account_info) options by a key of the caller's (a unit
        name), each answered as that account, exactly as that module run with C(become_user) would answer it.
      - An account is read only when it exists, is not root and its user manager is running; a set is answered
        under C(account_reads) or, when the read failed, explained under C(account_read_errors). The caller decides
        whether an answer is still current; the action plugin records in each answer which questions it answers
        (C(asked)) and as whom (C(asked_as)), so M(lacatfly.twilight_drive.account_info) can take it with its
        I(answered) option.
    type: dict
    default: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: Accounts, docker group, units named like ours, the engine
  lacatfly.twilight_drive.host_info:
    users: [twilight]
    groups: [docker]
    system_units: [twilight-backend.service]
    docker: true
  register: __host

- name: The same, and what twilight's unit would read in its home, as twilight
  lacatfly.twilight_drive.host_info:
    users: [twilight]
    system_units: [twilight-backend.service]
    accounts:
      twilight:
        twilight-backend.service:
          paths: [.config/systemd/user/twilight-backend.service]
          units: [twilight-backend.service]
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
containers:
  description:
    - Per name of I(containers), null or C(id), C(status), C(image) and C(working_dir) (compose label) in the system
      engine.
  returned: always
  type: dict
images:
  description: Per reference of I(images), its ID in the system engine or null.
  returned: always
  type: dict
packages:
  description: Per name of I(packages), the installed version or null.
  returned: always
  type: dict
rootless:
  description:
    - When I(rootless) is true, C(userns) (bool), C(newuidmap) and C(newgidmap) (path or null; setuid root or with
      file capabilities), C(tun) (C(/dev/net/tun) a character device all users may open), C(cgroup) (C(v1) or C(v2)),
      C(delegated) (per user, the controllers its user manager may give its services) and C(dockerd_rootless) (the
      path of C(dockerd-rootless.sh) or null).
  returned: always
  type: dict
account_reads:
  description: Per account of I(accounts) that was read, per key, what M(lacatfly.twilight_drive.account_info) returns.
  returned: always
  type: dict
account_read_errors:
  description: Per account of I(accounts) (and key, when one set failed), why it was not read or not answered.
  returned: always
  type: dict
"""

import contextlib
import grp
import json
import os
import pwd
import shutil
import stat
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils import _as_account
from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_read import ARGUMENT_SPEC as READ_SPEC
from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._commands import Commands

# what the children reading as the accounts have, in all (each command they run has its own 120 s)
READ_DEADLINE = 300

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


DOCKERD_ROOTLESS = ("/usr/bin/dockerd-rootless.sh", "/usr/share/docker.io/contrib/dockerd-rootless.sh")


def package_versions(cmds, names):
    if not names:
        return {}
    _rc, out, _err = cmds.run(["dpkg-query", "-W", "-f=${Package} ${Version} ${db:Status-Status}\\n", "--", *names])
    found = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == "installed":
            found[fields[0]] = fields[1]
    return {name: found.get(name) for name in names}


CONTAINER_FORMAT = "{{json .Id}} {{json .State.Status}} {{json .Config.Image}} {{json .Config.Labels}}"


def system_container(cmds, name):
    rc, out, _err = cmds.run(
        [
            "docker",
            "container",
            "inspect",
            "--format",
            CONTAINER_FORMAT,
            "--",
            name,
        ]
    )
    if rc != 0:
        return None
    ident, status, image, labels = (json.loads(part) for part in out.split(" ", 3))
    return {
        "id": ident,
        "status": status,
        "image": image,
        "working_dir": (labels or {}).get("com.docker.compose.project.working_dir"),
    }


def _privileged_helper(name):
    path = shutil.which(name, path="/usr/bin:/usr/sbin:/bin:/sbin")
    if not path:
        return None
    st = os.stat(path)
    setuid_root = st.st_uid == 0 and bool(st.st_mode & stat.S_ISUID)
    try:
        has_caps = bool(os.getxattr(path, "security.capability"))
    except OSError:
        has_caps = False
    return path if (setuid_root or has_caps) else None


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return None


def rootless_facts(uids):
    """What rootless Docker needs from this host, and what limits it can enforce per user."""
    max_userns = _read("/proc/sys/user/max_user_namespaces")
    clone = _read("/proc/sys/kernel/unprivileged_userns_clone")  # Debian kernels before 5.10 and some others
    try:
        tun = os.stat("/dev/net/tun")
        tun_ok = stat.S_ISCHR(tun.st_mode) and (tun.st_mode & 0o006) == 0o006
    except OSError:
        tun_ok = False
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    delegated = {}
    for name, uid in uids.items():
        controllers = (
            _read(f"/sys/fs/cgroup/user.slice/user-{uid}.slice/user@{uid}.service/cgroup.controllers") if v2 else None
        )
        delegated[name] = sorted((controllers or "").split())
    return {
        "userns": (max_userns or "0").isdigit() and int(max_userns or "0") > 0 and clone in (None, "1"),
        "newuidmap": _privileged_helper("newuidmap"),
        "newgidmap": _privileged_helper("newgidmap"),
        "tun": tun_ok,
        "cgroup": "v2" if v2 else "v1",
        "delegated": delegated,
        "dockerd_rootless": next((path for path in DOCKERD_ROOTLESS if os.access(path, os.X_OK)), None),
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "users": {"type": "list", "elements": "str", "default": []},
            "groups": {"type": "list", "elements": "str", "default": []},
            "system_units": {"type": "list", "elements": "str", "default": []},
            "docker": {"type": "bool", "default": False},
            "containers": {"type": "list", "elements": "str", "default": []},
            "images": {"type": "list", "elements": "str", "default": []},
            "packages": {"type": "list", "elements": "str", "default": []},
            "rootless": {"type": "bool", "default": False},
            "accounts": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    params = module.params
    uids = {}
    for name in params["users"]:
        with contextlib.suppress(KeyError):
            uids[name] = pwd.getpwnam(name).pw_uid
    questions = account_questions(module, params["accounts"])
    # the accounts' children first, before this process starts a thread (a fork copies only the thread forking)
    read_errors = {}
    children = []
    for name, sets in questions.items():
        why = unreadable(name)
        if why:
            read_errors[name] = why
        else:
            children.append(_as_account.start(module, name, sets))
    # one question to the system manager for every user manager and unit name,
    # the engine's at the same time
    cmds = Commands(module)
    with ThreadPoolExecutor(max_workers=4) as pool:
        docker = pool.submit(cmds.docker_versions) if params["docker"] else None
        containers = {name: pool.submit(system_container, cmds, name) for name in params["containers"]}
        packages = pool.submit(package_versions, cmds, params["packages"])
        images = {ref: pool.submit(cmds.image_id, ref) for ref in params["images"]}
        try:
            shown = cmds.systemctl_show(
                [],
                [f"user@{uid}.service" for uid in uids.values()] + params["system_units"],
                ("LoadState", "ActiveState", "FragmentPath"),
            )
        except RuntimeError as err:
            module.fail_json(msg=str(err))
        docker_result = docker.result() if docker else {}
        container_result = {name: future.result() for name, future in containers.items()}
        package_result = packages.result()
        image_result = {ref: future.result() for ref, future in images.items()}
    deadline = time.monotonic() + READ_DEADLINE
    reads = {}
    for child in children:
        got = _as_account.collect(child, deadline)
        if "error" in got:
            read_errors[child.name] = got["error"]
            continue
        reads[child.name] = {key: item["answer"] for key, item in got["answers"].items() if "answer" in item}
        failed = {key: item["error"] for key, item in got["answers"].items() if "error" in item}
        if failed:
            read_errors[child.name] = failed
    module.exit_json(
        changed=False,
        users={name: user_info(name, shown) for name in params["users"]},
        groups={name: group_info(name) for name in params["groups"]},
        system_units=unit_places(params["system_units"], shown),
        docker=docker_result,
        containers=container_result,
        packages=package_result,
        images=image_result,
        rootless=rootless_facts(uids) if params["rootless"] else {},
        account_reads=reads,
        account_read_errors=read_errors,
    )


def account_questions(module, accounts):
    """``accounts`` with account_info's defaults applied to each set; fails naming the set that is not valid."""
    validator = ArgumentSpecValidator(READ_SPEC)
    checked = {}
    for name, sets in accounts.items():
        if not isinstance(sets, dict):
            module.fail_json(msg=f"accounts.{name}: expected a dict of account_info options by key")
        checked[name] = {}
        for key, options in sets.items():
            result = validator.validate(options if isinstance(options, dict) else {"": options})
            if result.error_messages:
                module.fail_json(msg=f"accounts.{name}.{key}: {'; '.join(result.error_messages)}")
            checked[name][key] = result.validated_parameters
    return checked


def unreadable(name):
    """Why the account ``name`` is not read as itself (it does not exist, is root, or has no user manager)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return "no such account"
    if entry.pw_uid == 0:
        return "root is never read as an account"
    if not os.path.exists(f"/run/user/{entry.pw_uid}/systemd/private"):
        return "its user manager is not running"
    return ""


if __name__ == "__main__":
    main()
