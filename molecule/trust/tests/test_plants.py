"""The attacker owns an account's files: links and binaries planted under its home before a run of site.yml.

Each case plants, as the account itself (setpriv, no root), links to root-owned victims (distinct marker
content, modes 0640/0600/0750) and binaries that record who ran them; then runs playbooks/site.yml (-v, the
role's tag) and asserts, after every run, whether it succeeded or failed:

- every victim's type, owner, mode and content (for a directory: everything under it) is unchanged;
- no planted binary ran as root (its marker files carry the uid that ran it);
- no victim content, raw or base64, is anywhere in the run's output.

Not vacuous: a plant counts as reached only when the run succeeded (so it went through every task), failed
with a report naming the planted path, or failed at the case's expected end (a health gate made to fail, a
PostgreSQL image that cannot be pulled offline), which comes after every plant of the case. A run that fails
naming some plants proves those; they are removed and the run repeated with the rest. A run failing anywhere
else fails the test as inconclusive. Slow full runs: Debian 12 only.
"""

from __future__ import annotations

import base64
import re
import secrets
import shlex
from dataclasses import dataclass, field

import pytest
from twilight_harness import (
    HEALTHZ,
    READY,
    Account,
    account_of,
    failure_text,
    first_instance,
    instance_name,
    path_state,
    run_playbook,
    scenario_dir,
)

testinfra_hosts = first_instance()

DEPLOY, TUNNEL = "twilight", "tunnel"
# install: none needs the operator's binary named; here the planted one, in the tunnel account's home
OPERATOR_BINARY = {
    "cloudflared_tunnel_install": "none",
    "cloudflared_tunnel_binary": f"/home/{TUNNEL}/.local/bin/cloudflared",
}
MARKERS = "/var/tmp/td-markers"
STANDIN = "/usr/local/bin/td-cloudflared-standin"  # root-owned copy of the stand-in (prepare.yml)

# A planted cloudflared: records the uid that ran it, then hands over to the stand-in. TD-PLANTED is how the
# swap loop recognises it. FAIL_RUN makes `tunnel run` fail (a readiness gate that fails).
PLANTED = """#!/bin/sh
# TD-PLANTED by the trust scenario (test fixture): records who ran it
echo "uid=$(id -u) args=$*" > "{markers}/cloudflared.$(id -u).$$" 2>/dev/null
{fail_run}exec {standin} "$@"
"""
FAIL_RUN = 'case " $* " in *" run "*) exit 1;; esac\n'
SWAP_LOOP = """import os, sys, time
dst, src, stop = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
planted = open(src, "rb").read()
while time.time() < stop:
    try:
        with open(dst, "rb") as f:
            current = f.read(4096)
    except OSError:
        current = b""
    if b"TD-PLANTED" not in current:
        with open(dst + ".td-swap", "wb") as f:
            f.write(planted)
        os.chmod(dst + ".td-swap", 0o755)
        os.replace(dst + ".td-swap", dst)
    time.sleep(0.002)
"""


@dataclass(frozen=True)
class Plant:
    account: str  # whose home
    path: str  # relative to that home
    victim: str  # "file" (0640), "secret" (0600) or "dir" (0750 holding a 0600 file); "binary": a planted script
    fail_run: bool = False  # binary only: `tunnel run` fails


@dataclass(frozen=True)
class Case:
    id: str
    tags: str
    plants: tuple[Plant, ...]
    extra_vars: dict = field(default_factory=dict)
    # a failure report matching this comes after every plant of the case (the end the case aims for)
    end: str | None = None
    # as the account before the run: remove these (relative paths) to force a rewrite and its validation
    remove: tuple[str, ...] = ()
    swap_loop: bool = False  # keep swapping the planted binary back after the role's copy

    def __str__(self) -> str:
        return self.id


UNIT = ".config/systemd/user/twilight-backend.service"
TUNNEL_UNIT_FILE = ".config/systemd/user/twilight-cloudflared.service"
CREDENTIALS = ".cloudflared/twilight-backend-3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00.json"  # the vault's tunnel
PG = {"twilight_backend_postgres_enabled": True, "twilight_backend_postgres_env": {"POSTGRES_PASSWORD": "pg-6f1a"}}

