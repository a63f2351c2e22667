"""playbooks/status.yml on the deployment converge made, on both platforms (a status run takes seconds): the table
and exit status 0 on a healthy host, 2 on a broken one (the backend unit stopped, the tunnel without edge
connections), the drift an inventory change would bring without changing anything, and no secret at -vvv."""

from __future__ import annotations

import re
import shlex

from twilight_harness import (
    HEALTHZ,
    PLAYBOOKS,
    Account,
    PlaybookRun,
    file_state,
    instance_name,
    run_playbook,
    wait_until,
)

HOME = "/home/twilight"
UNITS = ("twilight-backend.service", "twilight-cloudflared.service")
WATCHED = (
    f"{HOME}/twilight/compose.yml",
    f"{HOME}/twilight/.env",
    f"{HOME}/.cloudflared/twilight-config.yml",
    f"{HOME}/.config/systemd/user/twilight-backend.service",
    f"{HOME}/.local/state/twilight-drive/twilight-backend.service.applied",
    f"{HOME}/.local/state/twilight-drive/twilight-cloudflared.service.applied",
)
# the test vault's values (molecule/shared/inventory/group_vars/twilight/vault.yml)
SECRETS = (
    "site-tushare-secret-5e21",
    "site-siliconflow-secret-a9f0",
    "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=",
    "site-account-tag-77aa",
)
ROTATED = "lc2-rotated-tushare-secret-6c0d"
ROTATED_ENV = {
    "TWILIGHT_BEARER_DB_PATH": "/data/bearer.db",
    "DUCKDB_PATH": "/data/twilight.duckdb",
    "LISTEN_HOST": "0.0.0.0",
    "LOG_LEVEL": "info",
    "TUSHARE_TOKEN": ROTATED,
    "SILICONFLOW_API_KEY": "site-siliconflow-secret-a9f0",
}


def status(host, *args: str, extra_vars: dict | None = None) -> PlaybookRun:
    return run_playbook(PLAYBOOKS / "status.yml", *args, extra_vars=extra_vars, limit=instance_name(host))


def text(run: PlaybookRun) -> str:
    """The output on one line (the yaml callback folds long lines)."""
    return " ".join(run.output.split())


def started_at(host) -> str:
    return host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend")


def test_a_healthy_host_reads_healthy_with_its_table_and_exit_status_0(host) -> None:
    run = status(host)
    assert run.rc == 0, run.output
    assert run.recap()[instance_name(host)]["changed"] == 0
    out = text(run)
    name = instance_name(host)
    assert f"{name}: healthy" in out
    assert "twilight-backend.service active (running), enabled, since " in out
    assert "twilight-cloudflared.service active (running), enabled, since " in out
    # Docker's health is "starting" until the first healthcheck (start_period); /healthz decides meanwhile
    assert re.search(r"container twilight-backend running, (healthy|starting), started 20", out), out
    assert "image ghcr.io/lacatfly/twilight-drive:0.0.1-standin, version 0.0.1-standin, digest -, id sha256:" in out
    assert "health http://127.0.0.1:8081/healthz 200" in out
    # the stand-in's metrics and version, read as the account
    assert "edge /ready 200; 4 edge connections; cloudflared version 0.0.0-standin" in out
    assert "disk data/ " in out and "logs/ " in out
    assert "drift none: a deploy would change nothing" in out
    assert "Fleet: 1 host, 1 healthy, 0 unhealthy, 0 not read (unreachable or failed); 0 differ" in out
    # a first install takes no copy of data/
    assert not host.file(f"{HOME}/twilight/backups").exists


def test_drift_after_an_inventory_change_is_reported_and_nothing_changes(host) -> None:
    before = file_state(host, *WATCHED)
    started = started_at(host)
    run = status(
        host,
        extra_vars={
            "twilight_backend_version": "0.0.2-standin",
            "twilight_backend_memory": "1g",
            "cloudflared_tunnel_loglevel": "debug",
        },
    )
    assert run.rc == 0, run.output  # drift alone is no failure...
    out = text(run)
    assert (
        "drift would change: compose.yml, image (0.0.1-standin -> 0.0.2-standin), .cloudflared/twilight-config.yml"
        in out
    )
    assert "1 differ from the inventory" in out
    assert run.recap()[instance_name(host)]["changed"] == 0
    assert file_state(host, *WATCHED) == before
    assert started_at(host) == started
    # ...unless asked to be one
    strict = status(host, extra_vars={"twilight_backend_memory": "1g", "twilight_status_fail_on_drift": True})
    assert strict.rc == 2, strict.output
    assert "problem it differs from the inventory (twilight_status_fail_on_drift)" in text(strict)


def test_a_changed_secret_is_drift_by_name_and_no_secret_is_printed_at_vvv(host) -> None:
    run = status(host, "-vvv", extra_vars={"twilight_backend_env": ROTATED_ENV})
    assert run.rc == 0, run.output
    assert "drift would change: .env" in text(run)
    assert [s for s in (*SECRETS, ROTATED) if s in run.output] == []


def test_a_stopped_backend_makes_the_host_unhealthy_with_exit_status_2(host, account: Account) -> None:
    host.check_output(account.command("systemctl --user stop twilight-backend.service"))
    try:
        run = status(host)
        assert run.rc == 2, run.output
        out = text(run)
        assert f"{instance_name(host)}: UNHEALTHY" in out
        assert "problem twilight-backend.service is inactive (dead)" in out
        assert "problem no container twilight-backend" in out
        assert "problem http://127.0.0.1:8081/healthz did not answer" in out
        assert "0 healthy, 1 unhealthy" in out
        assert f"{instance_name(host)} is unhealthy: twilight-backend.service is inactive (dead)" in out
    finally:
        host.check_output(account.command("systemctl --user start twilight-backend.service"))
    wait_until(host, HEALTHZ, timeout=60)
    assert status(host).rc == 0


def test_a_tunnel_without_edge_connections_makes_the_host_unhealthy(host, account: Account) -> None:
    """The cloudflared stand-in reports the number of edge connections a test writes beside its config."""
    knob = f"{HOME}/.cloudflared/standin-ha-connections"
    host.check_output(account.command(f"echo 0 >{shlex.quote(knob)}"))
    try:
        run = status(host)
        assert run.rc == 2, run.output
        out = text(run)
        assert "edge /ready 503; 0 edge connections;" in out
        assert "problem the tunnel has no edge connection" in out
    finally:
        host.check_output(account.command(f"rm -f {shlex.quote(knob)}"))
    assert status(host).rc == 0


def test_status_reads_nothing_under_the_home_as_root_and_changes_nothing_in_check_mode(host) -> None:
    """--check is the same read; the account's own files still match (no root-owned file appeared in the home)."""
    run = status(host, "--check")
    assert run.rc == 0, run.output
    assert host.check_output(f"find {HOME} -xdev ! -user twilight -printf '%p\\n'") == ""
    for unit in UNITS:
        assert unit in run.output
