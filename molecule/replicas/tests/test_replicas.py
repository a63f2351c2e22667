"""Two replicas of one tunnel under playbooks/site.yml: a rolling deploy, host by host, with a canary and a drain.

The instances cannot reach each other, so the proof is by order and state read from each host: the user
managers' journal (exact timestamps of every unit stop and start, read as root), the backend container's
StartedAt, and a prober that asks both hosts' loopback /healthz and /ready about three times a second while a run
goes on. The hosts share the machine's clock with the tests.

The tests run in file order and build on each other: converge left both hosts on 0.0.1-standin.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from twilight_harness import Account, record_figure, run_playbook, scenario_dir


def play_hosts() -> tuple[str, ...]:
    """The instances of group twilight in the inventory's order, which is the rollout's order."""
    inventory = yaml.safe_load(Path(os.environ["MOLECULE_INVENTORY_FILE"]).read_text())
    return tuple(inventory["twilight"]["hosts"])


HOSTS = play_hosts()
assert len(HOSTS) == 2, f"the replicas scenario needs both of its instances (not --platform-name): {HOSTS}"
FIRST, SECOND = HOSTS
testinfra_hosts = [f"ansible://{FIRST}"]  # each test once; both hosts are read by name
IMAGE = "ghcr.io/lacatfly/twilight-drive"
BACKEND, TUNNEL = "twilight-backend.service", "twilight-cloudflared.service"
SECRETS = ("site-tushare-secret-5e21", "site-siliconflow-secret-a9f0", "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=")
CANARY_TASKS = Path(__file__).resolve().parents[3] / "roles" / "twilight_backend" / "tasks" / "canary.yml"
# the rolling run's moments (s after it began), kept for docs/replicas.md
TIMELINE = Path(__file__).resolve().parents[2] / ".cache" / "replicas-timeline.json"


def sh(name: str, command: str, check: bool = True) -> str:
    """A shell command as root inside an instance (docker exec: quicker than a round trip through Ansible)."""
    proc = subprocess.run(
        ["docker", "exec", name, "sh", "-c", command], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0 or not check, f"{name}: {command}: {proc.stderr}"
    return proc.stdout.strip()


def account(name: str) -> Account:
    uid, gid = (int(x) for x in sh(name, "id -u twilight; id -g twilight").split())
    return Account("twilight", uid, gid, "/home/twilight")


def version(name: str) -> str:
    return sh(name, "curl -sf http://127.0.0.1:8081/version")


def started_at(name: str) -> str:
    return sh(name, "docker inspect --format '{{.State.StartedAt}}' twilight-backend")


def main_pid(name: str, unit: str) -> int:
    return int(sh(name, account(name).command(f"systemctl --user show {unit} -p MainPID --value")))


def snapshot(name: str) -> dict:
    """What a run that must leave a host alone must leave as it was."""
    return {
        "started_at": started_at(name),
        "version": version(name),
        "tunnel_pid": main_pid(name, TUNNEL),
        "compose.yml": sh(name, "sha256sum /home/twilight/twilight/compose.yml"),
        "containers": sh(name, "docker ps --all --format '{{.Names}}' | sort"),
        "networks": sh(name, "docker network ls --format '{{.Name}}' | sort"),
    }


@dataclass(frozen=True)
class Event:
    at: float
    unit: str
    verb: str  # Starting, Started, Stopping, Stopped, Reloading, Reloaded


def journal(name: str, since: float) -> list[Event]:
    """The account's user manager on the backend and tunnel units since `since`, from the journal, as root.

    `journalctl --user-unit` matches the calling user's units (root's), so the fields are given explicitly.
    """
    uid = account(name).uid
    out = sh(
        name,
        f"journalctl --no-pager -o json --since @{int(since) - 1} "
        f"_UID={uid} USER_UNIT={BACKEND} + _UID={uid} USER_UNIT={TUNNEL}",
    )
    events = []
    for line in out.splitlines():
        entry = json.loads(line)
        at = int(entry["__REALTIME_TIMESTAMP"]) / 1e6
        verb = entry["MESSAGE"].split(" ", 1)[0]
        if at >= since and verb in ("Starting", "Started", "Stopping", "Stopped", "Reloading", "Reloaded"):
            events.append(Event(at, entry["USER_UNIT"], verb))
    return sorted(events, key=lambda e: e.at)


def first(events: list[Event], unit: str, verb: str, after: float = 0.0) -> float:
    """When `unit` first did `verb` (or one of "A|B") at or after `after`."""
    found = [e.at for e in events if e.unit == unit and e.verb in verb.split("|") and e.at >= after]
    assert found, f"no '{verb} {unit}' after {after} in {events}"
    return found[0]


@dataclass(frozen=True)
class Sample:
    name: str
    before: float  # the probe ran between these two moments
    after: float
    healthy: bool  # /healthz 200
    ready: bool  # /ready 200

    @property
    def serving(self) -> bool:
        return self.healthy and self.ready


@dataclass
class Prober:
    """Asks each host's /healthz and /ready, one host after the other, until stopped."""

    rounds: list[list[Sample]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def probe(self, name: str) -> Sample:
        before = time.time()
        codes = sh(
            name,
            "curl -s --max-time 1 -o /dev/null -o /dev/null -w '%{http_code} '"
            " http://127.0.0.1:8081/healthz http://127.0.0.1:9090/ready",
            check=False,
        ).split()
        codes += ["000"] * (2 - len(codes))
        return Sample(name, before, time.time(), codes[0] == "200", codes[1] == "200")

    def run(self) -> None:
        while not self._stop.is_set():
            self.rounds.append([self.probe(name) for name in HOSTS])
            time.sleep(0.1)

    def __enter__(self) -> Prober:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=30)

    def of(self, name: str) -> list[Sample]:
        return [s for r in self.rounds for s in r if s.name == name]


