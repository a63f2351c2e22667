"""The host_info action plugin: each answer read as an account records which questions it answers, as whom."""

from __future__ import annotations

from unittest.mock import MagicMock

from ansible_collections.lacatfly.twilight_drive.plugins.action.host_info import ActionModule
from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _account_questions as q

BACKEND = {"paths": ["twilight/compose.yml"], "docker": True}


def run(args: dict, module_result: dict) -> tuple[dict, list[dict]]:
    task = MagicMock(args=args, async_val=0, check_mode=False)
    plugin = ActionModule(task, MagicMock(), MagicMock(), MagicMock(), MagicMock(), MagicMock())
    calls: list[dict] = []

    def execute(module_name: str, module_args: dict, task_vars: dict) -> dict:
        assert module_name == "lacatfly.twilight_drive.host_info"
        calls.append(module_args)
        return module_result

    plugin._execute_module = execute
    plugin._remove_tmp_path = MagicMock()
    return plugin.run(task_vars={}), calls


def test_answers_read_as_an_account_say_what_they_answer_and_as_whom() -> None:
    args = {"users": ["twilight"], "accounts": {"twilight": {"twilight-backend.service": BACKEND}}}
    read = {"home": "/home/twilight", "paths": {"twilight/compose.yml": {"exists": True}}}
    result, calls = run(args, {"changed": False, "account_reads": {"twilight": {"twilight-backend.service": read}}})
    assert calls == [args]
    answer = result["account_reads"]["twilight"]["twilight-backend.service"]
    assert answer["asked_as"] == "twilight"
    assert q.from_data(answer["asked"]) == q.normalize(BACKEND)


def test_without_accounts_the_result_is_the_module_s() -> None:
    result = run({"users": ["twilight"]}, {"changed": False, "users": {"twilight": {"exists": True}}})[0]
    assert result == {"changed": False, "users": {"twilight": {"exists": True}}}


def test_questions_that_are_not_plain_data_get_no_record() -> None:
    args = {"accounts": {"twilight": {"x": {"paths": "not-a-list"}}}}
    result = run(args, {"account_reads": {"twilight": {"x": {"paths": {}}}}})[0]
    assert "asked" not in result["account_reads"]["twilight"]["x"]
