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
import shlex
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
            f"env HOME={self.home} XDG_RUNTIME_DIR=/run/user/{self.uid} sh -c {shlex.quote(command)}"
        )


# The Docker engine the deployment under test runs on (tools/test sets
# TD_DOCKER_MODE for the rootless axis; molecule/stand-ins/vars.yml passes it
# to the roles as twilight_docker_mode).
DOCKER_MODE = os.environ.get("TD_DOCKER_MODE") or "rootful"
ROOTLESS = DOCKER_MODE == "rootless"
DEPLOY_UID = 1000  # the first account useradd makes in the fresh instances (molecule/shared/prepare.yml)


def docker_command(args: str, uid: int = DEPLOY_UID) -> str:
    """A shell command running `docker ARGS` against the deployment's engine: the system one (as root), or in
    rootless mode the deploy account's own (as the account, through its socket)."""
    if not ROOTLESS:
        return f"docker {args}"
    return (
        f"setpriv --reuid={uid} --regid={uid} --init-groups env HOME=/home/{DEPLOY_USER} "
        f"XDG_RUNTIME_DIR=/run/user/{uid} DOCKER_HOST=unix:///run/user/{uid}/docker.sock docker {args}"
    )


HEALTHZ = "curl -sf -o /dev/null http://127.0.0.1:8081/healthz"  # backend health, on loopback in the instance
READY = "curl -sf -o /dev/null http://127.0.0.1:9090/ready"  # cloudflared readiness
TUNNEL_UNIT = "twilight-cloudflared.service"
ENGINE_UNIT = "twilight-docker.service"  # the account's own engine in rootless mode


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


STANDINS = Path(__file__).resolve().parent / "stand-ins" / "vars.yml"
PLAYBOOKS = Path(__file__).resolve().parent.parent / "playbooks"
ACCESS_STANDIN = Path(__file__).resolve().parent / "stand-ins" / "access" / "start.yml"
# where molecule/stand-ins/access/start.yml leaves the CA of the stand-in's certificate, in the instance
ACCESS_STANDIN_CA = "/usr/local/lib/access-standin/ca.pem"


def playbook_command(
    playbook: str | Path, *args: str, extra_vars: dict | None = None, limit: str | None = None
) -> list:
    """ansible-playbook against the scenario's instances, with the test stand-ins (molecule/stand-ins/vars.yml)
    as extra vars like Molecule's own runs; `extra_vars` come after them and win."""
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(playbook), "-e", f"@{STANDINS}", *args]
    if extra_vars is not None:
        cmd += ["-e", json.dumps(extra_vars)]
    if limit is not None:
        cmd += ["--limit", limit]
    return cmd


def run_playbook(
    playbook: str | Path, *args: str, extra_vars: dict | None = None, limit: str | None = None, timeout: int = 900
) -> PlaybookRun:
    """Run ansible-playbook against the scenario's instances; return rc and the whole output."""
    proc = subprocess.run(
        playbook_command(playbook, *args, extra_vars=extra_vars, limit=limit),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"},
    )
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr)


def start_access_standin(host, mode: str = "refuse") -> None:
    """(Re)start the TEST STAND-IN for Cloudflare Access in the instance, on its loopback (refuse: 403 without
    the token; redirect: 302 to the Access login; open: no Access at all)."""
    run = run_playbook(ACCESS_STANDIN, extra_vars={"access_standin_mode": mode}, limit=instance_name(host))
    assert run.rc == 0, run.output


def run_verify(host, *args: str, extra_vars: dict | None = None) -> PlaybookRun:
    """playbooks/verify.yml with its requests sent from the instance itself, to the Access stand-in there (the
    public hostnames resolve to the instance's loopback; the stand-in's CA is trusted for this run only)."""
    here = {"twilight_verify_from": instance_name(host), "twilight_verify_ca_path": ACCESS_STANDIN_CA}
    extra = {**here, **(extra_vars or {})}
    return run_playbook(PLAYBOOKS / "verify.yml", *args, extra_vars=extra, limit=instance_name(host))