# site.yml's second play, when the first left no host at a swap
ROLLING_PLAY_EMPTY = re.compile(r"PLAY \[Roll the hosts with a swap[^\]]*\] \**\s*skipping: no hosts matched")


def run_site(*args: str, **extra_vars: object):
    return run_playbook(scenario_dir() / "converge.yml", *args, extra_vars=extra_vars or None)


def text(run) -> str:
    return " ".join(run.output.split())


def test_both_replicas_serve_the_converged_version() -> None:
    for name in HOSTS:
        assert version(name) == "0.0.1-standin"
        assert sh(name, "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/ready") == "200"
        for unit in (BACKEND, TUNNEL):
            assert sh(name, account(name).command(f"systemctl --user is-active {unit}")) == "active"


def test_a_second_run_changes_nothing_and_restarts_nothing_on_either_host() -> None:
    before = {name: snapshot(name) for name in HOSTS}
    since = time.time()
    run = run_site()
    assert run.rc == 0, run.output
    assert {h: r["changed"] for h, r in run.recap().items()} == dict.fromkeys(HOSTS, 0), run.output
    assert {name: snapshot(name) for name in HOSTS} == before
    assert {name: journal(name, since) for name in HOSTS} == {name: [] for name in HOSTS}
    said = text(run)
    assert f"Rollout over 2 host(s): running the wanted version: {FIRST}, {SECOND};" in said
    for name in HOSTS:
        assert f"{name}: runs {IMAGE}:0.0.1-standin, unchanged" in said
    assert said.count("TASK [Rollout summary]") == 1 and said.count("Rollout over 2 host(s)") == 1, "once, at the end"
    # both hosts were read at once, in the first play: nothing was left to the rolling play
    assert ROLLING_PLAY_EMPTY.search(run.output), run.output[-3000:]


