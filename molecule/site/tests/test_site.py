"""playbooks/site.yml end to end, with the operator's inventory shape and a real vault."""

from __future__ import annotations

import re

import pytest
from twilight_harness import (
    DOCKER_MODE,
    Account,
    assert_check_mode_changes_nothing,
    docker_inspect,
    instance_name,
    run_playbook,
    scenario_dir,
)

SECRETS = (
    "site-tushare-secret-5e21",
    "site-siliconflow-secret-a9f0",
    "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=",
    "site-account-tag-77aa",
)


@pytest.mark.parametrize("unit", ["twilight-backend.service", "twilight-cloudflared.service"])
def test_both_units_active_and_enabled(host, account: Account, unit: str) -> None:
    assert host.run(account.command(f"systemctl --user is-active {unit}")).stdout.strip() == "active"
    assert host.run(account.command(f"systemctl --user is-enabled {unit}")).stdout.strip() == "enabled"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8081/healthz", "http://127.0.0.1:9090/ready"])
def test_local_health_urls_answer(host, url: str) -> None:
    assert host.check_output(f"curl -s -o /dev/null -w '%{{http_code}}' {url}") == "200"


def test_vault_values_reached_the_host(host) -> None:
    assert "TUSHARE_TOKEN='site-tushare-secret-5e21'" in host.file("/home/twilight/twilight/.env").content_string
    creds = host.file("/home/twilight/.cloudflared/twilight-backend-3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00.json")
    assert creds.mode == 0o600 and "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=" in creds.content_string


def test_second_run_reports_nothing_restarted_and_the_next_steps(host) -> None:
    run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    assert run.rc == 0, run.output
    assert run.recap()[instance_name(host)]["changed"] == 0, run.output
    text = " ".join(run.output.split())
    assert "Restarted in this run: nothing." in text
    assert "curl -fsS http://127.0.0.1:8081/healthz" in text and "http://127.0.0.1:9090/ready" in text
    assert "Cloudflare Access application and policy cover api.fsagent.cc" in text
    assert "https://one.dash.cloudflare.com/" in text
    assert "cloudflared tunnel info twilight-backend" in text
    assert text.count("TASK [Next steps]") == 1


def test_check_diff_after_converge_changes_nothing_and_hides_secrets(host) -> None:
    assert_check_mode_changes_nothing(host, SECRETS, "-vvv")


ROLES = ("linger", "twilight_backend", "cloudflared_tunnel")


@pytest.mark.parametrize(
    ("tag", "role"), [("linger", "linger"), ("backend", "twilight_backend"), ("tunnel", "cloudflared_tunnel")]
)
def test_tags_select_one_role(host, tag: str, role: str) -> None:
    run = run_playbook(scenario_dir() / "converge.yml", "--check", "--tags", tag, limit=instance_name(host))
    assert run.rc == 0, run.output
    # role argument checks are tagged `always` by Ansible; every other task must be the selected role's
    ran = {
        r
        for r in ROLES
        for line in run.output.splitlines()
        if line.startswith(f"TASK [lacatfly.twilight_drive.{r} : ") and "Validating arguments" not in line
    }
    assert ran == {role}, run.output
    # the internal_user_unit tasks the role imports run under its tag too
    if tag != "linger":
        assert "TASK [lacatfly.twilight_drive.internal_user_unit : " in run.output


# the result's key, printed as YAML or JSON
REUSED = re.compile(r'^\s*"?reused"?: true,?$', re.MULTILINE)
ACCOUNT_READ = "TASK [lacatfly.twilight_drive.internal_user_unit : Read the account's files, units, images and services"


ROOT_READ = (
    "TASK [lacatfly.twilight_drive.internal_user_unit : Read the accounts, the docker group and units named like ours"
)


def root_reads(output: str) -> list[bool]:
    """For each role's read of root's side in a run's -v output, in order: whether it made a call (not skipped)."""
    return ["\nskipping: [" not in part.split("\nTASK [")[0] for part in output.split(ROOT_READ)[1:]]


def account_reads(output: str) -> list[bool]:
    """For each read of an account's side in a run's -v output, in order: whether it was an earlier answer."""
    return [REUSED.search(part.split("\nTASK [")[0]) is not None for part in output.split(ACCOUNT_READ)[1:]]


def test_a_run_with_nothing_to_change_reads_each_account_once_with_root_s_view(host) -> None:
    """host_info reads what both services ask of the account (from a child that became the account) and of root;
    each role takes that answer instead of a call, the tunnel only while the backend has changed nothing (here: would
    change, in check mode). In rootless mode the backend's engine is the account's own, known only from the host: the
    engine's read and the backend's are calls of their own."""
    before = [False, False] if DOCKER_MODE == "rootless" else [True]
    run = run_playbook(scenario_dir() / "converge.yml", "--check", "-v", limit=instance_name(host))
    assert run.rc == 0, run.output
    assert account_reads(run.output) == [*before, True], run.output
    # root's side too: site.yml's host_info answers what each role asks root (the backend's rootless engine aside)
    assert root_reads(run.output) == [DOCKER_MODE == "rootless", False], run.output
    changing = run_playbook(
        scenario_dir() / "converge.yml",
        "--check",
        "-v",
        extra_vars={"twilight_backend_logfile_keep": 9},
        limit=instance_name(host),
    )
    assert changing.rc == 0, changing.output
    assert account_reads(changing.output) == [*before, False], changing.output


def network_identity(host) -> dict[str, str]:
    """What the kernel's neighbour cache of the project's bridge holds for the backend, and the keeper's container."""
    backend = docker_inspect(host, "twilight-backend")
    (network,) = backend["NetworkSettings"]["Networks"].values()
    return {
        "ip": network["IPAddress"],
        "mac": network["MacAddress"],
        "keeper": docker_inspect(host, "twilight-keeper")["Id"],
    }


def test_a_version_change_replaces_the_backend_behind_the_same_address_while_the_keeper_stays(host) -> None:
    """The keeper holds a port of the project's bridge while the backend's container is replaced, so the bridge keeps
    its carrier and the kernel keeps its entry for the backend's address; that entry stays right only if the new
    container comes back with the same IP and MAC address (docs/performance.md, the version change gap). An engine
    that gave the new container another MAC would make that entry wrong until it expired: this catches it."""
    before = network_identity(host)
    served = host.check_output("curl -sf http://127.0.0.1:8081/version")
    try:
        for version in ("0.0.2-standin", served):
            started = docker_inspect(host, "twilight-backend")["Id"]
            run = run_playbook(
                scenario_dir() / "converge.yml",
                extra_vars={"twilight_backend_version": version, "twilight_backend_backup_keep": 0},
                limit=instance_name(host),
            )
            assert run.rc == 0, run.output
            assert host.check_output("curl -sf http://127.0.0.1:8081/version") == version
            assert docker_inspect(host, "twilight-backend")["Id"] != started, "the backend's container was not replaced"
            assert network_identity(host) == before, version
    finally:
        if host.run("curl -sf http://127.0.0.1:8081/version").stdout != served:
            run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
