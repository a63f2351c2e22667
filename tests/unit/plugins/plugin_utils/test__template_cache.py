"""_template_cache: a template string compiled once is taken from memory or disk, and only when nothing that shapes
its code differs."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
from jinja2 import Environment, pass_context

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _template_cache as cache

SOURCE = "{{ name | shout }} and {{ 1 + 2 }}"


@pytest.fixture(autouse=True)
def _clean():
    cache.uninstall()
    yield
    cache.uninstall()


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The sources Jinja parses (what a compilation costs)."""
    seen: list[str] = []
    original = Environment._parse

    def parse(self, source, name, filename):
        seen.append(source)
        return original(self, source, name, filename)

    monkeypatch.setattr(Environment, "_parse", parse)
    return seen


def env(**settings) -> Environment:
    environment = Environment(**settings)
    environment.filters["shout"] = lambda value: str(value).upper()
    return environment


def render(environment: Environment) -> str:
    return environment.from_string(SOURCE).render(name="twilight")


def test_a_template_is_compiled_once_and_renders_the_same(tmp_path, parses) -> None:
    assert cache.install(str(tmp_path / "cache"))
    assert render(env()) == render(env()) == "TWILIGHT and 3"
    assert parses == [SOURCE]
    assert stat_mode(tmp_path / "cache") == 0o700 and len(os.listdir(tmp_path / "cache")) == 1


def test_a_later_process_takes_it_from_disk(tmp_path, parses) -> None:
    cache.install(str(tmp_path))
    render(env())
    cache.uninstall()  # forgets what is in memory, as a new process would not have it
    cache.install(str(tmp_path))
    assert render(env()) == "TWILIGHT and 3"
    assert parses == [SOURCE]


@pytest.mark.parametrize(
    "settings",
    [{"variable_start_string": "[[", "variable_end_string": "]]"}, {"trim_blocks": True}, {"optimized": False}],
)
def test_other_settings_compile_again(tmp_path, parses, settings: dict) -> None:
    cache.install(str(tmp_path))
    render(env())
    env(**settings).from_string(SOURCE)
    assert parses == [SOURCE, SOURCE]


def test_a_filter_that_now_takes_the_context_compiles_again(tmp_path, parses) -> None:
    cache.install(str(tmp_path))
    render(env())
    changed = env()
    changed.filters["shout"] = pass_context(lambda _ctx, value: str(value).upper())
    assert render(changed) == "TWILIGHT and 3"
    assert parses == [SOURCE, SOURCE]


def test_an_entry_that_cannot_be_read_is_compiled_again(tmp_path, parses) -> None:
    cache.install(str(tmp_path))
    render(env())
    for entry in tmp_path.iterdir():
        entry.write_bytes(b"not marshal data")
    cache.uninstall()
    cache.install(str(tmp_path))
    assert render(env()) == "TWILIGHT and 3"
    assert parses == [SOURCE, SOURCE]


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o707])
def test_a_directory_others_may_open_is_not_used(tmp_path, mode: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    shared.chmod(mode)
    assert cache.install(str(shared)) is False
    render(env())
    assert list(shared.iterdir()) == []


def test_a_link_is_not_a_directory_to_use(tmp_path) -> None:
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert cache.usable_directory(str(tmp_path / "link")) is None


def test_a_syntax_error_is_reported_as_jinja_reports_it(tmp_path) -> None:
    cache.install(str(tmp_path))
    with pytest.raises(jinja2.TemplateSyntaxError):
        env().from_string("{{ broken ")


def test_uninstall_gives_jinja_its_compile_back(tmp_path) -> None:
    original = Environment.compile
    cache.install(str(tmp_path))
    assert Environment.compile is not original
    cache.uninstall()
    assert Environment.compile is original


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
