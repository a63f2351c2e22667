"""The GitHub Actions workflows are valid and agree with the repository.

Both files are checked against the GitHub workflow JSON schema that
check-jsonschema vendors (offline). Beyond the schema: the CI Molecule matrix
covers every scenario directory and exactly the platforms of
.config/molecule/config.yml, permissions are least-privilege, and the release
workflow's tag check accepts the current version and refuses any other.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
RELEASE = WORKFLOWS / "release.yml"
PLATFORMS = ["debian12", "debian13"]
LINT_COMMANDS = [
    "yamllint --strict .",
    "ansible-lint",
    "ruff check .",
    "ruff format --check .",
    "antsibull-changelog lint",
]
SCENARIOS = sorted(p.parent.name for p in ROOT.glob("molecule/*/molecule.yml"))


def load_workflow(path: Path) -> dict[str, Any]:
    """Parse a workflow; PyYAML (YAML 1.1) reads the key `on` as True, so put it back under "on"."""
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path}: not a mapping"
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def console_script(name: str) -> str:
    """A tool of the running environment (next to the interpreter), else the one on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    assert found, f"{name} is neither at {candidate} nor on PATH (pip install .[test])"
    return found


def check_jsonschema() -> str:
    return console_script("check-jsonschema")


def schema_complaint(schema: str, path: Path) -> str:
    """What check-jsonschema says against `path` with one of its built-in schemas ('' when it passes)."""
    proc = subprocess.run(
        [check_jsonschema(), "--builtin-schema", schema, str(path)], capture_output=True, text=True, check=False
    )
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


@pytest.mark.parametrize("path", [CI, RELEASE], ids=lambda p: p.name)
def test_workflow_matches_the_github_schema(path: Path) -> None:
    assert schema_complaint("vendor.github-workflows", path) == ""


@pytest.mark.parametrize("path", [CI, RELEASE], ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_actions_are_pinned_by_major_tag(path: Path) -> None:
    workflow = load_workflow(path)
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name}: job {name} has no timeout-minutes"
    for step in steps(workflow):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), f"{path.name}: unpinned action {step['uses']}"


def test_ci_triggers_on_main_pull_requests_and_by_hand() -> None:
    on = load_workflow(CI)["on"]
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on
    assert "workflow_dispatch" in on


def test_ci_permissions_are_read_only() -> None:
    workflow = load_workflow(CI)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        assert all(v in {"read", "none"} for v in granted.values()), f"ci.yml: job {name} grants {granted}"


def test_ci_cancels_superseded_runs() -> None:
    concurrency = load_workflow(CI)["concurrency"]
    assert concurrency["cancel-in-progress"] is True
    assert "github.ref" in concurrency["group"]


def test_ci_runs_the_whole_lint_suite() -> None:
    lint = [s.get("run", "") for s in load_workflow(CI)["jobs"]["lint"]["steps"]]
    for command in LINT_COMMANDS:
        assert command in lint, f"ci.yml lint job does not run {command!r}"
    unit = " ; ".join(s.get("run", "") for s in load_workflow(CI)["jobs"]["unit"]["steps"])
    assert "pytest tests" in unit


def test_molecule_matrix_covers_every_scenario_directory() -> None:
    """Every scenario runs in CI: per platform in the matrix, or (several hosts at once) whole in a job of its own."""
    jobs = load_workflow(CI)["jobs"]
    molecule = jobs["molecule"]
    assert SCENARIOS, "no molecule/*/molecule.yml found"
    whole = {
        m[1]
        for job in jobs.values()
        for step in job.get("steps", [])
        if (m := re.fullmatch(r"molecule test -s (\w+)", step.get("run", "")))
    }
    assert not whole & set(molecule["strategy"]["matrix"]["scenario"]), "a scenario runs both whole and per platform"
    missing = sorted(set(SCENARIOS) - set(molecule["strategy"]["matrix"]["scenario"]) - whole)
    assert missing == [], f"scenarios missing from ci.yml's molecule matrix: {missing}"
    assert molecule["strategy"]["fail-fast"] is False
    assert sorted(molecule["needs"]) == ["lint", "unit"]


def test_molecule_matrix_platforms_match_the_molecule_config_and_the_harness() -> None:
    molecule = load_workflow(CI)["jobs"]["molecule"]
    assert molecule["strategy"]["matrix"]["platform"] == PLATFORMS
    config = yaml.safe_load((ROOT / ".config" / "molecule" / "config.yml").read_text())
    assert [p["name"] for p in config["platforms"]] == [
        f"td-${{MOLECULE_SCENARIO_NAME}}-{p}${{TD_INSTANCE_SUFFIX}}" for p in PLATFORMS
    ]
    prepare = (ROOT / "molecule" / "harness" / "prepare.sh").read_text()
    for platform in PLATFORMS:
        assert re.search(rf"^\s*{platform}\)", prepare, re.MULTILINE), f"prepare.sh cannot build {platform}"
    commands = [s.get("run", "") for s in molecule["steps"]]
    assert "molecule/harness/prepare.sh ${{ matrix.platform }}" in commands
    assert (
        "molecule test -s ${{ matrix.scenario }} --platform-name td-${{ matrix.scenario }}-${{ matrix.platform }}"
        in commands
    )


