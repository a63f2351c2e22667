"""Every plugin's documentation is what ansible-doc can show: each text a string.

A plain YAML scalar with ": " in it becomes a mapping, which ansible-doc refuses for the whole plugin
("expected string or bytes-like object"), and the plugin's page is gone.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p for p in (ROOT / "plugins").glob("*/*.py") if p.parent.name in ("modules", "filter", "lookup"))
TEXT_KEYS = ("description", "short_description", "notes")


def texts(node: object, where: str = ""):
    """(where, value) of every documentation text below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS:
                for item in value if isinstance(value, list) else [value]:
                    yield f"{where}.{key}", item
            yield from texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, f"{where}[{index}]")


@pytest.mark.parametrize("path", PLUGINS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_documentation_text_is_a_string(path: Path) -> None:
    module = importlib.import_module(
        ".".join(["ansible_collections.lacatfly.twilight_drive", *path.relative_to(ROOT).with_suffix("").parts])
    )
    for block in ("DOCUMENTATION", "RETURN"):
        doc = yaml.safe_load(getattr(module, block, "") or "{}")
        bad = [where for where, value in texts(doc) if not isinstance(value, str)]
        assert bad == [], f"{path.name} {block}: not text (a ': ' in a plain scalar?): {bad}"
