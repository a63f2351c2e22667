"""lacatfly.twilight_drive.linear: the builtin linear strategy, each worker forked after gc.freeze(), compiled
templates kept while a play runs."""

from __future__ import annotations

import gc
import inspect

import pytest
from ansible.plugins.strategy import StrategyBase
from ansible.plugins.strategy.linear import StrategyModule as BuiltinLinear

from ansible_collections.lacatfly.twilight_drive.plugins.strategy import linear


@pytest.fixture(autouse=True)
def _unfrozen(monkeypatch):
    # nothing kept under the home of whoever runs the tests, unless a test says where
    monkeypatch.setenv("TWILIGHT_DRIVE_TEMPLATE_CACHE", "off")
    gc.unfreeze()
    yield
    gc.unfreeze()


def bare_strategy() -> linear.StrategyModule:
    """The strategy without a task queue manager: only the two methods it overrides are called."""
    return linear.StrategyModule.__new__(linear.StrategyModule)


def test_it_is_the_builtin_linear_strategy_with_the_methods_it_wraps_as_they_are() -> None:
    """An ansible-core that renamed or changed the two methods would fail here, not in a run."""
    assert issubclass(linear.StrategyModule, BuiltinLinear)
    assert list(inspect.signature(StrategyBase._queue_task).parameters) == [
        "self",
        "host",
        "task",
        "task_vars",
        "play_context",
    ]
    assert list(inspect.signature(BuiltinLinear.run).parameters) == ["self", "iterator", "play_context"]


def test_each_worker_is_forked_after_the_controllers_objects_are_frozen(monkeypatch) -> None:
    seen = []

    def queue(self, host, task, task_vars, play_context):
        # what the fork would inherit: the objects tracked so far, in the permanent generation
        seen.append((host, task, task_vars, play_context, gc.get_freeze_count()))
        return "queued"

    monkeypatch.setattr(StrategyBase, "_queue_task", queue)
    strategy = bare_strategy()
    before = gc.get_freeze_count()
    assert strategy._queue_task("host", "task", {"v": 1}, "ctx") == "queued"
    assert seen[0][:4] == ("host", "task", {"v": 1}, "ctx")
    assert seen[0][4] > before


def test_the_objects_are_unfrozen_at_the_end_of_the_play_even_when_it_fails(monkeypatch) -> None:
    def run(self, iterator, play_context):
        gc.freeze()
        raise RuntimeError("the play failed")

    monkeypatch.setattr(BuiltinLinear, "run", run)
    with pytest.raises(RuntimeError, match="the play failed"):
        bare_strategy().run("iterator", "ctx")
    assert gc.get_freeze_count() == 0


def test_a_play_returns_what_the_builtin_run_returns(monkeypatch) -> None:
    monkeypatch.setattr(BuiltinLinear, "run", lambda self, iterator, play_context: 4)
    assert bare_strategy().run("iterator", "ctx") == 4
    assert gc.get_freeze_count() == 0


def test_compiled_templates_are_kept_while_the_play_runs_in_the_directory_given(monkeypatch, tmp_path) -> None:
    from jinja2 import Environment

    original = Environment.compile
    during = []

    def run(self, iterator, play_context):
        during.append(Environment.compile is not original)
        Environment().from_string("{{ 1 + 1 }}")
        return 0

    monkeypatch.setattr(BuiltinLinear, "run", run)
    monkeypatch.setenv("TWILIGHT_DRIVE_TEMPLATE_CACHE", str(tmp_path / "templates"))
    assert bare_strategy().run("iterator", "ctx") == 0
    assert during == [True]
    assert len(list((tmp_path / "templates").iterdir())) == 1
    assert Environment.compile is original


def test_off_leaves_the_compilation_to_jinja(monkeypatch) -> None:
    from jinja2 import Environment

    original = Environment.compile
    during = []
    monkeypatch.setattr(BuiltinLinear, "run", lambda self, i, p: during.append(Environment.compile is original))
    monkeypatch.setenv("TWILIGHT_DRIVE_TEMPLATE_CACHE", "off")
    bare_strategy().run("iterator", "ctx")
    assert during == [True]
