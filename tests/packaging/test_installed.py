"""An operator's commands work from an installed collection alone, outside any checkout.

Both ways of installing are covered, each in a directory with no ansible.cfg:
- the wheel, `pip install`ed into a fresh venv (which brings ansible-core and the
  collection's Python dependencies from the index);
- the Galaxy artifact, `ansible-galaxy collection install`ed into an empty
  collections path (run by this test environment's ansible-core, which does
  not look into its own site-packages for collections here).
Then the operator guide's commands run from the installed collection: write the
starter inventory (never over an existing one), syntax-check the site playbook
against it, read a role's documentation.
"""

from __future__ import annotations

import json
import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest
from artifacts import BIN, clean_env, run


@dataclass(frozen=True)
class Installed:
    bin: Path  # where ansible-playbook and ansible-doc are
    env: dict[str, str]
    collection: Path  # where the installed collection is

    def __call__(self, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]], cwd=cwd, env=self.env, capture_output=True, text=True, check=False
        )


@pytest.fixture(scope="module", params=["wheel", "galaxy"])
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    home = tmp_path_factory.mktemp(request.param)
    common = {"ANSIBLE_LOCAL_TEMP": str(home / ".ansible-tmp"), "ANSIBLE_NOCOLOR": "1", "HOME": str(home)}
    if request.param == "wheel":
        env_dir = home / "venv"
        venv.create(env_dir, with_pip=True)
        run(env_dir / "bin" / "pip", "install", "-q", "--disable-pip-version-check", request.getfixturevalue("wheel"))
        (site,) = env_dir.glob("lib/python3*/site-packages")
        (home / "empty").mkdir()
        env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(home / "empty"), **common)
        return Installed(env_dir / "bin", env, site / "ansible_collections/lacatfly/twilight_drive")
    collections = home / "collections"
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", **common)
    artifact = request.getfixturevalue("galaxy_artifact")
    run(BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, artifact, cwd=home, env=env)
    return Installed(BIN, env, collections / "ansible_collections/lacatfly/twilight_drive")


@pytest.fixture
def operator_dir(tmp_path: Path) -> Path:
    return tmp_path


def test_ansible_doc_reads_a_role_from_the_installed_collection(installed: Installed, operator_dir: Path) -> None:
    proc = installed(operator_dir, "ansible-doc", "-t", "role", "lacatfly.twilight_drive.linger")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "linger_users" in proc.stdout
    assert str(installed.collection) in proc.stdout


def test_starter_inventory_then_site_syntax_check(installed: Installed, operator_dir: Path) -> None:
    proc = installed(
        operator_dir,
        "ansible-playbook",
        "lacatfly.twilight_drive.starter_inventory",
        "-e",
        "starter_inventory_dest=inventories/prod",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    inventory = operator_dir / "inventories" / "prod"
    written = sorted(str(p.relative_to(inventory)) for p in inventory.rglob("*") if p.is_file())
    assert written == [
        "group_vars/twilight/connection.yml",
        "group_vars/twilight/vars.yml",
        "group_vars/twilight/vault.yml.example",
        "hosts.yml",
    ]
    for name in written:
        assert (inventory / name).read_bytes() == (installed.collection / "inventories/vultr" / name).read_bytes()
    assert oct(inventory.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in inventory.rglob("*") if p.is_file())
    assert f"ansible-playbook lacatfly.twilight_drive.site -i {inventory}" in " ".join(proc.stdout.split())

    args = ("ansible-playbook", "lacatfly.twilight_drive.site", "-i", "inventories/prod", "--syntax-check")
    proc = installed(operator_dir, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"playbook: {installed.collection}/playbooks/site.yml" in proc.stdout

    proc = installed(operator_dir, "ansible-inventory", "-i", "inventories/prod", "--graph")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "@twilight:" in proc.stdout and "twilight-vultr-1" in proc.stdout

    # the collection's one connection requirement travels with the inventory (no ansible.cfg here)
    proc = installed(operator_dir, "ansible-inventory", "-i", "inventories/prod", "--host", "twilight-vultr-1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["ansible_pipelining"] is True


def test_starter_inventory_never_overwrites(installed: Installed, operator_dir: Path) -> None:
    existing = operator_dir / "inventories" / "prod"
    existing.mkdir(parents=True)
    (existing / "hosts.yml").write_text("mine\n")
    args = (
        "ansible-playbook",
        "lacatfly.twilight_drive.starter_inventory",
        "-e",
        "starter_inventory_dest=inventories/prod",
    )
    proc = installed(operator_dir, *args)
    assert proc.returncode != 0
    assert f"{existing} exists: nothing was written" in " ".join(proc.stdout.split())
    assert [p.name for p in existing.iterdir()] == ["hosts.yml"]
    assert (existing / "hosts.yml").read_text() == "mine\n"


def test_starter_inventory_needs_a_destination(installed: Installed, operator_dir: Path) -> None:
    proc = installed(operator_dir, "ansible-playbook", "lacatfly.twilight_drive.starter_inventory")
    assert proc.returncode != 0
    assert "-e starter_inventory_dest=" in proc.stdout
    assert list(operator_dir.iterdir()) == []
