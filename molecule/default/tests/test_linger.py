"""The linger role on a real systemd: user managers that run with nobody logged in."""

from __future__ import annotations

import pytest
from twilight_harness import (
    Account,
    assert_check_mode_changes_nothing,
    instance_name,
    login_sessions,
    run_playbook,
    scenario_dir,
)


def test_linger_file_exists(host, account: Account) -> None:
    assert host.file(f"/var/lib/systemd/linger/{account.name}").exists


def test_user_manager_runs_with_nobody_logged_in(host, account: Account) -> None:
    assert host.check_output("loginctl show-user %s --property=Linger --value", account.name) == "yes"
    # "lingering": the user manager runs and the account has no session at all
    assert host.check_output("loginctl show-user %s --property=State --value", account.name) == "lingering"
    assert login_sessions(host, account.name) == []
    assert host.service(f"user@{account.uid}.service").is_running


def test_systemctl_user_answers_running(host, account: Account) -> None:
    out = host.run(account.command("systemctl --user is-system-running"))
    assert out.stdout.strip() == "running", out.stdout + out.stderr


def test_check_mode_after_converge_changes_nothing(host) -> None:
    assert_check_mode_changes_nothing(host)


@pytest.mark.parametrize(
    ("users", "message"),
    [
        (["root"], "linger_users: refusing root (UID 0): root"),
        (["nosuchuser"], "linger_users: no such account: nosuchuser (create it first)"),
    ],
    ids=["root", "unknown-account"],
)
def test_bad_accounts_refused_before_any_change(host, users: list[str], message: str) -> None:
    before = host.check_output("ls -A /var/lib/systemd/linger")
    run = run_playbook(scenario_dir() / "converge.yml", extra_vars={"linger_users": users}, limit=instance_name(host))
    assert run.rc != 0
    assert message in run.output
    assert host.check_output("ls -A /var/lib/systemd/linger") == before


def test_absent_disables_linger_idempotently(host) -> None:
    host.run_expect([0, 9], "useradd --create-home lingertest")
    host.check_output("loginctl enable-linger lingertest")
    args = {"linger_users": ["lingertest"], "linger_state": "absent"}
    first = run_playbook(scenario_dir() / "converge.yml", extra_vars=args, limit=instance_name(host))
    assert first.rc == 0, first.output
    assert first.recap()[instance_name(host)]["changed"] == 1, first.output
    assert not host.file("/var/lib/systemd/linger/lingertest").exists
    second = run_playbook(scenario_dir() / "converge.yml", extra_vars=args, limit=instance_name(host))
    assert second.recap()[instance_name(host)]["changed"] == 0, second.output
