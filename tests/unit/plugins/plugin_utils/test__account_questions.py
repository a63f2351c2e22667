"""_account_questions: two sets of questions asked in one call, each answered as it would be alone."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _account_questions as q

BACKEND = {
    "paths": ["twilight/compose.yml", "twilight/.env"],
    "stat_only": ["twilight/logs/backend.log"],
    "read": [".local/state/twilight-drive/twilight-backend.service.applied"],
    "units": ["twilight-backend.service"],
    "images": ["127.0.0.1:5000/twilight:1.0.0"],
    "containers": ["twilight-backend"],
    "probes": ["http://127.0.0.1:8081/healthz"],
    "docker": True,
}
TUNNEL = {
    "paths": [".cloudflared/twilight-config.yml"],
    "stat_only": [".cloudflared/logs/cloudflared.log"],
    "read": [".local/state/twilight-drive/twilight-cloudflared.service.applied"],
    "json_fields": [{"path": ".cloudflared/t.json", "fields": ["TunnelID"]}],
    "executables": ["/usr/local/lib/twilight-drive/cloudflared"],
    "units": ["twilight-cloudflared.service"],
    "probes": ["http://127.0.0.1:9090/ready"],
}


def answer_to(questions: dict) -> dict:
    """What account_info answers to (normalized) questions: one entry per item, marked with the item."""
    answer = {"changed": False, "home": "/home/twilight", "uid": 1000, "groups": ["docker"], "manager": {"up": True}}
    for name, key in q.LISTS.items():
        answer.setdefault(key, {}).update({item: {"of": item} for item in questions[name]})
    answer["json_fields"] = {
        path: {"fields": {name: f"{path}:{name}" for name in names}} for path, names in questions["json_fields"].items()
    }
    answer["docker"] = {"server": "24.0"} if questions["docker"] else {}
    return answer


def test_normalize_fills_in_the_defaults_and_sorts() -> None:
    questions = q.normalize({"paths": ["b", "a", "a"]})
    assert questions["paths"] == ("a", "b")
    assert questions["tail_lines"] == 30 and questions["docker_host"] == "" and questions["docker"] is False
    assert questions["json_fields"] == {}


@pytest.mark.parametrize(
    "args",
    [
        {"paths": "twilight/compose.yml"},
        {"paths": [1]},
        {"docker": "yes"},
        {"probe_wait": True},
        {"json_fields": [{"path": "a.json"}]},
        {"unknown": []},
        {"paths": ["a"], "stat_only": ["a"]},
    ],
)
def test_normalize_refuses_what_the_module_would_have_to_validate(args: dict) -> None:
    assert q.normalize(args) is None


def test_merged_questions_answer_each_set_as_it_would_be_answered_alone() -> None:
    backend, tunnel = q.normalize(BACKEND), q.normalize(TUNNEL)
    both = q.merge(backend, tunnel)
    assert both is not None
    full = answer_to(both)
    assert q.restrict(full, backend) == {k: v for k, v in answer_to(backend).items() if k != "changed"}
    assert q.restrict(full, tunnel) == {k: v for k, v in answer_to(tunnel).items() if k != "changed"}
    assert q.module_args(both)["docker"] is True
    assert set(q.module_args(both)["paths"]) == {*BACKEND["paths"], *TUNNEL["paths"]}


def test_json_fields_of_one_file_are_merged_and_restricted_per_asker() -> None:
    one = q.normalize({"json_fields": [{"path": "c.json", "fields": ["TunnelID"]}]})
    two = q.normalize({"json_fields": [{"path": "c.json", "fields": ["AccountTag"]}]})
    both = q.merge(one, two)
    assert both["json_fields"] == {"c.json": ("AccountTag", "TunnelID")}
    assert q.restrict(answer_to(both), one)["json_fields"] == {"c.json": {"fields": {"TunnelID": "c.json:TunnelID"}}}


@pytest.mark.parametrize(
    ("own", "also"),
    [
        ({"images": ["i"], "docker_host": "unix:///run/user/1000/docker.sock"}, {"containers": ["c"]}),
        ({"tails": ["a.log"], "tail_lines": 10}, {"tails": ["b.log"]}),
        ({"probes": ["http://127.0.0.1:8081/healthz"], "probe_wait": 5}, {"paths": ["a"]}),
        ({"paths": ["a"]}, {"stat_only": ["a"]}),
    ],
)
def test_questions_that_one_call_cannot_answer_as_each_alone_are_not_merged(own: dict, also: dict) -> None:
    assert q.merge(q.normalize(own), q.normalize(also)) is None


def test_a_docker_host_only_one_side_relies_on_is_kept() -> None:
    rootless = {"images": ["i"], "docker_host": "unix:///run/user/1000/docker.sock"}
    both = q.merge(q.normalize(rootless), q.normalize(TUNNEL))
    assert both is not None and both["docker_host"] == rootless["docker_host"]
    assert q.merge(q.normalize(TUNNEL), q.normalize(rootless))["docker_host"] == rootless["docker_host"]


def test_covers_needs_every_question_answered_the_same_way() -> None:
    backend, tunnel = q.normalize(BACKEND), q.normalize(TUNNEL)
    both = q.merge(backend, tunnel)
    assert q.covers(both, tunnel) and q.covers(both, backend) and q.covers(tunnel, tunnel)
    assert not q.covers(tunnel, backend)
    more = q.normalize({**TUNNEL, "paths": [*TUNNEL["paths"], ".cloudflared/cert.pem"]})
    assert not q.covers(tunnel, more)
    fields = q.normalize({**TUNNEL, "json_fields": [{"path": ".cloudflared/t.json", "fields": ["TunnelID", "x"]}]})
    assert not q.covers(tunnel, fields)
    assert not q.covers(q.normalize({**BACKEND, "docker": False}), backend)
    assert not q.covers(backend, q.normalize({**BACKEND, "docker_host": "unix:///x.sock"}))
    waiting = q.normalize({**TUNNEL, "probe_wait": 3})
    assert not q.covers(waiting, waiting)


def test_recorded_questions_read_back_as_the_same_questions() -> None:
    both = q.merge(q.normalize(BACKEND), q.normalize(TUNNEL))
    assert q.from_data(q.as_data(both)) == both
    assert q.from_data(None) is None and q.from_data({"paths": []}) is None
