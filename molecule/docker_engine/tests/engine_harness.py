"""Helpers of the docker_engine scenario's tests.

The instance's only package sources are served by harness-apt.service on
127.0.0.1:8090 (molecule/harness/fresh/): a Debian subset and Docker's
repository layout holding stand-in packages (molecule/stand-ins/docker-packages/)
in two versions, signed by the "docker" test key, plus a copy signed by the
"rogue" test key. converge pinned the older version.

The test files run in the order of their numbers: read-only checks of the
converged hosts first, then runs apt must refuse (which leave the hosts as
they were), then the runs that change pins and source. testinfra runs all
tests of a file on one host, then all on the next, so a run against both
hosts at once (run_once) is made by the first host's test and only read by
the second's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from twilight_harness import PlaybookRun, instance_name, run_playbook, scenario_dir

KEYRING = "/etc/apt/keyrings/docker.asc"
SOURCES = "/etc/apt/sources.list.d/docker.sources"
PREFERENCES = "/etc/apt/preferences.d/docker-engine.pref"
REPO = "http://127.0.0.1:8090/docker/linux/debian"
ROGUE_REPO = "http://127.0.0.1:8090/docker-rogue/linux/debian"
ENGINE = ("docker-ce", "docker-ce-cli", "docker-ce-rootless-extras")
COMPOSE_PLUGIN = "/usr/libexec/docker/cli-plugins/docker-compose"
CONVERGE = scenario_dir() / "converge.yml"
PREFLIGHT = scenario_dir() / "backend-preflight.yml"

_runs: dict[str, PlaybookRun] = {}


def run_once(name: str, playbook: Path, extra_vars: dict) -> PlaybookRun:
    """A run against both instances, made once per test session under this name."""
    if name not in _runs:
        _runs[name] = run_playbook(playbook, extra_vars=extra_vars)
    return _runs[name]


def first_inventory_host() -> list[str]:
    """testinfra_hosts for checks one instance is enough for: the first the run has (CI runs one platform)."""
    inventory = yaml.safe_load(Path(os.environ["MOLECULE_INVENTORY_FILE"]).read_text())
    return [f"ansible://{sorted(inventory['all']['hosts'])[0]}"]


def keys(host) -> Path:
    """The public test keys prepare.yml fetched from this instance (what the operator gives the role)."""
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "keys" / instance_name(host)


def debian(host) -> tuple[str, str]:
    """(major version, codename) of the instance."""
    return host.system_info.release.split(".")[0], host.system_info.codename


def standin(host, version: str, *, epoch: bool) -> str:
    """A stand-in package version in Docker's scheme, e.g. 5:0.1~standin-1~debian.12~bookworm."""
    major, codename = debian(host)
    return f"{'5:' if epoch else ''}{version}~standin-1~debian.{major}~{codename}"


def installed(host, *packages: str) -> dict[str, str]:
    """The installed ones of `packages`, with their versions."""
    out = host.run(
        "dpkg-query -W -f '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n'" + " %s" * len(packages), *packages
    )
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    return {name: version for name, version, status in rows if status.startswith("ii")}


def failure_of(run: PlaybookRun, host) -> str:
    """The message that ended the run for `host`: its last `fatal: [host]` block (rescued ones come first), one line."""
    lines = run.output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"fatal: [{instance_name(host)}]")]
    assert starts, f"no failure of {instance_name(host)}:\n{run.output[-3000:]}"
    block = [lines[starts[-1]]]
    for line in lines[starts[-1] + 1 :]:
        if not line.startswith(" "):
            break
        block.append(line)
    return " ".join(" ".join(block).split())


def compose_version(host) -> tuple[int, ...]:
    short = host.check_output("docker compose version --short").lstrip("v")
    return tuple(int(part) for part in re.findall(r"\d+", short)[:3])


def assert_repository_as_converged(host) -> None:
    """The key and source converge left: the "docker" test key, pinned by its fingerprint; nothing else."""
    fingerprint = (keys(host) / "docker.fpr").read_text().strip()
    lines = [line for line in host.file(SOURCES).content_string.splitlines() if line and not line.startswith("#")]
    assert lines == [
        "Types: deb",
        f"URIs: {REPO}",
        f"Suites: {debian(host)[1]}",
        "Components: stable",
        "Architectures: amd64",
        f"Signed-By: {KEYRING} {fingerprint}",
    ]
    assert host.file(KEYRING).content_string == (keys(host) / "docker.asc").read_text()
    for path in (SOURCES, KEYRING):
        f = host.file(path)
        assert (f.user, f.group, f.mode) == ("root", "root", 0o644), path
    # no backups left where apt reads (apt would note each one on every update)
    assert sorted(host.file("/etc/apt/sources.list.d").listdir()) == ["debian.sources", "docker.sources"]
    assert host.file("/etc/apt/keyrings").listdir() == ["docker.asc"]
