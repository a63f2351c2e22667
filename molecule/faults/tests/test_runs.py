"""Runs of playbooks/site.yml against a deployment under stress, on one platform (each is a full run, so
slow; the behaviour is the playbook's, not the platform's): an interrupted run, rollback to a
digest pulled from a real registry, preflight failures that must leave the deployment serving, and Docker stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from twilight_harness import (
    HEALTHZ,
    READY,
    TUNNEL_UNIT,
    Account,
    docker_inspect,
    file_state,
    first_instance,
    instance_name,
    main_pid,
    playbook_command,
    record_figure,
    run_playbook,
    scenario_dir,
    wait_until_stable,
)

testinfra_hosts = first_instance()

PROJECT = "/home/twilight/twilight"
REGISTRY = "127.0.0.1:5000/lacatfly/twilight-drive"  # Debian's docker-registry, in the Debian 12 platform only
LIVE = (f"{PROJECT}/compose.yml", f"{PROJECT}/.env", "/home/twilight/.cloudflared/twilight-config.yml")


def served_version(host) -> str:
    return host.check_output("curl -sf http://127.0.0.1:8081/version")


def test_interrupted_run_is_completed_by_the_next_one(host) -> None:
    """Kill a run (an upgrade to 0.0.2) after it wrote compose.yml but before the restart. Without a copy of data/:
    a copy stops the backend before the files are written (docs/lifecycle.md), so the old version would not serve."""
    upgrade = {"twilight_backend_version": "0.0.2-standin", "twilight_backend_backup_keep": 0}
    cmd = playbook_command(scenario_dir() / "converge.yml", extra_vars=upgrade, limit=instance_name(host))
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        # compose.yml is written; the next task only speaks in check mode, the restart comes after it
        if "internal_user_unit : Say what check mode cannot run, twilight-backend.service" in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert "0.0.2-standin" in host.file(f"{PROJECT}/compose.yml").content_string
    assert served_version(host) == "0.0.1-standin"  # interrupted before the restart

    again = run_playbook(scenario_dir() / "converge.yml", extra_vars=upgrade, limit=instance_name(host))
    assert again.rc == 0, again.output
    assert served_version(host) == "0.0.2-standin"
    third = run_playbook(
        scenario_dir() / "converge.yml",
        extra_vars={"twilight_backend_version": "0.0.2-standin"},
        limit=instance_name(host),
    )
    assert third.recap()[instance_name(host)]["changed"] == 0, third.output


def push_to_the_registry(host, version: str) -> str:
    """Push the stand-in `version` to the instance's loopback registry and return its digest. The registry tag
    is dropped again, so the engine no longer knows the image by that name and the role has to pull it."""
    local = f"ghcr.io/lacatfly/twilight-drive:{version}"
    host.check_output(f"docker tag {local} {REGISTRY}:{version}")
    host.check_output(f"docker push {REGISTRY}:{version}")
    digests = json.loads(host.check_output(f"docker image inspect {REGISTRY}:{version}"))[0]["RepoDigests"]
    host.check_output(f"docker rmi {REGISTRY}:{version}")
    [digest] = [d.split("@", 1)[1] for d in digests if d.startswith(REGISTRY + "@")]
    assert host.run(f"docker image inspect {REGISTRY}@{digest}").rc != 0
    return digest


def test_rollback_to_the_previous_version_by_digest(host) -> None:
    """A (0.0.1, the converge) then B (0.0.2, the test above) then A again, pinned by digest and pulled from a
    real registry while B keeps serving: the running image follows. A second pinned run pulls and restarts
    nothing; then back to the inventory's A by tag, so the tests after this one see the converged state."""
    assert served_version(host) == "0.0.2-standin"
    host.check_output("systemctl start docker-registry.service")
    try:
        digest = push_to_the_registry(host, "0.0.1-standin")
        pinned = {"twilight_backend_image": REGISTRY, "twilight_backend_image_digest": digest}
        start = time.monotonic()
        run = run_playbook(scenario_dir() / "converge.yml", extra_vars=pinned, limit=instance_name(host))
        assert run.rc == 0, run.output
        record_figure(host, "rollback run (B to A by digest, pull and health gate incl.)", time.monotonic() - start)
        pulled = run.output.index(f"changed: [{instance_name(host)}] => (item=pull {REGISTRY}@{digest})")
        restarted = run.output.index("Reload, enable and (re)start twilight-backend.service")
        assert pulled < restarted, "the image must be pulled before the unit restarts"
        assert "Restarted in this run: twilight-backend.service." in " ".join(run.output.split())
        assert served_version(host) == "0.0.1-standin"
        assert docker_inspect(host, "twilight-backend")["Config"]["Image"] == f"{REGISTRY}@{digest}"
        assert f"image: {REGISTRY}@{digest}\n" in host.file(f"{PROJECT}/compose.yml").content_string

        again = run_playbook(scenario_dir() / "converge.yml", extra_vars=pinned, limit=instance_name(host))
        assert again.recap()[instance_name(host)]["changed"] == 0, again.output
    finally:
        host.check_output("systemctl stop docker-registry.service")

    back = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    assert back.rc == 0, back.output
    assert served_version(host) == "0.0.1-standin"
    image = docker_inspect(host, "twilight-backend")["Config"]["Image"]
    assert image == "ghcr.io/lacatfly/twilight-drive:0.0.1-standin"


