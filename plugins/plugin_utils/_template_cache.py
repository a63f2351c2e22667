# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compiled Jinja templates kept on the controller's disk, so a template is compiled once, not in every worker.

Private to this collection (no compatibility promise). Ansible compiles every template string it renders, in
the worker process it forks for each task, and a worker's compilations die with it: a run of
playbooks/site.yml that changes nothing compiled about 830 templates (329 different ones), a quarter of its
time. ``install()`` wraps ``jinja2.Environment.compile`` so that the Python code Jinja generates for a template
string is kept, in memory and in a directory of the controller's user, and taken from there the next time the
same string is compiled the same way, in any process of this run or of a later one.

What is kept is exactly what Jinja would compile again: an entry is taken only for the same source, template
name and file name, the same settings of the environment that shape the generated code, the same versions of
Python, Jinja and ansible-core, and filters and tests of the same names that take the same context argument
(checked against the environment at hand each time an entry is taken). The directory must be the user's own
and closed to everyone else (0700), or nothing is kept. An entry that cannot be read is compiled again.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import tempfile
from typing import Any

import jinja2
from jinja2 import Environment, nodes
from jinja2.utils import _PassArg

try:  # ansible-core's own compile-time settings, where this version has them
    from ansible._internal._templating._jinja_bits import _TemplateCompileContext
except ImportError:  # pragma: no cover - another ansible-core layout: the setting is then not part of the key
    _TemplateCompileContext = None
try:
    from ansible._internal._templating._jinja_common import _TemplateConfig
except ImportError:  # pragma: no cover
    _TemplateConfig = None
from ansible.release import __version__ as ANSIBLE_VERSION

# The settings of an environment that the code Jinja generates depends on (the lexer's, the code generator's).
SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)
VERSIONS = (sys.version, jinja2.__version__, ANSIBLE_VERSION)

_state: dict[str, Any] = {"original": None, "directory": None, "memory": {}}


def default_directory() -> str:
    """Where entries are kept unless told otherwise: the user's cache directory (XDG)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lacatfly.twilight_drive", "templates")


def usable_directory(path: str) -> str | None:
    """``path``, created 0700 when missing, when it is a directory of this user that nobody else may write or read;
    else None."""
    with contextlib.suppress(OSError):
        os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
        return None
    return path


def install(directory: str | None) -> bool:
    """Wrap ``jinja2.Environment.compile`` (keeping entries in ``directory`` when it is usable, else in memory only);
    True when entries go to disk."""
    if _state["original"] is None:
        _state["original"] = Environment.compile
        Environment.compile = _compile
    _state["directory"] = usable_directory(directory) if directory else None
    return _state["directory"] is not None


def uninstall() -> None:
    """Give ``jinja2.Environment.compile`` back; forget what is in memory."""
    if _state["original"] is not None:
        Environment.compile = _state["original"]
    _state.update(original=None, directory=None, memory={})


def identity(env: Environment, source: str, name: str | None, filename: str | None, defer_init: bool) -> str | None:
    """What a compilation of ``source`` depends on besides the filters and tests it names, as text; None when it
    depends on something that cannot be told (an autoescape function, a finalize without a name)."""
    if callable(env.autoescape):
        return None
    finalize = env.finalize
    if finalize is not None and not hasattr(finalize, "__qualname__"):
        return None
    context = _TemplateCompileContext.current(optional=True) if _TemplateCompileContext else None
    parts = (
        VERSIONS,
        f"{type(env).__module__}.{type(env).__qualname__}",
        f"{env.code_generator_class.__module__}.{env.code_generator_class.__qualname__}",
        tuple(getattr(env, setting, None) for setting in SETTINGS),
        bool(env.autoescape),
        None if finalize is None else (finalize.__module__, finalize.__qualname__, _pass(finalize)),
        tuple(sorted(env.extensions)),
        tuple(sorted(getattr(env, "intercepted_binops", ()))),
        tuple(sorted(getattr(env, "intercepted_unops", ()))),
        None if context is None else bool(context.escape_backslashes),
        getattr(_TemplateConfig, "allow_embedded_templates", None),
        str(source),
        name,
        filename,
        bool(defer_init),
    )
    return repr(parts)


def _pass(func: Any) -> str:
    found = _PassArg.from_obj(func) if func is not None else None
    return "" if found is None else found.name


def _named(env: Environment, names: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each filter and test name with what it takes as its first argument in ``env`` (or ``missing``)."""
    found = []
    for kind, name in names:
        table = env.filters if kind == "filter" else env.tests
        try:
            func = table.get(name)
        except Exception:  # pylint: disable=broad-exception-caught  # a plugin that fails to load: never take an entry for it
            return (("error", kind, name),)
        found.append((kind, name, "missing" if func is None else _pass(func)))
    return tuple(found)


def _compile(self, source, name=None, filename=None, raw=False, defer_init=False):
    original = _state["original"]
    if raw or not isinstance(source, str) or getattr(self, "_debuggable_template_source", False):
        return original(self, source, name, filename, raw, defer_init)
    ident = identity(self, source, name, filename, defer_init)
    if ident is None:
        return original(self, source, name, filename, raw, defer_init)
    key = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()
    entry = _state["memory"].get(key) or _load(key, ident)
    if entry is not None and _named(self, entry[1]) == entry[2]:
        _state["memory"][key] = entry
        return entry[0]
    try:
        tree = self._parse(source, name, filename)
    except Exception:  # pylint: disable=broad-exception-caught  # Jinja's own path reports the error as it always does
        return original(self, source, name, filename, raw, defer_init)
    code = original(self, tree, name, filename, False, defer_init)
    names = tuple(
        sorted(
            {("filter", node.name) for node in tree.find_all(nodes.Filter)}
            | {("test", node.name) for node in tree.find_all(nodes.Test)}
        )
    )
    entry = (code, names, _named(self, names))
    _state["memory"][key] = entry
    _store(key, ident, entry)
    return code


def _load(key: str, ident: str):
    directory = _state["directory"]
    if directory is None:
        return None
    try:
        fd = os.open(os.path.join(directory, key), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            stored_ident, code, names, passes = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if stored_ident != ident or not isinstance(code, type(_load.__code__)):
        return None
    return code, tuple(tuple(item) for item in names), tuple(tuple(item) for item in passes)


def _store(key: str, ident: str, entry) -> None:
    directory = _state["directory"]
    if directory is None:
        return
    code, names, passes = entry
    try:
        data = marshal.dumps((ident, code, names, passes))
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".entry-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, os.path.join(directory, key))
    except (OSError, ValueError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temporary)
