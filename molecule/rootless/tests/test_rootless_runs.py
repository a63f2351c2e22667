"""Rootless mode, full runs of playbooks/site.yml: upgrade, rollback by digest from a registry, and a switch to
rootful and back that keeps data/. The behaviour is the roles', so they run on one platform (Debian 12)."""

from __future__ import annotations

import json

from twilight_harness import (
    ENGINE_UNIT,
    Account,
    docker_command,
    docker_inspect,
    first_instance,
    instance_name,
    record_figure,
    run_playbook,
    scenario_dir,
    start_poller,
    stop_poller,
)

testinfra_hosts = first_instance()

PROJECT = "/home/twilight/twilight"


def served_version(host) -> str:
    return host.check_output("curl -sf http://127.0.0.1:8081/version")


def test_upgrade_and_back(host) -> None:
    for version in ("0.0.2-standin", "0.0.1-standin"):
        run = run_playbook(
            scenario_dir() / "converge.yml",
            extra_vars={"twilight_backend_version": version},
            limit=instance_name(host),
        )
        assert run.rc == 0, run.output
        assert served_version(host) == version


REGISTRY_ADDRESS = "10.213.0.1"  # an address of the instance outside 127.0.0.0/8 (added to lo: see below)
REGISTRY = f"{REGISTRY_ADDRESS}:5000/lacatfly/twilight-drive"
TRUST_REGISTRY = {"twilight_backend_rootless_daemon_config": {"insecure-registries": [f"{REGISTRY_ADDRESS}:5000"]}}


def test_rollback_by_digest_from_a_registry_on_the_host(host, account: Account) -> None:
    """Debian's registry, started on an address of the instance the account's engine can reach through
    slirp4netns (rootlesskit keeps the host's loopback out of its namespace), trusted over plain HTTP through
    the engine's daemon.json (twilight_backend_rootless_daemon_config). A version is pushed from the
    account's engine, dropped from it, then deployed pinned by digest: the role must pull it."""
    host.check_output(
        f"ip link add twreg0 type dummy && ip addr add {REGISTRY_ADDRESS}/32 dev twreg0 && ip link set twreg0 up"
    )
    host.check_output(
        "sed 's/addr: 127.0.0.1:5000/addr: " + REGISTRY_ADDRESS + ":5000/' /etc/docker/registry/config.yml"
        " > /run/twreg.yml && systemd-run --unit=twreg docker-registry serve /run/twreg.yml"
    )
    try:
        trusted = run_playbook(scenario_dir() / "converge.yml", extra_vars=TRUST_REGISTRY, limit=instance_name(host))
        assert trusted.rc == 0, trusted.output
        host.check_output(docker_command(f"tag ghcr.io/lacatfly/twilight-drive:0.0.2-standin {REGISTRY}:0.0.2-standin"))
        host.check_output(docker_command(f"push {REGISTRY}:0.0.2-standin"))
        digests = json.loads(host.check_output(docker_command(f"image inspect {REGISTRY}:0.0.2-standin")))[0]
        [digest] = [d.split("@", 1)[1] for d in digests["RepoDigests"] if d.startswith(REGISTRY + "@")]
        host.check_output(docker_command(f"rmi {REGISTRY}:0.0.2-standin"))
        assert host.run(docker_command(f"image inspect {REGISTRY}@{digest}")).rc != 0
        pinned = {**TRUST_REGISTRY, "twilight_backend_image": REGISTRY, "twilight_backend_image_digest": digest}
        run = run_playbook(scenario_dir() / "converge.yml", extra_vars=pinned, limit=instance_name(host))
        assert run.rc == 0, run.output
        assert f"pull {REGISTRY}@{digest}" in run.output
        assert served_version(host) == "0.0.2-standin"
        assert docker_inspect(host, "twilight-backend")["Config"]["Image"] == f"{REGISTRY}@{digest}"
        again = run_playbook(scenario_dir() / "converge.yml", extra_vars=pinned, limit=instance_name(host))
        assert again.recap()[instance_name(host)]["changed"] == 0, again.output
    finally:
        host.run(f"systemctl stop twreg.service; ip addr del {REGISTRY_ADDRESS}/32 dev lo")
    back = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    assert back.rc == 0, back.output
    assert served_version(host) == "0.0.1-standin"


def test_switch_to_rootful_and_back_keeps_the_data(host, account: Account) -> None:
    """Data written before each switch is read after it, and each switch is down only for the hand-over
    of the port (measured by a 10 Hz poller on the instance's loopback)."""
    host.check_output(docker_command("exec twilight-backend /bin/sh -c 'echo rootless > /data/marker'"))
    poller = start_poller(host)
    run = run_playbook(
        scenario_dir() / "converge.yml", extra_vars={"twilight_docker_mode": "rootful"}, limit=instance_name(host)
    )
    down = stop_poller(host, poller)
    assert run.rc == 0, run.output
    record_figure(host, "switch rootless to rootful: longest time without /healthz 200", down)
    assert host.run(account.command(f"systemctl --user is-active {ENGINE_UNIT}")).stdout.strip() != "active"
    assert host.check_output("docker exec twilight-backend cat /data/marker") == "rootless"
    host.check_output("docker exec twilight-backend /bin/sh -c 'echo rootful > /data/marker2'")
    assert host.file(f"{PROJECT}/data/marker2").user == account.name

    # the operator's part of going rootless: the account leaves the docker group
    host.check_output(f"gpasswd -d {account.name} docker")
    host.check_output(f"systemctl restart user@{account.uid}.service")
    poller = start_poller(host)
    run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    down = stop_poller(host, poller)
    assert run.rc == 0, run.output
    record_figure(host, "switch rootful to rootless: longest time without /healthz 200", down)
    assert host.run("docker container inspect twilight-backend").rc != 0
    assert host.check_output(docker_command("exec twilight-backend cat /data/marker2")) == "rootful"
    assert host.check_output(docker_command("exec twilight-backend cat /data/marker")) == "rootless"
