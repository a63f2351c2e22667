"""Benchmark playbooks/site.yml on throwaway local hosts (run it through tools/bench).

Creates its own hosts with the test harness (molecule/harness/demo-host.yml, which reads the platform settings
from .config/molecule/config.yml), prepares them like Molecule (molecule/shared/prepare.yml: the deploy account,
the stand-in images loaded), deploys playbooks/site.yml with inventories/local's variables and the stand-ins
(molecule/stand-ins/vars.yml) and measures, each over --runs runs, min/median/max of the wall time of
ansible-playbook (start-up included):

- the ping baseline: a one-task ansible.builtin.ping playbook, same hosts, same connection;
- the no-op re-run of site.yml (checked: changed=0, "Restarted in this run: nothing");
- --check --diff after converge (checked: changed=0);
- fresh host to healthy, split into waiting (systemd, the image's start) and our own tasks;
- the version change, seen by a 10 Hz poller of /version on loopback inside the instance, next to the image's own
  cold start (docker run in the instance to the first /healthz 200, polled the same way);
- the no-op and ping curve for 1, 2 and 4 hosts in one inventory (default forks);
- connection settings: interpreter discovery, SSH with and without ControlPersist (sshd inside the instance,
  reached through `docker exec -i ... sshd -i`: no network), optionally Mitogen (--mitogen).

Prints one table and writes the same as JSON (--json). Removes its containers and volumes at the end, also on
Ctrl-C, SIGTERM or failure. A benchmark: no timing is asserted, only that each run did what it measures.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import itertools
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "playbooks/site.yml"
STANDINS = ROOT / "molecule/stand-ins/vars.yml"
DEMO_HOST = ROOT / "molecule/harness/demo-host.yml"
PREPARE = ROOT / "molecule/shared/prepare.yml"
GROUP_VARS = ROOT / "inventories/local/group_vars/twilight/vars.yml"
BACKEND_DEFAULTS = ROOT / "roles/twilight_backend/defaults/main.yml"
CACHE = ROOT / "molecule/.cache"
IMAGE = "ghcr.io/lacatfly/twilight-drive"
NEW_VERSION = "0.0.2-standin"  # the other stand-in version in the tarball (molecule/harness/prepare.sh)
BACKEND_UNIT = "twilight-backend.service"
TUNNEL_UNIT = "twilight-cloudflared.service"
POLL_PERIOD = 0.1  # the 10 Hz poller
MITOGEN = "mitogen==0.3.54"  # the newest release on PyPI when this was written; it has code paths for 2.19

# Tasks of a fresh deploy that wait on systemd or the image (not our own work): matched in the task name.
WAITS = (
    "Wait until each user manager is up",
    "Restart the user manager so its services see the docker group",
    "Reload, enable and (re)start",
    "Enable and start the log rotation timer",
    "Poll the service's URL until it answers",
)
# Actions that run on the controller only (no module is sent to the host).
CONTROLLER_ACTIONS = {
    "add_host",
    "assert",
    "debug",
    "fail",
    "group_by",
    "import_role",
    "import_tasks",
    "include_role",
    "include_tasks",
    "include_vars",
    "meta",
    "set_fact",
    "set_stats",
    "validate_argument_spec",
}

# Runs inside an instance (python3 of the platform image): polls URL every PERIOD seconds until STOP exists and
# prints "<CLOCK_MONOTONIC at the request> <status> <body>" per poll (status 0: no HTTP answer).
POLLER = r"""
import os, sys, time, urllib.error, urllib.request
url, stop, period = sys.argv[1], sys.argv[2], float(sys.argv[3])
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
due = time.monotonic()
while not os.path.exists(stop):
    start = time.monotonic()
    try:
        with opener.open(url, timeout=0.5) as answer:
            status, body = answer.status, answer.read(64).decode(errors="replace").strip()
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    except Exception as error:
        status, body = 0, type(error).__name__
    print(f"{start:.4f} {status} {body or '-'}", flush=True)
    due += period
    now = time.monotonic()
    due = max(due, now)
    time.sleep(due - now)
"""

# Runs inside an instance: `docker run` of IMAGE hardened like the role's compose file, then polls /healthz every
# PERIOD seconds; prints seconds from the start of `docker run` to its return and to the first 200.
COLD_START = r"""
import json, subprocess, sys, time, urllib.request
image, port, period, cpus, memory, pids = sys.argv[1:7]
period = float(period)
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
run = ["docker", "run", "-d", "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",
       "--security-opt", "no-new-privileges:true", "--cpus", cpus, "--memory", memory, "--pids-limit", pids,
       "-p", f"127.0.0.1:{port}:8080", image]
start = time.monotonic()
cid = subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip()
returned = time.monotonic()
first = None
try:
    due = returned
    while first is None and time.monotonic() - start < 60:
        try:
            with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as answer:
                if answer.status == 200:
                    first = time.monotonic()
        except Exception:
            pass
        due += period
        now = time.monotonic()
        due = max(due, now)
        time.sleep(due - now)