def test_check_mode_of_a_version_change_names_the_canary_and_changes_nothing() -> None:
    before = {name: snapshot(name) for name in HOSTS}
    since = time.time()
    run = run_site("--check", twilight_backend_version="0.0.2-standin")
    assert run.rc == 0, run.output
    said = text(run)
    for name in HOSTS:
        assert f"{IMAGE}:0.0.2-standin would first run as a canary" in said
        assert (
            f"{name}: check mode: would replace {IMAGE}:0.0.1-standin with {IMAGE}:0.0.2-standin, after a canary,"
            " draining its connector first" in said
        )
    # it says what it would change (the files, the drain, the restart) and changes none of it
    assert all(r["changed"] > 0 for r in run.recap().values())
    assert {name: snapshot(name) for name in HOSTS} == before
    assert {name: journal(name, since) for name in HOSTS} == {name: [] for name in HOSTS}


def test_a_version_change_rolls_host_by_host_and_one_host_always_serves() -> None:
    since = time.time()
    with Prober() as prober:
        run = run_site(twilight_backend_version="0.0.2-standin")
    assert run.rc == 0, run.output
    assert [version(name) for name in HOSTS] == ["0.0.2-standin"] * 2
    events = {name: journal(name, since) for name in HOSTS}
    timeline = {}
    for name in HOSTS:
        e = events[name]
        drained = first(e, TUNNEL, "Stopping")
        # the swap: a restart (Stopping ... Started) or a reload that recreates the container
        swap = first(e, BACKEND, "Stopping|Reloading", after=drained)
        backend_back = first(e, BACKEND, "Started|Reloaded", after=swap)
        connector_back = first(e, TUNNEL, "Started", after=backend_back)
        # the connector stops before the backend is swapped, and returns only after it
        assert drained < first(e, TUNNEL, "Stopped") <= swap < backend_back < connector_back
        # the backend answered /healthz before the connector came back (a probe wholly in between)
        samples = prober.of(name)
        assert any(s.healthy for s in samples if backend_back < s.before and s.after < connector_back), name
        # the first /ready after the restart: an upper bound of when the connector was ready again
        ready = min(s.after for s in samples if s.before >= connector_back and s.ready)
        timeline[name] = (drained, swap, backend_back, connector_back, ready)
        # outside [drained, ready] this host served throughout (every probe of the run)
        outside = [s for s in samples if s.after < drained or s.before > ready]
        assert outside and all(s.serving for s in outside), name
        # its connector never answered in front of a backend that did not
        assert not [s for s in samples if s.ready and not s.healthy], name
    # host 1 was ready again before host 2's connector stopped: the windows in which each host was out of the
    # edge's rotation do not overlap, so at every moment one host had both its connector and its backend up
    assert timeline[FIRST][4] < timeline[SECOND][0], timeline
    # the same, sampled: every round of probes found a host serving
    assert prober.rounds and all(any(s.serving for s in r) for r in prober.rounds)
    labels = ("connector stopping", "backend stopping", "backend started", "connector started", "ready seen by")
    TIMELINE.parent.mkdir(parents=True, exist_ok=True)
    TIMELINE.write_text(
        json.dumps(
            {
                name: dict(zip(labels, (round(t - since, 2) for t in moments), strict=True))
                for name, moments in timeline.items()
            },
            indent=2,
        )
        + "\n"
    )
    said = text(run)
    for name in HOSTS:
        assert f"{name}: now runs {IMAGE}:0.0.2-standin (was {IMAGE}:0.0.1-standin); its canary passed" in said
    assert said.count("its connector was drained before the swap and started again and ready") == 2


