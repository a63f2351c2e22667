"""Building with the kit, on this machine (no instance needed): offline, hash-checked, clear failures.

Every build runs through molecule/harness/kit-image.sh: a context laid out like the
backend repository (the sample backend + deploy/Dockerfile), BuildKit,
`--network none`, and the python:3.11-slim stand-in whose /wheels the harness filled
from PyPI. These tests use no `host` fixture, so they run once per verify.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))
KIT = ROOT / "molecule/harness/kit-image.sh"
ROLE_DEFAULTS = yaml.safe_load((ROOT / "roles/twilight_backend/defaults/main.yml").read_text())
VERSION = yaml.safe_load((ROOT / "molecule/image/vars/kit-image.yml").read_text())["twilight_backend_version"]
IMAGE = f"{ROLE_DEFAULTS['twilight_backend_image']}:{VERSION}"


def run(*cmd: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False, timeout=600)
    if check:
        assert proc.returncode == 0, f"{cmd}:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture
def context(tmp_path: Path) -> Path:
    """A fresh build context shaped like the backend repository."""
    run(KIT, "context", tmp_path / "repo")
    return tmp_path / "repo"


@pytest.fixture
def tag() -> Iterator[str]:
    """A throwaway tag for one build, removed afterwards (only images this test made)."""
    name = f"twilight-kit-test:{uuid.uuid4().hex[:12]}"
    yield name
    run("docker", "image", "rm", "-f", name, check=False)


def build(context: Path, tag: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Build every step anew (a cached step would print nothing)."""
    return run(KIT, "build", context, "-t", tag, "--no-cache", *args, check=False)


def printed(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """What the build's steps printed (BuildKit's plain progress: `#N 0.123 text`), not the echoed commands."""
    return re.findall(r"^#\d+ \d+\.\d+ (.*)$", proc.stdout + proc.stderr, re.MULTILINE)


def image_config(name: str) -> dict:
    return json.loads(run("docker", "image", "inspect", name).stdout)[0]["Config"]


def test_sample_builds_from_nothing_with_no_network(context: Path, tag: str) -> None:
    # a developer's local environment in core/ must stay out of the image (.dockerignore)
    (context / "core/.venv/lib").mkdir(parents=True)
    (context / "core/.venv/lib/marker").write_text("local venv\n")
    proc = build(context, tag, "--build-arg", "VERSION=9.9.9")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = printed(proc)
    assert [line for line in lines if re.match(r"Installed \d+ packages", line)], lines
    assert not [line for line in lines if "WARNING" in line]
    assert image_config(tag)["Labels"]["org.opencontainers.image.version"] == "9.9.9"
    listing = run("docker", "run", "--rm", "--network", "none", tag, "ls", "-A", "/app/core").stdout.split()
    assert ".venv" not in listing and {"pyproject.toml", "uv.lock"} <= set(listing), listing


def test_build_without_src_fails_with_a_clear_message(context: Path, tag: str) -> None:
    subprocess.run(["rm", "-rf", str(context / "src")], check=True)
    proc = build(context, tag)
    assert proc.returncode != 0
    assert [line for line in printed(proc) if line.startswith("deploy/Dockerfile:")] == [
        "deploy/Dockerfile: src/service/main.py is missing from the build context. Build from the root of the "
        "backend repository once the service exists (the release workflow skips the image until then)."
    ]


def test_a_wheel_that_does_not_match_the_lock_is_refused(context: Path, tag: str) -> None:
    lock = context / "core/uv.lock"
    text = lock.read_text()
    # the hash of the click wheel the wheelhouse holds, changed in the lock
    (good,) = re.findall(r"click-[^\"]+\.whl\", hash = \"sha256:([0-9a-f]{64})\"", text)
    lock.write_text(text.replace(good, "0" * 64))
    proc = build(context, tag)
    assert proc.returncode != 0
    assert "Hash mismatch for `click==" in proc.stdout + proc.stderr


def test_without_a_lock_the_build_warns_and_installs_unlocked(context: Path, tag: str) -> None:
    (context / "core/uv.lock").unlink()
    proc = build(context, tag)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [line for line in printed(proc) if line.startswith("WARNING deploy/Dockerfile: core/uv.lock not found")]
    assert run("docker", "run", "--rm", tag, "python", "-c", "import uvicorn; print(uvicorn.__version__)").stdout


def test_the_kit_image_config_keeps_the_contract() -> None:
    config = image_config(IMAGE)
    assert config["User"] == "10001:10001"
    assert config["ExposedPorts"] == {"8080/tcp": {}}
    assert config["Cmd"] == ["uvicorn", "service.main:app", "--host", "0.0.0.0", "--port", "8080"]
    health = config["Healthcheck"]
    assert health["Test"] == ROLE_DEFAULTS["twilight_backend_healthcheck_test"]
    assert (health["Interval"], health["Timeout"]) == (30 * 10**9, 5 * 10**9)


def test_the_image_user_has_no_home_and_owns_app() -> None:
    out = run(
        "docker", "run", "--rm", "--read-only", "--cap-drop", "ALL", "--network", "none", IMAGE,
        "sh", "-c", "id -u; id -g; getent passwd 10001 | cut -d: -f6; test -e /nonexistent || echo no-home; "
        "stat -c '%u:%g' /app /data",
    ).stdout.split()  # fmt: skip
    assert out == ["10001", "10001", "/nonexistent", "no-home", "10001:10001", "10001:10001"]


def test_the_image_stops_cleanly_on_sigterm() -> None:
    """PID 1 handles SIGTERM: `docker stop` ends it with exit code 0, not Docker's SIGKILL (137) 10 s later."""
    cid = run(
        "docker", "run", "-d", "--read-only", "--tmpfs", "/tmp", "--tmpfs", "/data:uid=10001,gid=10001",
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", "--network", "none", IMAGE,
    ).stdout.strip()  # fmt: skip
    try:
        run(
            "timeout",
            "30",
            "sh",
            "-c",
            f"until docker logs {cid} 2>&1 | grep -q 'startup complete'; do sleep 0.2; done",
        )
        run("docker", "stop", "-t", "10", cid)
        state = json.loads(run("docker", "inspect", cid).stdout)[0]["State"]
        assert (state["ExitCode"], state["OOMKilled"]) == (0, False), state
        assert "Application shutdown complete." in run("docker", "logs", cid).stderr
    finally:
        run("docker", "rm", "-f", cid, check=False)