def test_molecule_runs_the_site_scenario_on_every_tested_line_on_both_platforms() -> None:
    matrix = load_workflow(CI)["jobs"]["molecule"]["strategy"]["matrix"]
    combos = {(s, p, str(c)) for s in matrix["scenario"] for p in matrix["platform"] for c in matrix["core"]}
    combos |= {(e["scenario"], e["platform"], str(e["core"])) for e in matrix["include"]}
    lines = {
        str(e["core"])
        for job in ("unit", "ansible-test")
        for e in load_workflow(CI)["jobs"][job]["strategy"]["matrix"]["include"]
    }
    assert lines == {combo[2] for combo in combos}
    for line in lines:
        assert {p for s, p, c in combos if s == "site" and c == line} == set(PLATFORMS), f"site on {line}"


@pytest.mark.parametrize("job", ["unit", "ansible-test", "molecule"])
def test_each_line_runs_on_a_python_it_supports_and_installs_that_line(job: str) -> None:
    workflow = load_workflow(CI)["jobs"][job]
    matrix = workflow["strategy"]["matrix"]
    entries = (
        matrix["include"]
        if "core" not in matrix
        else [*matrix["include"], {"core": matrix["core"][0], "python": matrix["python"][0]}]
    )
    for entry in entries:
        assert {"2.19": "3.11", "2.21": "3.13"}[str(entry["core"])] == entry["python"]
    (setup,) = [s for s in workflow["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    install = " ; ".join(s.get("run", "") for s in workflow["steps"])
    assert ". tools/venv.sh" in install  # the tooling as tools/test has it (the checkout as the collection)
    assert "'ansible-core==${{ matrix.core }}.*'" in install


def test_ansible_test_job_runs_sanity_and_units() -> None:
    commands = [s.get("run", "") for s in load_workflow(CI)["jobs"]["ansible-test"]["steps"]]
    assert "tools/ansible-test --here sanity units" in commands


def test_release_triggers_on_version_tags_only() -> None:
    on = load_workflow(RELEASE)["on"]
    assert on == {"push": {"tags": ["v*"]}}


def test_release_permissions_allow_only_writing_the_release() -> None:
    workflow = load_workflow(RELEASE)
    assert workflow["permissions"] == {"contents": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_release_builds_both_artifacts_and_uploads_dist() -> None:
    workflow = load_workflow(RELEASE)
    commands = " ; ".join(s.get("run", "") for s in steps(workflow))
    assert "ansible-galaxy collection build --output-path dist/" in commands
    assert "python -m build --outdir dist/" in commands
    (upload,) = [s for s in steps(workflow) if s.get("uses", "").startswith("softprops/action-gh-release@")]
    assert upload["with"]["files"] == "dist/*"
    assert upload["with"].get("fail_on_unmatched_files") is True


def release_version_check() -> str:
    (step,) = [s for s in steps(load_workflow(RELEASE)) if s.get("shell") == "python" and "TAG" in s.get("env", {})]
    assert step["env"]["TAG"] == "${{ github.ref_name }}"
    return step["run"]


def release_checkout(tmp_path: Path, released: list[str]) -> Path:
    """A copy of the files the release check reads, with a changelog that has exactly `released`."""
    for name in ("galaxy.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    changelog = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())
    changelog["releases"] = {v: {"release_date": "2026-01-01"} for v in released}
    (tmp_path / "changelogs").mkdir()
    (tmp_path / "changelogs" / "changelog.yaml").write_text(yaml.safe_dump(changelog))
    return tmp_path


def run_version_check(tag: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", release_version_check()],
        cwd=cwd,
        env={**os.environ, "TAG": tag},
        capture_output=True,
        text=True,
        check=False,
    )


VERSION = str(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])


def test_release_tag_check_accepts_the_current_version_once_released(tmp_path: Path) -> None:
    proc = run_version_check(f"v{VERSION}", release_checkout(tmp_path, ["0.9.0", VERSION]))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_release_tag_check_refuses_a_version_the_changelog_has_not_released(tmp_path: Path) -> None:
    proc = run_version_check(f"v{VERSION}", release_checkout(tmp_path, ["0.9.0"]))
    assert proc.returncode != 0
    assert f"no release {VERSION}: run antsibull-changelog release first" in proc.stderr


def test_release_tag_check_refuses_a_pyproject_with_its_own_version(tmp_path: Path) -> None:
    checkout = release_checkout(tmp_path, [VERSION])
    text = (checkout / "pyproject.toml").read_text().replace('dynamic = ["version"]', f'version = "{VERSION}"')
    (checkout / "pyproject.toml").write_text(text)
    proc = run_version_check(f"v{VERSION}", checkout)
    assert proc.returncode != 0
    assert "must take its version from galaxy.yml" in proc.stderr


@pytest.mark.parametrize("tag", ["v0.0.0-not-this", VERSION, "vx"])
def test_release_tag_check_refuses_another_version(tmp_path: Path, tag: str) -> None:
    proc = run_version_check(tag, release_checkout(tmp_path, [VERSION]))
    assert proc.returncode != 0, f"tag {tag} was accepted:\n{proc.stdout}{proc.stderr}"
