# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: pending_writes
short_description: Which files and directories differ from what the account_info module found
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Compares the files and directories a role wants under the deploy account's home (in the form the
    M(lacatfly.twilight_drive.account_files) module takes) with what M(lacatfly.twilight_drive.account_info)
    described, on the controller, so a run with nothing to change makes no call on the host.
  - A path that is missing, of another type (a link included), of another mode or, for a file, of another content
    (sha256) is pending.
options:
  _input:
    description: Files as M(lacatfly.twilight_drive.account_files) takes them (C(path), C(content) or
      C(secret_content), C(mode)).
    type: list
    elements: dict
    required: true
  described:
    description: The C(paths) result of M(lacatfly.twilight_drive.account_info).
    type: dict
    required: true
  directories:
    description: Directories as M(lacatfly.twilight_drive.account_files) takes them (C(path), C(mode),
      C(keep_existing)).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Write only what differs
  lacatfly.twilight_drive.account_files:
    files: "{{ __pending.files }}"
    directories: "{{ __pending.directories }}"
  when: (__pending.files | length > 0) or (__pending.directories | length > 0)
  vars:
    __pending: >-
      {{ wanted_files | lacatfly.twilight_drive.pending_writes(described=state.paths, directories=wanted_dirs) }}
"""

RETURN = r"""
_value:
  description:
    - C(files) and C(directories), the entries of the input that need writing, in their order.
    - C(digest), a sha256 over every file's path, mode and content, and every directory's path and mode (what a
      service that reads these files runs with), so a caller can tell whether what runs is what is wanted.
  type: dict
"""


def pending_writes(files: list, *, described: Mapping, directories: list | None = None) -> dict[str, list]:
    """The entries of ``files`` and ``directories`` that differ from ``described``."""
    if not isinstance(described, Mapping):
        raise AnsibleFilterError("pending_writes: described must be the paths dict of account_info")
    pending_files = []
    digest = hashlib.sha256()
    for spec in files:
        content = spec.get("content")
        if content is None:
            content = spec.get("secret_content")
        if content is None or "path" not in spec or "mode" not in spec:
            raise AnsibleFilterError(f"pending_writes: {spec.get('path', '?')}: needs path, mode and content")
        checksum = hashlib.sha256(str(content).encode("utf-8")).hexdigest()
        digest.update(f"file {spec['path']} {spec['mode']} {checksum}\n".encode())
        have = described.get(spec["path"]) or {}
        if not (have.get("type") == "file" and have.get("mode") == spec["mode"] and have.get("checksum") == checksum):
            pending_files.append(spec)
    pending_dirs = []
    for spec in directories or []:
        digest.update(f"directory {spec['path']} {spec['mode']}\n".encode())
        have = described.get(spec["path"]) or {}
        same = have.get("type") == "directory" and (spec.get("keep_existing") or have.get("mode") == spec["mode"])
        if not same:
            pending_dirs.append(spec)
    return {"files": pending_files, "directories": pending_dirs, "digest": digest.hexdigest()}


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"pending_writes": pending_writes}