def test_a_bad_version_stops_at_the_canary_of_the_first_host_and_touches_nothing() -> None:
    before = {name: snapshot(name) for name in HOSTS}
    since = time.time()
    run = run_site(twilight_backend_version="0.0.3-broken", twilight_backend_canary_timeout=15)
    assert run.rc != 0, run.output
    said = text(run)
    assert (
        f"The rollout stops at {FIRST}: The canary of {IMAGE}:0.0.3-broken on {FIRST} (a throwaway container with"
        " the live hardening and no published port) did not become healthy within 15 s" in said
    )
    assert f"The live service was not touched: it still runs {IMAGE}:0.0.2-standin" in said
    # the canary's own logs were shown (docker logs of the canary), then it was removed
    assert "stand-in 0.0.3-broken: every request, /healthz included, is answered 500" in run.output
    assert f"{SECOND}: not touched: not reached (the rollout stopped at {FIRST})" in said
    # the second host was read with the first, at once, and left at its canary for the rolling play, which
    # stopped at the first host: it was never part of a batch of the rolling play
    assert not ROLLING_PLAY_EMPTY.search(run.output)
    assert f"changed: [{SECOND}]" not in run.output.split("PLAY [Roll the hosts")[1]
    # both hosts exactly as before: same container (StartedAt), version, connector, files; no canary left
    assert {name: snapshot(name) for name in HOSTS} == before
    assert {name: journal(name, since) for name in HOSTS} == {name: [] for name in HOSTS}
    assert sh(FIRST, "test -e /home/twilight/twilight/.env-canary || echo absent") == "absent"
    assert [s for s in SECRETS if s in run.output] == []


def test_a_good_version_after_the_bad_one_completes_on_both_hosts() -> None:
    run = run_site(twilight_backend_version="0.0.1-standin")
    assert run.rc == 0, run.output
    assert [version(name) for name in HOSTS] == ["0.0.1-standin"] * 2
    assert f"Rollout over 2 host(s): running the wanted version: {FIRST}, {SECOND};" in text(run)


def canary_seconds(output: str) -> float:
    """What the canary's tasks took in a run (ansible.posix.profile_tasks, one host: each task once)."""
    names = [t["name"].split(" {{")[0].split(", as")[0] for t in yaml.safe_load(CANARY_TASKS.read_text())]
    names.append("Start a new version once as a canary")
    total = 0.0
    for line in output.splitlines():
        m = re.match(r"^lacatfly\.twilight_drive\.twilight_backend : (.+?) -+ ([0-9.]+)s$", line.strip())
        if m and any(m[1].startswith(n) for n in names):
            total += float(m[2])
    return total


def test_a_single_host_run_swaps_without_a_drain_and_says_so(host, monkeypatch) -> None:
    """Three version changes on one host alone (--limit): each passes a canary and keeps the connector running,
    and says why; the canary's share of each run is recorded for docs/replicas.md."""
    monkeypatch.setenv("ANSIBLE_CALLBACKS_ENABLED", "ansible.posix.profile_tasks")
    monkeypatch.setenv("PROFILE_TASKS_SUMMARY_ONLY", "true")
    monkeypatch.setenv("PROFILE_TASKS_TASK_OUTPUT_LIMIT", "1000")
    seconds = []
    pid = main_pid(FIRST, TUNNEL)
    for wanted in ("0.0.2-standin", "0.0.1-standin", "0.0.2-standin"):
        since = time.time()
        run = run_playbook(
            scenario_dir() / "converge.yml", "--limit", FIRST, extra_vars={"twilight_backend_version": wanted}
        )
        assert run.rc == 0, run.output
        assert version(FIRST) == wanted
        assert main_pid(FIRST, TUNNEL) == pid, "the connector of a single host is not drained"
        assert [e for e in journal(FIRST, since) if e.unit == TUNNEL] == []
        said = text(run)
        assert (
            f"{FIRST}: now runs {IMAGE}:{wanted}" in said
            and "its connector was not drained (the only host of this run: nothing to drain to, a drain would only"
            " lengthen the outage)"
            in said
        )
        seconds.append(canary_seconds(run.output))
    assert all(s > 0 for s in seconds), seconds
    record_figure(host, "canary tasks in a version-change run, min", min(seconds))
    record_figure(host, "canary tasks in a version-change run, median", statistics.median(seconds))
    record_figure(host, "canary tasks in a version-change run, max", max(seconds))


