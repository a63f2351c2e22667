"""playbooks/uninstall.yml from the deployment converge made, to a host where site.yml deploys again.

After test_1_verify.py (which needs the deployment serving). The tests run in this order and each starts from
where the previous one left the host. They are full playbook runs (a minute or so each on this machine kind),
and what they prove is the playbook's, not the platform's (the same roles and modules run on both, and
test_1_verify.py runs on both): so one platform, Debian 12 when the run has it (twilight_harness.first_instance).
"""

from __future__ import annotations

from twilight_harness import (
    HEALTHZ,
    PLAYBOOKS,
    Account,
    PlaybookRun,
    file_state,
    first_instance,
    instance_name,
    run_playbook,
    run_verify,
    scenario_dir,
    start_access_standin,
    wait_until,
)

testinfra_hosts = first_instance()

HOME = "/home/twilight"
UNITS = ("twilight-backend.service", "twilight-cloudflared.service")
TIMERS = ("twilight-backend-logrotate.timer", "twilight-cloudflared-logrotate.timer")
USER_UNITS = f"{HOME}/.config/systemd/user"
BINARY = "/usr/local/lib/twilight-drive/cloudflared"
CREDENTIALS = f"{HOME}/.cloudflared/twilight-backend-3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00.json"
ENV = f"{HOME}/twilight/.env"
MARKER = f"{HOME}/twilight/data/marker"
# what the uninstall removes
REMOVED = (
    *(f"{USER_UNITS}/{unit}" for unit in (*UNITS, *TIMERS)),
    *(f"{USER_UNITS}/{timer.replace('.timer', '.service')}" for timer in TIMERS),
    *(f"{USER_UNITS}/{unit}.d" for unit in UNITS),
    *(f"{USER_UNITS}/default.target.wants/{unit}" for unit in UNITS),
    *(f"{USER_UNITS}/timers.target.wants/{timer}" for timer in TIMERS),
    f"{HOME}/.local/state/twilight-drive",
    f"{HOME}/.local/lib/twilight-drive",
    f"{HOME}/twilight/compose.yml",
    f"{HOME}/.cloudflared/twilight-config.yml",
    BINARY,
    "/usr/local/lib/twilight-drive",
)
# the test vault's values (molecule/shared/inventory/group_vars/twilight/vault.yml)
SECRETS = (
    "site-tushare-secret-5e21",
    "site-siliconflow-secret-a9f0",
    "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=",
    "site-account-tag-77aa",
)


def uninstall(host, *args: str, extra_vars: dict | None = None) -> PlaybookRun:
    run = run_playbook(PLAYBOOKS / "uninstall.yml", *args, extra_vars=extra_vars, limit=instance_name(host))
    assert run.rc == 0, run.output
    return run


def changed(host, run: PlaybookRun) -> int:
    return run.recap()[instance_name(host)]["changed"]


def load_state(host, account: Account, unit: str) -> str:
    return host.check_output(account.command(f"systemctl --user show {unit} -p LoadState --value"))


# files whose content a check run must leave as it is
WATCHED = (
    *REMOVED[:6],
    f"{HOME}/twilight/compose.yml",
    f"{HOME}/.cloudflared/twilight-config.yml",
    ENV,
    CREDENTIALS,
    BINARY,
)


def test_check_mode_reports_the_removal_and_changes_nothing(host, account: Account) -> None:
    host.check_output(account.command(f"echo precious >{MARKER}"))
    before = file_state(host, *WATCHED)
    started = host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend")
    run = uninstall(host, "--check")
    assert changed(host, run) > 0, run.output
    assert "Check mode, nothing was changed. Would remove: ~/.config/systemd/user/" in " ".join(run.output.split())
    assert file_state(host, *WATCHED) == before
    assert "absent" not in before.values()
    assert host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend") == started
    for unit in (*UNITS, *TIMERS):
        assert host.run(account.command(f"systemctl --user is-active {unit}")).stdout.strip() == "active", unit
    assert host.run(HEALTHZ).rc == 0


def test_uninstall_removes_the_units_and_their_files_and_keeps_data_and_secrets(host, account: Account) -> None:
    run = uninstall(host)
    text = " ".join(run.output.split())
    for unit in (*UNITS, *TIMERS):
        assert load_state(host, account, unit) == "not-found", unit
    assert [p for p in REMOVED if host.file(p).exists or host.file(p).is_symlink] == []
    assert host.check_output("docker ps -aq --filter name=twilight") == ""
    assert "twilight_default" not in host.check_output("docker network ls --format '{{.Name}}'")
    assert host.run(HEALTHZ).rc != 0
    # kept: the data, the secrets (the account's, 0600), the logs, linger
    assert host.file(MARKER).content_string == "precious\n"
    for secret in (ENV, CREDENTIALS):
        assert host.file(secret).user == "twilight" and host.file(secret).mode == 0o600, secret
    assert host.file(f"{HOME}/twilight/logs/backend.log").exists
    assert host.file("/var/lib/systemd/linger/twilight").exists
    assert "Kept: ~/.cloudflared/twilight-backend-3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00.json" in text
    assert "~/twilight/data" in text and "Linger: left on" in text


def test_a_second_uninstall_changes_nothing_and_check_mode_agrees(host) -> None:
    assert changed(host, again := uninstall(host)) == 0, again.output
    assert "Removed: nothing" in again.output
    assert changed(host, check := uninstall(host, "--check")) == 0, check.output


def test_removing_the_secrets_and_linger_prints_none_of_them(host) -> None:
    both = {"twilight_uninstall_remove_secrets": True, "twilight_uninstall_linger": True}
    run = uninstall(host, "-vvv", extra_vars=both)
    assert changed(host, run) > 0, run.output
    assert [s for s in SECRETS if s in run.output] == []
    assert not host.file(ENV).exists and not host.file(CREDENTIALS).exists
    assert not host.file(f"{HOME}/.cloudflared").exists  # nothing else was in it
    assert not host.file("/var/lib/systemd/linger/twilight").exists
    wait_until(host, "! systemctl is-active --quiet user@1000.service", timeout=30)
    assert host.file(MARKER).content_string == "precious\n"


def test_uninstall_without_a_user_manager_changes_nothing(host) -> None:
    run = uninstall(host, extra_vars={"twilight_uninstall_remove_secrets": True, "twilight_uninstall_linger": True})
    assert changed(host, run) == 0, run.output


def test_site_deploys_again_on_the_uninstalled_host_and_it_serves(host, account: Account) -> None:
    run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    assert run.rc == 0, run.output
    for unit in UNITS:
        assert host.run(account.command(f"systemctl --user is-active {unit}")).stdout.strip() == "active", unit
    wait_until(host, HEALTHZ, timeout=60)
    assert host.file(MARKER).content_string == "precious\n"  # the data the uninstalls kept
    # and through the Access stand-in again
    start_access_standin(host, "refuse")
    verified = run_verify(host)
    assert verified.rc == 0, verified.output


def test_the_operators_own_binary_is_left_alone(host, account: Account) -> None:
    run = uninstall(host, extra_vars={"cloudflared_tunnel_install": "none", "cloudflared_tunnel_binary": BINARY})
    assert changed(host, run) > 0, run.output
    assert load_state(host, account, "twilight-cloudflared.service") == "not-found"
    assert host.file(BINARY).is_file
    assert f"{BINARY} (cloudflared_tunnel_install is none" in " ".join(run.output.split())
