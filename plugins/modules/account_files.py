#!/usr/bin/python
# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account_files
short_description: Write a set of files and directories under the deploy account's home, as the account, in one call
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Run as the deploy account (C(become_user)). Creates directories and replaces files under the account's home
    atomically (a temporary file in the same directory, validated, then renamed over the old one), with the given
    modes; the account owns what it writes.
  - Never follows a symbolic link; a link at, or above, a path it manages is refused with a message naming it.
  - Secret files are never shown, not in the diff, not in a validation failure.
options:
  directories:
    description: Directories to create (parents first), relative to the home.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Path relative to the home directory.
        type: str
        required: true
      mode:
        description: Octal mode, e.g. C("0750").
        type: str
        required: true
      keep_existing:
        description: A directory that exists keeps its owner and mode (service data); only a missing one is created.
        type: bool
        default: false
  files:
    description: Files to write, relative to the home; their directory must exist or be in I(directories).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Path relative to the home directory.
        type: str
        required: true
      content:
        description: The whole content, for a file that holds no secret (shown by C(--diff)).
        type: str
      secret_content:
        description:
          - The whole content of a file that holds secrets; exactly one of I(content) and I(secret_content) is given.
          - Never shown, not in the diff, not in a validation failure.
        type: str
      mode:
        description: Octal mode, e.g. C("0600").
        type: str
        required: true
      validate:
        description:
          - C(compose) checks a compose file with C(docker compose config) in I(project_dir).
          - C(dotenv) writes a compose env file and checks that C(docker compose) reads back every C(KEY='value')
            line exactly as written; a failure names the key and line, never the value.
          - C(command) runs I(validate_command) with C(%s) replaced by the new file's path.
        type: str
        choices: [none, compose, dotenv, command]
        default: none
      validate_command:
        description: Argument vector for I(validate=command); C(%s) is replaced by the new file's path.
        type: list
        elements: str
        default: []
      project_dir:
        description: Project directory (relative to the home) for I(validate=compose).
        type: str
        default: ""
  modes:
    description: Existing regular files whose mode to set (relative to the home); a link is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Path relative to the home directory.
        type: str
        required: true
      mode:
        description: Octal mode, e.g. C("0600").
        type: str
        required: true
  remove:
    description: Files or links to remove (relative to the home); a link is removed, not what it points to.
    type: list
    elements: str
    default: []
  remove_empty_directories:
    description:
      - Directories to remove (relative to the home) when they are empty, after the files of I(remove) are gone;
        in the order given, so list a child before its parent. One that holds anything else is left as it is and
        returned in C(not_empty); a link or a file at such a path is refused.
    type: list
    elements: str
    default: []
  docker_host:
    description: C(DOCKER_HOST) for the validation commands; empty for the default.
    type: str
    default: ""
notes:
  - Needs pipelining when it runs as an unprivileged account, like every module run with C(become_user).
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: The backend's files, as the account
  lacatfly.twilight_drive.account_files:
    directories:
      - {path: twilight, mode: "0750"}
      - {path: twilight/data, mode: "0750", keep_existing: true}
    files:
      - {path: twilight/.env, secret_content: "{{ env_text }}", mode: "0600", validate: dotenv}
      - path: twilight/compose.yml
        content: "{{ compose_text }}"
        mode: "0640"
        validate: compose
        project_dir: twilight
  become: true
  become_user: twilight
"""

RETURN = r"""
files:
  description: Per file path, C(changed) and C(checksum) (sha256 of the content now wanted).
  returned: always
  type: dict
directories:
  description: Per directory path, whether it was created or re-moded.
  returned: always
  type: dict
modes:
  description: Per path of I(modes), whether its mode was changed.
  returned: always
  type: dict
removed:
  description: Paths that were removed (files and links of I(remove), then directories of I(remove_empty_directories)).
  returned: always
  type: list
  elements: str
not_empty:
  description: Directories of I(remove_empty_directories) left in place because they hold something else.
  returned: always
  type: list
  elements: str