CASES = [
    Case(
        "backend-files",
        "backend",
        (
            Plant(DEPLOY, "twilight/.env", "file"),
            Plant(DEPLOY, "twilight/compose.yml", "file"),
            Plant(DEPLOY, "twilight/data", "dir"),
            Plant(DEPLOY, ".local/state/twilight-drive", "dir"),
            Plant(DEPLOY, UNIT, "dir"),
        ),
        {"twilight_backend_env": {}},
    ),
    Case("backend-project-dir", "backend", (Plant(DEPLOY, "twilight", "dir"),)),
    Case(
        "backend-dirs",
        "backend",
        (
            Plant(DEPLOY, ".config/systemd/user", "dir"),
            Plant(DEPLOY, "twilight/logs", "dir"),
            Plant(DEPLOY, ".local/state/twilight-drive/twilight-backend.service.applied", "secret"),
        ),
    ),
    Case(
        "backend-unit-file-and-log-tail",
        "backend",
        (Plant(DEPLOY, UNIT, "file"), Plant(DEPLOY, "twilight/logs/backend.log", "secret")),
        # the gate polls a path the backend answers 404: it fails and shows the log tail
        {"twilight_backend_health_path": "/td-missing", "twilight_backend_health_timeout": 4},
        end="td-missing",
    ),
    Case(
        "backend-postgres",
        "backend",
        (Plant(DEPLOY, "twilight/.env-postgres", "file"), Plant(DEPLOY, "twilight/postgres-data", "dir")),
        PG,
        end="postgres:16-alpine",  # no PostgreSQL image offline: the pull fails after the files
    ),
    Case(
        "tunnel-uuid-file",
        "tunnel",
        (Plant(TUNNEL, ".cloudflared/TWILIGHT_TUNNEL_UUID", "secret"),),
        {"cloudflared_tunnel_id": ""},
    ),
    Case(
        "tunnel-dirs",
        "tunnel",
        (
            Plant(TUNNEL, ".cloudflared", "dir"),
            Plant(TUNNEL, ".local/state/twilight-drive", "dir"),
            Plant(TUNNEL, TUNNEL_UNIT_FILE, "dir"),
        ),
    ),
    Case(
        "tunnel-files",
        "tunnel",
        (
            Plant(TUNNEL, CREDENTIALS, "file"),
            Plant(TUNNEL, ".cloudflared/twilight-config.yml", "file"),
            Plant(TUNNEL, "twilight/logs", "dir"),
            Plant(TUNNEL, ".local/bin", "dir"),
        ),
    ),
    Case(
        # the operator's own binary (install: none), and the config removed so the role validates a new one
        "tunnel-binary-install-none",
        "tunnel",
        (Plant(TUNNEL, ".local/bin/cloudflared", "binary"),),
        OPERATOR_BINARY,
        remove=(".cloudflared/twilight-config.yml",),
    ),
    Case(
        # the role copies the binary from the controller; a loop swaps the planted one back right after
        "tunnel-binary-swapped-after-copy",
        "tunnel",
        (Plant(TUNNEL, ".local/bin/cloudflared", "binary"),),
        remove=(".cloudflared/twilight-config.yml",),
        swap_loop=True,
    ),
    Case(
        # a planted binary whose `tunnel run` fails: the readiness gate fails and shows the log tail
        "tunnel-log-tail",
        "tunnel",
        (
            Plant(TUNNEL, ".local/bin/cloudflared", "binary", fail_run=True),
            Plant(TUNNEL, "twilight/logs/cloudflared.log", "secret"),
        ),
        {**OPERATOR_BINARY, "cloudflared_tunnel_ready_timeout": 6},
        end="/ready",
    ),
]


