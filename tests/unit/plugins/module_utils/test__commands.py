"""_commands: the info modules' commands run through AnsibleModule.run_command, as they are, with a timeout."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._commands import Commands


@pytest.fixture
def module() -> AnsibleModule:
    with patch_module_args({}):
        return AnsibleModule(argument_spec={})


def fake_program(tmp_path, monkeypatch, name: str, script: str) -> None:
    """A shell script named ``name`` first on PATH."""
    fake = tmp_path / name
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


def test_output_and_exit_status_come_back(module) -> None:
    assert Commands(module).run(["sh", "-c", "echo out; echo err >&2; exit 3"]) == (3, "out\n", "err\n")


def test_a_missing_program_is_127_not_a_failed_module(module) -> None:
    rc, out, err = Commands(module).run(["/nonexistent/twilight-no-such-program"])
    assert (rc, out) == (127, "") and "twilight-no-such-program" in err


def test_arguments_are_not_expanded(module, monkeypatch) -> None:
    """Paths and names can come from the account: `~` and `$VAR` stay literal (run_command would expand them)."""
    monkeypatch.setenv("TWILIGHT_SECRET", "expanded")
    rc, out, _err = Commands(module).run(["printf", "%s|%s", "~/x", "$TWILIGHT_SECRET"])
    assert (rc, out) == (0, "~/x|$TWILIGHT_SECRET")


def test_stdin_is_fed(module) -> None:
    assert Commands(module).run(["cat"], data='{"a": 1}')[:2] == (0, '{"a": 1}')


def test_a_command_that_hangs_is_killed_and_says_so(module) -> None:
    start = time.monotonic()
    rc, _out, err = Commands(module, timeout=0.5).run(["sleep", "30"])
    assert rc == 124 and "did not answer within 0.5 s" in err
    assert time.monotonic() - start < 10


def test_commands_run_from_several_threads_at_once(module) -> None:
    cmds = Commands(module)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outs = list(pool.map(lambda n: cmds.run(["sh", "-c", f"sleep 0.2; echo {n}"]), range(16)))
    assert [out for _rc, out, _err in outs] == [f"{n}\n" for n in range(16)]


def test_systemctl_show_parses_one_block_per_unit(module, tmp_path, monkeypatch) -> None:
    fake_program(
        tmp_path,
        monkeypatch,
        "systemctl",
        "printf 'Id=a.service\\nActiveState=active\\n\\nId=b.service\\nActiveState=inactive\\n'\n",
    )
    shown = Commands(module).systemctl_show(["--user"], ["a.service", "b.service", "c.service"], ("ActiveState",))
    assert shown == {"a.service": {"ActiveState": "active"}, "b.service": {"ActiveState": "inactive"}, "c.service": {}}


def test_systemctl_show_failure_raises(module, tmp_path, monkeypatch) -> None:
    fake_program(tmp_path, monkeypatch, "systemctl", "echo 'Failed to connect to bus' >&2\nexit 1\n")
    with pytest.raises(RuntimeError, match="Failed to connect to bus"):
        Commands(module).systemctl_show([], ["a.service"], ("ActiveState",))


def test_docker_versions_asks_the_engine_and_compose_at_once(module, tmp_path, monkeypatch) -> None:
    """Each question sleeps 0.5 s: asked one after the other they would take 1 s."""
    fake_program(
        tmp_path,
        monkeypatch,
        "docker",
        'sleep 0.5\nif [ "$1" = compose ]; then echo v2.29.1; else echo 27.5.1; fi\n',
    )
    start = time.monotonic()
    assert Commands(module).docker_versions() == {"server": "27.5.1", "compose": "2.29.1", "error": None}
    assert time.monotonic() - start < 0.9


def test_docker_versions_reports_the_engine_error_and_no_compose(module, tmp_path, monkeypatch) -> None:
    fake_program(
        tmp_path,
        monkeypatch,
        "docker",
        'if [ "$1" = compose ]; then echo v2.29.1; exit 0; fi\necho "permission denied on docker.sock" >&2\nexit 1\n',
    )
    assert Commands(module).docker_versions() == {
        "server": None,
        "compose": None,
        "error": "permission denied on docker.sock",
    }


def test_docker_versions_without_compose_names_its_error(module, tmp_path, monkeypatch) -> None:
    fake_program(
        tmp_path,
        monkeypatch,
        "docker",
        'if [ "$1" = compose ]; then echo "unknown command: docker compose" >&2; exit 1; fi\necho 27.5.1\n',
    )
    assert Commands(module).docker_versions() == {
        "server": "27.5.1",
        "compose": None,
        "error": "unknown command: docker compose",
    }
