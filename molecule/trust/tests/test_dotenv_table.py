"""The .env table: every value (and key) compose 2.26.1 was seen to read differently, and the neighbours that
it reads right, asked of the lacatfly.twilight_drive.dotenv_problems filter (see docs/dotenv-rules.md).

- Accepted by the filter: the case is rendered with the backend role's own template (dotenv.j2) and must come
  back exactly, on both platforms, from the real compose binary: `docker compose config` run the way the unit
  runs compose (in the project directory, no -f, no --env-file: the project's .env also counts as compose's
  own settings) must show project `twilight`, only the `backend` service and exactly the case's variables;
  and a container of the stand-in image must get exactly those values (`docker compose run`).
- Refused: all refused cases go into twilight_backend_env of one site.yml run, which must fail before any
  change, name the variable, every refused key and its problem, and print none of the values.

Today's filter accepts values compose reads differently (odd trailing backslashes, NUL, COMPOSE_* keys,
values too long for a container's environment), so this fails on main until the filter follows the rules.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from twilight_harness import (
    collection_import,
    docker_inspect,
    failure_text,
    file_state,
    instance_name,
    run_playbook,
    scenario_dir,
)

dotenv_problems = collection_import("plugins.filter.dotenv_problems").dotenv_problems

ROOT = Path(scenario_dir()).parents[1]
TEMPLATE = ROOT / "roles/twilight_backend/templates/dotenv.j2"
IN_INSTANCE = "/root/td-dotenv"
MAX_ARG_STRLEN = 131072  # Linux: one KEY=value string of an exec'd environment, NUL included
WATCHED = (
    "/home/twilight/twilight/compose.yml",
    "/home/twilight/twilight/.env",
    "/home/twilight/.config/systemd/user/twilight-backend.service",
)

# compose.yml of every case: the role's shape (project name, one service reading .env), plus a service that
# only a COMPOSE_PROFILES=dbg would enable, and other.yml that only COMPOSE_FILE would load.
COMPOSE = """name: twilight
services:
  backend:
    image: ghcr.io/lacatfly/twilight-drive:0.0.1-standin
    env_file: [.env]
  dbg:
    image: ghcr.io/lacatfly/twilight-drive:0.0.1-standin
    profiles: [dbg]
    privileged: true
"""
OTHER = """services:
  evil:
    image: ghcr.io/lacatfly/twilight-drive:0.0.1-standin
    privileged: true
    volumes: ["/:/host"]
"""
# the batch: every accepted case's variables, printed by a container of the stand-in
RUN = """services:
  backend:
    image: ghcr.io/lacatfly/twilight-drive:0.0.1-standin
    pull_policy: never
    network_mode: none
    env_file: [.env]
    command: [/bin/busybox, cat, /proc/self/environ]
