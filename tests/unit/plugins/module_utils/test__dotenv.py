"""parse_written: the env files the roles write, read back for the compose round-trip check."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._dotenv import parse_written


def test_keys_values_and_their_lines() -> None:
    text = "#\n# Ansible managed\n#\n# comment\nA='1'\nB=''\nC='a b #c $X \\\\'\n"
    assert parse_written(text) == {5: ("A", "1"), 6: ("B", ""), 7: ("C", "a b #c $X \\\\")}


@pytest.mark.parametrize("line", ["A=1", "A='1", "1A='x'", "A = 'x'", " A='x'"])
def test_anything_else_is_refused_with_its_line(line: str) -> None:
    with pytest.raises(ValueError, match="line 2 is not KEY='value'"):
        parse_written(f"# head\n{line}\n")
