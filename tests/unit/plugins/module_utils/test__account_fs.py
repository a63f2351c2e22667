"""_account_fs: files under a home reached without following a link, as the deploy account's modules use it."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_fs import Home, UnsafePath, parts_of


@pytest.fixture
def victim(tmp_path_factory):
    """A file and a directory outside the home, that a planted link points at."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret").write_text("VICTIM")
    (outside / "secret").chmod(0o640)
    return outside


@pytest.mark.parametrize("rel", ["", "/etc/passwd", "a/../b", "./a", "a/./b", "..", "a\nb", "a\x00b", "a\x7fb"])
def test_paths_must_be_plain_and_relative(rel: str) -> None:
    with pytest.raises(UnsafePath):
        parts_of(rel)


def test_writes_a_new_file_with_its_directories_and_mode(home: Home, tmp_path) -> None:
    assert home.ensure_dir("a/b", 0o750) is True
    changed, before = home.write_file("a/b/c.txt", b"hello\n", 0o640)
    assert (changed, before) == (True, None)
    assert (tmp_path / "a" / "b" / "c.txt").read_bytes() == b"hello\n"
    assert stat.S_IMODE((tmp_path / "a" / "b" / "c.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o750
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o750  # a missing parent gets the same mode
    assert [p.name for p in (tmp_path / "a" / "b").iterdir()] == ["c.txt"]  # no temporary file left


def test_same_content_and_mode_is_no_change(home: Home) -> None:
    home.ensure_dir("d", 0o700)
    home.write_file("d/f", b"x", 0o600)
    assert home.write_file("d/f", b"x", 0o600) == (False, b"x")


def test_a_mode_change_alone_keeps_the_content(home: Home, tmp_path) -> None:
    home.ensure_dir("d", 0o700)
    home.write_file("d/f", b"x", 0o644)
    assert home.write_file("d/f", b"x", 0o600)[0] is True
    assert stat.S_IMODE((tmp_path / "d" / "f").stat().st_mode) == 0o600


def test_check_mode_writes_nothing_even_without_the_directory(home: Home, tmp_path) -> None:
    assert home.ensure_dir("new", 0o750, check_mode=True) is True
    assert home.write_file("new/f", b"x", 0o600, check_mode=True) == (True, None)
    assert not (tmp_path / "new").exists()


def test_a_link_at_the_file_is_refused_and_not_followed(home: Home, tmp_path, victim) -> None:
    home.ensure_dir("p", 0o750)
    os.symlink(victim / "secret", tmp_path / "p" / ".env")
    with pytest.raises(UnsafePath, match=r"p/\.env is a symbolic link"):
        home.write_file("p/.env", b"TOKEN='x'\n", 0o600)
    with pytest.raises(UnsafePath):
        home.read_bytes("p/.env")
    with pytest.raises(UnsafePath):
        home.set_mode("p/.env", 0o600)
    assert (victim / "secret").read_text() == "VICTIM"
    assert stat.S_IMODE((victim / "secret").stat().st_mode) == 0o640


def test_a_linked_parent_directory_is_refused_and_not_followed(home: Home, tmp_path, victim) -> None:
    victim.chmod(0o711)
    os.symlink(victim, tmp_path / "twilight")
    with pytest.raises(UnsafePath, match="twilight is a symbolic link"):
        home.ensure_dir("twilight", 0o750)
    with pytest.raises(UnsafePath, match="twilight is a symbolic link"):
        home.write_file("twilight/compose.yml", b"x", 0o640)
    with pytest.raises(UnsafePath, match="twilight is a symbolic link"):
        home.ensure_dir("twilight/data", 0o750)
    assert sorted(p.name for p in victim.iterdir()) == ["secret"]
    assert stat.S_IMODE(victim.stat().st_mode) == 0o711  # no chmod through the link


def test_describe_reports_links_and_unsafe_parents(home: Home, tmp_path, victim) -> None:
    os.symlink(victim / "secret", tmp_path / "link")
    os.symlink(victim, tmp_path / "dirlink")
    assert home.describe("link")["type"] == "link"
    assert "checksum" not in home.describe("link")
    assert home.describe("dirlink/secret") == {
        "exists": True,
        "type": "unsafe",
        "reason": f"{tmp_path}/dirlink is a symbolic link",
    }
    assert home.describe("missing/file") == {"exists": False}


def test_describe_a_file(home: Home) -> None:
    home.ensure_dir("d", 0o700)
    home.write_file("d/f", b"abc", 0o640)
    info = home.describe("d/f")
    assert info["type"] == "file" and info["mode"] == "0640" and info["size"] == 3
    assert info["checksum"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_existing_data_keeps_its_mode(home: Home, tmp_path) -> None:
    (tmp_path / "data").mkdir(mode=0o700)
    (tmp_path / "data").chmod(0o700)
    assert home.ensure_dir("data", 0o750, keep_existing=True) is False
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert home.ensure_dir("data", 0o750) is True  # not service data: the mode is the role's
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o750


def test_a_fifo_is_not_read_and_does_not_block(home: Home, tmp_path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UnsafePath, match="not a regular file"):
        home.read_bytes("fifo")


def test_tail_gives_the_last_lines(home: Home, tmp_path) -> None:
    (tmp_path / "log").write_text("".join(f"line {i}\n" for i in range(100)))
    assert home.tail("log", 3) == ["line 97", "line 98", "line 99"]


def test_a_failed_validation_leaves_the_old_file(home: Home, tmp_path) -> None:
    home.ensure_dir("d", 0o700)
    home.write_file("d/f", b"old", 0o600)

    def refuse(path: str) -> None:
        with open(path, "rb") as written:
            assert written.read() == b"new"
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        home.write_file("d/f", b"new", 0o600, validate=refuse)
    assert (tmp_path / "d" / "f").read_bytes() == b"old"
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["f"]


def test_remove_takes_the_link_not_its_target(home: Home, tmp_path, victim) -> None:
    os.symlink(victim / "secret", tmp_path / "link")
    assert home.remove("link") is True
    assert not os.path.lexists(tmp_path / "link")
    assert (victim / "secret").read_text() == "VICTIM"
    assert home.remove("link") is False
