"""The private image and the copy of data/ in rootless mode (the account's own Docker engine): the login, the pull and
the copy run against that engine, as the account. Last in the scenario: it switches the instance to rootless for good.

The account's engine cannot reach the host's loopback (rootlesskit isolates it, and Debian 12's dockerd-rootless.sh
ignores twilight_backend_rootless_host_loopback), so the registry also answers on an address of the instance that is
not loopback, like a registry on the internet would be (tests/private_registry.py); the engine trusts it over plain
HTTP through its daemon.json (a test registry). One platform, like test_2 and test_3."""

from __future__ import annotations

import private_registry as registry
import pytest
from twilight_harness import (
    Account,
    PlaybookRun,
    file_state,
    first_instance,
    instance_name,
    run_playbook,
    scenario_dir,
)

testinfra_hosts = first_instance()

HOME = "/home/twilight"
SEEN_AS = registry.REMOTE
IMAGE = f"{SEEN_AS}/lacatfly/twilight-drive"
ROOTLESS = {
    "twilight_docker_mode": "rootless",
    "twilight_backend_image": IMAGE,
    "twilight_backend_rootless_daemon_config": {"insecure-registries": [SEEN_AS]},
}


@pytest.fixture(scope="module", autouse=True)
def private_registry(host):
    registry.start(host, remote=True)


def deploy(host, version: str, password: str | None = None, *args: str) -> PlaybookRun:
    extra = {
        **registry.credentials(password=password),
        **ROOTLESS,
        "twilight_backend_version": version,
    }
    return run_playbook(scenario_dir() / "converge.yml", *args, extra_vars=extra, limit=instance_name(host))


def account_docker(account: Account, args: str) -> str:
    return account.command(f"DOCKER_HOST=unix:///run/user/{account.uid}/docker.sock docker {args}")


def copies(host) -> list[str]:
    return sorted(host.check_output(f"ls -1 {HOME}/twilight/backups").split())


def test_the_switch_to_rootless_logs_in_and_pulls_in_the_accounts_engine(host, account: Account) -> None:
    # the operator's part of going rootless: the account leaves the docker group
    host.run(f"gpasswd -d {account.name} docker")
    host.check_output(f"systemctl restart user@{account.uid}.service")
    run = deploy(host, registry.VERSION_A, None, "-vvv")
    assert run.rc == 0, run.output[-4000:]
    assert "Log in to the image's registry, as twilight" in run.output
    assert f"pull {IMAGE}:{registry.VERSION_A}" in run.output
    assert host.check_output(account_docker(account, "inspect -f '{{.Config.Image}}' twilight-backend")) == (
        f"{IMAGE}:{registry.VERSION_A}"
    )
    assert host.run("docker container inspect twilight-backend").rc != 0  # not in the system engine
    assert SEEN_AS in host.file(f"{HOME}/.docker/config.json").content_string
    assert host.file(f"{HOME}/.docker/config.json").mode == 0o600
    assert host.check_output("curl -sf http://127.0.0.1:8081/version") == registry.VERSION_A
    assert [p for p in registry.PASSWORDS if p in run.output] == []


def test_wrong_credentials_fail_before_anything_changes_in_rootless_mode(host, account: Account) -> None:
    watched = (f"{HOME}/twilight/compose.yml", f"{HOME}/.docker/config.json")
    before = file_state(host, *watched)
    run = deploy(host, registry.VERSION_B, registry.WRONG_PASSWORD)
    assert run.rc == 2, run.output[-4000:]
    assert f"{SEEN_AS} refused the login" in " ".join(run.output.split())
    assert file_state(host, *watched) == before
    assert host.check_output("curl -sf http://127.0.0.1:8081/version") == registry.VERSION_A


def test_a_version_change_in_rootless_mode_copies_data_as_the_account(host, account: Account) -> None:
    host.check_output(
        account_docker(account, "exec twilight-backend /bin/busybox sh -c 'echo rootless-A >/data/rootless-marker'")
    )
    before = copies(host)
    run = deploy(host, registry.VERSION_B)
    assert run.rc == 0, run.output[-4000:]
    [new] = [c for c in copies(host) if c not in before]
    assert new.endswith(f"-{registry.VERSION_A}")
    copy = host.file(f"{HOME}/twilight/backups/{new}/data/rootless-marker")
    assert (copy.content_string, copy.user) == ("rootless-A\n", "twilight")
    assert host.check_output("curl -sf http://127.0.0.1:8081/version") == registry.VERSION_B


def test_uninstall_keeps_the_copies_and_removes_the_registry_login_only_when_asked(host, account: Account) -> None:
    def uninstall(*args: str, **more) -> PlaybookRun:
        run = run_playbook(
            scenario_dir().parent.parent / "playbooks" / "uninstall.yml",
            *args,
            extra_vars={**registry.credentials(), **ROOTLESS, **more},
            limit=instance_name(host),
        )
        assert run.rc == 0, run.output[-4000:]
        return run

    kept = copies(host)
    first = uninstall()
    assert "~/twilight/backups" in " ".join(first.output.split()).split("Kept:", 1)[1]
    assert host.file(f"{HOME}/twilight/.registry-login").exists
    assert SEEN_AS in host.file(f"{HOME}/.docker/config.json").content_string
    second = uninstall("-vvv", twilight_uninstall_remove_secrets=True)
    assert copies(host) == kept  # every copy is still there
    assert not host.file(f"{HOME}/twilight/.registry-login").exists
    assert SEEN_AS not in host.file(f"{HOME}/.docker/config.json").content_string  # only that login went
    assert [p for p in registry.PASSWORDS if p in second.output] == []