finally:
    subprocess.run(["docker", "rm", "-f", cid], capture_output=True, check=False)
print(json.dumps({"docker_run": returned - start, "first_200": None if first is None else first - start}))
"""


class BenchError(RuntimeError):
    """A run did not do what it is supposed to measure."""


def sh(*cmd: str | Path, check: bool = True, **kwargs: Any) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=check, **kwargs).stdout


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
        "runs": len(values),
    }


@dataclass
class Task:
    name: str
    action: str
    seconds: float
    status: str  # ok, changed, skipped, failed

    @property
    def kind(self) -> str:
        if self.status == "skipped":
            return "skipped (condition false)"
        if self.action.rsplit(".", 1)[-1] in CONTROLLER_ACTIONS:
            return "controller-side"
        return "module call on the host"


@dataclass
class Run:
    """One ansible-playbook run, timed from the outside, read through the ansible.posix.json callback."""

    label: str
    wall: float
    rc: int
    stats: dict[str, dict[str, int]]
    tasks: list[Task]
    output: str
    started: float  # time.monotonic() at the start (the instances share this clock)

    def changed(self) -> int:
        return sum(s.get("changed", 0) for s in self.stats.values())

    def failed(self) -> int:
        return sum(s.get("failures", 0) + s.get("unreachable", 0) for s in self.stats.values())

    def require(self, ok: bool, what: str) -> None:
        if not ok:
            raise BenchError(f"{self.label}: {what}\n{self.output[-6000:]}")

    def profile(self, every_task: bool = False) -> dict[str, Any]:
        """Where the time of this run went: task kinds, outside the tasks, the slowest (or every) task."""
        kinds: dict[str, dict[str, float]] = {}
        for task in self.tasks:
            entry = kinds.setdefault(task.kind, {"tasks": 0, "seconds": 0.0})
            entry["tasks"] += 1
            entry["seconds"] = round(entry["seconds"] + task.seconds, 3)
        in_tasks = sum(t.seconds for t in self.tasks)
        slowest = self.tasks if every_task else sorted(self.tasks, key=lambda t: t.seconds, reverse=True)[:10]
        return {
            "wall": round(self.wall, 3),
            "in_tasks": round(in_tasks, 3),
            "outside_tasks (start-up, parsing, end)": round(self.wall - in_tasks, 3),
            "by_kind": kinds,
            "tasks in order" if every_task else "slowest": [
                {"task": t.name, "action": t.action, "seconds": round(t.seconds, 3), "status": t.status}
                for t in slowest
            ],
        }


def parse_time(stamp: str) -> float:
    return datetime.fromisoformat(stamp.rstrip("Z")).timestamp()


def read_json_output(stdout: str) -> dict[str, Any]:
    start = stdout.find("\n{")
    text = stdout if stdout.startswith("{") else stdout[start + 1 :] if start >= 0 else ""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {}


def tasks_of(data: dict[str, Any]) -> list[Task]:
    tasks = []
    for play in data.get("plays", []):
        for entry in play.get("tasks", []):
            duration = entry["task"]["duration"]
            seconds = parse_time(duration["end"]) - parse_time(duration["start"]) if "end" in duration else 0.0
            results = list(entry.get("hosts", {}).values())
            if any(r.get("failed") for r in results):
                status = "failed"
            elif results and all(r.get("skipped") for r in results):
                status = "skipped"
            elif any(r.get("changed") for r in results):
                status = "changed"
            else:
                status = "ok"
            action = results[0].get("action", "") if results else ""
            tasks.append(Task(entry["task"]["name"], action, seconds, status))
    return tasks


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds while the benchmark runs."""

    def __init__(self, period: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.period = period
        self.samples: list[tuple[float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.monotonic(), os.getloadavg()[0]))
            self.done.wait(self.period)

    def between(self, start: float, end: float) -> dict[str, Any]:
        values = [v for t, v in self.samples if start <= t <= end] or [os.getloadavg()[0]]
        return {k: v for k, v in spread(values).items() if k != "runs"} | {"samples": len(values)}


class Poller:
    """The 10 Hz loopback poller, run inside an instance with `docker exec`."""

    def __init__(self, host: str, url: str) -> None:
        self.host = host
        self.stop_file = f"/run/twilight-bench-poller.{os.getpid()}.{time.monotonic_ns()}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            ["docker", "exec", host, "python3", "-c", POLLER, url, self.stop_file, str(POLL_PERIOD)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def samples(self) -> list[tuple[float, int, str]]:
        out = []
        for line in list(self.lines):
            stamp, status, body = line.split(" ", 2)
            out.append((float(stamp), int(status), body))
        return out

    def wait_for(self, body: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(status == 200 and answer == body for _at, status, answer in self.samples()):
                return
            time.sleep(0.1)
        raise BenchError(f"{self.host}: the poller saw no 200 {body!r} within {timeout} s: {self.lines[-5:]}")

    def stop(self) -> list[tuple[float, int, str]]:
        sh("docker", "exec", self.host, "touch", self.stop_file, check=False)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.reader.join(timeout=5)
        sh("docker", "exec", self.host, "rm", "-f", self.stop_file, check=False)
        return self.samples()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()


def longest_gap(samples: list[tuple[float, int, str]], since: float) -> dict[str, Any]:
    """The longest time between two consecutive 200 answers (request start to request start) from `since` on."""
    ok = [t for t, status, _body in samples if status == 200 and t >= since]
    pairs = list(itertools.pairwise(ok))
    if not pairs:
        raise BenchError("the poller has fewer than two 200 answers")
    start, end = max(pairs, key=lambda p: p[1] - p[0])
    steps = [b[0] - a[0] for a, b in itertools.pairwise(samples)]
    return {
        "gap": end - start,
        "gap_starts_after_playbook_start": start - since,
        "unanswered_polls": sum(1 for t, status, _body in samples if status != 200 and start < t < end),
        "polls": len(samples),
        "longest_poll_step": max(steps) if steps else 0.0,
    }


@dataclass
class Bench:
    runs: int
    sizes: list[int]
    tmp: Path
    prefix: str
    env: dict[str, str] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    pollers: list[Poller] = field(default_factory=list)
    control_dirs: list[Path] = field(default_factory=list)
    inventories: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        env = dict(os.environ)
        env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
        env.pop("ANSIBLE_STRATEGY", None)
        env.update(
            {
                "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_PIPELINING": "True",
                "ANSIBLE_GATHERING": "explicit",
                "ANSIBLE_RETRY_FILES_ENABLED": "False",
                "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"),
                "ANSIBLE_SSH_CONTROL_PATH_DIR": str(self.control_dir("default")),
                "TWILIGHT_HARNESS_ROOT": str(ROOT),
            }
        )
        self.env = env
        self.ping_playbook = self.tmp / "ping.yml"
        self.ping_playbook.write_text(
            yaml.safe_dump(
                [
                    {
                        "name": "Ping",
                        "hosts": "twilight",
                        "gather_facts": False,
                        "tasks": [{"name": "Ping", "ansible.builtin.ping": None}],
                    }
                ],
                sort_keys=False,
            )
        )

    # --- hosts -----------------------------------------------------------------------------------------------
    def host(self, number: int) -> str:
        return f"{self.prefix}-{number}"

    def control_dir(self, name: str) -> Path:
        path = self.tmp / f"cp-{name}-{len(self.control_dirs)}"
        path.mkdir(mode=0o700)
        self.control_dirs.append(path)
        return path

    def ansible(self, *cmd: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(c) for c in cmd],
            cwd=ROOT,
            env={**self.env, "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default", **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )

    def create(self, hosts: list[str]) -> None:
        """Start fresh hosts (demo-host.yml, the platform settings of .config/molecule/config.yml) and prepare
        them like Molecule: booted, the deploy account created, the stand-in images loaded."""
        self.created.update(hosts)
        procs = [
            subprocess.Popen(
                ["ansible-playbook", str(DEMO_HOST), "-e", f"demo_name={h}"],
                cwd=ROOT,
                env={**self.env, "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default"},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for h in hosts
        ]
        try:
            for host, proc in zip(hosts, procs, strict=True):
                out = proc.communicate()[0]
                if proc.returncode:
                    raise BenchError(f"creating {host} failed:\n{out}")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        done = self.ansible("ansible-playbook", "-i", self.inventory(hosts), PREPARE, "-e", f"@{STANDINS}")
        if done.returncode:
            raise BenchError(f"preparing {hosts} failed:\n{done.stdout}{done.stderr}")

    def remove(self, hosts: list[str]) -> None:
        for host in hosts:
            sh("docker", "rm", "-f", host, check=False)
            sh("docker", "volume", "rm", "-f", f"{host}-docker", f"{host}-home", check=False)

    def cleanup(self) -> None:
        for poller in self.pollers:
            poller.kill()
        for directory in self.control_dirs:  # SSH masters left by ControlPersist
            for socket in directory.glob("*"):
                sh("ssh", "-O", "exit", "-o", f"ControlPath={socket}", "bench", check=False)
        self.remove(sorted(self.created))

    def inventory(self, hosts: list[str], hostvars: dict[str, Any] | None = None, tag: str = "") -> Path:
        """A temporary inventory shaped like inventories/local (its group_vars) with these hosts."""
        key = "-".join(hosts) + (f"-{tag}" if tag else "")
        if key in self.inventories:
            return self.inventories[key]
        path = self.tmp / f"inventory-{len(self.inventories)}"
        (path / "group_vars/twilight").mkdir(parents=True)
        shutil.copy(GROUP_VARS, path / "group_vars/twilight/vars.yml")
        entries = {h: {"ansible_connection": "community.docker.docker"} | (hostvars or {}) for h in hosts}
        (path / "hosts.yml").write_text(yaml.safe_dump({"twilight": {"hosts": entries}}, sort_keys=False))
        self.inventories[key] = path
        return path

    # --- runs ------------------------------------------------------------------------------------------------
    def playbook(
        self,
        label: str,
        playbook: Path,
        hosts: list[str],
        *args: str,
        inventory: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> Run:
        cmd = ["ansible-playbook", "-i", str(inventory or self.inventory(hosts)), str(playbook)]
        if playbook == SITE:
            cmd += ["-e", f"@{STANDINS}"]
        cmd += list(args)
        started = time.monotonic()
        proc = subprocess.run(
            cmd, cwd=ROOT, env={**self.env, **(env or {})}, capture_output=True, text=True, check=False
        )
        wall = time.monotonic() - started
        data = read_json_output(proc.stdout)
        run = Run(
            label, wall, proc.returncode, data.get("stats", {}), tasks_of(data), proc.stdout + proc.stderr, started
        )
        run.require(proc.returncode == 0 and run.failed() == 0 and set(run.stats) == set(hosts), "the run failed")
        return run

    def ping(self, hosts: list[str], **kwargs: Any) -> Run:
        return self.playbook(f"ping {len(hosts)} host(s)", self.ping_playbook, hosts, **kwargs)

    def noop(self, hosts: list[str], *args: str, **kwargs: Any) -> Run:
        run = self.playbook(f"no-op {len(hosts)} host(s)", SITE, hosts, *args, **kwargs)
        run.require(run.changed() == 0, "a no-op run changed something")
        run.require(run.output.count("Restarted in this run: nothing.") == len(hosts), "a no-op run restarted")
        return run

    def check(self, hosts: list[str], **kwargs: Any) -> Run:
        run = self.playbook(f"check {len(hosts)} host(s)", SITE, hosts, "--check", "--diff", **kwargs)
        run.require(run.changed() == 0, "--check --diff after converge reports changes")
        return run

    def converge(self, host: str) -> Run:
        run = self.playbook(f"fresh {host}", SITE, [host])
        run.require(
            f"Restarted in this run: {BACKEND_UNIT}, {TUNNEL_UNIT}." in run.output, "a fresh deploy did not start both"
        )
        return run

    def docker_exec(self, host: str, *cmd: str) -> str:
        return sh("docker", "exec", host, *cmd)


# --- phases --------------------------------------------------------------------------------------------------
@dataclass
class Results:
    data: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)

    def row(self, measure: str, values: list[float] | None, note: str = "", key: str = "") -> dict[str, Any]:
        row = {"measure": measure, "seconds": spread(values) if values else None, "note": note}
        if key:
            row["key"] = key
        self.rows.append(row)
        return row

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        print(f"[bench] {name} ({datetime.now().strftime('%H:%M:%S')})", file=sys.stderr, flush=True)
        try:
            yield
        finally:
            self.phases[name] = (start, time.monotonic())


def median(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]


def fresh_phase(bench: Bench, hosts: list[str], res: Results) -> None:
    """Fresh host to healthy on each host alone; more fresh hosts when --runs asks for more samples."""
    samples: list[Run] = []
    for i in range(max(bench.runs, len(hosts))):
        host = hosts[i % len(hosts)]
        if i >= len(hosts):
            bench.remove([host])
            bench.create([host])
        samples.append(bench.converge(host))
    split = []
    for run in samples:
        waits = [t for t in run.tasks if any(w in t.name for w in WAITS)]
        waiting = sum(t.seconds for t in waits)
        split.append(
            {
                "wall": round(run.wall, 3),
                "waiting (systemd, image start)": round(waiting, 3),
                "own (our tasks, start-up)": round(run.wall - waiting, 3),
                "own_share": round((run.wall - waiting) / run.wall, 3),
                "waits": [{"task": t.name, "seconds": round(t.seconds, 3)} for t in waits],
            }
        )
    shares = [s["own_share"] for s in split]
    res.data["fresh_to_healthy"] = {
        "seconds": spread([r.wall for r in samples]),
        "waiting_seconds": spread([s["waiting (systemd, image start)"] for s in split]),
        "own_seconds": spread([s["own (our tasks, start-up)"] for s in split]),
        "own_share": spread(shares),
        "runs": split,
        "profile_of_median_run": median_run(samples).profile(),
    }
    res.row(
        "fresh host to healthy",
        [r.wall for r in samples],
        f"target < 60 s; own tasks {statistics.median(shares):.0%}, waiting for systemd/image "
        f"{1 - statistics.median(shares):.0%} (median)",
        key="fresh",
    )


def baseline_phase(bench: Bench, host: str, res: Results) -> None:
    """Ping, no-op and --check --diff on one converged host, interleaved so that load hits all three alike."""
    bench.ping([host])  # warm-up: page cache, __pycache__
    bench.noop([host])
    pings, noops, checks = [], [], []
    for _run in range(bench.runs):
        pings.append(bench.ping([host]))
        noops.append(bench.noop([host]))
        checks.append(bench.check([host]))
    ping = median(pings)
    res.data["ping_1_host"] = spread([r.wall for r in pings])
    res.data["noop_1_host"] = spread([r.wall for r in noops])
    res.data["check_1_host"] = spread([r.wall for r in checks])
    res.data["profile"] = {
        "ping": median_run(pings).profile(),
        "noop": median_run(noops).profile(every_task=True),
        "check": median_run(checks).profile(every_task=True),
    }
    res.data.setdefault("ratios", {})
    res.data["ratios"]["noop_over_ping"] = round(median(noops) / ping, 2)
    res.data["ratios"]["check_over_ping"] = round(median(checks) / ping, 2)
    # the same, run by run (each no-op and check beside the ping of its round): robust to a load that drifts
    res.data["ratios"]["noop_over_ping_by_round"] = [
        round(n.wall / p.wall, 2) for n, p in zip(noops, pings, strict=True)
    ]
    res.data["ratios"]["check_over_ping_by_round"] = [
        round(c.wall / p.wall, 2) for c, p in zip(checks, pings, strict=True)
    ]
    res.row("ping playbook, 1 host (baseline)", [r.wall for r in pings], "1.00x ping", key="ping")
    res.row(
        "no-op site.yml, 1 host",
        [r.wall for r in noops],
        f"{median(noops) / ping:.2f}x ping (target <= 4x); changed=0, nothing restarted",
        key="noop",
    )
    res.row(
        "--check --diff after converge, 1 host",
        [r.wall for r in checks],
        f"{median(checks) / ping:.2f}x ping (target <= 4x); changed=0",
        key="check",
    )


def cold_start(bench: Bench, host: str, version: str) -> float:
    defaults = yaml.safe_load(BACKEND_DEFAULTS.read_text())
    out = bench.docker_exec(
        host,
        "python3",
        "-c",
        COLD_START,
        f"{IMAGE}:{version}",
        "18080",
        str(POLL_PERIOD),
        str(defaults["twilight_backend_cpus"]),
        str(defaults["twilight_backend_memory"]),
        str(defaults["twilight_backend_pids_limit"]),
    )
    result = json.loads(out)
    if result["first_200"] is None:
        raise BenchError(f"{host}: {IMAGE}:{version} did not answer /healthz within 60 s")
    return result["first_200"]


def version_changes(bench: Bench, host: str, old: str, extra: list[str]) -> tuple[list[Run], list[dict[str, Any]]]:
    """bench.runs version changes there and back with the 10 Hz poller; the runs and their gaps."""
    changes, gaps = [], []
    for _run in range(bench.runs):
        for version in (NEW_VERSION, old):
            poller = Poller(host, "http://127.0.0.1:8081/version")
            bench.pollers.append(poller)
            poller.wait_for(NEW_VERSION if version == old else old)
            run = bench.playbook(
                f"version change to {version}", SITE, [host], "-e", f"twilight_backend_version={version}", *extra
            )
            run.require(f"Restarted in this run: {BACKEND_UNIT}." in run.output, "the version change did not restart")
            poller.wait_for(version, timeout=10)
            time.sleep(1.0)
            samples = poller.stop()
            gap = longest_gap(samples, run.started)
            gap["to"] = version
            gap["playbook"] = run.wall
            gap["first_answer_of_new_version_after_playbook_start"] = (
                min(t for t, status, body in samples if status == 200 and body == version) - run.started
            )
            changes.append(run)
            gaps.append({k: round(v, 3) if isinstance(v, float) else v for k, v in gap.items()})
    return changes, gaps


def version_phase(bench: Bench, host: str, res: Results) -> None:
    """The version change and back, images present, with the 10 Hz poller, next to the image's own cold start:
    the swap alone (twilight_backend_backup_keep=0), then with the role's default copy of data/ before it."""
    old = yaml.safe_load(STANDINS.read_text())["twilight_backend_version"]
    cold_start(bench, host, NEW_VERSION)  # warm-up
    colds = [cold_start(bench, host, v) for _run in range(bench.runs) for v in (NEW_VERSION, old)]
    cold_median = statistics.median(colds)
    changes, gaps = version_changes(bench, host, old, ["-e", "twilight_backend_backup_keep=0"])
    gap_median = statistics.median(g["gap"] for g in gaps)
    res.data["version_change"] = {
        "backup_keep": 0,
        "playbook_seconds": spread([r.wall for r in changes]),
        "longest_gap_without_200_seconds": spread([g["gap"] for g in gaps]),
        "cold_start_to_first_healthz_200_seconds": spread(colds),
        "gap_minus_cold_start": round(gap_median - cold_median, 3),
        "changes": gaps,
        "profile_of_median_run": median_run(changes).profile(),
    }
    res.data.setdefault("ratios", {})["gap_minus_cold_start_seconds"] = round(gap_median - cold_median, 3)
    res.row(f"version change {old} <-> {NEW_VERSION}, playbook (no copy)", [r.wall for r in changes], "images present")
    res.row(
        "version change, longest gap without a 200 (10 Hz; no copy)",
        [g["gap"] for g in gaps],
        f"gap - cold start = {gap_median - cold_median:+.2f} s (target <= +1.0 s)",
        key="gap",
    )
    res.row("image cold start: docker run to first /healthz 200 (10 Hz)", colds, "in the instance", key="cold")
    copied, copy_gaps = version_changes(bench, host, old, [])
    copy_median = statistics.median(g["gap"] for g in copy_gaps)
    res.data["version_change_with_copy"] = {
        "backup_keep": "default",
        "playbook_seconds": spread([r.wall for r in copied]),
        "longest_gap_without_200_seconds": spread([g["gap"] for g in copy_gaps]),
        "gap_minus_cold_start": round(copy_median - cold_median, 3),
        "changes": copy_gaps,
    }
    res.row(
        "version change, longest gap without a 200 (10 Hz; default copy of data/ first)",
        [g["gap"] for g in copy_gaps],
        f"gap - cold start = {copy_median - cold_median:+.2f} s (the copy's stop included)",
    )


def scaling_phase(bench: Bench, hosts: list[str], res: Results, forks_variant: bool) -> None:
    """The no-op (and ping) time for 1, 2, 4 hosts in one inventory, default forks, interleaved."""
    noop: dict[int, list[Run]] = {n: [] for n in bench.sizes}
    ping: dict[int, list[Run]] = {n: [] for n in bench.sizes}
    for _run in range(bench.runs):
        for n in bench.sizes:
            ping[n].append(bench.ping(hosts[:n]))
            noop[n].append(bench.noop(hosts[:n]))
    one = median(noop[bench.sizes[0]])
    res.data["scaling"] = {
        "noop": {str(n): spread([r.wall for r in noop[n]]) for n in bench.sizes},
        "ping": {str(n): spread([r.wall for r in ping[n]]) for n in bench.sizes},
        "noop_over_1_host": {str(n): round(median(noop[n]) / one, 2) for n in bench.sizes},
    }
    for n in bench.sizes:
        res.row(
            f"no-op site.yml, {n} host(s) in one inventory",
            [r.wall for r in noop[n]],
            f"{median(noop[n]) / one:.2f}x 1 host; ping {median(ping[n]):.2f} s",
            key=f"noop{n}",
        )
    if forks_variant:
        biggest = bench.sizes[-1]
        serial = [bench.noop(hosts[:biggest], env={"ANSIBLE_FORKS": "1"}) for _run in range(bench.runs)]
        res.data["scaling"]["noop_forks_1"] = {str(biggest): spread([r.wall for r in serial])}
        res.row(
            f"no-op site.yml, {biggest} hosts, forks=1",
            [r.wall for r in serial],
            f"{median(serial) / one:.2f}x 1 host (forks below the host count serialise)",
        )


def install_sshd(bench: Bench, host: str) -> Path:
    """openssh-server inside the instance (no network there: the packages are downloaded once by a throwaway
    container of the platform image into molecule/.cache/bench-ssh) and a key for root; returns the key."""
    debs = CACHE / "bench-ssh"
    if not list(debs.glob("openssh-server_*.deb")):
        (debs / "partial").mkdir(parents=True, exist_ok=True)
        image = yaml.safe_load((ROOT / ".config/molecule/config.yml").read_text())["platforms"][0]["image"]
        sh(
            "docker", "run", "--rm", "-v", f"{debs}:/out", image, "sh", "-c",
            "apt-get update -qq && apt-get install -y -qq --no-install-recommends --download-only"
            " -o Dir::Cache::archives=/out openssh-server >/dev/null",
        )  # fmt: skip
    sh("docker", "exec", host, "mkdir", "-p", "/var/tmp/bench-ssh", "/root/.ssh", "/run/sshd")
    for deb in debs.glob("*.deb"):
        sh("docker", "cp", deb, f"{host}:/var/tmp/bench-ssh/")
    sh("docker", "exec", "-e", "DEBIAN_FRONTEND=noninteractive", host, "sh", "-c", "dpkg -i /var/tmp/bench-ssh/*.deb")
    # no listener: each connection runs its own `sshd -i` through `docker exec -i` (ProxyCommand)
    sh("docker", "exec", host, "sh", "-c", "systemctl disable --now ssh.service ssh.socket && mkdir -p /run/sshd")
    key = bench.tmp / "id_ed25519"
    if not key.exists():
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
    sh("docker", "cp", f"{key}.pub", f"{host}:/root/.ssh/authorized_keys")
    sh("docker", "exec", host, "chown", "root:root", "/root/.ssh/authorized_keys")
    return key


def connection_phase(bench: Bench, host: str, res: Results) -> None:
    """Settings an operator can choose: interpreter discovery, SSH ControlPersist (and compression)."""
    data: dict[str, Any] = {}
    explicit = bench.inventory([host], {"ansible_python_interpreter": "/usr/bin/python3"}, tag="python")
    plain, fixed = [], []
    for _run in range(bench.runs):
        plain.append(bench.noop([host]))
        fixed.append(bench.noop([host], inventory=explicit))
    data["docker: interpreter discovery (auto_silent)"] = spread([r.wall for r in plain])
    data["docker: ansible_python_interpreter=/usr/bin/python3"] = spread([r.wall for r in fixed])
    res.row("no-op, docker exec, interpreter discovered", [r.wall for r in plain], "ansible.cfg auto_silent")
    res.row(
        "no-op, docker exec, ansible_python_interpreter set",
        [r.wall for r in fixed],
        f"{median(fixed) - median(plain):+.2f} s vs discovery",
    )

    if shutil.which("ssh") is None:
        res.data["connection"] = data | {"ssh": "skipped: no ssh client on the controller"}
        return
    key = install_sshd(bench, host)
    proxy = f"docker exec -i {host} /usr/sbin/sshd -i"
    ssh_vars = {
        "ansible_connection": "ssh",
        "ansible_host": host,
        "ansible_user": "root",
        "ansible_ssh_private_key_file": str(key),
        "ansible_ssh_common_args": f"-o ProxyCommand='{proxy}' -o StrictHostKeyChecking=no "
        "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    inventory = bench.inventory([host], ssh_vars, tag="ssh")
    default_args = "-C -o ControlMaster=auto -o ControlPersist=60s"  # ansible-core's default ssh_args
    variants: dict[str, dict[str, str] | None] = {
        "ControlPersist=60s (Ansible's default ssh_args), master kept between runs": {"ANSIBLE_SSH_ARGS": default_args},
        "ControlPersist=60s, first run (no master yet)": None,  # a new control directory per run
        "ControlPersist=60s, without -C": {"ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s"},
        "no ControlMaster (ssh_args without it)": {"ANSIBLE_SSH_ARGS": "-C -o ControlMaster=no"},
    }
    measured: dict[str, dict[str, list[float]]] = {v: {"ping": [], "noop": []} for v in variants}
    # one unmeasured run opens the master of the first variant and checks the connection
    bench.noop([host], inventory=inventory, env={"ANSIBLE_SSH_ARGS": default_args})
    for _run in range(bench.runs):
        for name, env in variants.items():
            for what in ("ping", "noop"):
                if env is None:
                    env_now = {
                        "ANSIBLE_SSH_ARGS": default_args,
                        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(bench.control_dir("cold")),
                    }
                else:
                    env_now = env
                run = (bench.ping if what == "ping" else bench.noop)([host], inventory=inventory, env=env_now)
                measured[name][what].append(run.wall)
    data["ssh"] = {name: {what: spread(values) for what, values in m.items()} for name, m in measured.items()}
    for name, m in measured.items():
        res.row(f"no-op over SSH: {name}", m["noop"], f"ping {statistics.median(m['ping']):.2f} s")
    res.data["connection"] = data


def mitogen_phase(bench: Bench, host: str, res: Results) -> None:
    """Optional: Mitogen for Ansible's strategy side by side (never required by the collection)."""
    target = CACHE / "bench-mitogen"
    if not (target / "ansible_mitogen").is_dir():
        sh(sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target", target, MITOGEN)
    version = next(target.glob("mitogen-*.dist-info")).name.removeprefix("mitogen-").removesuffix(".dist-info")
    env = {
        "ANSIBLE_STRATEGY_PLUGINS": str(target / "ansible_mitogen/plugins/strategy"),
        "ANSIBLE_STRATEGY": "mitogen_linear",
        "PYTHONPATH": str(target),
    }
    # Mitogen redirects connections by their short name only: `docker` (ansible-core routes it to
    # community.docker.docker when Mitogen is not in use).
    inventory = bench.inventory([host], {"ansible_connection": "docker"}, tag="mitogen")
    data: dict[str, Any] = {"version": version}
    try:
        bench.noop([host], inventory=inventory, env=env)  # warm-up and sanity check
    except BenchError as error:
        data["error"] = str(error)[-3000:]
        res.data["mitogen"] = data
        res.row(f"Mitogen {version} (mitogen_linear)", None, "failed: see mitogen.error in the JSON")
        return
    runs: dict[str, list[float]] = {"ping": [], "noop": [], "check": [], "ping (plain)": [], "noop (plain)": []}
    for _run in range(bench.runs):
        runs["ping (plain)"].append(bench.ping([host], inventory=inventory).wall)
        runs["noop (plain)"].append(bench.noop([host], inventory=inventory).wall)
        runs["ping"].append(bench.ping([host], inventory=inventory, env=env).wall)
        runs["noop"].append(bench.noop([host], inventory=inventory, env=env).wall)
        runs["check"].append(bench.check([host], inventory=inventory, env=env).wall)
    data |= {k: spread(v) for k, v in runs.items()}
    res.data["mitogen"] = data
    plain = statistics.median(runs["noop (plain)"])
    res.row(
        f"no-op with Mitogen {version} (mitogen_linear)",
        runs["noop"],
        f"{statistics.median(runs['noop']) / plain:.2f}x the same run without it "
        f"({plain:.2f} s); ping {statistics.median(runs['ping']):.2f} s",
    )
    res.row(f"--check --diff with Mitogen {version}", runs["check"], "")


# --- report --------------------------------------------------------------------------------------------------
def effective_config(env: dict[str, str]) -> dict[str, Any]:
    """The Ansible settings every run of the benchmark used (ansible.cfg of the repository and the environment)."""
    keys = {"DEFAULT_FORKS", "DEFAULT_STRATEGY", "INTERPRETER_PYTHON", "DEFAULT_GATHERING", "ANSIBLE_PIPELINING"}
    proc = subprocess.run(
        ["ansible-config", "dump", "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    try:
        return {e["name"]: e["value"] for e in json.loads(proc.stdout) if e.get("name") in keys}
    except (json.JSONDecodeError, TypeError, KeyError):
        return {}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = sh("git", "-C", ROOT, "rev-parse", "--short", "HEAD", check=False).strip()
    dirty = bool(sh("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", check=False).strip())
    return {
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 2**20, 1),
        "docker_engine": sh("docker", "version", "--format", "{{.Server.Version}}", check=False).strip(),
        "ansible_core": importlib.metadata.version("ansible-core"),
        "python": platform.python_version(),
        "commit": commit + ("+changes" if dirty else ""),
    }


def print_table(res: Results) -> None:
    width = max(len(r["measure"]) for r in res.rows)
    print(f"{'measure':{width}}  {'min':>7} {'median':>7} {'max':>7}  runs  note")
    for row in res.rows:
        s = row["seconds"]
        cells = (
            f"{s['min']:7.2f} {s['median']:7.2f} {s['max']:7.2f}  {s['runs']:4d}" if s else f"{'-':>7} " * 3 + "   -"
        )
        print(f"{row['measure']:{width}}  {cells}  {row['note']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (default 5; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="one run each, 1 and 2 hosts, no connection variants")
    parser.add_argument(
        "--json", type=Path, help="where to write the results (default molecule/.cache/bench.json, bench-quick.json)"
    )
    parser.add_argument("--sizes", help="host counts of the curve, e.g. 1,2,4 (default; --quick: 1,2)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["version", "scaling", "connection"], help="leave a phase out"
    )
    parser.add_argument(
        "--mitogen", action="store_true", help=f"also measure Mitogen for Ansible ({MITOGEN}, optional)"
    )
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    if runs < 1:
        parser.error("--runs must be at least 1")
    sizes = sorted({int(n) for n in args.sizes.split(",")}) if args.sizes else [1, 2] if args.quick else [1, 2, 4]
    if sizes[0] < 1:
        parser.error("--sizes must be positive")
    args.json = args.json or CACHE / ("bench-quick.json" if args.quick else "bench.json")
    skip = set(args.skip) | ({"connection"} if args.quick else set())

    def terminate(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    sampler = LoadSampler()
    sampler.start()
    res = Results()
    started = datetime.now(UTC)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="twilight-bench.") as tmp:
        bench = Bench(runs, sizes, Path(tmp), prefix=f"twilight-bench-{os.getpid()}")
        config = effective_config(bench.env)
        hosts = [bench.host(n) for n in range(1, sizes[-1] + 1)]
        try:
            with res.phase("hosts: create and prepare"):
                bench.create(hosts)
            with res.phase("fresh host to healthy"):
                fresh_phase(bench, hosts, res)
            with res.phase("ping, no-op, check"):
                baseline_phase(bench, hosts[0], res)
            if "version" not in skip:
                with res.phase("version change"):
                    version_phase(bench, hosts[0], res)
            if "scaling" not in skip:
                with res.phase("scaling"):
                    scaling_phase(bench, hosts, res, forks_variant=not args.quick)
            if args.mitogen:
                with res.phase("mitogen"):
                    mitogen_phase(bench, hosts[0], res)
            if "connection" not in skip:  # last: it installs sshd in the first host
                with res.phase("connection settings"):
                    connection_phase(bench, hosts[0], res)
        except BenchError as error:
            print(f"[bench] FAILED: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("[bench] interrupted", file=sys.stderr)
            return 130
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            print("[bench] removing its hosts and volumes", file=sys.stderr, flush=True)
            bench.cleanup()
            sampler.done.set()
    end = time.monotonic()
    out = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "settings": {
            "runs": runs,
            "quick": args.quick,
            "hosts": sizes,
            "connection": "community.docker.docker (docker exec), pipelining on, default forks",
            "docker_mode": os.environ.get("TD_DOCKER_MODE") or "rootful",
            "stdout_callback": "ansible.posix.json (task timings), for every run alike",
            "poller_hz": round(1 / POLL_PERIOD),
            "ansible_config": config,
        },
        "load_average_1min": sampler.between(t0, end),
        "load_average_1min_by_phase": {name: sampler.between(*span) for name, span in res.phases.items()},
        "bench_seconds": round(end - t0, 1),
        "table": res.rows,
        **res.data,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n")
    load = out["load_average_1min"]
    m = out["machine"]
    print(
        f"{out['date']}; {m['cores']} cores ({m['cpu']}); load average (1 min) during the runs: "
        f"min {load['min']:.1f}, median {load['median']:.1f}, max {load['max']:.1f}"
    )
    print(f"ansible-core {m['ansible_core']}, Docker {m['docker_engine']}, commit {m['commit']}; seconds, wall clock")
    print_table(res)
    print(f"(JSON: {args.json}; {out['bench_seconds']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
