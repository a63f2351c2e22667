"""Faults a VPS sees, injected into a site.yml deployment on both platforms: each must heal within a bound,
and the time until the service is back *and stays up* is recorded for the README.

Tests run in file order per instance; each leaves the deployment serving.
"""

from __future__ import annotations

from twilight_harness import (
    HEALTHZ,
    READY,
    TUNNEL_UNIT,
    Account,
    login_sessions,
    main_pid,
    main_pid_command,
    reboot_until_serving,
    record_figure,
    wait_until,
    wait_until_stable,
)


def test_backend_container_killed_serves_again_within_70s(host) -> None:
    host.check_output("docker kill twilight-backend")
    record_figure(host, "backend container killed (docker kill)", wait_until_stable(host, HEALTHZ, 70))


def test_cloudflared_killed_is_restarted_by_systemd(host, account: Account) -> None:
    before = main_pid(host, account, TUNNEL_UNIT)
    host.check_output(f"kill -9 {before}")
    show_pid = main_pid_command(account, TUNNEL_UNIT)
    seconds = wait_until(host, f'{READY} && [ "$({show_pid})" != {before} ]', 10 + 8)  # RestartSec + a few s
    record_figure(host, "cloudflared killed (kill -9)", seconds)


def test_docker_daemon_restart_recovers_without_operator(host) -> None:
    host.check_output("systemctl restart docker.service")
    record_figure(host, "Docker daemon restarted", wait_until_stable(host, HEALTHZ, 120))


def test_reboot_brings_both_units_back_with_nobody_logged_in(host, account: Account) -> None:
    record_figure(host, "host reboot (both units healthy again)", reboot_until_serving(host))
    for unit in ("twilight-backend.service", "twilight-cloudflared.service"):
        assert host.run(account.command(f"systemctl --user is-active {unit}")).stdout.strip() == "active"
    assert login_sessions(host, account.name) == []
