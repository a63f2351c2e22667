"""_account_fs: disk use and listings of directories under a home, never through a link."""

from __future__ import annotations

import os

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils import _account_fs
from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_fs import Home, UnsafePath


@pytest.fixture
def victim(tmp_path_factory):
    """A big directory outside the home, that a planted link points at."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "big").write_bytes(b"v" * 100_000)
    return outside


def test_usage_counts_every_file_and_directory_below(home: Home, tmp_path) -> None:
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "a").write_bytes(b"x" * 1000)
    (tmp_path / "data" / "sub" / "b").write_bytes(b"y" * 24)
    usage = home.usage("data")
    assert usage["exists"] is True
    assert (usage["files"], usage["directories"], usage["unreadable"]) == (2, 2, 0)
    dirs = (tmp_path / "data").stat().st_size + (tmp_path / "data" / "sub").stat().st_size
    assert usage["bytes"] == 1024 + dirs
    assert usage["disk_bytes"] >= 1024


def test_usage_never_follows_a_link(home: Home, tmp_path, victim) -> None:
    (tmp_path / "data").mkdir()
    os.symlink(victim, tmp_path / "data" / "elsewhere")
    os.symlink(victim / "big", tmp_path / "data" / "big")
    usage = home.usage("data")
    assert usage["files"] == 2  # the two links, as themselves
    assert usage["bytes"] < 100_000
    with pytest.raises(UnsafePath, match="is a symbolic link"):
        home.usage("data/elsewhere")
    os.symlink(victim, tmp_path / "logs")
    with pytest.raises(UnsafePath, match="logs is a symbolic link"):
        home.usage("logs/big")


def test_a_hard_linked_file_counts_once(home: Home, tmp_path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a").write_bytes(b"z" * 5000)
    os.link(tmp_path / "data" / "a", tmp_path / "data" / "b")
    assert home.usage("data")["files"] == 1


def test_usage_of_a_missing_path_and_of_a_file(home: Home, tmp_path) -> None:
    assert home.usage("nothing/here") == {"exists": False}
    (tmp_path / "f").write_bytes(b"12345")
    usage = home.usage("f")
    assert (usage["bytes"], usage["files"], usage["directories"]) == (5, 1, 0)


def test_a_directory_the_account_cannot_open_is_counted_as_unreadable(home: Home, tmp_path, monkeypatch) -> None:
    """(The tests run as root, who opens every directory: the kernel's refusal is played by a patched os.open.)"""
    (tmp_path / "data" / "locked").mkdir(parents=True)
    (tmp_path / "data" / "locked" / "inside").write_text("x")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if path == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(_account_fs.os, "open", refusing_open)
    usage = home.usage("data")
    assert (usage["unreadable"], usage["directories"], usage["files"]) == (1, 2, 0)


def test_listing_gives_names_and_types_and_links_as_links(home: Home, tmp_path, victim) -> None:
    (tmp_path / "backups" / "20261128T100000Z-1.0.0").mkdir(parents=True)
    (tmp_path / "backups" / "notes").write_text("x")
    os.symlink(victim, tmp_path / "backups" / "zz")
    assert home.listing("backups") == [
        {"name": "20261128T100000Z-1.0.0", "type": "directory"},
        {"name": "notes", "type": "file"},
        {"name": "zz", "type": "link"},
    ]
    with pytest.raises(UnsafePath):
        home.listing("backups/zz")
    with pytest.raises(FileNotFoundError):
        home.listing("missing")
