"""Helpers shared by the testinfra suites of every Molecule scenario (imported by their tests).

Molecule's verifier runs pytest with the scenario's inventory and environment
(ANSIBLE_CONFIG, MOLECULE_*), so tests can both inspect the instances through
testinfra's `host` fixture and drive ansible-playbook against them.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import yaml

DEPLOY_USER = "twilight"
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str

    def command(self, command: str) -> str:
        """Wrap a shell command to run as this account with its user manager reachable.

        setpriv changes identity without PAM, so no login session is opened
        (the tests assert that the units run with nobody logged in).
        """
        return (
            f"setpriv --reuid={self.uid} --regid={self.gid} --init-groups "
            f"env HOME={self.home} XDG_RUNTIME_DIR=/run/user/{self.uid} sh -c {shell_quote(command)}"
        )


HEALTHZ = "curl -sf -o /dev/null http://127.0.0.1:8081/healthz"  # backend health, on loopback in the instance
READY = "curl -sf -o /dev/null http://127.0.0.1:9090/ready"  # cloudflared readiness
TUNNEL_UNIT = "twilight-cloudflared.service"


def account_of(host, name: str) -> Account:
    """The Account of any local user of the instance (the deploy account has the `account` fixture)."""
    user = host.user(name)
    assert user.exists, f"account {name} missing"
    return Account(name, user.uid, user.gid, user.home)


def main_pid_command(account: Account, unit: str) -> str:
    """A shell command printing the MainPID of the account's user unit."""
    return account.command(f"systemctl --user show {unit} -p MainPID --value")


def main_pid(host, account: Account, unit: str) -> int:
    return int(host.check_output(main_pid_command(account, unit)))


def shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


@dataclass
class PlaybookRun:
    rc: int
    output: str

    def recap(self) -> dict[str, dict[str, int]]:
        return {
            m["host"]: {k: int(m[k]) for k in ("ok", "changed", "unreachable", "failed")}
            for m in RECAP.finditer(self.output)
        }


def scenario_dir() -> Path:
    return Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])


def run_playbook(
    playbook: str | Path, *args: str, extra_vars: dict | None = None, limit: str | None = None, timeout: int = 900
) -> PlaybookRun:
    """Run ansible-playbook against the scenario's instances; return rc and the whole output."""
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(playbook), *args]
    if extra_vars is not None:
        cmd += ["-e", json.dumps(extra_vars)]
    if limit is not None:
        cmd += ["--limit", limit]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"},
    )
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr)


FAILURE_START = re.compile(r"^(fatal: \[|failed: \[|\[ERROR\])")
FAILURE_END = re.compile(r"^(TASK \[|PLAY RECAP|PLAY \[|RUNNING HANDLER \[|included: |ok: \[|changed: \[|skipping: \[)")


def failure_text(output: str) -> str:
    """The failure reports of a playbook run (fatal/failed results and [ERROR] lines, rescued ones included),
    without the ok/changed results around them: what the run said went wrong."""
    blocks, inside = [], False
    for line in output.splitlines():
        if FAILURE_START.match(line):
            inside = True
        elif FAILURE_END.match(line):
            inside = False
        if inside:
            blocks.append(line)
    return "\n".join(blocks)


def collection_import(module: str) -> ModuleType:
    """Import a module of this collection in place (``plugins.filter.dotenv_problems``), as Ansible does,
    from ${MOLECULE_PROJECT_DIRECTORY}/.collections."""
    root = str(Path(os.environ["MOLECULE_PROJECT_DIRECTORY"]) / ".collections")
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"ansible_collections.lacatfly.twilight_drive.{module}")


def path_state(host, path: str) -> str:
    """Type, owner, mode and content (sha256) of a path and, for a directory, of everything under it, as one
    comparable text: what a test compares to prove a run left a file or directory alone. Not following links."""
    return host.check_output(
        "if [ -e %s ] || [ -L %s ]; then find %s -printf '%%p %%y %%U:%%G %%m %%l\\n' | sort; "
        "find %s -type f -exec sha256sum {} + | sort; else echo absent; fi",
        path,
        path,
        path,
        path,
    )


def login_sessions(host, user: str) -> list[str]:
    """Classes of the logind sessions `user` has that a login would open (user, greeter...).

    systemd >= 256 also registers the user manager itself as a session of class
    "manager"; that is the service running, not somebody logged in.
    """
    classes = []
    for line in host.check_output("loginctl list-sessions --no-legend").splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == user:
            cls = host.check_output("loginctl show-session %s --property=Class --value", fields[0])
            if not cls.startswith("manager"):
                classes.append(cls)
    return classes


def docker_inspect(host, name: str) -> dict:
    """`docker inspect` of a container inside the instance, as a dict."""
    return json.loads(host.check_output("docker inspect %s", name))[0]


def file_state(host, *paths: str) -> dict[str, str]:
    """sha256 (or 'absent') of each path, to show a failed run left them alone."""
    return {p: (host.file(p).sha256sum if host.file(p).exists else "absent") for p in paths}


def wait_until(host, command: str, timeout: float, interval: float = 1.0) -> float:
    """Run `command` on the instance until it exits 0; return the seconds it took, fail after `timeout`."""
    start = time.monotonic()
    while True:
        if host.run(command).rc == 0:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {command}")
        time.sleep(interval)


def wait_until_stable(host, command: str, timeout: float, hold: float = 15.0) -> float:
    """Like wait_until, but the command must keep succeeding for `hold` seconds (longer than a unit's
    RestartSec, so a recovery that systemd is about to undo does not count). Returns the seconds until the
    streak began."""
    start = time.monotonic()
    streak = None
    while time.monotonic() - start <= timeout + hold:
        if host.run(command).rc == 0:
            streak = streak if streak is not None else time.monotonic()
            if time.monotonic() - streak >= hold:
                return streak - start
        else:
            streak = None
            if time.monotonic() - start > timeout:
                break
        time.sleep(1)
    raise AssertionError(f"not stable for {hold} s within {timeout} s: {command}")


FIGURES = Path(__file__).resolve().parent / ".cache" / "figures.json"


def record_figure(host, what: str, seconds: float) -> None:
    """Keep a measured recovery time for the README's reliability table (molecule/.cache/figures.json)."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures.setdefault(what, {})[instance_name(host)] = round(seconds, 1)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"FIGURE {instance_name(host)}: {what}: {seconds:.1f} s")


def first_instance(platform: str = "debian12") -> list[str]:
    """testinfra_hosts for a test module that only needs one platform (slow, stateful runs): that platform's
    instance, or the scenario's only one when Molecule runs a single platform (--platform-name, as CI does)."""
    name = f"td-{os.environ.get('MOLECULE_SCENARIO_NAME', 'faults')}-{platform}"
    present = inventory_hosts()
    if present and name not in present:
        name = present[0]
    return [f"ansible://{name}"]


def inventory_hosts() -> list[str]:
    """The instances in Molecule's inventory for this run (empty when it cannot be read)."""
    try:
        with open(os.environ["MOLECULE_INVENTORY_FILE"], encoding="utf-8") as fh:
            return sorted((yaml.safe_load(fh) or {}).get("all", {}).get("hosts") or {})
    except (KeyError, OSError):
        return []


def instance_name(host) -> str:
    """The inventory name of a testinfra host (the Molecule instance name)."""
    return host.backend.get_hostname()
