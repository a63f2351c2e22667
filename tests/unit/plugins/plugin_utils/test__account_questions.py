"""_account_questions: whether an earlier answer covers a task's questions, and that task's part of it."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_read import ARGUMENT_SPEC
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


def union(*sets: dict) -> dict:
    """One set of questions asking all of ``sets`` (lists joined; the scalars of the first)."""
    both = dict(sets[0])
    for one in sets[1:]:
        for name in q.LISTS:
            both[name] = tuple(sorted(set(both[name]) | set(one[name])))
        fields = {path: set(names) for path, names in both["json_fields"].items()}
        for path, names in one["json_fields"].items():
            fields.setdefault(path, set()).update(names)
        both["json_fields"] = {path: tuple(sorted(names)) for path, names in sorted(fields.items())}
        both["docker"] = both["docker"] or one["docker"]
    return both


def test_an_answer_to_more_is_restricted_to_what_each_set_would_have_had_alone() -> None:
    backend, tunnel = q.normalize(BACKEND), q.normalize(TUNNEL)
    full = answer_to(union(backend, tunnel))
    assert q.restrict(full, backend) == {k: v for k, v in answer_to(backend).items() if k != "changed"}
    assert q.restrict(full, tunnel) == {k: v for k, v in answer_to(tunnel).items() if k != "changed"}


def test_json_fields_of_one_file_are_restricted_to_the_fields_asked() -> None:
    one = q.normalize({"json_fields": [{"path": "c.json", "fields": ["TunnelID"]}]})
    two = q.normalize({"json_fields": [{"path": "c.json", "fields": ["AccountTag"]}]})
    both = union(one, two)
    assert both["json_fields"] == {"c.json": ("AccountTag", "TunnelID")}
    assert q.restrict(answer_to(both), one)["json_fields"] == {"c.json": {"fields": {"TunnelID": "c.json:TunnelID"}}}
    assert q.covers(both, one) and not q.covers(one, both)


def test_covers_needs_every_question_answered_the_same_way() -> None:
    backend, tunnel = q.normalize(BACKEND), q.normalize(TUNNEL)
    both = union(backend, tunnel)
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
    both = union(q.normalize(BACKEND), q.normalize(TUNNEL))
    assert q.from_data(q.as_data(both)) == both
    assert q.from_data(None) is None and q.from_data({"paths": []}) is None


def test_the_tables_are_the_module_s_options_and_defaults() -> None:
    """An option added to account_info without a place here would make every task ask for itself, silently."""
    assert set(q.LISTS) | set(q.SCALARS) | {"json_fields"} == set(ARGUMENT_SPEC)
    for name, default in q.SCALARS.items():
        assert ARGUMENT_SPEC[name]["default"] == (list(default) if isinstance(default, tuple) else default), name
    for name in q.LISTS:
        assert ARGUMENT_SPEC[name] == {"type": "list", "elements": "str", "default": []}, name
