"""The status_report and status_summary filters: their contract (the work is _status's, tested beside it)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.status_report import FilterModule as ReportModule
from ansible_collections.lacatfly.twilight_drive.plugins.filter.status_summary import FilterModule as SummaryModule

status_report = ReportModule().filters()["status_report"]
status_summary = SummaryModule().filters()["status_summary"]


def test_a_report_of_hosts_whose_accounts_could_not_be_read() -> None:
    backend = {"error": "twilight_backend_user: account twilight does not exist"}
    tunnel = {"error": "cloudflared_tunnel_user: account twilight does not exist"}
    report = status_report(backend, tunnel=tunnel, host="vps1")
    assert report["healthy"] is False
    assert report["problems"] == [backend["error"], tunnel["error"]]
    assert status_summary({"vps1": report})["unhealthy"] == ["vps1"]


@pytest.mark.parametrize("bad", [None, [], "text"])
def test_inputs_that_are_not_the_roles_facts_are_refused(bad) -> None:
    with pytest.raises(AnsibleFilterError, match="status_report: _input must be the fact"):
        status_report(bad, tunnel={}, host="vps1")
    with pytest.raises(AnsibleFilterError, match="status_report: tunnel must be the fact"):
        status_report({}, tunnel=bad, host="vps1")
    with pytest.raises(AnsibleFilterError, match="status_summary: _input must map"):
        status_summary(bad)


def test_malformed_status_data_names_the_host() -> None:
    with pytest.raises(AnsibleFilterError, match="status_report: vps1: unexpected status data"):
        status_report(
            {"manager_up": True, "unit": {}, "sizes": {"twilight/data": {"exists": True, "disk_bytes": "lots"}}},
            tunnel={"error": "x"},
            host="vps1",
        )
