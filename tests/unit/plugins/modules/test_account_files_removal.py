"""account_files' removal options, called as Ansible calls the module (its main(), with module args)."""

from __future__ import annotations

import json
import pwd
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lacatfly.twilight_drive.plugins.modules import account_files


def run_module(args: dict, tmp_path: Path, monkeypatch, capsys) -> dict:
    """The module's result, with the home directory of the account running it at ``tmp_path``."""
    account = pwd.getpwuid(0)
    fake = pwd.struct_passwd((*account[:5], str(tmp_path), *account[6:]))
    monkeypatch.setattr(account_files.pwd, "getpwuid", lambda _uid: fake)
    with patch_module_args(args), pytest.raises(SystemExit):
        account_files.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def unit_files(tmp_path: Path) -> Path:
    units = tmp_path / ".config" / "systemd" / "user"
    (units / "twilight-backend.service.d").mkdir(parents=True)
    (units / "twilight-backend.service").write_text("[Unit]\n")
    (units / "twilight-backend.service.d" / "10-sandbox.conf").write_text("[Service]\n")
    return units


UNIT = ".config/systemd/user/twilight-backend.service"
ARGS = {"remove": [UNIT, f"{UNIT}.d/10-sandbox.conf"], "remove_empty_directories": [f"{UNIT}.d"]}


def test_files_then_their_emptied_directory_are_removed(tmp_path, unit_files, monkeypatch, capsys) -> None:
    result = run_module(ARGS, tmp_path, monkeypatch, capsys)
    assert result["changed"] is True
    assert result["removed"] == [UNIT, f"{UNIT}.d/10-sandbox.conf", f"{UNIT}.d"]
    assert result["not_empty"] == []
    assert sorted(p.name for p in unit_files.iterdir()) == []


def test_a_second_run_changes_nothing(tmp_path, unit_files, monkeypatch, capsys) -> None:
    run_module(ARGS, tmp_path, monkeypatch, capsys)
    again = run_module(ARGS, tmp_path, monkeypatch, capsys)
    assert again["changed"] is False
    assert again["removed"] == []


def test_check_mode_reports_the_removals_and_changes_nothing(tmp_path, unit_files, monkeypatch, capsys) -> None:
    result = run_module({**ARGS, "_ansible_check_mode": True}, tmp_path, monkeypatch, capsys)
    assert result["changed"] is True
    assert result["removed"] == [UNIT, f"{UNIT}.d/10-sandbox.conf", f"{UNIT}.d"]
    assert (unit_files / "twilight-backend.service.d" / "10-sandbox.conf").exists()
    assert (unit_files / "twilight-backend.service").exists()


def test_an_operator_drop_in_keeps_the_directory(tmp_path, unit_files, monkeypatch, capsys) -> None:
    (unit_files / "twilight-backend.service.d" / "20-operator.conf").write_text("[Service]\n")
    result = run_module(ARGS, tmp_path, monkeypatch, capsys)
    assert result["changed"] is True
    assert result["not_empty"] == [f"{UNIT}.d"]
    assert (unit_files / "twilight-backend.service.d" / "20-operator.conf").exists()


def test_a_linked_directory_fails_naming_it_and_keeps_the_target(tmp_path, monkeypatch, capsys) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (tmp_path / "gone.d").symlink_to(target)
    result = run_module({"remove_empty_directories": ["gone.d"]}, tmp_path, monkeypatch, capsys)
    assert result["failed"] is True
    assert result["msg"] == f"{tmp_path}/gone.d is a symbolic link"
    assert target.is_dir()


def test_the_options_of_before_still_work_alone(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "compose.yml").write_text("name: x\n")
    result = run_module({"remove": ["compose.yml"]}, tmp_path, monkeypatch, capsys)
    assert result["removed"] == ["compose.yml"]
    assert result["not_empty"] == []
    assert not (tmp_path / "compose.yml").exists()
