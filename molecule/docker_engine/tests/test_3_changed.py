"""Runs that change the host: a new pin (a pattern), then the source (Debian 13) or its refusal (Debian 12)."""

from __future__ import annotations

from engine_harness import (
    CONVERGE,
    ENGINE,
    KEYRING,
    PREFERENCES,
    PREFLIGHT,
    SOURCES,
    compose_version,
    debian,
    failure_of,
    installed,
    run_once,
    standin,
)
from twilight_harness import instance_name, run_playbook

NEWER = {"docker_engine_version": "5:0.2~standin-*", "docker_engine_compose_version": "0.2~standin-*"}


def test_changing_the_pin_upgrades_and_a_pattern_holds(host) -> None:
    first = run_once("pin-0.2", CONVERGE, NEWER)
    assert first.rc == 0, first.output[-3000:]
    assert first.recap()[instance_name(host)]["changed"] > 0
    assert installed(host, *ENGINE, "docker-compose-plugin") == {
        **dict.fromkeys(ENGINE, standin(host, "0.2", epoch=True)),
        "docker-compose-plugin": standin(host, "0.2", epoch=False),
    }
    assert "Pin: version 5:0.2~standin-*" in host.file(PREFERENCES).content_string
    assert host.check_output("docker version --format '{{.Server.Version}}'")
    again = run_once("pin-0.2-again", CONVERGE, NEWER)
    assert again.rc == 0, again.output[-3000:]
    assert again.recap()[instance_name(host)]["changed"] == 0


def test_debian_source(host) -> None:
    """Debian 13: the switch to Debian's own packages, refused until replacing is allowed. Debian 12: refused."""
    limit = instance_name(host)
    unpinned = {"docker_engine_source": "debian", "docker_engine_version": "", "docker_engine_compose_version": ""}
    refused = run_playbook(CONVERGE, extra_vars=unpinned, limit=limit)
    assert refused.rc != 0
    if debian(host)[0] == "12":
        assert "docker_engine_source: debian needs Debian 13 or newer" in failure_of(refused, host)
        assert "Compose v1" in failure_of(refused, host)
        assert installed(host, "docker-ce")
        return
    assert "docker_engine_replace_conflicting: docker-ce, docker-ce-cli" in failure_of(refused, host)
    assert installed(host, "docker-ce")  # refused before anything changed

    switched = run_playbook(CONVERGE, extra_vars={**unpinned, "docker_engine_replace_conflicting": True}, limit=limit)
    assert switched.rc == 0, switched.output[-3000:]
    assert not installed(host, "docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin")
    assert set(installed(host, "docker.io", "docker-cli", "docker-compose", "docker-buildx")) == {
        "docker.io",
        "docker-cli",
        "docker-compose",
        "docker-buildx",
    }
    for path in (SOURCES, KEYRING, PREFERENCES):
        assert not host.file(path).exists, path
    assert compose_version(host) >= (2, 18)
    preflight = run_playbook(PREFLIGHT, limit=limit)
    assert preflight.rc == 0, preflight.output[-3000:]
