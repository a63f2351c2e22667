"""The filters playbooks/verify.yml uses, as Ansible calls them (public_hostnames, access_verdicts)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lacatfly.twilight_drive.plugins.filter.access_verdicts import FilterModule as Verdicts
from ansible_collections.lacatfly.twilight_drive.plugins.filter.public_hostnames import FilterModule as Hostnames

public_hostnames = Hostnames().filters()["public_hostnames"]
access_verdicts = Verdicts().filters()["access_verdicts"]


def test_public_hostnames_of_the_default_ingress() -> None:
    rules = [{"hostname": "api.fsagent.cc", "service": "http://127.0.0.1:8081"}]
    assert public_hostnames(rules) == {"hostnames": ["api.fsagent.cc"], "skipped": []}


@pytest.mark.parametrize("bad", ["api.fsagent.cc", {"hostname": "x"}, ["api.fsagent.cc"]])
def test_public_hostnames_refuses_what_is_not_a_list_of_rules(bad: object) -> None:
    with pytest.raises(AnsibleFilterError, match="list of ingress rules"):
        public_hostnames(bad)


def test_access_verdicts_with_the_team() -> None:
    login = "https://ours.cloudflareaccess.com/cdn-cgi/access/login/api.fsagent.cc"
    got = access_verdicts(
        [{"item": "api.fsagent.cc", "status": 302, "location": login}],
        with_token=[{"item": "api.fsagent.cc", "status": 200}],
        path="/healthz",
        team="ours",
    )
    assert got[0]["ok"] is True
    other = access_verdicts(
        [{"item": "api.fsagent.cc", "status": 302, "location": login}],
        with_token=[{"item": "api.fsagent.cc", "status": 200}],
        path="/healthz",
        team="theirs",
    )
    assert other[0]["ok"] is False


def test_access_verdicts_refuses_what_is_not_a_results_list() -> None:
    with pytest.raises(AnsibleFilterError, match="with_token must be the results list"):
        access_verdicts([], with_token={"results": []}, path="/healthz")
