"""The collection builds as an Ansible artifact and installs as a Python package.

Both are what operators consume: `ansible-galaxy collection build` must leave
tests and the harness out; `pip install .` must put the collection where
Ansible finds it (site-packages/ansible_collections/lacatfly/twilight_drive).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "ansible_collections/lacatfly/twilight_drive/"


def run(*cmd: str | Path, cwd: Path = ROOT) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, ROOT)
    (whl,) = out.glob("*.whl")
    return whl


def test_galaxy_build_leaves_tests_and_harness_out(tmp_path: Path) -> None:
    run(Path(sys.executable).parent / "ansible-galaxy", "collection", "build", "--output-path", tmp_path, ROOT)
    (artifact,) = tmp_path.glob("lacatfly-twilight_drive-*.tar.gz")
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    assert "roles/linger/meta/argument_specs.yml" in names
    assert "plugins/filter" in {str(Path(n).parent) for n in names} or "plugins" in names
    unwanted = [
        n
        for n in names
        if n.split("/")[0] in {"molecule", "tests", ".github", ".ci", ".collections", "tools", "image"}
        or "__pycache__" in n
        or n.endswith(".pyc")
    ]
    assert unwanted == []


def test_wheel_places_the_collection_under_ansible_collections(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert PREFIX + "galaxy.yml" in names
    assert PREFIX + "meta/runtime.yml" in names
    assert PREFIX + "roles/linger/meta/argument_specs.yml" in names
    assert not [n for n in names if "/molecule/" in n or "/tests/" in n]


def test_fresh_venv_pip_install_then_ansible_doc_reads_the_role(tmp_path: Path, wheel: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    run(env_dir / "bin" / "pip", "install", "-q", "--disable-pip-version-check", wheel)
    # run outside the repository so its ansible.cfg and in-place symlink are not used
    out = run(env_dir / "bin" / "ansible-doc", "-t", "role", "lacatfly.twilight_drive.linger", cwd=tmp_path)
    assert "linger_users" in out
    # read from the venv's site-packages, not from a checkout
    assert f"{env_dir}/lib/python3" in out and "site-packages/ansible_collections/lacatfly/twilight_drive" in out
