"""rollout_summary: how a rolling run of playbooks/site.yml ended, host by host, in words."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.rollout_summary import rollout_summary

OLD = "ghcr.io/lacatfly/twilight-drive:1.0.0"
NEW = "ghcr.io/lacatfly/twilight-drive:1.1.0"


def backend(**changes) -> dict:
    base = {
        "image": NEW,
        "previous_image": OLD,
        "version_change": True,
        "restarted": True,
        "canary": {"image": NEW, "passed": True, "seconds": 3.2},
        "drained": ["twilight-cloudflared.service"],
        "drain_off": "",
    }
    return base | changes


def record(**changes) -> dict:
    return {"failed": False, "check": False, "tunnel_restarted": True, "backend": backend()} | changes


def test_an_update_names_both_images_the_canary_and_the_drain() -> None:
    lines = rollout_summary({"a": record(), "b": record()})
    assert lines[0] == "Rollout over 2 host(s): running the wanted version: a, b; failed: none; not touched: none."
    assert lines[1] == (
        f"a: now runs {NEW} (was {OLD}); its canary passed (3.2 s from start to removal); "
        "its connector was drained before the swap and started again and ready"
    )


def test_a_failed_canary_stops_the_rollout_and_the_rest_is_not_reached() -> None:
    failed = record(
        failed=True, task="Stop this host at the failed canary", msg="The canary of x on a\nfailed", backend=None
    )
    lines = rollout_summary({"a": failed, "b": None, "c": None})
    assert lines[0] == "Rollout over 3 host(s): running the wanted version: none; failed: a; not touched: b, c."
    assert lines[1] == "a: FAILED at Stop this host at the failed canary: The canary of x on a failed"
    assert lines[2] == "b: not touched: not reached (the rollout stopped at a)"


def test_hosts_updated_before_the_failure_run_the_new_version() -> None:
    failed = record(failed=True, task="Gate", msg="unhealthy", backend=backend(), tunnel_restarted=False)
    lines = rollout_summary({"a": record(), "b": failed, "c": None})
    assert lines[0] == "Rollout over 3 host(s): running the wanted version: a; failed: b; not touched: c."
    assert lines[2].endswith("Its connector was drained and stays stopped; the other replicas serve.")


def test_a_single_host_says_why_it_was_not_drained() -> None:
    off = "the only host of this run: nothing to drain to, a drain would only lengthen the outage"
    line = rollout_summary({"a": record(backend=backend(drained=[], drain_off=off))})[1]
    assert line.endswith(f"its connector was not drained ({off})")


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"restarted": False, "version_change": False}, f"a: runs {NEW}, unchanged"),
        ({"canary": {}}, "no canary (twilight_backend_canary is false)"),
        ({"previous_image": "", "version_change": False, "canary": {}, "drained": []}, "first install"),
        ({"version_change": False, "canary": {}}, "restarted for a changed configuration"),
    ],
)
def test_each_kind_of_host_outcome(changes: dict, text: str) -> None:
    assert text in rollout_summary({"a": record(backend=backend(**changes))})[1]


def test_check_mode_says_what_would_happen() -> None:
    line = rollout_summary({"a": record(check=True, backend=backend(restarted=False))})[1]
    assert line == f"a: check mode: would replace {OLD} with {NEW}, after a canary, draining its connector first"
    line = rollout_summary({"a": record(check=True, backend=backend(restarted=False, drained=[]))})[1]
    assert line == f"a: check mode: would replace {OLD} with {NEW}, after a canary"


def test_a_run_without_the_backend_says_so() -> None:
    assert rollout_summary({"a": record(backend=None)})[1] == "a: the backend was not part of this run (tags)"


def test_long_messages_are_cut_to_one_line() -> None:
    line = rollout_summary({"a": record(failed=True, task="t", msg="x " * 1000)})[1]
    assert len(line) < 450 and line.endswith("...")


def test_refuses_what_is_not_a_mapping() -> None:
    with pytest.raises(AnsibleFilterError):
        rollout_summary(["a"])