"""
OWN = {"PATH", "HOSTNAME", "HOME"}  # what the image and the engine set themselves


def _values() -> dict[str, object]:
    """Case id -> value; @M@ is replaced by a marker unique to the case (so a leak can be found)."""
    v: dict[str, object] = {
        "plain": "@M@abc",
        "empty": "",
        "space_inside": "@M@a b",
        "bs1_end": "@M@\\",
        "bs2_end": "@M@\\\\",
        "bs3_end": "@M@\\\\\\",
        "bs4_end": "@M@\\\\\\\\",
        "bs_only": "\\",
        "bs_only2": "\\\\",
        "bs_then_space": "@M@\\ ",
        "bs_n": "@M@a\\nb",
        "bs_t": "@M@a\\tb",
        "bs_dollar": "@M@a\\$b",
        "bs_dquote": '@M@a\\"b',
        "bs_0": "@M@a\\0b",
        "bs_x": "@M@a\\x41b",
        "bs_start": "\\@M@",
        "bs3_mid": "@M@\\\\\\x",
        "dollar": "@M@$",
        "dollar2": "@M@$$",
        "dollar_brace": "@M@${X}",
        "dollar_home": "@M@$HOME",
        "dollar_brace_home": "@M@${HOME}",
        "dollar_default": "@M@${NOPE:-dflt}",
        "dollar_paren": "@M@$(id)",
        "backtick": "@M@`id`",
        "dollar_open": "@M@${",
        "hash_start": "#@M@",
        "space_hash": "@M@ #x",
        "hash_mid": "@M@#x",
        "dquote_wrap": '"@M@"',
        "dquote_mid": '@M@"x',
        "lead_space": " @M@",
        "trail_space": "@M@ ",
        "only_spaces": "  ",
        "lead_tab": "\t@M@",
        "trail_tab": "@M@\t",
        "eq_mid": "@M@=x",
        "eq_start": "=@M@",
        "non_ascii": "@M@é日本😀",
        "nbsp": "@M@\u00a0x",
        "bom_start": "\ufeff@M@",
        "zwsp": "@M@\u200bx",
        "u2028": "@M@\u2028x",
        "u2029": "@M@\u2029x",
        "squote_mid": "@M@'x",
        "squote_start": "'@M@",
        "lf_mid": "@M@\nx",
        "lf_end": "@M@\n",
        "cr_mid": "@M@\rx",
        "crlf_mid": "@M@\r\nx",
        "long_4k": "@M@" + "x" * 4096,
        "long_64k": "@M@" + "x" * 65536,
        "long_1m": "@M@" + "x" * (1024 * 1024),
        "bool_true": True,
        "bool_false": False,
        "int": 8080,
        "float": 1.5,
    }
    for c in range(0x20):
        v[f"c0_{c:02x}"] = f"@M@{chr(c)}x"
    for c in (0x00, 0x09, 0x1B):
        v[f"c0_{c:02x}_end"] = f"@M@{chr(c)}"
    v["del_7f"] = "@M@\x7fx"
    for c in range(0x80, 0xA0):
        v[f"c1_{c:02x}"] = f"@M@{chr(c)}x"
    return v


def _key(case: str) -> str:
    return "TD_" + case.upper()


def _long_at_limit(case: str, over: int) -> str:
    """A value whose KEY=value is exactly at (over=0) or one byte over (over=1) MAX_ARG_STRLEN - 1."""
    room = MAX_ARG_STRLEN - 1 - len(_key(case)) - 1
    return "@M@" + "x" * (room - len("tdv000q") + over)


def _build() -> dict[str, dict]:
    """Case id -> {"env": the dict given to the role, "bad": keys that are the problem if refused}."""
    cases: dict[str, dict] = {}
    values = _values()
    values["long_at_limit"] = _long_at_limit("long_at_limit", 0)
    values["long_over_limit"] = _long_at_limit("long_over_limit", 1)
    for case, value in values.items():
        cases[case] = {"env": {"A_BEFORE": "before", _key(case): value, "Z_AFTER": "after"}, "bad": [_key(case)]}
    # the issue's cases: a value that runs on into the next lines and injects a variable; one that swallows a
    # secret of the next line into a parse error; compose's own settings taken from the project .env
    cases["injection"] = {
        "env": {"TD_INJ_A": "@M@x\\", "TD_INJ_B": "INJECTED=attacker-chosen #", "TD_INJ_C": "c"},
        "bad": ["TD_INJ_A"],
    }
    cases["swallow"] = {
        "env": {"TD_SW_A": "@M@\\", "TD_SW_B": "TopSecret-next-line", "TD_SW_C": "@M@\\"},
        "bad": ["TD_SW_A", "TD_SW_C"],
    }
    for key, value in (
        ("COMPOSE_FILE", "other.yml"),
        ("COMPOSE_PROJECT_NAME", "evil"),
        ("COMPOSE_PROFILES", "dbg"),
        ("COMPOSE_PATH_SEPARATOR", ";"),
    ):
        cases[key.lower()] = {"env": {"A_BEFORE": "before", key: value, "Z_AFTER": "after"}, "bad": [key]}
    n = 0
    for spec in cases.values():
        for key, value in spec["env"].items():
            if isinstance(value, str) and "@M@" in value:
                spec["env"][key] = value.replace("@M@", f"tdv{n:03d}q")
                n += 1
    return cases


CASES = _build()
ISSUE_CASES = ("bs1_end", "c0_00", "injection", "compose_file")


def rendered_value(value: object) -> str:
    """What the template writes for a value (booleans lower case, as dotenv.j2 does)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def problem_words(key: str, value: object) -> tuple[str, ...]:
    """Words one of which the refusal must use for this problem (case-insensitive)."""
    if key.upper().startswith("COMPOSE_"):
        return ("compose",)
    text = rendered_value(value)
    if "'" in text:
        return ("quote",)
    if (len(text) - len(text.rstrip("\\"))) % 2:
        return ("backslash",)
    if "\0" in text:
        return ("nul", "null", "control")
    if re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", text):
        return ("control", "line break", "newline", "line separator", "paragraph separator")
    if len(f"{key}={text}".encode()) >= MAX_ARG_STRLEN:
        return ("long", "byte", "length", "limit", "size")
    return ("",)  # any refusal of another value names at least its key


