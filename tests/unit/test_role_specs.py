"""Every role's meta/argument_specs.yml agrees with its defaults/main.yml.

dev-sec's hardening collection shows what happens without this check: specs
and defaults drift apart and the generated docs are wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent.name for p in ROOT.glob("roles/*/meta/argument_specs.yml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


@pytest.mark.parametrize("role", ROLES)
def test_every_default_has_a_spec_and_the_same_value(role: str) -> None:
    defaults = load(ROOT / "roles" / role / "defaults" / "main.yml")
    options = load(ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(defaults) == sorted(k for k, v in options.items() if "default" in v), (
        "keys of defaults/main.yml and the options with a default in argument_specs differ"
    )
    for name, value in defaults.items():
        assert options[name]["default"] == value, f"{role}: default of {name} differs between specs and defaults"


@pytest.mark.parametrize("role", ROLES)
def test_every_option_is_described_and_prefixed(role: str) -> None:
    options = load(ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    for name, spec in options.items():
        assert name.startswith(f"{role}_"), f"{role}: public variable {name} lacks the role prefix"
        assert spec.get("description"), f"{role}: {name} has no description"
        assert spec.get("type"), f"{role}: {name} has no type"
        if spec["type"] == "list":
            assert spec.get("elements"), f"{role}: list {name} has no elements type"


def test_there_are_roles() -> None:
    assert {"linger"} <= set(ROLES)
