"""Home.remove and Home.remove_empty_dir: what an uninstall removes under the account's home, never through a
link (module_utils/_account_fs.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_fs import Home, UnsafePath


def test_an_empty_directory_is_removed(home: Home, tmp_path: Path) -> None:
    (tmp_path / "unit.d").mkdir()
    assert home.remove_empty_dir("unit.d") == "removed"
    assert not (tmp_path / "unit.d").exists()


def test_a_missing_directory_is_absent_and_nothing_changes(home: Home) -> None:
    assert home.remove_empty_dir("unit.d") == "absent"
    assert home.remove_empty_dir("no/such/parent") == "absent"


def test_a_directory_that_holds_something_is_left_alone(home: Home, tmp_path: Path) -> None:
    (tmp_path / "unit.d").mkdir()
    (tmp_path / "unit.d" / "20-operator.conf").write_text("[Service]\n")
    assert home.remove_empty_dir("unit.d") == "not empty"
    assert (tmp_path / "unit.d" / "20-operator.conf").read_text() == "[Service]\n"


def test_check_mode_counts_files_removed_earlier_in_the_call_as_gone(home: Home, tmp_path: Path) -> None:
    (tmp_path / "unit.d").mkdir()
    (tmp_path / "unit.d" / "10-sandbox.conf").write_text("x")
    assert home.remove("unit.d/10-sandbox.conf", check_mode=True)
    assert home.remove_empty_dir("unit.d", check_mode=True, removing=["unit.d/10-sandbox.conf"]) == "removed"
    assert (tmp_path / "unit.d" / "10-sandbox.conf").exists()  # check mode changed nothing
    assert home.remove_empty_dir("unit.d", check_mode=True) == "not empty"


def test_a_link_where_the_directory_should_be_is_refused_and_its_target_kept(home: Home, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "unit.d").symlink_to(target)
    with pytest.raises(UnsafePath, match=r"unit\.d is a symbolic link"):
        home.remove_empty_dir("unit.d")
    assert target.is_dir() and (tmp_path / "unit.d").is_symlink()


def test_a_linked_parent_is_refused(home: Home, tmp_path: Path) -> None:
    (tmp_path / "real" / "unit.d").mkdir(parents=True)
    (tmp_path / "config").symlink_to(tmp_path / "real")
    with pytest.raises(UnsafePath, match="config is a symbolic link"):
        home.remove_empty_dir("config/unit.d")
    assert (tmp_path / "real" / "unit.d").is_dir()


def test_a_file_where_the_directory_should_be_is_refused(home: Home, tmp_path: Path) -> None:
    (tmp_path / "unit.d").write_text("")
    with pytest.raises(UnsafePath, match="not a directory"):
        home.remove_empty_dir("unit.d")


def test_remove_takes_a_link_away_but_not_what_it_points_to(home: Home, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("keep")
    os.symlink(secret, tmp_path / "wants")
    assert home.remove("wants")
    assert secret.read_text() == "keep" and not (tmp_path / "wants").is_symlink()
    assert not home.remove("wants")


@pytest.mark.parametrize("rel", ["../outside", "/etc", "a/./b", ""])
def test_paths_outside_the_home_are_refused(home: Home, rel: str) -> None:
    with pytest.raises(UnsafePath):
        home.remove_empty_dir(rel)
