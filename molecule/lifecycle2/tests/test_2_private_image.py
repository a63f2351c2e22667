"""A private image: the backend pulled from a registry that wants credentials (Debian's docker-registry with htpasswd,
bcrypt, on the instance's loopback: tests/private_registry.py), the deploy account logging in with its own
~/.docker/config.json, and wrong credentials stopping the run before anything changes.

Full playbook runs whose behaviour is the role's, not the platform's (the same tasks and modules run on both, and
test_1_status.py runs on both): one platform, Debian 12 when the run has it (twilight_harness.first_instance)."""

from __future__ import annotations

import private_registry as registry
import pytest
from twilight_harness import (
    PlaybookRun,
    docker_inspect,
    file_state,
    first_instance,
    instance_name,
    run_playbook,
    scenario_dir,
)

testinfra_hosts = first_instance()

HOME = "/home/twilight"
CONFIG = f"{HOME}/.docker/config.json"
RECORD = f"{HOME}/twilight/.registry-login"
LOGIN_TASK = "Log in to the image's registry, as twilight"
WATCHED = (
    f"{HOME}/twilight/compose.yml",
    f"{HOME}/.local/state/twilight-drive/twilight-backend.service.applied",
    CONFIG,
    RECORD,
)


@pytest.fixture(scope="module", autouse=True)
def private_registry(host):
    registry.start(host)


def deploy(host, *args: str, extra_vars: dict | None = None) -> PlaybookRun:
    return run_playbook(scenario_dir() / "converge.yml", *args, extra_vars=extra_vars, limit=instance_name(host))


def changed(host, run: PlaybookRun) -> int:
    return run.recap()[instance_name(host)]["changed"]


def leaked(host, run: PlaybookRun) -> list[str]:
    """The registry passwords found in the run's output, the journal or the process list."""
    where = run.output + host.check_output("journalctl --no-pager -o cat") + host.check_output("ps -eo args")
    return [p for p in registry.PASSWORDS if p in where]


def served_version(host) -> str:
    return host.check_output("curl -sf http://127.0.0.1:8081/version")


def test_the_engine_has_no_copy_of_the_private_image_and_the_registry_refuses_anonymous_pulls(host) -> None:
    assert host.run(f"docker image inspect {registry.IMAGE}:{registry.VERSION_A}").rc != 0
    anonymous = host.run(f"docker pull {registry.IMAGE}:{registry.VERSION_A}")
    assert anonymous.rc != 0 and "no basic auth credentials" in anonymous.stderr


def test_good_credentials_log_the_account_in_and_the_pull_uses_them(host) -> None:
    run = deploy(host, "-vvv", extra_vars=registry.credentials())
    assert run.rc == 0, run.output[-3000:]
    assert LOGIN_TASK in run.output
    assert f"pull {registry.IMAGE}:{registry.VERSION_A}" in run.output
    assert docker_inspect(host, "twilight-backend")["Config"]["Image"] == f"{registry.IMAGE}:{registry.VERSION_A}"
    assert served_version(host) == registry.VERSION_A
    # the account's own Docker config, private; root's has no login
    config = host.file(CONFIG)
    assert (config.user, config.group, config.mode) == ("twilight", "twilight", 0o600)
    assert host.file(f"{HOME}/.docker").mode == 0o700
    assert registry.REGISTRY in config.content_string
    assert host.file(RECORD).mode == 0o600
    assert (
        not host.file("/root/.docker/config.json").exists
        or registry.REGISTRY not in host.file("/root/.docker/config.json").content_string
    )
    assert leaked(host, run) == []


def test_a_run_with_nothing_to_pull_logs_in_no_more_and_changes_nothing(host) -> None:
    run = deploy(host, extra_vars=registry.credentials())
    assert run.rc == 0, run.output
    assert changed(host, run) == 0, run.output
    assert LOGIN_TASK not in run.output


def test_wrong_credentials_fail_before_anything_changes_and_name_the_variables(host) -> None:
    before = file_state(host, *WATCHED)
    started = host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend")
    wrong = {**registry.credentials(password=registry.WRONG_PASSWORD), "twilight_backend_version": registry.VERSION_B}
    run = deploy(host, "-vvv", extra_vars=wrong)
    assert run.rc == 2, run.output[-3000:]
    text = " ".join(run.output.split())
    assert (
        "twilight_backend_registry_username, twilight_backend_registry_password: 127.0.0.1:5000 refused the login of "
        '"reader"' in text
    )
    assert "401 Unauthorized" in text
    assert "Nothing was pulled, written or restarted" in text
    assert "Bring the images into the engine]" not in run.output  # the included task itself
    assert file_state(host, *WATCHED) == before
    assert host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend") == started
    assert served_version(host) == registry.VERSION_A
    assert host.run(f"docker image inspect {registry.IMAGE}:{registry.VERSION_B}").rc != 0
    assert leaked(host, run) == []


def test_a_missing_password_is_refused_by_name_before_the_host_is_read(host) -> None:
    run = deploy(host, extra_vars=registry.credentials(password=""))
    assert run.rc == 2, run.output
    assert "twilight_backend_registry_password: must be set (from a vault)" in " ".join(run.output.split())
    assert "Read the backend's side" not in run.output


def test_changed_credentials_log_in_again_without_a_restart(host) -> None:
    """Another account of the registry: nothing to pull, but the credentials differ from the last login."""
    assert deploy(host, extra_vars=registry.credentials()).rc == 0  # the last login: READER's
    started = host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend")
    before = host.file(RECORD).sha256sum
    run = deploy(host, extra_vars=registry.credentials(registry.OTHER_READER))
    assert run.rc == 0, run.output
    assert LOGIN_TASK in run.output
    assert "Bring the images into the engine]" not in run.output  # the included task itself
    assert host.file(RECORD).sha256sum != before
    assert host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend") == started
    again = deploy(host, extra_vars=registry.credentials(registry.OTHER_READER))
    assert changed(host, again) == 0, again.output


def test_status_of_a_private_deployment_prints_no_password(host) -> None:
    run = run_playbook(
        scenario_dir().parent.parent / "playbooks" / "status.yml",
        "-vvv",
        extra_vars=registry.credentials(registry.OTHER_READER),
        limit=instance_name(host),
    )
    assert run.rc == 0, run.output[-3000:]
    digest = registry.digest_of(host, registry.VERSION_A)
    assert f"digest {digest[:19]}" in " ".join(run.output.split())
    assert leaked(host, run) == []