SENTINELS = {"A_BEFORE": "before", "Z_AFTER": "after"}


def refused_pairs(case: str) -> dict[str, object]:
    """What a refused case adds to the refused run: its variables but the sentinels around them."""
    return {k: v for k, v in CASES[case]["env"].items() if k not in SENTINELS}


def secrets_of(case: str) -> list[str]:
    """Strings of a refused case that must not be printed: markers, and whole values of 8+ characters."""
    out = []
    for value in map(rendered_value, refused_pairs(case).values()):
        out += re.findall(r"tdv\d{3}q", value)
        if len(value) >= 8:
            out.append(value)
    return out


@pytest.fixture(scope="module")
def verdicts() -> dict[str, list[str]]:
    """Case -> the filter's problems (empty: accepted)."""
    return {case: dotenv_problems(spec["env"]) for case, spec in CASES.items()}


@pytest.fixture(scope="module")
def rendered(verdicts, tmp_path_factory) -> dict[str, str]:
    """Case -> the .env the role's template writes for it, for every accepted case, and 'batch': all of them."""
    accepted = {c: CASES[c]["env"] for c, problems in verdicts.items() if not problems}
    batch: dict[str, object] = {}
    for env in accepted.values():
        batch.update(env)
    work = tmp_path_factory.mktemp("dotenv")
    cases_file = work / "cases.yml"
    cases_file.write_text(_unsafe_yaml({"cases": {**accepted, "batch": batch}}))
    out = work / "rendered.json"
    proc = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            "localhost,",
            str(scenario_dir() / "render-dotenv.yml"),
            "-e",
            f"@{cases_file}",
            "-e",
            json.dumps({"src": str(TEMPLATE), "out": str(out), "ansible_python_interpreter": sys.executable}),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text())


def _unsafe_yaml(data: dict) -> str:
    """YAML in which every string is !unsafe: an operator's secrets are data, never templates."""

    class Unsafe(str):
        pass

    def mark(node: object) -> object:
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        return Unsafe(node) if isinstance(node, str) else node

    dumper = type("UnsafeDumper", (yaml.SafeDumper,), {})
    dumper.add_representer(Unsafe, lambda d, v: d.represent_scalar("!unsafe", str(v), style='"'))
    return yaml.dump(mark(data), Dumper=dumper, allow_unicode=False, width=1 << 30)


