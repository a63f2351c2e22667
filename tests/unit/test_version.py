"""One version: galaxy.yml holds it, pyproject.toml takes it from there, the changelog agrees.

While changelog fragments wait in changelogs/fragments/, galaxy.yml's version is
the release they will go into, so it must be newer than every release in
changelogs/changelog.yaml, and a release summary must be among them. Once
`antsibull-changelog release` has run (fragments consumed), it must be the newest
release, and CHANGELOG.md must show it. The release workflow refuses a tag
whose version the changelog has not released (tests/unit/test_workflows.py).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
VERSION = str(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])


def pending_fragments() -> list[Path]:
    return sorted(p for p in (ROOT / "changelogs" / "fragments").glob("*") if p.suffix in {".yml", ".yaml"})


def test_pyproject_takes_its_version_from_galaxy_yml() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    source = pyproject["tool"]["hatch"]["version"]
    assert source["path"] == "galaxy.yml"
    # the pattern hatchling applies finds exactly the version YAML reads
    (found,) = [m.group("version") for m in re.finditer(source["pattern"], (ROOT / "galaxy.yml").read_text())]
    assert found == VERSION


def test_galaxy_version_is_the_next_release_or_the_newest_one() -> None:
    releases = sorted(
        (yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text()).get("releases") or {}), key=Version
    )
    fragments = pending_fragments()
    if fragments:
        assert not releases or Version(VERSION) > Version(releases[-1]), (
            f"fragments are waiting but galaxy.yml's {VERSION} is already released: bump galaxy.yml's version"
        )
        summaries = [p.name for p in fragments if "release_summary" in (yaml.safe_load(p.read_text()) or {})]
        assert len(summaries) == 1, f"one release summary fragment for {VERSION} expected, found {summaries}"
    else:
        assert releases, "no release and no fragment: nothing says what this version holds"
        assert releases[-1] == VERSION, f"galaxy.yml {VERSION} is not the newest release {releases[-1]}"
        shown = (ROOT / "CHANGELOG.md").read_text().replace("\\", "")  # the markdown escapes dots: v1\.0\.0
        assert re.search(rf"^#+ v{re.escape(VERSION)}$", shown, re.MULTILINE), f"CHANGELOG.md has no v{VERSION}"
