"""dotenv_problems: what cannot go into a compose env file, named by key and never by value."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.filter.dotenv_problems import dotenv_problems


def test_good_env_has_no_problems() -> None:
    assert dotenv_problems({"LOG_LEVEL": "info", "_X1": 3, "FLAG": True, "RATIO": 1.5}) == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BAD-KEY": "x"}, "key 'BAD-KEY' is not an environment variable name"),
        ({"1ST": "x"}, "key '1ST' is not an environment variable name"),
        ({"TOKEN": "it's"}, "the value of TOKEN holds a single quote"),
        ({"TOKEN": "a\nb"}, "the value of TOKEN holds a control character"),
        ({"TOKEN": ["a"]}, "the value of TOKEN must be a string, number or boolean"),
        ({"TOKEN": None}, "the value of TOKEN must be a string, number or boolean"),
    ],
    ids=["dash", "digit-first", "quote", "newline", "list", "null"],
)
def test_each_problem_is_named(env: dict, expected: str) -> None:
    assert [p for p in dotenv_problems(env) if expected in p]


def test_prefix_is_enforced() -> None:
    assert dotenv_problems({"PGPASSWORD": "x", "POSTGRES_DB": "d"}, prefix="POSTGRES_") == [
        "key PGPASSWORD does not start with POSTGRES_"
    ]


@pytest.mark.parametrize(("value", "kind"), [("TOKEN=x", "str"), (["TOKEN=x"], "list"), (None, "null")])
def test_not_a_dict_is_a_problem_not_a_crash(value: object, kind: str) -> None:
    assert dotenv_problems(value) == [f"must be a dict of KEY: value pairs, got {kind}"]


def test_messages_never_hold_values() -> None:
    secret = "s3cr3t-'value"
    assert not [p for p in dotenv_problems({"TOKEN": secret, "BAD KEY": secret}) if "s3cr3t" in p]
