"""pending_writes: what differs from what account_info described, so a no-op run writes nothing."""

from __future__ import annotations

import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.pending_writes import pending_writes


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


FILES = [
    {"path": "p/compose.yml", "content": "services: {}\n", "mode": "0640"},
    {"path": "p/.env", "secret_content": "A='1'\n", "mode": "0600"},
]
DIRS = [{"path": "p", "mode": "0750"}, {"path": "p/data", "mode": "0750", "keep_existing": True}]
SAME = {
    "p": {"exists": True, "type": "directory", "mode": "0750"},
    "p/data": {"exists": True, "type": "directory", "mode": "0700"},
    "p/compose.yml": {"exists": True, "type": "file", "mode": "0640", "checksum": sha("services: {}\n")},
    "p/.env": {"exists": True, "type": "file", "mode": "0600", "checksum": sha("A='1'\n")},
}


def test_nothing_pending_when_everything_is_so() -> None:
    plan = pending_writes(FILES, described=SAME, directories=DIRS)
    assert (plan["files"], plan["directories"]) == ([], [])


@pytest.mark.parametrize(
    ("path", "change", "pending"),
    [
        ("p/compose.yml", {"checksum": sha("other")}, "p/compose.yml"),
        ("p/.env", {"mode": "0644"}, "p/.env"),
        ("p/.env", {"type": "link"}, "p/.env"),
        ("p/.env", {"type": "unsafe"}, "p/.env"),
    ],
)
def test_a_file_that_differs_is_pending(path: str, change: dict, pending: str) -> None:
    described = {**SAME, path: {**SAME[path], **change}}
    assert [f["path"] for f in pending_writes(FILES, described=described, directories=DIRS)["files"]] == [pending]


def test_missing_things_are_pending_and_kept_data_is_not_remoded() -> None:
    plan = pending_writes(FILES, described={"p/data": SAME["p/data"]}, directories=DIRS)
    assert [f["path"] for f in plan["files"]] == ["p/compose.yml", "p/.env"]
    assert [d["path"] for d in plan["directories"]] == ["p"]


def test_the_digest_follows_content_and_mode_not_the_host() -> None:
    one = pending_writes(FILES, described=SAME, directories=DIRS)["digest"]
    assert one == pending_writes(FILES, described={}, directories=DIRS)["digest"]
    changed = [{**FILES[0], "content": "services: {x: {}}\n"}, FILES[1]]
    assert pending_writes(changed, described=SAME, directories=DIRS)["digest"] != one
    assert pending_writes([FILES[0], {**FILES[1], "mode": "0640"}], described=SAME, directories=DIRS)["digest"] != one


def test_a_file_without_content_is_a_caller_error() -> None:
    with pytest.raises(AnsibleFilterError, match="p/x: needs path, mode and content"):
        pending_writes([{"path": "p/x", "mode": "0600"}], described={})
