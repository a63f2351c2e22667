"""The Galaxy artifact and the wheel carry one collection, and nothing secret.

Operators install either (`ansible-galaxy collection install` or `pip install`);
both must hold the same files, so that a role, a playbook or the starter
inventory is never in one and missing from the other. The only difference is
the metadata each format has: the Galaxy build writes MANIFEST.json and
FILES.json, the wheel keeps galaxy.yml (which Ansible reads for an installed
collection's version).
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import PurePosixPath

import pytest
from artifacts import ROOT

GALAXY_ONLY = {"MANIFEST.json", "FILES.json"}
WHEEL_ONLY = {"galaxy.yml"}
STARTER_INVENTORY = {
    "inventories/vultr/hosts.yml",
    "inventories/vultr/group_vars/twilight/connection.yml",
    "inventories/vultr/group_vars/twilight/vars.yml",
    "inventories/vultr/group_vars/twilight/vault.yml.example",
}
# Top-level paths of the checkout that are tooling, tests or the embedded demo:
# shipped files that Ansible reads must not point into them.
UNSHIPPED = (
    "molecule/",
    "tests/",
    "tools/",
    ".collections",
    "inventories/local",
    "ansible.cfg",
    "pyproject.toml",
)
SECRET_FILE_NAMES = (
    "vault.yml",
    "vault.yaml",
    "*.vault",
    "*vault-pass*",
    "*vault_pass*",
    ".env",
    ".env-*",
    "*.pem",
    "*.key",
)
SECRET_CONTENT = {
    "an ansible-vault file": re.compile(rb"^\$ANSIBLE_VAULT;", re.MULTILINE),
    "an inline vault value": re.compile(rb"!vault\s*\|"),
    "a private key": re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a filled-in tunnel secret": re.compile(rb"TunnelSecret[\"']?\s*:\s*[\"']?(?!<)[A-Za-z0-9+/]{20,}"),
}


def test_galaxy_artifact_and_wheel_carry_the_same_collection_files(
    galaxy_files: dict[str, bytes], wheel_files: dict[str, bytes]
) -> None:
    galaxy = set(galaxy_files) - GALAXY_ONLY
    wheel = set(wheel_files) - WHEEL_ONLY
    assert sorted(galaxy - wheel) == [], (
        "only in the Galaxy artifact: ship it in the wheel too (pyproject.toml only-include) "
        "or in neither (galaxy.yml build_ignore)"
    )
    assert sorted(wheel - galaxy) == [], "only in the wheel: ship it in the Galaxy artifact too, or in neither"
    assert set(galaxy_files) >= GALAXY_ONLY
    assert set(wheel_files) >= WHEEL_ONLY
    changed = sorted(n for n in galaxy & wheel if galaxy_files[n] != wheel_files[n])
    assert changed == [], "same path, different content"


def test_the_starter_inventory_ships_and_the_checkout_tooling_does_not(wheel_files: dict[str, bytes]) -> None:
    names = set(wheel_files)
    assert names >= STARTER_INVENTORY
    assert (ROOT / "playbooks" / "starter_inventory.yml").exists() and "playbooks/starter_inventory.yml" in names
    for tooling in ("ansible.cfg", "pyproject.toml", ".ansible-lint", ".yamllint", "plugins/.gitkeep"):
        assert tooling not in names
    assert not [n for n in names if n.startswith(("inventories/local/", "changelogs/fragments/"))]
    # the operator's documentation the roles' messages point to ships with them
    assert {"docs/security.md", "docs/rootless.md", "docs/host-prerequisites.md"} <= names


def test_dependency_files_ship_for_galaxy_and_execution_environments(wheel_files: dict[str, bytes]) -> None:
    assert "requirements.txt" in wheel_files
    assert b"python: requirements.txt" in wheel_files["meta/execution-environment.yml"]


@pytest.mark.parametrize("unshipped", UNSHIPPED)
def test_no_shipped_file_ansible_reads_points_at_an_unshipped_path(
    wheel_files: dict[str, bytes], unshipped: str
) -> None:
    # Markdown is the repository's documentation (rendered where the repository is) and galaxy.yml
    # describes the build itself (its build_ignore names what is left out): neither is read by a play.
    mention = re.compile(rb"(?<![\w./-])" + re.escape(unshipped.encode()))
    offenders = [
        n for n, data in wheel_files.items() if not n.endswith(".md") and n not in WHEEL_ONLY and mention.search(data)
    ]
    assert offenders == [], f"shipped files refer to {unshipped}, which is not shipped"


@pytest.mark.parametrize("artifact", ["galaxy", "wheel"])
def test_the_artifact_holds_no_vault_file_or_secret(
    artifact: str, galaxy_files: dict[str, bytes], wheel_files: dict[str, bytes]
) -> None:
    files = galaxy_files if artifact == "galaxy" else wheel_files
    named = [n for n in files if any(fnmatch(PurePosixPath(n).name, pattern) for pattern in SECRET_FILE_NAMES)]
    assert named == [], "files named like secrets"
    found = {n: what for n, data in files.items() for what, pattern in SECRET_CONTENT.items() if pattern.search(data)}
    assert found == {}


def test_the_secret_checks_recognise_what_the_test_fixtures_hold() -> None:
    """The patterns above catch the real thing: the test inventory's vault and its decrypted values' shapes."""
    vault = (ROOT / "molecule" / "shared" / "inventory" / "group_vars" / "twilight" / "vault.yml").read_bytes()
    assert SECRET_CONTENT["an ansible-vault file"].search(vault)
    assert SECRET_CONTENT["a filled-in tunnel secret"].search(b"  TunnelSecret: c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=\n")
    assert SECRET_CONTENT["a filled-in tunnel secret"].search(b'{"TunnelSecret": "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU="}')
    assert not SECRET_CONTENT["a filled-in tunnel secret"].search(b'  TunnelSecret: "<TunnelSecret>"\n')
    assert fnmatch("vault.yml", SECRET_FILE_NAMES[0]) and not any(
        fnmatch("vault.yml.example", p) for p in SECRET_FILE_NAMES
    )
