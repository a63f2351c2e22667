"""The collection builds as an Ansible artifact and installs as a Python package.

Both are what operators consume: `ansible-galaxy collection build` must leave
tests and the harness out; `pip install .` must put the collection where
Ansible finds it (site-packages/ansible_collections/lacatfly/twilight_drive).
What the two carry, and what an installed collection can do, is in
test_artifacts.py and test_installed.py.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from artifacts import ROOT


def test_galaxy_build_leaves_tests_and_harness_out(galaxy_files: dict[str, bytes]) -> None:
    names = list(galaxy_files)
    assert "roles/linger/meta/argument_specs.yml" in names
    assert any(n.startswith("plugins/filter/") for n in names)
    unwanted = [
        n
        for n in names
        if n.split("/")[0] in {"molecule", "tests", ".github", ".ci", ".collections", "tools", "image"}
        or "__pycache__" in n
        or n.endswith(".pyc")
    ]
    assert unwanted == []


def test_wheel_places_the_collection_under_ansible_collections(wheel_files: dict[str, bytes]) -> None:
    names = list(wheel_files)
    assert "galaxy.yml" in names
    assert "meta/runtime.yml" in names
    assert "roles/linger/meta/argument_specs.yml" in names
    assert not [n for n in names if n.startswith(("molecule/", "tests/"))]


def test_both_artifacts_carry_the_version_of_galaxy_yml(galaxy_artifact: Path, wheel: Path) -> None:
    version = str(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])
    assert galaxy_artifact.name == f"lacatfly-twilight_drive-{version}.tar.gz"
    assert wheel.name == f"lacatfly_twilight_drive-{version}-py3-none-any.whl"
