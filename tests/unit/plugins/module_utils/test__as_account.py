"""_as_account: root's host_info reads an account's side from a child that became the account for good, and takes
from it only JSON, within a deadline and a size limit."""

from __future__ import annotations

import json
import os
import pwd
import time

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils import _as_account


def child_writing(data: bytes, *, code: int = 0, sleep: float = 0) -> _as_account.Child:
    """A child that says ``data`` on its pipe (what an account's read would say), then exits with ``code``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        time.sleep(sleep)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
        os._exit(code)
    os.close(write_end)
    return _as_account.Child("twilight", pid, read_end)


def test_the_child_s_json_is_the_answer() -> None:
    got = _as_account.collect(
        child_writing(json.dumps({"unit": {"answer": {"uid": 1000}}}).encode()), time.monotonic() + 10
    )
    assert got == {"answers": {"unit": {"answer": {"uid": 1000}}}}


@pytest.mark.parametrize(
    ("data", "code", "why"),
    [(b"not json", 0, "returned no JSON"), (b"{}", 3, "failed (wait status")],
)
def test_what_is_not_a_clean_answer_is_an_error(data: bytes, code: int, why: str) -> None:
    got = _as_account.collect(child_writing(data, code=code), time.monotonic() + 10)
    assert why in got["error"] and got["error"].startswith("reading as twilight")


def test_a_child_that_says_too_much_is_stopped(monkeypatch) -> None:
    monkeypatch.setattr(_as_account, "ANSWER_LIMIT", 1000)
    got = _as_account.collect(child_writing(b"x" * 5000), time.monotonic() + 10)
    assert got == {"error": "reading as twilight answered more than the limit"}


def test_a_child_that_does_not_answer_in_time_is_killed() -> None:
    child = child_writing(b"{}", sleep=30)
    started = time.monotonic()
    got = _as_account.collect(child, time.monotonic() + 0.3)
    assert got == {"error": "reading as twilight did not answer in time"}
    assert time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)  # reaped


def test_root_is_never_read_as_an_account() -> None:
    with pytest.raises(ValueError, match="is root"):
        _as_account.start(None, "root", {})


def test_becoming_the_account_is_for_good() -> None:
    """As root, a child becomes nobody and cannot become root again; as anyone else, becoming fails outright."""
    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        try:
            _as_account.become(nobody)
            said = {"ids": [list(os.getresuid()), list(os.getresgid())], "groups": sorted(set(os.getgroups()))}
        except PermissionError as err:
            said = {"refused": str(err)}
        os.write(write_end, json.dumps(said).encode())
        os._exit(0)
    os.close(write_end)
    said = json.loads(os.read(read_end, 65536))
    os.close(read_end)
    os.waitpid(pid, 0)
    if os.geteuid() == 0:
        assert said["ids"] == [[nobody.pw_uid] * 3, [nobody.pw_gid] * 3]
        assert said["groups"] == sorted(set(os.getgrouplist("nobody", nobody.pw_gid)))
    else:
        assert "refused" in said
