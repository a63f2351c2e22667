"""cloudflared_tunnel on a real systemd, with the cloudflared TEST STAND-IN.

What the stand-in cannot prove (a real edge connection, cloudflared's own
parsing) is listed in the README; everything here is the role's own work.
"""

from __future__ import annotations

import time

import pytest
import yaml
from twilight_harness import (
    TUNNEL_UNIT,
    Account,
    assert_check_mode_changes_nothing,
    file_state,
    instance_name,
    main_pid,
    run_playbook,
    scenario_dir,
)

UUID = "6ff42ae2-765d-4adf-8112-31c55c1551ef"
CF_DIR = "/home/twilight/.cloudflared"
CONFIG = f"{CF_DIR}/twilight-config.yml"
CREDS = f"{CF_DIR}/twilight-backend-{UUID}.json"
UNIT = "/home/twilight/.config/systemd/user/twilight-cloudflared.service"
SECRET = "bW9sZWN1bGUtdHVubmVsLXNlY3JldC00Yjdj"


def test_unit_active_and_enabled_for_the_user(host, account: Account) -> None:
    assert (
        host.run(account.command("systemctl --user is-active twilight-cloudflared.service")).stdout.strip() == "active"
    )
    assert host.run(account.command("systemctl --user is-enabled twilight-cloudflared.service")).stdout.strip() == (
        "enabled"
    )
    assert host.process.get(pid=main_pid(host, account, TUNNEL_UNIT)).user == "twilight"


def test_config_is_the_expected_document(host) -> None:
    assert yaml.safe_load(host.file(CONFIG).content_string) == {
        "tunnel": UUID,
        "credentials-file": CREDS,
        "loglevel": "info",
        "no-autoupdate": True,
        "metrics": "127.0.0.1:9090",
        "ingress": [
            {
                "hostname": "api.fsagent.cc",
                "service": "http://127.0.0.1:8081",
                "originRequest": {"connectTimeout": "30s", "noTLSVerify": False},
            },
            {"service": "http_status:404"},
        ],
    }


def test_unit_runs_the_named_tunnel_with_the_config(host) -> None:
    unit = host.file(UNIT).content_string
    assert (
        "ExecStart=/usr/local/lib/twilight-drive/cloudflared --config %h/.cloudflared/twilight-config.yml "
        "tunnel run twilight-backend"
    ) in unit
    assert "After=twilight-backend.service" in unit
    assert "Restart=always" in unit and "RestartSec=10" in unit
    assert "StandardOutput=append:%h/twilight/logs/cloudflared.log" in unit
    assert "ProtectSystem=strict" in host.file(f"{UNIT}.d/10-sandbox.conf").content_string


def test_the_binary_is_roots_outside_every_home(host) -> None:
    """The account runs cloudflared but cannot change it (a planted binary cannot be what root installs)."""
    binary = host.file("/usr/local/lib/twilight-drive/cloudflared")
    assert (binary.user, binary.group, binary.mode) == ("root", "root", 0o755)
    assert (host.file("/usr/local/lib/twilight-drive").user, host.file("/usr/local/lib/twilight-drive").mode) == (
        "root",
        0o755,
    )


def test_secret_files_are_private_and_cert_pem_absent(host) -> None:
    for path in (CONFIG, CREDS):
        f = host.file(path)
        assert (f.mode, f.user, f.group) == (0o600, "twilight", "twilight"), path
    assert host.file(CF_DIR).mode == 0o700
    assert SECRET in host.file(CREDS).content_string
    assert not host.file(f"{CF_DIR}/cert.pem").exists


def test_metrics_and_ready_on_loopback_only(host) -> None:
    listeners = host.check_output("ss -Htln 'sport = :9090'").splitlines()
    assert {line.split()[3].rsplit(":", 1)[0] for line in listeners} == {"127.0.0.1"}, listeners
    assert host.check_output("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/ready") == "200"


def test_idempotence_run_did_not_restart_the_tunnel(host, account: Account) -> None:
    assert int(host.file("/var/tmp/cloudflared-pid-first-converge").content_string) == main_pid(
        host, account, TUNNEL_UNIT
    )


def test_check_mode_after_converge_changes_nothing(host) -> None:
    assert_check_mode_changes_nothing(host, (SECRET,))


def test_systemd_restarts_a_killed_tunnel(host, account: Account) -> None:
    before = main_pid(host, account, TUNNEL_UNIT)
    host.check_output(f"kill -9 {before}")
    started = time.monotonic()
    deadline = started + 10 + 8  # RestartSec + a few seconds
    while time.monotonic() < deadline:
        pid = main_pid(host, account, TUNNEL_UNIT)
        if pid not in (0, before) and host.run("curl -sf http://127.0.0.1:9090/ready").rc == 0:
            break
        time.sleep(1)
    else:
        pytest.fail("twilight-cloudflared.service was not back within RestartSec + 8 s")
    assert time.monotonic() - started >= 8  # restarted by systemd after RestartSec, not by us


WATCH = (CONFIG, CREDS, UNIT)


@pytest.mark.parametrize(
    ("extra_vars", "message"),
    [
        pytest.param(
            {"cloudflared_tunnel_id": "not-a-uuid"},
            'cloudflared_tunnel_id: "not-a-uuid" is not a tunnel UUID',
            id="non-uuid",
        ),
        pytest.param(
            {
                "cloudflared_tunnel_credentials": {
                    "AccountTag": "a",
                    "TunnelSecret": "b",
                    "TunnelID": "11111111-2222-3333-4444-555555555555",
                }
            },
            'cloudflared_tunnel_credentials: its TunnelID is "11111111-2222-3333-4444-555555555555", not the tunnel '
            + UUID,
            id="mismatched-credentials",
        ),
        pytest.param(
            {"cloudflared_tunnel_credentials": {}, "cloudflared_tunnel_name": "other-tunnel"},
            f"cloudflared_tunnel_credentials is empty and ~/.cloudflared/other-tunnel-{UUID}.json does not exist",
            id="missing-credentials",
        ),
        pytest.param(
            {"cloudflared_tunnel_metrics": "0.0.0.0:9090"},
            'cloudflared_tunnel_metrics: "0.0.0.0:9090" is not a loopback host:port',
            id="public-metrics",
        ),
        pytest.param(
            {"cloudflared_tunnel_ingress": [{"hostname": "api.fsagent.cc", "service": "http://127.0.0.1:8081/"}]},
            "cloudflared_tunnel_ingress: ingress rule #1: service 'http://127.0.0.1:8081/'",
            id="trailing-slash",
        ),
    ],
)
def test_bad_tunnel_input_refused_before_any_change(host, account: Account, extra_vars: dict, message: str) -> None:
    before, pid = file_state(host, *WATCH), main_pid(host, account, TUNNEL_UNIT)
    run = run_playbook(scenario_dir() / "converge.yml", extra_vars=extra_vars, limit=instance_name(host))
    assert run.rc != 0
    assert message in " ".join(run.output.split()), run.output
    assert SECRET not in run.output
    assert file_state(host, *WATCH) == before
    assert main_pid(host, account, TUNNEL_UNIT) == pid