@pytest.fixture(scope="module")
def compose_reads(host, rendered) -> dict:
    """What compose in the instance makes of every accepted case (see molecule/trust/dotenv_probe.py)."""
    work = Path(tempfile.mkdtemp(prefix="td-dotenv-"))
    try:
        for case, text in rendered.items():
            d = work / case
            d.mkdir()
            (d / ".env").write_bytes(text.encode("utf-8", "surrogatepass"))
            (d / "compose.yml").write_text(COMPOSE)
            (d / "other.yml").write_text(OTHER)
            (d / "run.yml").write_text(RUN)
        shutil.copy(scenario_dir() / "dotenv_probe.py", work / "dotenv_probe.py")
        name = instance_name(host)
        host.check_output("rm -rf %s", IN_INSTANCE)
        subprocess.run(["docker", "cp", f"{work}/.", f"{name}:{IN_INSTANCE}"], check=True, capture_output=True)
    finally:
        shutil.rmtree(work)
    proc = subprocess.run(
        ["docker", "exec", name, "python3", f"{IN_INSTANCE}/dotenv_probe.py", IN_INSTANCE],
        capture_output=True,
        check=True,
        timeout=900,
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def refused_run(host, verdicts, tmp_path_factory):
    """One site.yml run with every refused case in twilight_backend_env; the host must not change."""
    env: dict[str, object] = {}
    for case, problems in verdicts.items():
        if problems:
            env.update(refused_pairs(case))
    if not env:
        return None
    before = file_state(host, *WATCHED)
    started = docker_inspect(host, "twilight-backend")["State"]["StartedAt"]
    extra = tmp_path_factory.mktemp("refused") / "env.yml"
    extra.write_text(_unsafe_yaml({"twilight_backend_env": env}))
    run = run_playbook(scenario_dir() / "converge.yml", "-e", f"@{extra}", limit=instance_name(host))
    assert file_state(host, *WATCHED) == before
    assert docker_inspect(host, "twilight-backend")["State"]["StartedAt"] == started
    return run


def test_the_table_holds_the_issue_cases() -> None:
    assert set(ISSUE_CASES) <= set(CASES) and len(CASES) >= 120


def test_the_template_lookup_writes_what_the_template_task_writes(host, rendered, tmp_path) -> None:
    """The table renders with the role's own lookup (role_template, on the controller), the way the role renders
    the .env; Ansible's template module must write the same bytes, or the role would not write what the operator
    would get from Ansible's own templating."""
    env = rendered["batch"]  # every accepted case at once
    batch = {k: v for c in rendered if c != "batch" for k, v in CASES[c]["env"].items()}
    extra = tmp_path / "vars.yml"
    extra.write_text(_unsafe_yaml({"__dotenv": batch}))
    dest = f"{IN_INSTANCE}-fidelity.env"
    proc = subprocess.run(
        [
            "ansible",
            instance_name(host),
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            "-m",
            "ansible.builtin.template",
            "-a",
            f"src={TEMPLATE} dest={dest} mode=0600",
            "-e",
            f"@{extra}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    written = subprocess.run(["docker", "exec", instance_name(host), "cat", dest], capture_output=True, check=True)
    assert written.stdout == env.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("case", sorted(CASES))
def test_dotenv_value_is_read_as_written_or_refused_before_any_change(case: str, verdicts, request, host) -> None:
    if not verdicts[case]:
        reads = request.getfixturevalue("compose_reads")
        env = {k: rendered_value(v) for k, v in CASES[case]["env"].items()}
        got = reads["config"][case]
        assert got["rc"] == 0, f"compose refused the .env we wrote: {got['stderr']}"
        assert got["name"] == "twilight", f"the project .env changed the project name to {got['name']}"
        assert set(got["services"]) == {"backend"}, f"the project .env changed the services: {got['services']}"
        # config prints compose syntax, where one $ is written $$; the container gets one $ (checked below)
        assert got["services"]["backend"] == {k: v.replace("$", "$$") for k, v in env.items()}
        container = reads["run"].get(case) or reads["run"]["batch"]
        assert container["rc"] == 0, f"a container with this .env did not start: {container['stderr']}"
        assert {k: container["environ"].get(k) for k in env} == env
        if case not in reads["run"]:  # the batch: nothing but the variables we wrote
            wrote = {k for c, p in verdicts.items() if not p for k in CASES[c]["env"]}
            assert set(container["environ"]) - OWN - wrote == set()
        return
    run = request.getfixturevalue("refused_run")
    assert run.rc != 0, run.output[-3000:]
    assert sum(r["changed"] for r in run.recap().values()) == 0, run.output[-3000:]
    text = " ".join(failure_text(run.output).split())  # what the failure says (labels name every variable)
    assert "twilight_backend_env" in text
    for key in CASES[case]["bad"]:
        assert key in text, f"the refusal does not name {key}"
        words = problem_words(key, CASES[case]["env"][key])
        assert any(w.lower() in text.lower() for w in words), f"the refusal of {key} says none of {words}"
    assert [s for s in secrets_of(case) if s in run.output] == [], "a refused value was printed"
