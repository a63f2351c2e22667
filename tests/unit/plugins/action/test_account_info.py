"""The account_info action plugin: an earlier answer of the same account is taken without a call when it covers
the task's questions."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.lacatfly.twilight_drive.plugins.action.account_info import ActionModule
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _account_questions as q

BACKEND = {"paths": ["twilight/compose.yml"], "units": ["twilight-backend.service"], "docker": True}
TUNNEL = {"paths": [".cloudflared/twilight-config.yml"], "executables": ["/usr/local/lib/twilight-drive/cloudflared"]}


def answer(args: dict) -> dict:
    """What the module answers: an entry per item asked."""
    return {
        "changed": False,
        "home": "/home/twilight",
        "uid": 1000,
        "groups": [],
        "manager": {"up": True},
        "paths": {p: {"exists": True} for p in args.get("paths", []) + args.get("stat_only", [])},
        "units": {u: {"ActiveState": "active"} for u in args.get("units", [])},
        "executables": {e: {"exists": True} for e in args.get("executables", [])},
        "docker": {"server": "24.0"} if args.get("docker") else {},
    }


def earlier(*sets: dict, account: str = "twilight") -> dict:
    """What host_info hands over: the answer to all of ``sets`` read as ``account``, with what it answers."""
    both = {
        name: sorted({item for one in sets for item in one.get(name, [])}) for name in ("paths", "units", "executables")
    }
    both["docker"] = any(one.get("docker") for one in sets)
    return {**answer(both), "asked": q.as_data(q.normalize(both)), "asked_as": account}


def action(args: dict, become_user: str = "twilight") -> tuple[ActionModule, list[dict]]:
    task = MagicMock(args=args, async_val=0, check_mode=False)
    play_context = MagicMock(become=True, become_user=become_user, remote_user="admin")
    plugin = ActionModule(task, MagicMock(), play_context, MagicMock(), MagicMock(), MagicMock())
    calls: list[dict] = []

    def execute(module_name: str, module_args: dict, task_vars: dict) -> dict:
        assert module_name == "lacatfly.twilight_drive.account_info"
        assert not {"questions", "answered"} & set(module_args)
        calls.append(module_args)
        return answer(module_args)

    plugin._execute_module = execute
    plugin._remove_tmp_path = MagicMock()
    return plugin, calls


def test_alone_it_asks_the_task_s_questions_and_records_them() -> None:
    plugin, calls = action({"questions": BACKEND})
    result = plugin.run(task_vars={})
    assert calls == [BACKEND]
    assert result["paths"] == {"twilight/compose.yml": {"exists": True}} and "reused" not in result
    assert result["asked"]["paths"] == ["twilight/compose.yml"] and result["asked_as"] == "twilight"


def test_an_earlier_answer_that_covers_the_questions_is_returned_without_a_call() -> None:
    plugin, calls = action({"questions": TUNNEL, "answered": earlier(BACKEND, TUNNEL)})
    result = plugin.run(task_vars={})
    assert calls == []
    assert result["reused"] is True and result["changed"] is False
    # exactly what the task would have had alone: none of the backend's answers
    assert result["paths"] == {".cloudflared/twilight-config.yml": {"exists": True}}
    assert result["units"] == {} and result["docker"] == {}
    assert result["executables"] == {"/usr/local/lib/twilight-drive/cloudflared": {"exists": True}}


@pytest.mark.parametrize(
    ("questions", "user", "given"),
    [
        (TUNNEL, "cloudflared", earlier(BACKEND, TUNNEL)),  # another account's answer
        ({**TUNNEL, "paths": [*TUNNEL["paths"], ".cloudflared/cert.pem"]}, "twilight", earlier(BACKEND, TUNNEL)),
        ({**TUNNEL, "docker": True}, "twilight", earlier(TUNNEL)),
        (TUNNEL, "twilight", {**earlier(BACKEND, TUNNEL), "asked": None}),  # not a recorded answer
        (TUNNEL, "twilight", {}),
    ],
)
def test_an_earlier_answer_that_does_not_cover_the_questions_is_not_taken(questions: dict, user: str, given) -> None:
    plugin, calls = action({"questions": questions, "answered": given}, become_user=user)
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and "reused" not in result


def test_a_question_given_twice_is_refused() -> None:
    plugin = action({"questions": BACKEND, "paths": ["twilight/.env"]})[0]
    with pytest.raises(AnsibleActionFail, match="paths"):
        plugin.run(task_vars={})