def test_a_new_env_in_the_same_run_reaches_the_canary_and_no_secret_is_printed() -> None:
    """A version change that also rotates .env (-vvv --diff, one host): the canary reads the new env from a copy
    beside the live file, which is gone afterwards; then back to the vault's env. No secret in either output."""
    rotated = "rotated-tushare-secret-51f0"
    env = {"TUSHARE_TOKEN": rotated, "SILICONFLOW_API_KEY": "site-siliconflow-secret-a9f0"}
    run = run_playbook(
        scenario_dir() / "converge.yml",
        "-vvv",
        "--diff",
        "--limit",
        FIRST,
        extra_vars={"twilight_backend_version": "0.0.1-standin", "twilight_backend_env": env},
    )
    assert run.rc == 0, run.output[-3000:]
    assert version(FIRST) == "0.0.1-standin"
    # the canary's compose document (the command's stdin, shown at -vvv) names the copy as its env file
    assert "- /home/twilight/twilight/.env-canary" in run.output
    assert sh(FIRST, "test -e /home/twilight/twilight/.env-canary || echo absent") == "absent"
    assert sh(FIRST, f"docker inspect --format '{{{{json .Config.Env}}}}' twilight-backend | grep -c {rotated}") == "1"
    back = run_playbook(scenario_dir() / "converge.yml", "-vvv", "--diff", "--limit", FIRST)
    assert back.rc == 0, back.output[-3000:]
    assert [s for s in (*SECRETS, rotated) if s in run.output + back.output] == []


def test_only_the_host_with_a_swap_is_rolled_and_it_is_drained_while_the_other_serves() -> None:
    """site.yml's first play runs both hosts at once; a host with nothing to swap is done there, and the rolling
    play gets only the host with a swap, which it drains: the other host of the run serves meanwhile."""
    setup = run_playbook(
        scenario_dir() / "converge.yml", "--limit", FIRST, extra_vars={"twilight_backend_version": "0.0.2-standin"}
    )
    assert setup.rc == 0, setup.output[-3000:]
    since = time.time()
    run = run_site(twilight_backend_version="0.0.1-standin")
    assert run.rc == 0, run.output[-3000:]
    assert [version(name) for name in HOSTS] == ["0.0.1-standin"] * 2
    rolling = run.output.split("PLAY [Roll the hosts")[1]
    assert f"[{FIRST}]" in rolling and f"[{SECOND}]" not in rolling, rolling[:3000]
    assert journal(SECOND, since) == [], "the host with nothing to swap is left alone"
    events = journal(FIRST, since)
    assert first(events, TUNNEL, "Stopping") < first(events, BACKEND, "Stopping|Reloading"), "drained before the swap"
    said = text(run)
    assert f"{SECOND}: runs {IMAGE}:0.0.1-standin, unchanged" in said
    assert (
        f"{FIRST}: now runs {IMAGE}:0.0.1-standin (was {IMAGE}:0.0.2-standin); its canary passed" in said
        and "its connector was drained before the swap and started again and ready" in said
    )
    assert said.count("Rollout over 2 host(s)") == 1


def test_a_refusal_on_one_host_stops_the_run_before_any_host_swaps() -> None:
    """A check that fails on host 2 in site.yml's first play (a unit with our name at system scope) stops the run
    there: host 1, whose version change waits for the rolling play, is not swapped, and the summary says why."""
    unit = "/etc/systemd/system/twilight-backend.service"
    sh(SECOND, f"printf '[Service]\\nExecStart=/bin/true\\n' > {unit}")
    try:
        before = {name: snapshot(name) for name in HOSTS}
        since = time.time()
        run = run_site(twilight_backend_version="0.0.2-standin")
        assert run.rc != 0, run.output[-3000:]
        said = text(run)
        assert f"twilight-backend.service already exists at {unit}" in said
        assert f"The rollout stops at {SECOND}" in said
        assert "PLAY [Roll the hosts" not in run.output, "the rolling play never started"
        assert f"{FIRST}: not touched" in said
        assert {name: snapshot(name) for name in HOSTS} == before
        assert {name: journal(name, since) for name in HOSTS} == {name: [] for name in HOSTS}
    finally:
        sh(SECOND, f"rm -f {unit}")