class Attack:
    """One case on one instance: victims, plants (as the account), the runs, and the way back."""

    def __init__(self, host, case: Case) -> None:
        self.host, self.case = host, case
        self.accounts = {name: account_of(host, name) for name in (DEPLOY, TUNNEL)}
        self.victims: dict[Plant, str] = {}
        self.contents: list[bytes] = []
        self.before: dict[str, str] = {}
        self.loop_pid: str | None = None

    def home(self, plant: Plant) -> str:
        return self.accounts[plant.account].home

    def as_account(self, account: Account, command: str) -> str:
        return self.host.check_output(account.command(command))

    def make_victims(self) -> None:
        for n, plant in enumerate(self.case.plants):
            if plant.victim == "binary":
                continue
            mark = f"TD-VICTIM-{self.case.id}-{n}-{secrets.token_hex(8)}"
            content = f"{mark}\nroot-only line of {mark}\n"
            if plant.victim == "dir":
                path = f"/etc/td-victim-{self.case.id}-{n}"
                self.host.check_output(
                    "rm -rf %s && mkdir -m 0750 %s && printf '%%s' %s > %s/inner && chmod 0600 %s/inner",
                    path,
                    path,
                    content,
                    path,
                    path,
                )
            else:
                path = f"/root/victims/{self.case.id}-{n}"
                mode = "0640" if plant.victim == "file" else "0600"
                self.host.check_output(
                    "mkdir -p -m 0700 /root/victims && printf '%%s' %s > %s && chmod %s %s", content, path, mode, path
                )
            self.victims[plant] = path
            self.contents.append(content.encode())
            self.before[path] = path_state(self.host, path)

    def plant(self, plant: Plant) -> None:
        account = self.accounts[plant.account]
        target = f"{account.home}/{plant.path}"
        saved = f"{target}.td-saved"
        parent = target.rsplit("/", 1)[0]
        self.host.check_output("rm -rf -- %s", saved)
        self.as_account(account, f"mkdir -p {shlex.quote(parent)}")
        self.as_account(account, f"if [ -e {target} ] || [ -L {target} ]; then mv {target} {saved}; fi")
        if plant.victim == "binary":
            script = PLANTED.format(markers=MARKERS, standin=STANDIN, fail_run=FAIL_RUN if plant.fail_run else "")
            self.as_account(account, f"printf %s {shlex.quote(script)} > {target} && chmod 0755 {target}")
        else:
            self.as_account(account, f"ln -s {self.victims[plant]} {target}")

    def unplant(self, plant: Plant, benign: bool = False) -> None:
        """Put the account's own file back (root does this cleanup; the link itself is removed, not followed). A
        planted binary the account had no file for becomes, with `benign`, a plain copy of the stand-in (as the
        account): with `install: none` the next run needs the operator's binary there to reach the other plants."""
        target = f"{self.home(plant)}/{plant.path}"
        self.host.check_output(
            "rm -rf -- %s && if [ -e %s.td-saved ] || [ -L %s.td-saved ]; then mv %s.td-saved %s; fi",
            target,
            target,
            target,
            target,
            target,
        )
        if benign and plant.victim == "binary" and not self.host.file(target).exists:
            self.as_account(self.accounts[plant.account], f"cp {STANDIN} {target}")

    def start_swap_loop(self, plant: Plant) -> None:
        account = self.accounts[plant.account]
        target = f"{account.home}/{plant.path}"
        self.host.check_output("printf '%%s' %s > /var/tmp/td-swap.py && chmod 0644 /var/tmp/td-swap.py", SWAP_LOOP)
        self.as_account(account, f"cp {target} {account.home}/.td-planted")
        loop = f"python3 /var/tmp/td-swap.py {target} {account.home}/.td-planted 300"
        self.loop_pid = self.as_account(account, f"nohup {loop} </dev/null >/dev/null 2>&1 & echo $!").strip()

    def stop_swap_loop(self) -> None:
        if self.loop_pid:
            self.host.run("kill %s", self.loop_pid)
            self.loop_pid = None

    def root_markers(self) -> list[str]:
        """Marker files a planted binary wrote while running as root."""
        out = self.host.check_output("find %s -type f \\( -user 0 -o -name 'cloudflared.0.*' \\) -print", MARKERS)
        return out.split()

    def leaks(self, output: str) -> list[str]:
        found = []
        for content in self.contents:
            mark = content.split(b"\n")[0].decode()
            if mark in output or base64.b64encode(content).decode() in output:
                found.append(mark)
        return found

    def assert_harmless(self, output: str, what: str) -> None:
        """Every victim as it was, no root marker, no victim content in the output: all problems in one report."""
        problems = []
        for plant, victim in self.victims.items():
            now = path_state(self.host, victim)
            if now != self.before[victim]:
                problems.append(f"~{plant.account}/{plant.path} -> {victim}: {describe(self.before[victim], now)}")
        problems += [f"a planted binary ran as root: {m}" for m in self.root_markers()]
        problems += [f"victim content in the run output: {m}" for m in self.leaks(output)]
        assert problems == [], f"{what}:\n  " + "\n  ".join(problems) + "\n\n" + failure_text(output)[-3000:]


