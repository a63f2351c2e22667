#!/usr/bin/python
# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account_info
short_description: Everything a deploy needs to know from the deploy account's side, in one call
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Run as the deploy account (C(become_user)). Reads, without ever following a symbolic link, what the roles of
    this collection need under the account's home (file types, modes, checksums, small files, log tails), and asks
    the account's systemd user manager, its Docker engine and local URLs about the services, so a run that has
    nothing to change needs no other call on the host.
  - Reads only; changes nothing. A link where a file or directory is expected is reported as C(type=unsafe) or
    C(type=link), for the caller to refuse.
options:
  paths:
    description: Paths relative to the home directory to describe (type, mode, owner, size, sha256 of files).
    type: list
    elements: str
    default: []
  stat_only:
    description:
      - Paths described like I(paths), without reading their content (no C(checksum)), for files that may be large
        and whose type and owner are all the caller needs, such as logs. Reported under C(paths).
    type: list
    elements: str
    default: []
  read:
    description: Small regular files (relative paths) whose text to return, at most 64 KiB each.
    type: list
    elements: str
    default: []
  json_fields:
    description:
      - JSON files (relative paths) of which to return only the named top-level fields (e.g. the C(TunnelID) of a
        credentials file, without its secret).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Path relative to the home directory.
        type: str
        required: true
      fields:
        description: Top-level keys to return.
        type: list
        elements: str
        required: true
  tails:
    description: Log files (relative paths) whose last I(tail_lines) lines to return.
    type: list
    elements: str
    default: []
  tail_lines:
    description: Lines returned per file of I(tails).
    type: int
    default: 30
  executables:
    description:
      - Absolute paths of programs the account's services run; for each, whether it exists, whether the account
        may execute it, its owner and its sha256 (read as the account).
    type: list
    elements: str
    default: []
  units:
    description: User units of the account's systemd manager to describe.
    type: list
    elements: str
    default: []
  images:
    description: Image references whose image ID to return (null when the engine does not have them).
    type: list
    elements: str
    default: []
  containers:
    description: Container names to describe (never their environment).
    type: list
    elements: str
    default: []
  probes:
    description: Local URLs to request (2 s timeout each); their HTTP status is returned.
    type: list
    elements: str
    default: []
  probe_wait:
    description:
      - Seconds to keep polling (every 0.1 s) until every URL of I(probes) answers I(probe_status); 0 asks once.
      - What the roles' health gates use, so a wait costs one call however long it lasts.
    type: float
    default: 0
  probe_status:
    description: The HTTP status I(probe_wait) waits for.
    type: int
    default: 200
  docker:
    description: Return the versions of the Docker engine and of C(docker compose) as this account sees them.
    type: bool
    default: false
  docker_host:
    description: C(DOCKER_HOST) for the Docker calls (the account's own engine in rootless mode); empty for the default.
    type: str
    default: ""
  sizes:
    description:
      - Paths relative to the home directory whose disk use to return, everything below a directory included,
        walked without following a link (a link counts as itself).
    type: list
    elements: str
    default: []
  listings:
    description: Directories (relative paths) whose entries (name and type, not following links) to return.
    type: list
    elements: str
    default: []
  image_details:
    description:
      - Image references or IDs to describe beyond their ID, in the engine this account reaches (I(docker_host)).
    type: list
    elements: str
    default: []
  metrics:
    description: Local URLs of Prometheus text expositions (2 s timeout each) to read I(metric_names) from.
    type: list
    elements: str
    default: []
  metric_names:
    description: Metric names whose samples to sum in each of I(metrics).
    type: list
    elements: str
    default: []
  versions:
    description:
      - Absolute paths of programs to run once with C(--version), as this account (10 s timeout each); their first
        line of output is returned. Only for programs that print their version and exit.
    type: list
    elements: str
    default: []
  questions:
    description:
      - The question options above as one dictionary (for example what the filter
        P(lacatfly.twilight_drive.user_unit_questions#filter) returns), templated once. An option may not be given
        both here and directly. Handled on the controller.
    type: dict
    default: {}
  answered:
    description:
      - An earlier answer of this module for the same host, such as a registered result or what
        M(lacatfly.twilight_drive.host_info) read as the account (its C(account_reads)). When it was read as the same
        account and covers every question of this task, the task returns it, restricted to its own questions, with
        C(reused=true) and no call on the host.
      - The caller passes it only when nothing the questions ask about can have changed since it was read.
    type: dict
    default: {}
notes:
  - I(questions) and I(answered) are handled on the controller by this module's action plugin.
  - Needs pipelining when it runs as an unprivileged account, like every module run with C(become_user).
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
- name: What the backend role needs to know, as the account
  lacatfly.twilight_drive.account_info:
    paths: [twilight/compose.yml, twilight/.env]
    read: [.local/state/twilight-drive/twilight-backend.service.applied]
    units: [twilight-backend.service]
    images: [ghcr.io/lacatfly/twilight-drive:1.4.2]
    probes: [http://127.0.0.1:8081/healthz]
  become: true
  become_user: twilight
  register: __state
"""

RETURN = r"""
home:
  description: The account's home directory.
  returned: always
  type: str
uid:
  description: The account's uid.
  returned: always
  type: int
groups:
  description: Names of the groups this process has (the account's groups as its services get them).
  returned: always
  type: list
  elements: str
manager:
  description: The account's systemd user manager; C(state) is what C(systemctl --user is-system-running) says.
  returned: always
  type: dict
  sample: {up: true, state: running}
paths:
  description: Per path, C(exists) and, when it does, C(type) (file, directory, link, other, unsafe), C(mode), C(uid),
    C(gid), C(size), C(checksum) (sha256 of files) or C(reason) (unsafe).
  returned: always
  type: dict
read:
  description: Per path, C(content) (text) or C(error).
  returned: always
  type: dict
json_fields:
  description: Per path, the requested fields (missing ones left out) or C(error).
  returned: always
  type: dict
tails:
  description: Per path, C(lines) or C(error).
  returned: always
  type: dict
executables:
  description: Per path, C(exists), C(executable) (by this account), C(uid), C(mode) and C(checksum) (sha256), or
    C(error).
  returned: always
  type: dict
units:
  description: Per unit, its C(LoadState), C(ActiveState), C(SubState), C(UnitFileState), C(FragmentPath), C(MainPID),
    C(NRestarts) and C(ActiveEnterTimestamp); empty when the manager is not up.
  returned: always
  type: dict
images:
  description: Per reference, the image ID or null.
  returned: always
  type: dict
containers:
  description: Per name, null or C(id), C(image) (as configured), C(image_id), C(status), C(health), C(started_at),
    C(working_dir) (compose label), C(version) (the C(org.opencontainers.image.version) label, null without one).
  returned: always
  type: dict
probes:
  description: Per URL, the HTTP C(status) or null, C(error) when there was no answer, and C(seconds) until the last
    answer.
  returned: always
  type: dict
docker:
  description: C(server) and C(compose) versions, or C(error), when I(docker) is true.
  returned: always
  type: dict
sizes:
  description: Per path, C(exists) and, when it does, C(bytes) (apparent sizes), C(disk_bytes) (allocated, as C(du)
    counts), C(files), C(directories), C(unreadable) (directories this account may not list), or C(error).
  returned: always
  type: dict
listings:
  description: Per directory, C(entries) (each C(name) and C(type), sorted by name) or C(error) (C(missing) when it
    does not exist).
  returned: always
  type: dict
image_details:
  description: Per reference, null when the engine does not have it, else C(id), C(repo_digests), C(repo_tags),
    C(created) and C(version) (the C(org.opencontainers.image.version) label, null without one).
  returned: always
  type: dict
metrics:
  description: Per URL, the HTTP C(status) or null, C(error) when there was no answer, and C(values), the sum of each
    of I(metric_names) (null for a metric the exposition does not have).
  returned: always
  type: dict
versions:
  description: Per path, C(output) (the first line the program printed) or C(error).
  returned: always
  type: dict
asked:
  description: The questions this result answers, in a canonical form (what I(answered) compares).
  returned: when the questions are plain data of the documented types
  type: dict
asked_as:
  description: The account the questions were asked as (the become user, or the connection's user).
  returned: with C(asked)
  type: str
reused:
  description: True when this result is I(answered), and no call was made on the host.
  returned: when true
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_read import (
    ARGUMENT_SPEC,
    ReadFailed,
    answer,
)

# handled by the action plugin on the controller, never passed here
CONTROLLER_OPTIONS = {
    "questions": {"type": "dict", "default": {}},
    "answered": {"type": "dict", "default": {}},
}


def main():
    module = AnsibleModule(argument_spec={**ARGUMENT_SPEC, **CONTROLLER_OPTIONS}, supports_check_mode=True)
    try:
        result = answer(module, module.params)
    except ReadFailed as err:
        module.fail_json(msg=str(err), **err.result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
