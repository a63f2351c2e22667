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


def test_rollback_by_digest_from_the_loopback_registry(host) -> None:
    """The registry listens on the host's loopback; the account's engine reaches it as 10.0.2.2 once
    twilight_backend_rootless_host_loopback lets it (and trusts it over plain HTTP, as a test registry)."""
    host.check_output("systemctl start docker-registry.service")
    try:
        local = "127.0.0.1:5000/lacatfly/twilight-drive"
        host.check_output(f"docker tag ghcr.io/lacatfly/twilight-drive:0.0.2-standin {local}:0.0.2-standin")
        host.check_output(f"docker push {local}:0.0.2-standin")
        digests = json.loads(host.check_output(f"docker image inspect {local}:0.0.2-standin"))[0]["RepoDigests"]
        [digest] = [d.split("@", 1)[1] for d in digests if d.startswith(local + "@")]
        pinned = {
            "twilight_backend_image": "10.0.2.2:5000/lacatfly/twilight-drive",
            "twilight_backend_image_digest": digest,
            "twilight_backend_rootless_host_loopback": True,
            "twilight_backend_rootless_daemon_config": {"insecure-registries": ["10.0.2.2:5000"]},
        }
        run = run_playbook(scenario_dir() / "converge.yml", extra_vars=pinned, limit=instance_name(host))
        assert run.rc == 0, run.output
        assert "pull 10.0.2.2:5000/lacatfly/twilight-drive@" + digest in run.output
        assert served_version(host) == "0.0.2-standin"
        image = docker_inspect(host, "twilight-backend")["Config"]["Image"]
        assert image == f"10.0.2.2:5000/lacatfly/twilight-drive@{digest}"
        again = run_playbook(scenario_dir() / "converge.yml", extra_vars=pinned, limit=instance_name(host))
        assert again.recap()[instance_name(host)]["changed"] == 0, again.output
    finally:
        host.check_output("systemctl stop docker-registry.service")
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