def describe(before: str, after: str) -> str:
    """What changed between two path_state texts, in a few words."""

    def entries(state: str) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for line in state.splitlines():
            if re.match(r"^[0-9a-f]{64}  ", line):
                digest, path = line.split("  ", 1)
                out.setdefault(path, {})["content"] = digest[:12]
            elif line.count(" ") >= 3:
                path, kind, owner, mode = line.split(" ")[:4]
                out.setdefault(path, {}).update(type=kind, owner=owner, mode=mode)
        return out

    old, new = entries(before), entries(after)
    words = []
    for path in sorted(set(old) | set(new)):
        if path not in new:
            words.append(f"{path} removed")
        elif path not in old:
            words.append(f"{path} created (owner {new[path].get('owner')}, mode {new[path].get('mode')})")
        elif old[path] != new[path]:
            diff = [f"{k} {old[path].get(k)}->{v}" for k, v in new[path].items() if old[path].get(k) != v]
            words.append(f"{path}: " + ", ".join(diff))
    return "; ".join(words)


def run_case(host, case: Case) -> list[str]:
    """Plant, run until every plant is proven reached, assert after every run; returns how each was reached."""
    attack = Attack(host, case)
    host.check_output("rm -f %s/*", MARKERS)
    attack.make_victims()
    remaining = list(case.plants)
    proofs: list[str] = []
    try:
        for plant in case.plants:
            attack.plant(plant)
        account = attack.accounts[case.plants[0].account]
        for rel in case.remove:
            attack.as_account(account, f"rm -f {account.home}/{rel}")
        if case.swap_loop:
            attack.start_swap_loop(case.plants[0])
        for attempt in range(len(case.plants)):
            run = run_playbook(
                scenario_dir() / "converge.yml",
                "-v",
                "--tags",
                case.tags,
                extra_vars=case.extra_vars or None,
                limit=instance_name(host),
            )
            what = f"{case.id}, run {attempt + 1} with {[p.path for p in remaining]} planted (rc {run.rc})"
            attack.assert_harmless(run.output, what)
            if run.rc == 0:
                proofs += [f"{p.path}: run succeeded" for p in remaining]
                return proofs
            failed = failure_text(run.output)
            if case.end and case.end in failed:
                proofs += [f"{p.path}: run got to its end ({case.end})" for p in remaining]
                return proofs
            named = [p for p in remaining if names(failed, attack.home(p), p.path)]
            assert named, f"{what}: inconclusive, the run failed without naming a planted path:\n{failed[-4000:]}"
            for plant in named:
                proofs.append(f"{plant.path}: refused, run {attempt + 1}")
                remaining.remove(plant)
                attack.unplant(plant, benign=True)
            if not remaining:
                return proofs
        raise AssertionError(f"{case.id}: plants never reached: {[p.path for p in remaining]}")
    finally:
        attack.stop_swap_loop()
        for plant in case.plants:
            attack.unplant(plant)
        repair(host)


def names(text: str, home: str, path: str) -> bool:
    """Whether a failure report names the planted path (or something inside it), absolute or as ~/path."""
    return any(re.search(re.escape(p) + r"(?![A-Za-z0-9._-])", text) for p in (f"{home}/{path}", f"~/{path}"))


def repair(host) -> None:
    """Leave a serving deployment for the next case (a plain run, only when a service does not answer)."""
    if host.run(HEALTHZ).rc == 0 and host.run(READY).rc == 0:
        return
    run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    assert run.rc == 0, f"the repair run after the case failed:\n{run.output[-3000:]}"


def test_the_tunnel_runs_as_its_own_account(host) -> None:
    """The tunnel's cases attack the `tunnel` account: the converged tunnel must be its (host_vars/ names every
    instance, the -rootless ones too; a missing file would leave the tunnel to the deploy account)."""
    unit = ".config/systemd/user/twilight-cloudflared.service"
    assert host.file(f"{account_of(host, TUNNEL).home}/{unit}").exists
    assert not host.file(f"{account_of(host, DEPLOY).home}/{unit}").exists


def test_the_attack_covers_every_link_the_issue_lists() -> None:
    planted = {(p.account, p.path) for c in CASES for p in c.plants}
    for needed in (
        (DEPLOY, "twilight/.env"),
        (DEPLOY, "twilight"),
        (DEPLOY, ".local/state/twilight-drive"),
        (DEPLOY, UNIT),
        (TUNNEL, ".cloudflared/TWILIGHT_TUNNEL_UUID"),
        (DEPLOY, "twilight/logs/backend.log"),
        (TUNNEL, ".local/bin/cloudflared"),
    ):
        assert needed in planted
    assert {p.victim for c in CASES for p in c.plants if (p.account, p.path) == (DEPLOY, UNIT)} == {"dir", "file"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_planted_links_and_binaries_turn_no_run_against_the_host(host, case: Case) -> None:
    proofs = run_case(host, case)
    assert len(proofs) == len(case.plants), proofs
    print(f"{case.id}: " + "; ".join(proofs))
