"""Strings that reach a unit file, a path or a command line: each refused before any change, naming the variable.

systemd reads a unit line by line and expands `%` specifiers in it, `${VAR}` and C escapes (`\\x20`) in
Exec lines; a line break in a path or name therefore adds unit lines of the attacker's choosing (an
`ExecStartPre=` that touches a marker here). Every `match('...$')` check accepts a single trailing newline,
since `$` matches before it. The ingress hostnames go into the tunnel's config and the run's output: no C0,
DEL, C1 (NEL included) or U+2028/2029. And the backend container must not run as uid 0, however written.

Like molecule/faults/tests/test_bad_input.py: the cases run concurrently against the converged Debian 12
instance (a refused run changes nothing, so they cannot interfere), and the host's state is compared before
and after the whole table.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from twilight_harness import (
    PlaybookRun,
    docker_inspect,
    failure_text,
    file_state,
    first_instance,
    instance_name,
    run_playbook,
    scenario_dir,
)

testinfra_hosts = first_instance()

# A unit line an injection would add: it logs to the journal with its own tag (the sandboxed units can write
# no file that outlives them: PrivateTmp, ProtectSystem=strict, and RemoveIPC empties /dev/shm).
INJECTED = "ExecStartPre=/usr/bin/logger -t td-unit-injection injected"
# both log lines again, so the unit still starts (the template appends /cloudflared.log to the second)
LOGS = "/home/tunnel/twilight/logs"
RELOG = f"StandardOutput=append:{LOGS}/cloudflared.log\nStandardError=append:{LOGS}"
WATCHED = (
    "/home/twilight/twilight/compose.yml",
    "/home/twilight/twilight/.env",
    "/home/twilight/.config/systemd/user/twilight-backend.service",
    "/home/tunnel/.cloudflared/twilight-config.yml",
    "/home/tunnel/.config/systemd/user/twilight-cloudflared.service",
    "/home/tunnel/.local/bin/cloudflared",
)
BIN = "/usr/local/bin/cloudflared"
HOST = "api.fsagent.cc"


def ingress(hostname: str) -> list[dict]:
    return [{"hostname": hostname, "service": "http://127.0.0.1:8081"}]


# (id, the variable, its bad value): the refusal must name the variable
TABLE: list[tuple[str, str, object]] = [
    ("binary-newline-injects-a-unit-line", "cloudflared_tunnel_binary", f"{BIN}\n{INJECTED}"),
    ("binary-trailing-newline", "cloudflared_tunnel_binary", f"{BIN}\n"),
    ("binary-carriage-return", "cloudflared_tunnel_binary", "/usr/local/bin/cloud\rflared"),
    ("binary-tab", "cloudflared_tunnel_binary", "/usr/local/bin/cloud\tflared"),
    ("binary-percent-specifier", "cloudflared_tunnel_binary", "/usr/local/bin/%h/cloudflared"),
    ("binary-nel", "cloudflared_tunnel_binary", "/usr/local/bin/cloud\x85flared"),
    ("binary-u2028", "cloudflared_tunnel_binary", "/usr/local/bin/cloud\u2028flared"),
    # found: systemd substitutes ${VAR} and unescapes \x20 in ExecStart=, even inside quotes
    ("binary-dollar-brace", "cloudflared_tunnel_binary", "/usr/local/bin/${HOME}/cloudflared"),
    ("binary-backslash-escape", "cloudflared_tunnel_binary", "/usr/local/bin/cf\\x20--x"),
    # the unit still works, and the injected line runs (it did on main)
    ("log-dir-newline-injects-a-unit-line", "cloudflared_tunnel_log_dir", f"twilight/logs\n{INJECTED}\n{RELOG}"),
    ("log-dir-trailing-newline", "cloudflared_tunnel_log_dir", "twilight/logs\n"),
    ("log-dir-percent-specifier", "cloudflared_tunnel_log_dir", "twilight/%h"),
    ("log-dir-escape", "cloudflared_tunnel_log_dir", "twilight/lo\x1bgs"),
    ("log-dir-nel", "cloudflared_tunnel_log_dir", "twilight/lo\x85gs"),
    ("log-dir-u2029", "cloudflared_tunnel_log_dir", "twilight/lo\u2029gs"),
    ("backend-dir-trailing-newline", "twilight_backend_dir", "twilight\n"),
    ("backend-dir-percent", "twilight_backend_dir", "twi%hlight"),
    ("backend-dir-nel", "twilight_backend_dir", "twi\x85light"),
    ("tunnel-name-trailing-newline", "cloudflared_tunnel_name", "twilight-backend\n"),
    ("tunnel-name-percent", "cloudflared_tunnel_name", "twilight%hbackend"),
    ("tunnel-name-u2028", "cloudflared_tunnel_name", "twilight\u2028backend"),
    ("ingress-host-soh", "cloudflared_tunnel_ingress", ingress("api\x01.fsagent.cc")),
    ("ingress-host-tab", "cloudflared_tunnel_ingress", ingress("api\t.fsagent.cc")),
    ("ingress-host-trailing-newline", "cloudflared_tunnel_ingress", ingress(f"{HOST}\n")),
    ("ingress-host-carriage-return", "cloudflared_tunnel_ingress", ingress(f"{HOST}\r")),
    ("ingress-host-escape", "cloudflared_tunnel_ingress", ingress("api\x1b[2J.fsagent.cc")),
    ("ingress-host-del", "cloudflared_tunnel_ingress", ingress("api\x7f.fsagent.cc")),
    ("ingress-host-c1-pad", "cloudflared_tunnel_ingress", ingress("api\x80.fsagent.cc")),
    ("ingress-host-nel", "cloudflared_tunnel_ingress", ingress("api\x85.fsagent.cc")),
    ("ingress-host-c1-csi", "cloudflared_tunnel_ingress", ingress("api\x9b2J.fsagent.cc")),
    ("ingress-host-u2028", "cloudflared_tunnel_ingress", ingress("api\u2028.fsagent.cc")),
    ("ingress-host-u2029", "cloudflared_tunnel_ingress", ingress("api\u2029.fsagent.cc")),
    ("container-user-0", "twilight_backend_container_user", "0"),
    ("container-user-0-0", "twilight_backend_container_user", "0:0"),
    ("container-user-00", "twilight_backend_container_user", "00"),
    ("container-user-0-1000", "twilight_backend_container_user", "0:1000"),
    # found: the UUID goes into the credentials file's path, the version into `docker pull`'s argument
    ("tunnel-id-trailing-newline", "cloudflared_tunnel_id", "3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00\n"),
    ("backend-version-trailing-newline", "twilight_backend_version", "0.0.1-standin\n"),
]
CASES: list[tuple[str, dict, str]] = [(name, {var: value}, var) for name, var, value in TABLE]


@dataclass
class Table:
    runs: dict[str, PlaybookRun]
    since: str  # the instance's clock when the table started
    changed: dict[str, str]  # watched path -> its state after the table, where it differs
    restarted: bool  # the backend container was started again


@pytest.fixture(scope="module")
def table(host) -> Table:
    """Run the whole table, four at a time, and compare the host before and after (repaired if it changed)."""
    before = file_state(host, *WATCHED)
    started = docker_inspect(host, "twilight-backend")["State"]["StartedAt"]
    since = host.check_output("date +%s")

    def one(case: tuple[str, dict, str]) -> tuple[str, PlaybookRun]:
        name, extra_vars = case[0], case[1]
        return name, run_playbook(scenario_dir() / "converge.yml", extra_vars=extra_vars, limit=instance_name(host))

    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = dict(pool.map(one, CASES))
    after = file_state(host, *WATCHED)
    result = Table(
        runs,
        since,
        {p: s for p, s in after.items() if s != before[p]},
        docker_inspect(host, "twilight-backend")["State"]["StartedAt"] != started,
    )
    if result.changed or result.restarted:  # leave a deployment for the tests after this one
        run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    return result


def test_the_table_left_the_host_unchanged(table: Table, host) -> None:
    assert table.changed == {}
    assert not table.restarted
    injected = host.check_output("journalctl --no-pager -o cat -t td-unit-injection --since @%s", table.since)
    assert injected == "", "a line injected into a unit ran"


def test_the_table_covers_every_kind() -> None:
    variables = {c[2] for c in CASES}
    assert len({c[0] for c in CASES}) == len(CASES) >= 30
    assert {"cloudflared_tunnel_binary", "cloudflared_tunnel_log_dir", "twilight_backend_dir"} <= variables
    assert {"cloudflared_tunnel_name", "cloudflared_tunnel_ingress", "twilight_backend_container_user"} <= variables


@pytest.mark.parametrize(("name", "extra_vars", "variable"), CASES, ids=[c[0] for c in CASES])
def test_bad_string_is_refused_before_any_change_naming_the_variable(
    table: Table, name: str, extra_vars: dict, variable: str
) -> None:
    run = table.runs[name]
    assert run.rc != 0, run.output[-3000:]
    assert sum(r["changed"] for r in run.recap().values()) == 0, run.output[-3000:]
    # in the failure report: the input checks' loop labels print every variable's name, good or bad
    assert variable in " ".join(failure_text(run.output).split()), failure_text(run.output)[-3000:]
