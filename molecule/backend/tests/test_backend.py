"""twilight_backend on a real systemd and Docker engine, with the stand-in image."""

from __future__ import annotations

import pytest
from twilight_harness import (
    ROOTLESS,
    Account,
    assert_check_mode_changes_nothing,
    docker_command,
    docker_inspect,
    file_state,
    instance_name,
    run_playbook,
    scenario_dir,
    wait_until,
)

PROJECT = "/home/twilight/twilight"
UNIT = "/home/twilight/.config/systemd/user/twilight-backend.service"
LIVE_FILES = (f"{PROJECT}/compose.yml", f"{PROJECT}/.env", UNIT)


@pytest.fixture
def container(host) -> dict:
    return docker_inspect(host, "twilight-backend")


def test_unit_active_and_enabled_for_the_user(host, account: Account) -> None:
    assert host.run(account.command("systemctl --user is-active twilight-backend.service")).stdout.strip() == "active"
    assert host.run(account.command("systemctl --user is-enabled twilight-backend.service")).stdout.strip() == "enabled"


def test_healthz_answers_200_on_loopback(host) -> None:
    assert host.check_output("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/healthz") == "200"


def test_port_listens_on_loopback_only(host) -> None:
    listeners = host.check_output("ss -Htln 'sport = :8081'").splitlines()
    addresses = {line.split()[3].rsplit(":", 1)[0] for line in listeners}
    assert addresses == {"127.0.0.1"}, listeners


