# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._compose_dotenv import problems

DOCUMENTATION = r"""
name: dotenv_problems
short_description: List what docker compose would not read back exactly from a dict written as an env file
version_added: 1.0.0
author: lacatfly
description:
  - Checks the keys and values of a dict the roles write as C(KEY='value') lines to a compose C(env_file), against
    the rules of compose's own dotenv parser (found by testing that form against the compose binary; see
    C(docs/dotenv-rules.md)) so that every value the filter accepts reaches the container exactly as given.
  - Refuses C(COMPOSE_*) keys (compose's own settings), a single quote, an odd number of trailing backslashes,
    control characters (C0, DEL, C1, U+2028, U+2029), lone surrogates, a C(KEY=value) longer than 131071 bytes and
    more than 1 MiB in all.
  - Returns one message per problem. Messages name keys, never values, so they are safe to print for secrets.
options:
  _input:
    description: The KEY/value pairs.
    type: dict
    required: true
  prefix:
    description: A prefix every key must start with (e.g. C(POSTGRES_)).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Refuse bad environment
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "twilight_backend_env: {{ problems | join('; ') }}"
  vars:
    problems: "{{ twilight_backend_env | lacatfly.twilight_drive.dotenv_problems }}"
"""

RETURN = r"""
_value:
  description: Problems found, empty when the dict can be written as it is.
  type: list
  elements: str
"""


def dotenv_problems(env: Mapping[str, Any], *, prefix: str = "") -> list[str]:
    """Return messages naming each bad key; values are never included."""
    if not isinstance(env, Mapping):
        return [f"must be a dict of KEY: value pairs, got {_kind(env)}"]
    return problems(env, prefix)


def _kind(value: object) -> str:
    """A plain type name (Ansible wraps values in tagged subclasses of str, list...)."""
    for kind in (str, bool, int, float, list, tuple):
        if isinstance(value, kind):
            return kind.__name__
    return "null" if value is None else type(value).__name__


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"dotenv_problems": dotenv_problems}
