"""An operator's commands work from the installed wheel alone, in a fresh venv, outside any checkout.

`pip install lacatfly_twilight_drive-*.whl` brings ansible-core and the
collection's Python dependencies; then the operator guide's commands run from
the installed collection: write the starter inventory (never over an existing
one), syntax-check the site playbook against it, read a role's documentation.
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest
from artifacts import clean_env, run


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """bin/ of a fresh venv holding only the wheel and its dependencies."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(env_dir, with_pip=True)
    run(env_dir / "bin" / "pip", "install", "-q", "--disable-pip-version-check", wheel, env=clean_env())
    return env_dir / "bin"


@pytest.fixture
def operator_dir(tmp_path: Path) -> Path:
    """A working directory with no ansible.cfg, and collections only from site-packages."""
    (tmp_path / "empty-collections").mkdir()
    return tmp_path


def operator_env(operator_dir: Path) -> dict[str, str]:
    return clean_env(
        ANSIBLE_COLLECTIONS_PATH=str(operator_dir / "empty-collections"),
        ANSIBLE_LOCAL_TEMP=str(operator_dir / ".ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
    )


def ansible(installed: Path, operator_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed / args[0]), *args[1:]],
        cwd=operator_dir,
        env=operator_env(operator_dir),
        capture_output=True,
        text=True,
        check=False,
    )


def test_ansible_doc_reads_a_role_from_site_packages(installed: Path, operator_dir: Path) -> None:
    proc = ansible(installed, operator_dir, "ansible-doc", "-t", "role", "lacatfly.twilight_drive.linger")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "linger_users" in proc.stdout
    assert f"{installed.parent}/lib/python3" in proc.stdout
    assert "site-packages/ansible_collections/lacatfly/twilight_drive" in proc.stdout


def test_starter_inventory_then_site_syntax_check(installed: Path, operator_dir: Path) -> None:
    proc = ansible(
        installed,
        operator_dir,
        "ansible-playbook",
        "lacatfly.twilight_drive.starter_inventory",
        "-e",
        "starter_inventory_dest=inventories/prod",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    inventory = operator_dir / "inventories" / "prod"
    written = sorted(str(p.relative_to(inventory)) for p in inventory.rglob("*") if p.is_file())
    assert written == ["group_vars/twilight/vars.yml", "group_vars/twilight/vault.yml.example", "hosts.yml"]
    assert oct(inventory.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in inventory.rglob("*") if p.is_file())
    assert f"ansible-playbook lacatfly.twilight_drive.site -i {inventory}" in " ".join(proc.stdout.split())

    proc = ansible(
        installed,
        operator_dir,
        "ansible-playbook",
        "lacatfly.twilight_drive.site",
        "-i",
        "inventories/prod",
        "--syntax-check",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        "playbook: " in proc.stdout
        and "site-packages/ansible_collections/lacatfly/twilight_drive/playbooks/site.yml" in proc.stdout
    )

    proc = ansible(installed, operator_dir, "ansible-inventory", "-i", "inventories/prod", "--list", "--yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "twilight-vultr-1" in proc.stdout


def test_starter_inventory_never_overwrites(installed: Path, operator_dir: Path) -> None:
    existing = operator_dir / "inventories" / "prod"
    existing.mkdir(parents=True)
    (existing / "hosts.yml").write_text("mine\n")
    proc = ansible(
        installed,
        operator_dir,
        "ansible-playbook",
        "lacatfly.twilight_drive.starter_inventory",
        "-e",
        "starter_inventory_dest=inventories/prod",
    )
    assert proc.returncode != 0
    assert f"{existing} exists: nothing was written" in " ".join(proc.stdout.split())
    assert [p.name for p in existing.iterdir()] == ["hosts.yml"] and (existing / "hosts.yml").read_text() == "mine\n"


def test_starter_inventory_needs_a_destination(installed: Path, operator_dir: Path) -> None:
    proc = ansible(installed, operator_dir, "ansible-playbook", "lacatfly.twilight_drive.starter_inventory")
    assert proc.returncode != 0
    assert "-e starter_inventory_dest=" in proc.stdout
    assert [p.name for p in operator_dir.iterdir() if p.name != ".ansible-tmp"] == ["empty-collections"]
