"""Every role's meta/argument_specs.yml agrees with its defaults/main.yml and its README.

dev-sec's hardening collection shows what happens without these checks: specs
and defaults drift apart and the generated docs are wrong.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent.name for p in ROOT.glob("roles/*/meta/argument_specs.yml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def options(role: str) -> dict[str, dict]:
    """All options of all entry points; an option in several must be specified the same way."""
    merged: dict[str, dict] = {}
    for entry in load(ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"].values():
        for name, spec in entry.get("options", {}).items():
            assert merged.setdefault(name, spec) == spec, f"{role}: {name} differs between entry points"
    return merged


@pytest.mark.parametrize("role", ROLES)
def test_every_default_has_a_spec_with_the_same_value(role: str) -> None:
    defaults = load(ROOT / "roles" / role / "defaults" / "main.yml")
    specs = options(role)
    assert sorted(defaults) == sorted(k for k, v in specs.items() if "default" in v), (
        f"{role}: keys of defaults/main.yml and the options with a default in argument_specs differ"
    )
    for name, value in defaults.items():
        assert specs[name]["default"] == value, f"{role}: default of {name} differs between specs and defaults"


@pytest.mark.parametrize("role", ROLES)
def test_every_option_is_typed_described_and_prefixed(role: str) -> None:
    for name, spec in options(role).items():
        assert name.startswith(f"{role}_"), f"{role}: public variable {name} lacks the role prefix"
        assert spec.get("description"), f"{role}: {name} has no description"
        assert spec.get("type"), f"{role}: {name} has no type"
        if spec["type"] == "list":
            assert spec.get("elements"), f"{role}: list {name} has no elements type"


def test_role_readmes_match_the_specs() -> None:
    proc = subprocess.run(
        [sys.executable, ROOT / "tools" / "role_docs.py", "--check"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_roles_are_all_there() -> None:
    assert {"linger", "twilight_backend", "cloudflared_tunnel", "internal_user_unit", "docker_engine"} <= set(ROLES)
