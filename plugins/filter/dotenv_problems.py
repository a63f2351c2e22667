"""The dotenv_problems filter: what is wrong with a dict meant for a compose env file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DOCUMENTATION = r"""
name: dotenv_problems
short_description: List what is wrong with a dict meant for a docker compose env file
version_added: 1.0.0
author: lacatfly
description:
  - Checks the keys and values of a dict the roles write as C(KEY='value') lines to a compose C(env_file).
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

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def dotenv_problems(env: Mapping[str, Any], *, prefix: str = "") -> list[str]:
    """Return messages naming each bad key; values are never included."""
    if not isinstance(env, Mapping):
        return [f"must be a dict of KEY: value pairs, got {_kind(env)}"]
    problems = []
    for key, value in env.items():
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(f"key {key!r} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
            continue
        if prefix and not key.startswith(prefix):
            problems.append(f"key {key} does not start with {prefix}")
        if isinstance(value, Mapping | list | tuple | set) or value is None:
            problems.append(f"the value of {key} must be a string, number or boolean")
        elif isinstance(value, str) and ("'" in value or "\n" in value or "\r" in value):
            problems.append(f"the value of {key} holds a single quote or a line break, which a .env line cannot")
    return problems


def _kind(value: object) -> str:
    """A plain type name (Ansible wraps values in tagged subclasses of str, list...)."""
    for kind in (str, bool, int, float, list, tuple):
        if isinstance(value, kind):
            return kind.__name__
    return "null" if value is None else type(value).__name__


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"dotenv_problems": dotenv_problems}
