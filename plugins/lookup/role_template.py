# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: role_template
short_description: A template of the calling role, rendered as ansible.builtin.template renders it, at a lower cost
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Renders each template named, found and rendered exactly as by the C(ansible.builtin.template) lookup (the same
    search path, the same variables, C(ansible_managed) and the C(template_*) variables, the same options).
  - The difference is what each call costs. The builtin lookup takes a deep copy of every variable of the task before
    it adds its own (in ansible-core 2.19 and 2.21, a copy of each lazy container and of its templar). This lookup
    gives it a shallow copy instead, which is enough, since only names are added at the top. The roles of this
    collection render a dozen small templates per host in every run, a no-op included.
options:
  _terms:
    description: Names of templates, searched for as by C(ansible.builtin.template) (the role's C(templates/) first).
    required: true
    type: list
    elements: str
  template_vars:
    description: A dictionary, the keys become additional variables available for templating.
    type: dict
    default: {}
  variable_start_string:
    description: The string marking the beginning of a print statement.
    type: str
    default: '{{'
  variable_end_string:
    description: The string marking the end of a print statement.
    type: str
    default: '}}'
  comment_start_string:
    description: The string marking the beginning of a comment statement.
    type: str
    default: '{#'
  comment_end_string:
    description: The string marking the end of a comment statement.
    type: str
    default: '#}'
  trim_blocks:
    description: Whether the first newline after a block is removed (block, not variable tag).
    type: bool
    default: true
seealso:
  - plugin: ansible.builtin.template
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: The rendered unit file, as the template lookup renders it
  ansible.builtin.debug:
    msg: "{{ lookup('lacatfly.twilight_drive.role_template', 'twilight-backend.service.j2') }}"
"""

RETURN = r"""
_raw:
  description: Each template's content after templating.
  type: list
  elements: raw
"""

from ansible.plugins.lookup.template import LookupModule as _TemplateLookup

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._templating import shallow_on_deepcopy


class LookupModule(_TemplateLookup):
    def run(self, terms, variables=None, **kwargs):
        return super().run(terms, variables=shallow_on_deepcopy(variables or {}), **kwargs)
