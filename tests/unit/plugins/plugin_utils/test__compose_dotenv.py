"""The env-file rules: every value compose 2.26.1 would read back differently from KEY='value' is refused,
by key and problem, never by value (the cases of docs/dotenv-rules.md)."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._compose_dotenv import (
    MAX_FILE_BYTES,
    MAX_PAIR_BYTES,
    problems,
    value_problem,
)

ACCEPTED = [
    "plain",
    "",
    " leading and trailing ",
    "a\\\\",  # an even number of trailing backslashes is read as written
    "a\\\\\\\\",
    "\\n literally, \\t, \\$, \\u0041",
    "$HOME ${X} ${X:-d} $(id) `id` $$",
    "# not a comment",
    'double "quotes"',
    "=:;,",
    "non-ASCII é 中 \u00a0 \u200b \ufeff",
    12,
    1.5,
    True,
]

REFUSED = [
    ("it's", "single quote"),
    ("x\\", "odd number of backslashes"),
    ("\\", "odd number of backslashes"),
    ("a\\\\\\", "odd number of backslashes"),
    ("a\x00b", "control character"),
    ("a\nb", "control character"),
    ("a\rb", "control character"),
    ("a\tb", "control character"),
    ("a\x1bb", "control character"),
    ("a\x7fb", "control character"),
    ("a\x85b", "control character"),  # NEL
    ("a\x9fb", "control character"),
    ("a\u2028b", "control character"),
    ("a\u2029b", "control character"),
    ("a\ud800b", "lone surrogate"),
    (None, "string, number or boolean"),
    (["a"], "string, number or boolean"),
    ({"a": 1}, "string, number or boolean"),
]


@pytest.mark.parametrize("value", ACCEPTED, ids=range(len(ACCEPTED)))
def test_values_compose_reads_back_exactly_are_accepted(value: object) -> None:
    assert value_problem(value) is None
    assert problems({"TOKEN": value}) == []


@pytest.mark.parametrize(("value", "why"), REFUSED, ids=[repr(case[0])[:20] for case in REFUSED])
def test_values_compose_reads_differently_are_refused_by_key(value: object, why: str) -> None:
    [message] = problems({"TOKEN": value})
    assert message.startswith("the value of TOKEN ")
    assert why in message


@pytest.mark.parametrize("key", ["COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "compose_profiles", "Compose_X"])
def test_compose_settings_are_refused_as_keys(key: str) -> None:
    [message] = problems({key: "x"})
    assert message == f"key {key} is refused: COMPOSE_* variables are docker compose's own settings"


def test_a_pair_longer_than_max_arg_strlen_is_refused() -> None:
    assert problems({"K": "x" * (MAX_PAIR_BYTES - 2)}) == []
    [message] = problems({"K": "x" * (MAX_PAIR_BYTES - 1)})
    assert message == f"the value of K is too long: KEY=value may take at most {MAX_PAIR_BYTES} bytes"


def test_the_whole_file_is_capped() -> None:
    env = {f"K{i}": "x" * 100_000 for i in range(11)}
    assert any(f"at most {MAX_FILE_BYTES} fit" in m for m in problems(env))


def test_no_message_holds_a_value() -> None:
    secret = "s3cr3t"
    env = {f"K{i}": secret + case[0] for i, case in enumerate(REFUSED) if isinstance(case[0], str)}
    env["COMPOSE_FILE"] = secret
    assert problems(env)
    assert not [m for m in problems(env) if secret in m]
