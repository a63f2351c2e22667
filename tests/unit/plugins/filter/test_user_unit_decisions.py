"""user_unit_decisions: what a user unit needs (start, reload, restart, enable, drain, timer, record), decided once."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import get_hash

from ansible_collections.lacatfly.twilight_drive.plugins.filter.user_unit_decisions import user_unit_decisions

UNIT_DIR = ".config/systemd/user"
COMPOSE = {"path": "twilight/compose.yml", "content": "services: {}\n", "mode": "0640"}
UNIT_FILE = {"path": f"{UNIT_DIR}/twilight-backend.service", "content": "[Unit]\n", "mode": "0644"}
RUNNING = {"ActiveState": "active", "UnitFileState": "enabled"}
TIMER = {"ActiveState": "active", "UnitFileState": "enabled"}


def plan(files=(), directories=(), digest="d" * 64) -> dict:
    return {"files": list(files), "directories": list(directories), "digest": digest}


def record(fingerprint="img-1", digest="d" * 64) -> str:
    """The record as the role wrote it before this filter existed: (fingerprint ~ ' ' ~ digest) | hash('sha256')."""
    return get_hash(f"{fingerprint} {digest}", "sha256") + "\n"


def decide(the_plan=None, **kwargs) -> dict:
    args = {
        "fingerprint": "img-1",
        "recorded": record(),
        "unit": RUNNING,
        "timer": TIMER,
        "unit_dir": UNIT_DIR,
        "reload_applies": True,
        "logs": True,
        "drain": True,
        "manager_up": True,
        "check_mode": False,
    }
    args.update(kwargs)
    return user_unit_decisions(the_plan or plan(), **args)


def test_a_record_written_by_the_jinja_of_earlier_versions_still_matches() -> None:
    """Upgrading the collection must not restart every unit: the digest is the one the role always recorded."""
    got = decide()
    assert got["wanted"] == record().strip()
    assert (got["stale"], got["action"], got["pending"]) == (False, "", False)


def test_nothing_to_do_keeps_the_plan_and_says_so() -> None:
    got = decide()
    assert {k: got[k] for k in ("files", "directories", "digest")} == plan()
    assert not any(
        got[k] for k in ("stale", "reload", "action", "enable", "draining", "timer_start", "pending", "apply")
    )


@pytest.mark.parametrize("state", ["inactive", "failed", "deactivating"])
def test_a_unit_that_does_not_run_is_started_and_never_drained(state) -> None:
    got = decide(unit={"ActiveState": state, "UnitFileState": "enabled"})
    assert (got["action"], got["draining"], got["pending"]) == ("started", False, True)


def test_a_unit_never_loaded_is_started_and_enabled() -> None:
    got = decide(unit={}, recorded="")
    assert (got["action"], got["enable"], got["stale"]) == ("started", True, True)


@pytest.mark.parametrize("state", ["activating", "reloading"])
def test_a_unit_on_its_way_up_counts_as_running(state) -> None:
    assert decide(unit={"ActiveState": state, "UnitFileState": "enabled"})["action"] == ""


def test_a_changed_project_file_reloads_when_the_reload_applies_it() -> None:
    got = decide(plan([COMPOSE]), recorded=record(digest="e" * 64))
    assert (got["action"], got["reload"], got["draining"]) == ("reloaded", False, True)


def test_a_changed_fingerprint_alone_reloads_too() -> None:
    got = decide(fingerprint="img-2")
    assert (got["stale"], got["action"], got["pending"]) == (True, "reloaded", True)


def test_a_changed_unit_file_restarts_after_a_daemon_reload() -> None:
    got = decide(plan([COMPOSE, UNIT_FILE]), recorded=record(digest="e" * 64))
    assert (got["action"], got["reload"]) == ("restarted", True)


def test_a_unit_whose_reload_does_not_apply_a_change_is_restarted() -> None:
    got = decide(plan([COMPOSE]), recorded=record(digest="e" * 64), reload_applies=False)
    assert got["action"] == "restarted"


def test_no_drain_without_units_to_drain_or_a_user_manager() -> None:
    stale = {"recorded": record(digest="e" * 64)}
    assert decide(plan([COMPOSE]), drain=False, **stale)["draining"] is False
    assert decide(plan([COMPOSE]), manager_up=False, **stale)["draining"] is False


def test_check_mode_drains_only_where_the_real_run_would_not_skip_the_restart() -> None:
    """Check mode skips the restart after a unit file changed (the file is not written): no drain is said then."""
    stale = {"recorded": record(digest="e" * 64), "check_mode": True}
    assert decide(plan([COMPOSE]), **stale)["draining"] is True
    assert decide(plan([COMPOSE, UNIT_FILE]), **stale)["draining"] is False


def test_the_timer_is_started_when_it_is_not_active_or_not_enabled() -> None:
    assert decide(timer={"ActiveState": "inactive", "UnitFileState": "enabled"})["timer_start"] is True
    assert decide(timer={"ActiveState": "active", "UnitFileState": "disabled"})["timer_start"] is True
    assert decide(timer={})["pending"] is True
    assert decide(timer={}, logs=False)["timer_start"] is False


def test_a_directory_alone_is_pending() -> None:
    got = decide(plan(directories=[{"path": "twilight", "mode": "0750"}]))
    assert (got["pending"], got["action"]) == (True, "")


def test_an_unenabled_unit_is_enabled_without_a_restart() -> None:
    got = decide(unit={"ActiveState": "active", "UnitFileState": "disabled"})
    assert (got["enable"], got["action"], got["pending"]) == (True, "", True)


@pytest.mark.parametrize("bad", [None, [], {"files": []}, "plan"])
def test_anything_but_a_plan_is_refused(bad) -> None:
    with pytest.raises(AnsibleFilterError, match="result of pending_writes"):
        user_unit_decisions(bad, fingerprint="x", unit_dir=UNIT_DIR)


def test_the_systemd_step_runs_for_any_of_its_reasons_under_a_user_manager() -> None:
    stale = {"recorded": record(digest="e" * 64)}
    assert decide(plan([COMPOSE]), **stale)["apply"] is True  # a reload
    assert decide(unit={"ActiveState": "active", "UnitFileState": "disabled"})["apply"] is True  # enable
    assert decide(timer={})["apply"] is True  # the timer
    assert decide(plan([COMPOSE]), manager_up=False, **stale)["apply"] is False


def test_files_alone_are_written_without_the_systemd_step() -> None:
    """A file that changes nothing the unit runs (the fingerprint and record unchanged) is not a reason."""
    got = decide(plan(directories=[{"path": "twilight", "mode": "0750"}]))
    assert (got["pending"], got["apply"]) == (True, False)


def test_check_mode_skips_the_systemd_step_after_a_unit_file_changed() -> None:
    stale = {"recorded": record(digest="e" * 64), "check_mode": True}
    assert decide(plan([COMPOSE]), **stale)["apply"] is True
    assert decide(plan([COMPOSE, UNIT_FILE]), **stale)["apply"] is False