def assert_check_mode_changes_nothing(host, secrets: tuple[str, ...] = (), *args: str) -> PlaybookRun:
    """`--check --diff` of the scenario's converge after converge: it succeeds, changes nothing and prints none of
    `secrets`."""
    run = run_playbook(scenario_dir() / "converge.yml", "--check", "--diff", *args, limit=instance_name(host))
    assert run.rc == 0, run.output
    assert run.recap()[instance_name(host)]["changed"] == 0, run.output
    assert [s for s in secrets if s in run.output] == []
    return run


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


def reboot_until_serving(host) -> float:
    """Reboot the instance (its container restarted, as a VPS reboots) and wait until the backend and the
    tunnel answer steadily; the seconds from the reboot's start."""
    start = time.monotonic()
    subprocess.run(["docker", "restart", "--time", "30", instance_name(host)], check=True, capture_output=True)
    restarted = time.monotonic() - start
    return restarted + wait_until_stable(host, f"{HEALTHZ} && {READY}", 180)


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


def listening_addresses(host, port: int) -> set[str]:
    """The addresses something listens on for TCP `port` inside the instance."""
    lines = host.check_output(f"ss -Htln 'sport = :{port}'").splitlines()
    return {line.split()[3].rsplit(":", 1)[0] for line in lines}


def docker_inspect(host, name: str) -> dict:
    """`docker inspect` of a container of the deployment's engine inside the instance, as a dict."""
    return json.loads(host.check_output(docker_command(f"inspect {shlex.quote(name)}")))[0]


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


def instance(platform: str, scenario: str | None = None) -> str:
    """A Molecule instance's name, as .config/molecule/config.yml builds it (with TD_INSTANCE_SUFFIX)."""
    scenario = scenario or os.environ.get("MOLECULE_SCENARIO_NAME", "faults")
    return f"td-{scenario}-{platform}{os.environ.get('TD_INSTANCE_SUFFIX', '')}"


def first_instance(platform: str = "debian12") -> list[str]:
    """testinfra_hosts for a slow, stateful test module run on one platform: the instance of `platform` when this
    run has it, else the run's first (`molecule test --platform-name`, as CI's matrix runs, leaves the other
    platform out of the inventory)."""
    wanted = instance(platform)
    inventory = os.environ.get("MOLECULE_INVENTORY_FILE")
    if not inventory or not Path(inventory).exists():
        return [f"ansible://{wanted}"]
    hosts = list(yaml.safe_load(Path(inventory).read_text())["all"]["hosts"])
    return [f"ansible://{wanted if wanted in hosts else hosts[0]}"]


def instance_name(host) -> str:
    """The inventory name of a testinfra host (the Molecule instance name)."""
    return host.backend.get_hostname()


POLLER = """
import sys, time, urllib.request
url, out = sys.argv[1], sys.argv[2]
with open(out, "a", buffering=1) as log:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=0.5) as answer:
                ok = answer.status == 200
        except Exception:
            ok = False
        log.write(f"{time.time():.3f} {int(ok)}\\n")
        time.sleep(0.1)
"""


def start_poller(host, url: str = "http://127.0.0.1:8081/healthz", log: str = "/var/tmp/poller.log") -> str:
    """Poll `url` at 10 Hz inside the instance (loopback only), logging each answer; returns the log's path."""
    host.check_output(f"rm -f {log}")
    host.check_output(f"nohup python3 -c {shlex.quote(POLLER)} {shlex.quote(url)} {log} >/dev/null 2>&1 &")
    return log


def stop_poller(host, log: str = "/var/tmp/poller.log") -> float:
    """Stop the poller and return the longest time (s) it saw no 200, between the last 200 and the next one."""
    host.run("pkill -f 'urllib.request.urlopen' || true")
    samples = [line.split() for line in host.check_output(f"cat {log}").splitlines() if len(line.split()) == 2]
    longest, last_ok = 0.0, None
    for stamp, ok in samples:
        if ok == "1":
            if last_ok is not None:
                longest = max(longest, float(stamp) - last_ok - 0.1)
            last_ok = float(stamp)
    return max(longest, 0.0)
