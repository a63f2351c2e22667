"""The image the kit builds, deployed by playbooks/site.yml: the same contract the stand-in is held to.

The image is image/Dockerfile over the sample backend (molecule/stand-ins/sample-backend),
built offline by molecule/harness/kit-image.sh. Here it runs under the collection's
hardening and its DEFAULT healthcheck, which the busybox stand-in cannot run.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest
import yaml
from twilight_harness import HEALTHZ, Account, docker_inspect, listening_addresses, wait_until

ROOT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))
SCENARIO_VARS = yaml.safe_load((ROOT / "molecule/image/vars/kit-image.yml").read_text())
VERSION = SCENARIO_VARS["twilight_backend_version"]
ROLE_DEFAULTS = yaml.safe_load((ROOT / "roles/twilight_backend/defaults/main.yml").read_text())
IMAGE = f"{ROLE_DEFAULTS['twilight_backend_image']}:{VERSION}"
CONTAINER = "twilight-backend"
UNIT = "twilight-backend.service"


@pytest.fixture
def container(host) -> dict:
    return docker_inspect(host, CONTAINER)


def in_container(host, code: str) -> str:
    """Run a python snippet inside the backend container (as its user), return its stdout."""
    return host.check_output(f"docker exec {CONTAINER} python -c {shlex.quote(code)}")


def test_nothing_here_overrides_the_roles_default_healthcheck() -> None:
    files = [ROOT / "molecule/image/vars/kit-image.yml", *sorted((ROOT / "molecule/image/group_vars").rglob("*.yml"))]
    assert [f for f in files if "twilight_backend_healthcheck_test" in (yaml.safe_load(f.read_text()) or {})] == []


def test_unit_active_and_enabled(host, account: Account) -> None:
    assert host.run(account.command(f"systemctl --user is-active {UNIT}")).stdout.strip() == "active"
    assert host.run(account.command(f"systemctl --user is-enabled {UNIT}")).stdout.strip() == "enabled"


def test_the_deployed_container_runs_the_kit_image(host, container: dict) -> None:
    assert container["Config"]["Image"] == IMAGE
    labels = container["Config"]["Labels"]
    assert labels["org.opencontainers.image.version"] == VERSION
    assert container["Config"]["Cmd"] == ["uvicorn", "service.main:app", "--host", "0.0.0.0", "--port", "8080"]


def test_healthz_and_version_answer_on_loopback(host) -> None:
    assert host.run(HEALTHZ).rc == 0
    assert host.check_output("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/healthz") == "200"
    assert host.check_output("curl -sf http://127.0.0.1:8081/version") == VERSION


def test_default_python_healthcheck_reports_healthy(host, container: dict) -> None:
    assert container["Config"]["Healthcheck"]["Test"] == ROLE_DEFAULTS["twilight_backend_healthcheck_test"]
    # the first check runs one interval (30 s) after the start
    wait_until(host, f"[ \"$(docker inspect -f '{{{{.State.Health.Status}}}}' {CONTAINER})\" = healthy ]", 75, 2)
    log = docker_inspect(host, CONTAINER)["State"]["Health"]["Log"]
    assert log and log[-1]["ExitCode"] == 0, log


def test_hardening_as_docker_applies_it(container: dict, account: Account) -> None:
    hc = container["HostConfig"]
    assert hc["ReadonlyRootfs"] is True
    assert hc["CapDrop"] == ["ALL"] and not hc["CapAdd"]
    assert "no-new-privileges:true" in hc["SecurityOpt"]
    assert hc["Privileged"] is False
    assert container["Config"]["User"] == f"{account.uid}:{account.gid}"
    assert hc["PortBindings"] == {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8081"}]}
    assert hc["Tmpfs"] == {"/tmp": ""}


def test_hardening_as_the_process_sees_it(host, account: Account) -> None:
    status = in_container(host, "print(open('/proc/1/status').read())")
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    assert fields["Uid"].split()[:2] == [str(account.uid)] * 2
    assert int(fields["CapEff"], 16) == 0 and int(fields["CapPrm"], 16) == 0
    assert fields["NoNewPrivs"].strip() == "1"
    # the sample refuses to start on a writable root; check the mount itself as well
    root = in_container(host, "print([l.split()[5] for l in open('/proc/1/mountinfo') if l.split()[4] == '/'][0])")
    assert "ro" in root.split(",")


def test_writes_land_only_in_data_and_tmp(host, account: Account) -> None:
    started = host.file(f"{account.home}/twilight/data/sample-backend.started")
    assert started.exists and started.user == account.name
    assert started.content_string.strip() == f"{VERSION} uid={account.uid}"
    probe = "import pathlib\nfor p in ('/app/x', '/x', '/tmp/x', '/data/x'):\n"
    probe += "    try:\n        pathlib.Path(p).touch(); print(p, 'ok'); pathlib.Path(p).unlink()\n"
    probe += "    except OSError as e:\n        print(p, e.errno)\n"
    results = dict(line.split() for line in in_container(host, probe).splitlines())
    assert results == {"/app/x": "30", "/x": "30", "/tmp/x": "ok", "/data/x": "ok"}  # 30: EROFS


def test_nothing_listens_publicly_on_the_backend_port(host) -> None:
    assert listening_addresses(host, 8081) == {"127.0.0.1"}
