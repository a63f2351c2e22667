"""The collection's Python dependencies are declared the same way for every way of installing it.

- pip: pyproject.toml's [project] dependencies (with ansible-core);
- Galaxy and execution environments: requirements.txt, which
  meta/execution-environment.yml names for ansible-builder (without ansible-core,
  which the user or the execution environment brings);
- ansible-test units: tests/unit/requirements.txt (the same, plus what the tests use,
  with the specifiers of pyproject.toml's test extra).

And what is declared is what is tested: the ansible-core lines pyproject.toml
allows are the lines requires_ansible allows, the lines tools/ansible-test runs
and the lines of the CI matrix.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CORE = "ansible-core"


def requirements_file(path: Path) -> dict[str, Requirement]:
    reqs = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            assert canonicalize_name(req.name) not in reqs, f"{path.name}: {req.name} twice"
            reqs[canonicalize_name(req.name)] = req
    return reqs


def by_name(lines: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(Requirement(line).name): Requirement(line) for line in lines}


def same(a: dict[str, Requirement], b: dict[str, Requirement]) -> dict[str, tuple[str, str]]:
    """Packages whose requirement differs (or is missing) between a and b: name -> (a, b)."""
    return {
        n: (str(a.get(n, "")), str(b.get(n, ""))) for n in sorted(a.keys() | b.keys()) if str(a.get(n)) != str(b.get(n))
    }


def test_requirements_txt_is_pyprojects_dependencies_less_ansible_core() -> None:
    runtime = by_name(PYPROJECT["dependencies"])
    assert CORE in runtime
    del runtime[CORE]
    assert same(runtime, requirements_file(ROOT / "requirements.txt")) == {}


def test_execution_environment_metadata_names_requirements_txt() -> None:
    ee = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
    assert ee["dependencies"] == {"python": "requirements.txt"}
    assert (ROOT / ee["dependencies"]["python"]).is_file()


def test_unit_requirements_are_the_runtime_ones_plus_test_tools_as_pyproject_pins_them() -> None:
    units = requirements_file(ROOT / "tests" / "unit" / "requirements.txt")
    runtime = requirements_file(ROOT / "requirements.txt")
    assert same({n: units[n] for n in runtime if n in units}, runtime) == {}
    test_extra = by_name(PYPROJECT["optional-dependencies"]["test"])
    tools = {n: r for n, r in units.items() if n not in runtime}
    assert tools, "tests/unit/requirements.txt declares no test tool (check-jsonschema)"
    assert same(tools, {n: test_extra.get(n) for n in tools}) == {}


def third_party_imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return {
        m
        for m in modules
        if m not in sys.stdlib_module_names and m not in {"__future__", "ansible", "ansible_collections"}
    }


def test_every_package_the_plugins_import_is_declared() -> None:
    declared = {canonicalize_name(n) for n in requirements_file(ROOT / "requirements.txt")}
    providers = packages_distributions()
    imports = {m for path in (ROOT / "plugins").rglob("*.py") for m in third_party_imports(path)}
    assert imports, "no third-party import found in plugins/ (re2, yaml expected)"
    undeclared = {
        m: providers.get(m) for m in imports if not declared & {canonicalize_name(d) for d in providers.get(m, [])}
    }
    assert undeclared == {}, "imported by plugins/ but not in requirements.txt (module: installed distribution)"


CANDIDATE_LINES = [f"2.{minor}" for minor in range(15, 30)]


def allowed_lines(spec: SpecifierSet) -> set[str]:
    """ansible-core minor lines of which some release is allowed (x.y.0 ... x.y.30)."""
    return {line for line in CANDIDATE_LINES if any(Version(f"{line}.{p}") in spec for p in range(31))}


def test_pyproject_and_requires_ansible_allow_the_same_ansible_core_releases() -> None:
    pip_spec = by_name(PYPROJECT["dependencies"])[CORE].specifier
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"]
    assert re.fullmatch(r"[<>=!,.*0-9 ]+", runtime)
    runtime_spec = SpecifierSet(runtime)
    for line in CANDIDATE_LINES:
        for patch in (0, 1, 9, 30):
            v = Version(f"{line}.{patch}")
            assert (v in pip_spec) == (v in runtime_spec), f"{v}: pyproject {pip_spec} vs requires_ansible {runtime}"


def test_the_allowed_ansible_core_lines_are_the_tested_ones() -> None:
    allowed = allowed_lines(by_name(PYPROJECT["dependencies"])[CORE].specifier)
    script = (ROOT / "tools" / "ansible-test").read_text()
    (lines,) = re.findall(r"^CORE_LINES=\(([^)]*)\)", script, re.MULTILINE)
    assert set(lines.split()) == allowed, "tools/ansible-test CORE_LINES"
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    for name in ("unit", "ansible-test"):
        matrix = ci["jobs"][name]["strategy"]["matrix"]
        assert {str(entry["core"]) for entry in matrix["include"]} == allowed, f"ci.yml job {name}"
