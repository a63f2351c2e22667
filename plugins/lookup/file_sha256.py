# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: file_sha256
short_description: The SHA-256 of files on the controller, binary ones included
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Returns the hex SHA-256 of each file named, read on the controller (like the C(file) lookup, but for any content,
    e.g. a program to copy to the hosts). The roles compare it with what the host already has, so an unchanged
    binary costs no call on the host.
options:
  _terms:
    description: Paths of files on the controller.
    required: true
    type: list
    elements: path
"""

EXAMPLES = r"""
- name: Copy only when the host's copy differs
  ansible.builtin.debug:
    msg: "{{ lookup('lacatfly.twilight_drive.file_sha256', '/srv/bin/cloudflared') }}"
"""

RETURN = r"""
_raw:
  description: One hex SHA-256 per file.
  type: list
  elements: str
"""

import hashlib
import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        digests = []
        for term in terms:
            path = term if os.path.isabs(term) else (self.find_file_in_search_path(variables, "files", term) or term)
            digest = hashlib.sha256()
            try:
                with open(path, "rb") as handle:
                    for chunk in iter(lambda handle=handle: handle.read(1 << 20), b""):
                        digest.update(chunk)
            except OSError as err:
                raise AnsibleLookupError(f"file_sha256: cannot read {term}: {err.strerror or err}") from err
            digests.append(digest.hexdigest())
        return digests