"""

import hashlib
import json
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_fs import Home, UnsafePath
from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._dotenv import parse_written

HIDDEN = "(secret: content hidden)\n"


class Refused(Exception):
    """A validation refused the new file; the message is safe to print."""


def validator(module, spec, home):
    kind = spec["validate"]
    if kind == "none":
        return None

    def run(argv, data=None):
        rc, out, err = module.run_command(argv, data=data, binary_data=data is not None)
        return rc, out, err

    def compose(path):
        project = home.abspath(spec["project_dir"]) if spec["project_dir"] else os.path.dirname(path)
        rc, out, err = run(
            [
                "docker",
                "compose",
                "--project-directory",
                project,
                "--file",
                path,
                "--env-file",
                os.devnull,
                "config",
                "--quiet",
            ]
        )
        if rc != 0:
            detail = (err or out).strip()
            if ".env" in detail:  # an env file's parse error can quote a secret
                detail = "an env file of the project does not parse (check it as the account: docker compose config)"
            raise Refused(f"docker compose config refused it: {detail}")

    def dotenv(path):
        with open(path, encoding="utf-8") as written:
            try:
                wanted = parse_written(written.read())
            except ValueError as err:
                raise Refused(str(err)) from None
        doc = {"services": {"check": {"image": "scratch", "env_file": [path]}}}
        rc, out, _err = run(
            [
                "docker",
                "compose",
                "--project-name",
                "envcheck",
                "--env-file",
                os.devnull,
                "--file",
                "-",
                "config",
                "--format",
                "json",
            ],
            data=json.dumps(doc),
        )
        if rc != 0:
            raise Refused(f"docker compose could not read it (exit {rc})")
        got = json.loads(out)["services"]["check"].get("environment") or {}
        for line, (key, value) in wanted.items():
            if got.get(key) != value:
                raise Refused(f"docker compose reads {key} (line {line}) differently from what was written")
        extra = sorted(set(got) - {pair[0] for pair in wanted.values()})
        if extra:
            raise Refused(f"docker compose reads variables that were not written: {', '.join(extra)}")

    def command(path):
        argv = [arg.replace("%s", path) for arg in spec["validate_command"]]
        rc, out, err = run(argv)
        if rc != 0:
            detail = "" if spec["secret_content"] is not None else f": {(err or out).strip()}"
            raise Refused(f"{' '.join(spec['validate_command'])} refused it (exit {rc}){detail}")

    return {"compose": compose, "dotenv": dotenv, "command": command}[kind]


def main():
    module = AnsibleModule(
        argument_spec={
            "directories": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "str", "required": True},
                    "mode": {"type": "str", "required": True},
                    "keep_existing": {"type": "bool", "default": False},
                },
            },
            "files": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "str", "required": True},
                    "content": {"type": "str"},
                    "secret_content": {"type": "str", "no_log": True},
                    "mode": {"type": "str", "required": True},
                    "validate": {
                        "type": "str",
                        "choices": ["none", "compose", "dotenv", "command"],
                        "default": "none",
                    },
                    "validate_command": {"type": "list", "elements": "str", "default": []},
                    "project_dir": {"type": "str", "default": ""},
                },
                "mutually_exclusive": [("content", "secret_content")],
                "required_one_of": [("content", "secret_content")],
            },
            "modes": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {"path": {"type": "str", "required": True}, "mode": {"type": "str", "required": True}},
            },
            "remove": {"type": "list", "elements": "str", "default": []},
            "remove_empty_directories": {"type": "list", "elements": "str", "default": []},
            "docker_host": {"type": "str", "default": ""},
        },
        supports_check_mode=True,
    )
    params = module.params
    check = module.check_mode
    if params["docker_host"]:
        os.environ["DOCKER_HOST"] = params["docker_host"]
    home_path = pwd.getpwuid(os.getuid()).pw_dir
    result = {
        "changed": False,
        "files": {},
        "directories": {},
        "modes": {},
        "removed": [],
        "not_empty": [],
        "diff": [],
    }
    current = None
    try:
        with Home(home_path) as home:
            for spec in params["directories"]:
                current = spec["path"]
                changed = home.ensure_dir(spec["path"], _mode(module, spec), spec["keep_existing"], check)
                result["directories"][spec["path"]] = changed
            for spec in params["files"]:
                current = spec["path"]
                secret = spec["secret_content"] is not None
                content = (spec["secret_content"] if secret else spec["content"]).encode("utf-8")
                changed, before = home.write_file(
                    spec["path"], content, _mode(module, spec), validator(module, spec, home), check
                )
                result["files"][spec["path"]] = {"changed": changed, "checksum": hashlib.sha256(content).hexdigest()}
                if changed and module._diff:
                    result["diff"].append(_diff(home.abspath(spec["path"]), before, content, secret))
            for spec in params["modes"]:
                current = spec["path"]
                result["modes"][spec["path"]] = home.set_mode(spec["path"], _mode(module, spec), check)
            for rel in params["remove"]:
                current = rel
                if home.remove(rel, check):
                    result["removed"].append(rel)
            for rel in params["remove_empty_directories"]:
                current = rel
                outcome = home.remove_empty_dir(rel, check, removing=result["removed"])
                if outcome == "removed":
                    result["removed"].append(rel)
                elif outcome == "not empty":
                    result["not_empty"].append(rel)
    except (UnsafePath, Refused) as err:
        module.fail_json(msg=f"{home_path}/{current}: {err}" if isinstance(err, Refused) else str(err), **result)
    except OSError as err:
        module.fail_json(msg=f"{home_path}/{current}: {err.strerror or err}", **result)
    result["changed"] = (
        any(f["changed"] for f in result["files"].values())
        or any(result["directories"].values())
        or any(result["modes"].values())
        or bool(result["removed"])
    )
    module.exit_json(**result)


def _mode(module, spec):
    try:
        mode = int(spec["mode"], 8)
    except ValueError:
        module.fail_json(msg=f"{spec['path']}: mode {spec['mode']!r} is not octal")
    if not 0 <= mode <= 0o7777:
        module.fail_json(msg=f"{spec['path']}: mode {spec['mode']!r} is out of range")
    return mode


def _diff(path, before, after, secret):
    if secret:
        return {
            "before_header": path,
            "after_header": path,
            "before": "" if before is None else HIDDEN,
            "after": HIDDEN,
        }
    return {
        "before_header": path,
        "after_header": path,
        "before": "" if before is None else before.decode("utf-8", "replace"),
        "after": after.decode("utf-8", "replace"),
    }


if __name__ == "__main__":
    main()