def _refused_and_still_serving(host, account: Account, extra_vars: dict, message: str) -> None:
    before = file_state(host, *LIVE)
    started = docker_inspect(host, "twilight-backend")["State"]["StartedAt"]
    pid = main_pid(host, account, TUNNEL_UNIT)
    run = run_playbook(scenario_dir() / "converge.yml", extra_vars=extra_vars, limit=instance_name(host))
    assert run.rc != 0
    assert message in " ".join(run.output.split()), run.output
    assert file_state(host, *LIVE) == before
    assert docker_inspect(host, "twilight-backend")["State"]["StartedAt"] == started
    assert main_pid(host, account, TUNNEL_UNIT) == pid
    assert host.run(HEALTHZ).rc == 0 and host.run(READY).rc == 0


def test_missing_env_fails_in_preflight_and_the_deployment_keeps_serving(host, account: Account) -> None:
    host.check_output(f"mv {PROJECT}/.env {PROJECT}/.env.away")
    try:
        _refused_and_still_serving(
            host,
            account,
            {"twilight_backend_env": {}},
            "twilight_backend_env is empty and ~/twilight/.env does not exist: copy env.example",
        )
    finally:
        host.check_output(f"mv {PROJECT}/.env.away {PROJECT}/.env")


def test_mismatched_tunnel_credentials_fail_in_preflight_and_the_tunnel_keeps_serving(host, account: Account) -> None:
    _refused_and_still_serving(
        host,
        account,
        {"cloudflared_tunnel_id": "11111111-2222-3333-4444-555555555555"},
        'cloudflared_tunnel_credentials: its TunnelID is "3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00", not the tunnel '
        "11111111-2222-3333-4444-555555555555",
    )


def test_missing_tunnel_credentials_fail_in_preflight(host, account: Account) -> None:
    _refused_and_still_serving(
        host,
        account,
        {"cloudflared_tunnel_credentials": {}, "cloudflared_tunnel_name": "renamed"},
        "cloudflared_tunnel_credentials is empty and ~/.cloudflared/renamed-",
    )


def test_docker_stopped_fails_in_preflight_then_the_backend_recovers(host) -> None:
    before = file_state(host, *LIVE)
    host.check_output("systemctl stop docker.socket docker.service")
    try:
        run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
        assert run.rc != 0
        assert "The Docker engine is not reachable" in " ".join(run.output.split()), run.output
        assert file_state(host, *LIVE) == before
    finally:
        host.check_output("systemctl start docker.service")
    record_figure(host, "Docker stopped, then started (backend back)", wait_until_stable(host, HEALTHZ, 120))
