# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Questions to account_info as data: whether an earlier answer covers a task's, and that task's part of it.

Private to this collection (no compatibility promise). The account_info and
host_info action plugins use it on the controller: host_info records which
questions each of its answers read as an account answers (``normalize``,
``as_data``); account_info tells whether such an earlier answer covers a
task's questions (``covers``) and hands the task the answer it would have had
alone (``restrict``), so that task needs no call on the host.

An answer to a set of questions is the module's result restricted to the keys
those questions name; everything outside the questions (the account's home,
uid, groups and user manager) is the same whatever was asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Each list option, and the key of the result that answers it (stat_only is reported under paths).
LISTS = {
    "paths": "paths",
    "stat_only": "paths",
    "read": "read",
    "tails": "tails",
    "executables": "executables",
    "units": "units",
    "images": "images",
    "containers": "containers",
    "probes": "probes",
    "sizes": "sizes",
    "listings": "listings",
    "image_details": "image_details",
    "metrics": "metrics",
    "versions": "versions",
}
# The options that are not lists of questions, with the module's defaults (a unit test keeps both tables equal to
# the module's argument spec, plugins/module_utils/_account_read.py, which this module does not import: it runs in
# every worker that runs account_info).
SCALARS = {
    "tail_lines": 30,
    "probe_wait": 0.0,
    "probe_status": 200,
    "docker": False,
    "docker_host": "",
    "metric_names": (),
}
# What an answer holds whatever was asked.
COMMON = ("home", "uid", "groups", "manager")
# The options a scalar matters to: two sets of questions agree on it where either asks one of these.
SCALAR_USERS = {
    "tail_lines": ("tails",),
    "probe_wait": ("probes",),
    "probe_status": ("probes",),
    "docker_host": ("images", "containers", "image_details", "docker"),
    "metric_names": ("metrics",),
}


def normalize(args: Mapping[str, Any]) -> dict[str, Any] | None:
    """The questions of a task's arguments in one canonical form (lists as sorted tuples, json_fields as a mapping
    of path to a sorted tuple of fields, the module's defaults filled in), or None when they are not plain data of
    the documented types (the module then validates them and nothing is shared)."""
    known = set(LISTS) | set(SCALARS) | {"json_fields"}
    if set(args) - known:
        return None
    questions: dict[str, Any] = {}
    for name in LISTS:
        value = args.get(name, [])
        if not _strings(value):
            return None
        questions[name] = tuple(sorted(set(value)))
    fields: dict[str, set[str]] = {}
    for item in args.get("json_fields", []) or []:
        if not isinstance(item, Mapping) or set(item) != {"path", "fields"}:
            return None
        if not isinstance(item["path"], str) or not _strings(item["fields"]):
            return None
        fields.setdefault(item["path"], set()).update(item["fields"])
    questions["json_fields"] = {path: tuple(sorted(names)) for path, names in sorted(fields.items())}
    for name, default in SCALARS.items():
        value = args.get(name, default)
        if name == "metric_names":
            if not _strings(value):
                return None
            value = tuple(sorted(set(value)))
        elif name == "docker":
            if not isinstance(value, bool):
                return None
        elif name == "docker_host":
            if not isinstance(value, str):
                return None
        elif name == "probe_wait":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            value = float(value)
        elif isinstance(value, bool) or not isinstance(value, int):
            return None
        questions[name] = value
    if set(questions["paths"]) & set(questions["stat_only"]):
        return None
    return questions


def covers(asked: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether the answer to ``asked`` holds everything the answer to ``wanted`` would, answered the same way."""
    for name in LISTS:
        if not set(wanted[name]) <= set(asked[name]):
            return False
    for path, names in wanted["json_fields"].items():
        if path not in asked["json_fields"] or not set(names) <= set(asked["json_fields"][path]):
            return False
    if wanted["docker"] and not asked["docker"]:
        return False
    if wanted["probes"] and (wanted["probe_wait"] or asked["probe_wait"]):
        return False
    return all(asked[name] == wanted[name] for name, users in SCALAR_USERS.items() if _uses(wanted, users))


def restrict(answer: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """``answer`` (to questions that cover ``wanted``) as the module would have answered ``wanted`` alone."""
    result: dict[str, Any] = {key: answer[key] for key in COMMON if key in answer}
    for name, key in LISTS.items():
        given = answer.get(key) or {}
        part = result.setdefault(key, {})
        part.update({item: given[item] for item in wanted[name] if item in given})
    fields: dict[str, Any] = {}
    given = answer.get("json_fields") or {}
    for path, names in wanted["json_fields"].items():
        if path not in given:
            continue
        entry = given[path]
        if isinstance(entry, Mapping) and isinstance(entry.get("fields"), Mapping):
            entry = dict(entry, fields={k: v for k, v in entry["fields"].items() if k in names})
        fields[path] = entry
    result["json_fields"] = fields
    result["docker"] = answer.get("docker", {}) if wanted["docker"] else {}
    return result


def as_data(questions: Mapping[str, Any]) -> dict[str, Any]:
    """Normalized questions as plain lists and dicts (what a result records as ``asked``)."""
    data: dict[str, Any] = {name: list(questions[name]) for name in LISTS}
    data["json_fields"] = {path: list(names) for path, names in questions["json_fields"].items()}
    for name in SCALARS:
        value = questions[name]
        data[name] = list(value) if isinstance(value, tuple) else value
    return data


def from_data(data: Any) -> dict[str, Any] | None:
    """The normalized questions a result recorded as ``asked``, or None when it is not that."""
    if not isinstance(data, Mapping) or not isinstance(data.get("json_fields"), Mapping):
        return None
    args = dict(data)
    args["json_fields"] = [{"path": path, "fields": names} for path, names in data["json_fields"].items()]
    return normalize(args)


def _strings(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)


def _uses(questions: Mapping[str, Any], users: tuple[str, ...]) -> bool:
    return any(bool(questions[name]) for name in users)
