"""The account_info action plugin: one call for two sets of questions, and an earlier answer taken without a call."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.lacatfly.twilight_drive.plugins.action.account_info import ActionModule

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


def action(args: dict, become_user: str = "twilight") -> tuple[ActionModule, list[dict]]:
    task = MagicMock(args=args, async_val=0, check_mode=False)
    play_context = MagicMock(become=True, become_user=become_user, remote_user="admin")
    plugin = ActionModule(task, MagicMock(), play_context, MagicMock(), MagicMock(), MagicMock())
    calls: list[dict] = []

    def execute(module_name: str, module_args: dict, task_vars: dict) -> dict:
        assert module_name == "lacatfly.twilight_drive.account_info"
        assert not {"questions", "also_ask", "answered"} & set(module_args)
        calls.append(module_args)
        return answer(module_args)

    plugin._execute_module = execute
    plugin._remove_tmp_path = MagicMock()
    return plugin, calls


def test_alone_it_asks_the_task_s_questions_and_records_them() -> None:
    plugin, calls = action({"questions": BACKEND})
    result = plugin.run(task_vars={})
    assert calls == [BACKEND]
    assert result["paths"] == {"twilight/compose.yml": {"exists": True}} and "also_answered" not in result
    assert result["asked"]["paths"] == ["twilight/compose.yml"] and result["asked_as"] == "twilight"


def test_also_ask_is_one_call_and_each_answer_is_as_alone() -> None:
    plugin, calls = action({"questions": BACKEND, "also_ask": TUNNEL})
    result = plugin.run(task_vars={})
    assert len(calls) == 1
    assert set(calls[0]["paths"]) == {"twilight/compose.yml", ".cloudflared/twilight-config.yml"}
    assert result["paths"] == {"twilight/compose.yml": {"exists": True}} and result["executables"] == {}
    also = result["also_answered"]
    assert also["paths"] == {".cloudflared/twilight-config.yml": {"exists": True}}
    assert also["executables"] == {"/usr/local/lib/twilight-drive/cloudflared": {"exists": True}}
    assert also["units"] == {} and also["docker"] == {} and also["asked_as"] == "twilight"


def test_an_earlier_answer_that_covers_the_questions_is_returned_without_a_call() -> None:
    first, _ = action({"questions": BACKEND, "also_ask": TUNNEL})
    earlier = first.run(task_vars={})["also_answered"]
    plugin, calls = action({"questions": TUNNEL, "answered": earlier})
    result = plugin.run(task_vars={})
    assert calls == []
    assert result["reused"] is True and result["changed"] is False
    assert result["paths"] == {".cloudflared/twilight-config.yml": {"exists": True}}


@pytest.mark.parametrize(
    ("questions", "user"),
    [
        (TUNNEL, "cloudflared"),  # another account's answer
        ({**TUNNEL, "paths": [*TUNNEL["paths"], ".cloudflared/cert.pem"]}, "twilight"),  # a question it did not ask
        ({**TUNNEL, "docker": True}, "twilight"),
    ],
)
def test_an_earlier_answer_that_does_not_cover_the_questions_is_not_taken(questions: dict, user: str) -> None:
    first, _ = action({"questions": BACKEND, "also_ask": TUNNEL})
    earlier = first.run(task_vars={})["also_answered"]
    plugin, calls = action({"questions": questions, "answered": earlier}, become_user=user)
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and "reused" not in result


def test_a_question_given_twice_is_refused() -> None:
    plugin, _ = action({"questions": BACKEND, "paths": ["twilight/.env"]})
    with pytest.raises(AnsibleActionFail, match="paths"):
        plugin.run(task_vars={})
