"""The unit tests import this checkout by its collection path, never an installed copy of the collection.

pyproject.toml's pytest `pythonpath` puts .collections/ first (its ansible_collections/lacatfly/twilight_drive
is a symlink to this checkout, made by tools/venv.sh). `ansible_collections` is a namespace package, so a copy
of this collection installed in site-packages (`pip install .`) would merge with the checkout: modules deleted
here would still import from there. tools/venv.sh therefore installs only the dependencies.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = "ansible_collections.lacatfly.twilight_drive"
PLUGINS = sorted((ROOT / "plugins").rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join([COLLECTION, *path.relative_to(ROOT).with_suffix("").parts])


def test_the_collection_package_is_this_checkout_alone() -> None:
    namespace = importlib.import_module("ansible_collections.lacatfly")
    copies = [Path(p) / "twilight_drive" for p in namespace.__path__ if (Path(p) / "twilight_drive").is_dir()]
    assert [copy.resolve() for copy in copies] == [ROOT], f"more than this checkout is importable: {copies}"
    collection = importlib.import_module(COLLECTION)
    assert [Path(p).resolve() for p in collection.__path__] == [ROOT]


@pytest.mark.parametrize("path", PLUGINS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_plugin_imports_from_this_checkout(path: Path) -> None:
    module = importlib.import_module(module_name(path))
    assert module.__file__ is not None
    assert Path(module.__file__).resolve() == path
