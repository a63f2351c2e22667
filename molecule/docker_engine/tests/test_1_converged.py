"""The converged hosts: repository, key, pins, engine, compose, and the backend's preflight."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from engine_harness import (
    COMPOSE_PLUGIN,
    ENGINE,
    PREFERENCES,
    PREFLIGHT,
    assert_repository_as_converged,
    compose_version,
    debian,
    installed,
    standin,
)
from twilight_harness import instance_name, run_playbook


def test_repository_and_key_are_configured_as_documented(host) -> None:
    assert_repository_as_converged(host)


def test_apt_accepts_the_repository_signed_by_the_pinned_key(host) -> None:
    update = host.run("apt-get update --error-on=any")
    assert update.rc == 0, update.stdout + update.stderr
    assert host.file(f"/var/lib/apt/lists/127.0.0.1:8090_docker_linux_debian_dists_{debian(host)[1]}_InRelease").exists


def test_pinned_versions_are_installed_and_held(host) -> None:
    engine, plugin = standin(host, "0.1", epoch=True), standin(host, "0.1", epoch=False)
    assert installed(host, *ENGINE, "docker-compose-plugin") == {
        **dict.fromkeys(ENGINE, engine),
        "docker-compose-plugin": plugin,
    }
    # a newer version is in the repository, and apt still keeps the pinned one
    assert standin(host, "0.2", epoch=True) in host.check_output("apt-cache madison docker-ce")
    for package in (*ENGINE, "docker-compose-plugin"):
        policy = host.check_output("apt-cache policy %s", package)
        assert re.search(r"Candidate: (\S+)", policy).group(1) == (plugin if package.endswith("plugin") else engine)
    upgrade = host.check_output("apt-get -s upgrade")
    assert not re.search(r"^Inst (docker|containerd)", upgrade, re.M), upgrade
    assert "Pin-Priority: 1001" in host.file(PREFERENCES).content_string


def test_engine_answers_and_compose_is_v2_at_least_2_18(host) -> None:
    assert host.service("docker.service").is_running
    assert host.service("docker.service").is_enabled
    assert host.check_output("docker version --format '{{.Server.Version}}'")
    assert compose_version(host) >= (2, 18)
    assert host.group("docker").exists


def test_engine_runs_a_container(host) -> None:
    tarball = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"]) / "molecule" / ".cache" / "backend-standin.tar.gz"
    copied = host.ansible("copy", f"src={tarball} dest=/var/tmp/backend-standin.tar.gz mode=0600", check=False)
    assert host.file("/var/tmp/backend-standin.tar.gz").exists, copied
    host.check_output("docker load -i /var/tmp/backend-standin.tar.gz")
    out = host.check_output(
        "docker run --rm --network none --read-only --cap-drop ALL ghcr.io/lacatfly/twilight-drive:0.0.1-standin"
        " /bin/busybox echo container-ran"
    )
    assert out == "container-ran"


def test_backend_preflight_passes(host) -> None:
    run = run_playbook(PREFLIGHT, limit=instance_name(host))
    assert run.rc == 0, run.output[-3000:]


@pytest.mark.parametrize(
    ("break_it", "restore", "expect"),
    [
        (
            "systemctl stop docker.socket docker.service",
            "systemctl start docker.socket docker.service",
            "Docker engine is not reachable",
        ),
        (
            f"mv {COMPOSE_PLUGIN} /var/tmp/compose-away",
            f"mv /var/tmp/compose-away {COMPOSE_PLUGIN}",
            "compose v2 is missing",
        ),
    ],
    ids=["engine-stopped", "compose-missing"],
)
def test_backend_preflight_refusal_names_the_page_with_the_fix(host, break_it: str, restore: str, expect: str) -> None:
    host.check_output(break_it)
    try:
        run = run_playbook(PREFLIGHT, extra_vars={"harness_expect_refusal": expect}, limit=instance_name(host))
    finally:
        host.check_output(restore)
    assert run.rc == 0, run.output[-3000:]  # backend-preflight.yml asserts the refusal and its words