def test_container_is_hardened(container: dict) -> None:
    hc = container["HostConfig"]
    assert hc["ReadonlyRootfs"] is True
    assert hc["CapDrop"] == ["ALL"]
    assert not hc["CapAdd"]
    assert "no-new-privileges:true" in hc["SecurityOpt"]
    assert hc["Privileged"] is False
    assert hc["Memory"] == 1500 * 1024 * 1024
    assert hc["NanoCpus"] == 1_500_000_000
    assert hc["PidsLimit"] == 256
    assert hc["LogConfig"] == {"Type": "json-file", "Config": {"max-file": "3", "max-size": "10m"}}
    assert hc["PortBindings"] == {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8081"}]}
    assert hc["NetworkMode"] not in ("host", "none")
    assert hc["PidMode"] == "" and hc["IpcMode"] in ("private", "") and hc["UTSMode"] == ""
    assert hc["Tmpfs"] == {"/tmp": ""}
    # the deploy account on the host in both modes: its uid:gid, or 0 of the rootless user namespace
    assert container["Config"]["User"] == ("0:0" if ROOTLESS else "1000:1000")
    assert container["Config"]["Healthcheck"]["Test"][0] == "CMD"


def test_container_healthcheck_reports_healthy(host) -> None:
    # the first check runs one interval (30 s) after the start
    inspect = docker_command("inspect -f {{.State.Health.Status}} twilight-backend")
    wait_until(host, f'[ "$({inspect})" = healthy ]', 75, interval=2)
    assert host.check_output(inspect) == "healthy"


def test_no_docker_socket_or_sensitive_mount(container: dict) -> None:
    sources = {m["Source"] for m in container["Mounts"]}
    assert sources == {f"{PROJECT}/data"}, sources


def test_env_file_is_private(host) -> None:
    env = host.file(f"{PROJECT}/.env")
    assert (env.mode, env.user, env.group) == (0o600, "twilight", "twilight")
    assert "TUSHARE_TOKEN='molecule-tushare-secret-7f3a'" in env.content_string


def test_layout_owned_by_the_user(host) -> None:
    home = "/home/twilight"
    created = (".config", ".config/systemd", ".config/systemd/user", ".local/state", ".local/state/twilight-drive")
    for path in (PROJECT, f"{PROJECT}/data", f"{PROJECT}/logs", *(f"{home}/{d}" for d in created)):
        assert host.file(path).is_directory and host.file(path).user == "twilight", path
    assert host.file(f"{PROJECT}/logs/backend.log").exists


def test_idempotence_run_did_not_restart_the_container(host, container: dict) -> None:
    assert host.file("/var/tmp/started-at-first-converge").content_string.strip() == container["State"]["StartedAt"]


def test_check_mode_after_converge_changes_nothing(host) -> None:
    assert_check_mode_changes_nothing(host, ("molecule-tushare-secret-7f3a",))


def _refused(host, message: str, extra_vars: dict, watch: tuple[str, ...] = LIVE_FILES) -> None:
    """Run converge expecting preflight to refuse with `message`, and nothing to change."""
    before = file_state(host, *watch)
    started = docker_inspect(host, "twilight-backend")["State"]["StartedAt"]
    run = run_playbook(scenario_dir() / "converge.yml", extra_vars=extra_vars, limit=instance_name(host))
    assert run.rc != 0, run.output
    assert message in " ".join(run.output.split()), run.output
    assert file_state(host, *watch) == before
    assert docker_inspect(host, "twilight-backend")["State"]["StartedAt"] == started


def _account_with_linger(host, name: str) -> None:
    host.run_expect([0, 9], f"useradd --create-home {name}")
    host.check_output(f"loginctl enable-linger {name}")
    uid = host.user(name).uid
    host.check_output(f"timeout 30 sh -c 'until [ -S /run/user/{uid}/systemd/private ]; do sleep 1; done'")


def test_check_mode_names_a_package_it_would_install_and_does_not_fail(host) -> None:
    """--check never fails on a fresh host: check mode updates no apt lists, so a package they do not know yet (a
    fresh host's empty lists) would fail apt there. The run names it instead, installs nothing and goes on."""
    run = run_playbook(
        scenario_dir() / "converge.yml",
        "--check",
        extra_vars={"twilight_backend_keeper_packages": ["catatonit", "twilight-not-a-package"]},
        limit=instance_name(host),
    )
    assert run.rc == 0, run.output
    assert "Check mode: would install twilight-not-a-package (apt)" in run.output, run.output
    assert host.run("dpkg-query -W twilight-not-a-package").rc != 0


def test_missing_env_refused(host) -> None:
    _account_with_linger(host, "otherdeploy")
    _refused(
        host,
        "twilight_backend_env is empty and ~/twilight/.env does not exist: copy env.example",
        {"twilight_backend_user": "otherdeploy", "linger_users": ["otherdeploy"], "twilight_backend_env": {}},
        watch=(*LIVE_FILES, "/home/otherdeploy/twilight"),
    )
    assert "docker" not in host.user("otherdeploy").groups


def test_user_without_user_manager_refused(host) -> None:
    host.run_expect([0, 9], "useradd --create-home nolinger")
    _refused(
        host,
        "twilight_backend_user: the systemd user manager of nolinger is not running (linger is off)",
        {"twilight_backend_user": "nolinger", "linger_users": []},
        watch=(*LIVE_FILES, "/home/nolinger/twilight"),
    )


def test_root_refused(host) -> None:
    _refused(
        host,
        "twilight_backend_user: must be an unprivileged account name (not root)",
        {"twilight_backend_user": "root", "linger_users": []},
    )


def test_system_unit_with_our_name_refused(host) -> None:
    host.check_output("printf '[Service]\\nExecStart=/bin/true\\n' > /etc/systemd/system/twilight-backend.service")
    try:
        _refused(host, "twilight-backend.service already exists at /etc/systemd/system/twilight-backend.service", {})
    finally:
        host.check_output("rm -f /etc/systemd/system/twilight-backend.service")


def test_unit_of_another_user_does_not_block_a_deploy(host) -> None:
    """twilight's own user unit is no collision for otherdeploy's (a unit of another user manager cannot clash
    with ours); what does clash is the container name, and that is what stops this run, before any change."""
    _account_with_linger(host, "otherdeploy")
    _refused(
        host,
        "A container named twilight-backend already exists and is not the one of the compose project in "
        "/home/otherdeploy/twilight",
        {"twilight_backend_user": "otherdeploy", "linger_users": ["otherdeploy"]},
        watch=(*LIVE_FILES, "/home/otherdeploy/twilight"),
    )


def test_backend_log_is_rotated_past_its_cap(host, account: Account) -> None:
    """The scenario caps backend.log at 2k with 2 copies: write past it, let the rotation run, and the log, its
    copies and their count stay bounded while the unit keeps appending to the same file."""
    log = f"{PROJECT}/logs/backend.log"
    assert host.run(account.command("systemctl --user is-enabled twilight-backend-logrotate.timer")).stdout.strip() == (
        "enabled"
    )
    assert host.run(account.command("systemctl --user is-active twilight-backend-logrotate.timer")).stdout.strip() == (
        "active"
    )
    for _round in range(3):
        host.check_output(account.command(f"head -c 5000 /dev/zero | tr '\\0' x >> {log}"))
        host.check_output(account.command("systemctl --user start twilight-backend-logrotate.service"))
        assert host.file(log).size <= 2048
    assert host.file(f"{log}.1").size >= 5000
    assert host.file(f"{log}.2").exists
    assert not host.file(f"{log}.3").exists
    host.check_output(account.command("systemctl --user restart twilight-backend.service"))
    host.check_output("timeout 60 sh -c 'until curl -sf http://127.0.0.1:8081/healthz; do sleep 1; done'")
    assert host.file(log).size > 0  # the unit still appends to the rotated file


def test_container_with_our_name_started_by_hand_refused(host, account: Account) -> None:
    """Stop our unit, start a look-alike container by hand: the role must not touch it."""
    host.check_output(account.command("systemctl --user stop twilight-backend.service"))
    host.check_output(docker_command("run -d --name twilight-backend ghcr.io/lacatfly/twilight-drive:0.0.1-standin"))
    try:
        before = file_state(host, *LIVE_FILES)
        run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
        assert run.rc != 0
        assert (
            "A container named twilight-backend already exists and is not the one of the compose project in "
            "/home/twilight/twilight (another project, or started by hand)" in " ".join(run.output.split())
        ), run.output
        assert file_state(host, *LIVE_FILES) == before
        assert docker_inspect(host, "twilight-backend")["Config"]["Labels"] == {
            "org.opencontainers.image.title": "twilight-drive test stand-in"
        }
    finally:
        host.check_output(docker_command("rm -f twilight-backend"))
        host.check_output(account.command("systemctl --user start twilight-backend.service"))
        host.check_output("timeout 60 sh -c 'until curl -sf http://127.0.0.1:8081/healthz; do sleep 1; done'")
