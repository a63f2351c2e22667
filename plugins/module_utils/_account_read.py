# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the account_info module answers, as whatever account runs it: the module itself (run as the account
through become) and host_info's reads for an account (a child process that has become the account first).

Private to this collection (no compatibility promise).
"""

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import stat
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.urls import open_url

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_fs import Home, UnsafePath
from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._commands import Commands
from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._prometheus import sample_sums

# account_info's options (its DOCUMENTATION describes them)
ARGUMENT_SPEC = {
    "paths": {"type": "list", "elements": "str", "default": []},
    "stat_only": {"type": "list", "elements": "str", "default": []},
    "read": {"type": "list", "elements": "str", "default": []},
    "json_fields": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "path": {"type": "str", "required": True},
            "fields": {"type": "list", "elements": "str", "required": True},
        },
    },
    "tails": {"type": "list", "elements": "str", "default": []},
    "tail_lines": {"type": "int", "default": 30},
    "executables": {"type": "list", "elements": "str", "default": []},
    "units": {"type": "list", "elements": "str", "default": []},
    "images": {"type": "list", "elements": "str", "default": []},
    "containers": {"type": "list", "elements": "str", "default": []},
    "probes": {"type": "list", "elements": "str", "default": []},
    "probe_wait": {"type": "float", "default": 0},
    "probe_status": {"type": "int", "default": 200},
    "docker": {"type": "bool", "default": False},
    "docker_host": {"type": "str", "default": ""},
    "sizes": {"type": "list", "elements": "str", "default": []},
    "listings": {"type": "list", "elements": "str", "default": []},
    "image_details": {"type": "list", "elements": "str", "default": []},
    "metrics": {"type": "list", "elements": "str", "default": []},
    "metric_names": {"type": "list", "elements": "str", "default": []},
    "versions": {"type": "list", "elements": "str", "default": []},
}


class ReadFailed(Exception):
    """A question that fails the whole read (the user manager's); ``result`` is what was read before it."""

    def __init__(self, msg, result):
        super().__init__(msg)
        self.result = result


UNIT_PROPERTIES = (
    "LoadState",
    "ActiveState",
    "SubState",
    "UnitFileState",
    "FragmentPath",
    "MainPID",
    "NRestarts",
    "ActiveEnterTimestamp",
)
VERSION_LABEL = "org.opencontainers.image.version"
# Only these fields of `docker image inspect` (its Config.Env is the image's, not the deployment's, but not needed).
IMAGE_FORMAT = (
    '{"id": {{json .Id}}, "repo_digests": {{json .RepoDigests}}, "repo_tags": {{json .RepoTags}}, '
    '"created": {{json .Created}}, "labels": {{json .Config.Labels}}}'
)
METRICS_LIMIT = 1 << 20
# Only these fields of `docker container inspect` (never .Config.Env, which holds the secrets).
CONTAINER_FORMAT = (
    '{"id": {{json .Id}}, "image": {{json .Config.Image}}, "image_id": {{json .Image}}, '
    '"state": {{json .State}}, "labels": {{json .Config.Labels}}}'
)


def executable(path):
    """A program as this account sees it: may it run it, and what is it (sha256)."""
    if not os.path.isabs(path):
        raise ValueError(f"{path} is not an absolute path")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {"exists": False, "executable": False}
    info = {
        "exists": True,
        "executable": stat.S_ISREG(st.st_mode) and os.access(path, os.X_OK),
        "uid": st.st_uid,
        "mode": f"{stat.S_IMODE(st.st_mode):04o}",
    }
    if stat.S_ISREG(st.st_mode) and os.access(path, os.R_OK):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        info["checksum"] = digest.hexdigest()
    return info


def manager_state(cmds, uid):
    if not os.path.exists(f"/run/user/{uid}/systemd/private"):
        return {"up": False, "state": "offline"}
    _rc, out, err = cmds.run(["systemctl", "--user", "is-system-running"])
    return {"up": True, "state": (out or err).strip()}


def unit_info(cmds, units):
    return cmds.systemctl_show(["--user"], units, UNIT_PROPERTIES)


def container_info(cmds, name):
    """The container of that exact name (never its environment), or None."""
    rc, out, _err = cmds.run(["docker", "container", "inspect", "--format", CONTAINER_FORMAT, "--", name])
    if rc != 0:
        return None
    raw = json.loads(out)
    state = raw["state"] or {}
    labels = raw["labels"] or {}
    return {
        "id": raw["id"],
        "image": raw["image"],
        "image_id": raw["image_id"],
        "status": state.get("Status"),
        "health": (state.get("Health") or {}).get("Status"),
        "started_at": state.get("StartedAt"),
        "working_dir": labels.get("com.docker.compose.project.working_dir"),
        "version": labels.get(VERSION_LABEL),
    }


def image_details(runner, ref):
    """An image's ID, registry digests, tags, creation time and version label, or None when the engine lacks it.

    ``runner(argv)`` runs a command and returns ``(rc, stdout, stderr)``."""
    rc, out, _err = runner(["docker", "image", "inspect", "--format", IMAGE_FORMAT, "--", ref])
    if rc != 0:
        return None
    raw = json.loads(out)
    return {
        "id": raw["id"],
        "repo_digests": raw["repo_digests"] or [],
        "repo_tags": raw["repo_tags"] or [],
        "created": raw["created"],
        "version": (raw["labels"] or {}).get(VERSION_LABEL),
    }


def metrics(url, names):
    """The sums of ``names`` in the Prometheus exposition at ``url``, with the HTTP status."""
    try:
        with open_url(url, timeout=2, follow_redirects="none") as response:
            text = response.read(METRICS_LIMIT).decode("utf-8", "replace")
            return {"status": response.status, "values": sample_sums(text, names)}
    except urllib.error.HTTPError as err:
        return {"status": err.code, "values": dict.fromkeys(names)}
    except (urllib.error.URLError, OSError, ValueError) as err:
        return {"status": None, "error": str(getattr(err, "reason", err)), "values": dict.fromkeys(names)}


def program_version(runner, path):
    """The first line ``path --version`` prints, run as this account (``runner`` as for image_details)."""
    if not os.path.isabs(path):
        raise ValueError(f"{path} is not an absolute path")
    if not os.access(path, os.X_OK):
        return {"error": f"{path} is missing or not executable by this account"}
    rc, out, err = runner([path, "--version"])
    lines = [line.strip() for line in (out or err).splitlines() if line.strip()]
    if rc != 0 or not lines:
        return {"error": f"{path} --version exited {rc}: {(err or out).strip()[:200]}"}
    return {"output": lines[0][:200]}


def probe_once(url):
    try:
        with open_url(url, timeout=2, follow_redirects="none") as response:
            return {"status": response.status}
    except urllib.error.HTTPError as err:
        return {"status": err.code}
    except (urllib.error.URLError, OSError, ValueError) as err:
        return {"status": None, "error": str(getattr(err, "reason", err))}


def probe(urls, wait=0.0, status=200):
    """Each URL's answer; with ``wait``, poll until every one answers ``status`` or the time is up."""
    deadline = time.monotonic() + wait
    started = time.monotonic()
    results = {}
    pending = list(urls)
    while True:
        for url in pending:
            results[url] = probe_once(url)
            results[url]["seconds"] = round(time.monotonic() - started, 2)
        pending = [url for url in pending if results[url]["status"] != status]
        if not pending or time.monotonic() >= deadline:
            return results
        time.sleep(0.1)


def guarded(read):
    """Run ``read()``; turn what the account's files can make it raise into an error entry."""
    try:
        return read()
    except UnsafePath as err:
        return {"error": str(err)}
    except FileNotFoundError:
        return {"error": "missing"}
    except (OSError, ValueError) as err:
        return {"error": f"{type(err).__name__}: {err}"}


def answer(module, params, environ=None):
    """account_info's result for ``params`` (every option of ARGUMENT_SPEC, defaults applied), as the account
    running this process; commands run through ``module.run_command``. Raises ReadFailed.

    ``environ``: the environment to give the commands (default: this process's own, which is then changed)."""
    uid = os.getuid()
    account = pwd.getpwuid(uid)
    env = os.environ if environ is None else environ
    env.setdefault("XDG_RUNTIME_DIR", f"/run/user/{uid}")
    if params["docker_host"]:
        env["DOCKER_HOST"] = params["docker_host"]

    result = {
        "changed": False,
        "home": account.pw_dir,
        "uid": uid,
        "groups": sorted({grp.getgrgid(g).gr_name for g in os.getgroups() if _has_group(g)}),
    }
    with Home(account.pw_dir) as home:
        result["paths"] = {rel: _described(home, rel) for rel in params["paths"]}
        result["paths"].update({rel: _described(home, rel, checksum=False) for rel in params["stat_only"]})
        result["read"] = {
            rel: guarded(lambda rel=rel: {"content": home.read_bytes(rel, 65536).decode("utf-8", "replace")})
            for rel in params["read"]
        }
        result["json_fields"] = {
            item["path"]: guarded(lambda item=item: _fields(home.read_bytes(item["path"], 65536), item["fields"]))
            for item in params["json_fields"]
        }
        result["tails"] = {
            rel: guarded(lambda rel=rel: {"lines": home.tail(rel, params["tail_lines"])}) for rel in params["tails"]
        }
        result["sizes"] = {rel: guarded(lambda rel=rel: home.usage(rel)) for rel in params["sizes"]}
        result["listings"] = {
            rel: guarded(lambda rel=rel: {"entries": home.listing(rel)}) for rel in params["listings"]
        }
    result["executables"] = {path: guarded(lambda path=path: executable(path)) for path in params["executables"]}
    # The questions to systemd, Docker and the URLs are independent: ask them at once.
    cmds = Commands(module, environ=None if environ is None else env)
    with ThreadPoolExecutor(max_workers=8) as pool:
        manager = pool.submit(manager_state, cmds, uid)
        units = pool.submit(unit_info, cmds, params["units"]) if params["units"] and _manager_socket(uid) else None
        images = {ref: pool.submit(cmds.image_id, ref) for ref in params["images"]}
        containers = {name: pool.submit(container_info, cmds, name) for name in params["containers"]}
        probes = pool.submit(probe, params["probes"], params["probe_wait"], params["probe_status"])
        docker = pool.submit(cmds.docker_versions) if params["docker"] else None
        details = {ref: pool.submit(image_details, cmds.run, ref) for ref in params["image_details"]}
        scraped = {url: pool.submit(metrics, url, params["metric_names"]) for url in params["metrics"]}
        # a program that only prints its version has 10 s
        quick = Commands(module, timeout=10, environ=None if environ is None else env)
        versions = {
            path: pool.submit(guarded, lambda path=path: program_version(quick.run, path))
            for path in params["versions"]
        }
        try:
            result["manager"] = manager.result()
            result["units"] = units.result() if units else {}
        except RuntimeError as err:
            raise ReadFailed(str(err), result) from err
        result["images"] = {ref: future.result() for ref, future in images.items()}
        result["containers"] = {name: future.result() for name, future in containers.items()}
        result["probes"] = probes.result()
        result["docker"] = docker.result() if docker else {}
        result["image_details"] = {ref: future.result() for ref, future in details.items()}
        result["metrics"] = {url: future.result() for url, future in scraped.items()}
        result["versions"] = {path: future.result() for path, future in versions.items()}
    return result


def _manager_socket(uid):
    return os.path.exists(f"/run/user/{uid}/systemd/private")


def _described(home, rel, checksum=True):
    """describe(), with what the account cannot read reported as unsafe too (the caller refuses both)."""
    try:
        return home.describe(rel, checksum=checksum)
    except (OSError, ValueError, UnsafePath) as err:
        return {"exists": True, "type": "unsafe", "reason": f"{home.path}/{rel}: {err}"}


def _has_group(gid):
    try:
        grp.getgrgid(gid)
    except KeyError:
        return False
    return True


def _fields(raw, fields):
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return {"fields": {k: data[k] for k in fields if k in data}}
