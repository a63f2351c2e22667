# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""account_info's answers for an account, asked from a root process without root reading anything of it.

``start()`` forks a child that first becomes the account for good (its supplementary groups, its group, its
user: real, effective and saved IDs), checks that it cannot become root again, drops every file descriptor of
the parent but the pipe it answers on, and only then reads, with a clean environment, exactly what account_info
reads when Ansible runs it as the account with become. Root's process never opens a path under the home: it
reads JSON from the pipe. ``collect()`` waits for the answer, within a deadline and a size limit.

Private to this collection (no compatibility promise).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import select
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_read import ReadFailed, answer

ANSWER_LIMIT = 16 << 20
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Child:
    """A child answering for one account: its pid and the read end of its pipe."""

    def __init__(self, name, pid, fd):
        self.name = name
        self.pid = pid
        self.fd = fd


def environment(entry):
    """What the child runs with: nothing of root's environment but the locale."""
    env = {
        "PATH": PATH,
        "HOME": entry.pw_dir,
        "USER": entry.pw_name,
        "LOGNAME": entry.pw_name,
        "SHELL": entry.pw_shell,
        "XDG_RUNTIME_DIR": f"/run/user/{entry.pw_uid}",
    }
    env.update({key: value for key, value in os.environ.items() if key in ("LANG", "LC_ALL")})
    return env


def become(entry):
    """Become the account for good in this process (the child), or raise."""
    groups = os.getgrouplist(entry.pw_name, entry.pw_gid)
    os.setgroups(groups)
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    if (os.getresuid(), os.getresgid()) != ((entry.pw_uid,) * 3, (entry.pw_gid,) * 3):
        raise PermissionError(f"could not become {entry.pw_name}")
    if sorted(set(os.getgroups())) != sorted(set(groups)):
        raise PermissionError(f"could not take the groups of {entry.pw_name}")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise PermissionError(f"became {entry.pw_name} but could become root again")


def answers(module, questions):
    """``{key: {"answer": ...} or {"error": ...}}`` for each set of account_info parameters in ``questions``, all
    asked at once (a set's DOCKER_HOST is passed to its commands, never set for the others)."""

    def one(params):
        try:
            return {"answer": answer(module, params, environ=dict(os.environ))}
        except ReadFailed as err:
            return {"error": str(err)}
        except Exception as err:  # pylint: disable=broad-exception-caught  # the parent reports it
            return {"error": f"{type(err).__name__}: {err}"}

    with ThreadPoolExecutor(max_workers=max(1, len(questions))) as pool:
        futures = {key: pool.submit(one, params) for key, params in questions.items()}
        return {key: future.result() for key, future in futures.items()}


def start(module, name, questions):
    """Fork the child that answers ``questions`` as the account ``name`` (which must not be root)."""
    entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise ValueError(f"{name} is root")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its behaviour is tested through collect()
        code = 70
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            if devnull > 2:
                os.close(devnull)
            os.closerange(3, write_end)
            os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX"))
            become(entry)
            os.chdir("/")
            os.umask(0o077)
            os.environ.clear()
            os.environ.update(environment(entry))
            data = json.dumps(answers(module, questions)).encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
            code = 0
        finally:
            os._exit(code)  # pylint: disable=protected-access  # no atexit of root's process in the child
    os.close(write_end)
    return Child(name, pid, read_end)


def collect(child, deadline):
    """The child's answers, or ``{"error": ...}``: it did not answer by ``deadline`` (time.monotonic()), said too
    much, failed, or said something that is not JSON."""
    chunks = []
    size = 0
    error = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                error = "did not answer in time"
                break
            ready, _w, _x = select.select([child.fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(child.fd, 1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > ANSWER_LIMIT:
                error = "answered more than the limit"
                break
            chunks.append(chunk)
    finally:
        os.close(child.fd)
    if error:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
    _pid, status = os.waitpid(child.pid, 0)
    if error:
        return {"error": f"reading as {child.name} {error}"}
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return {"error": f"reading as {child.name} failed (wait status {status})"}
    try:
        return {"answers": json.loads(b"".join(chunks).decode("utf-8"))}
    except ValueError as err:
        return {"error": f"reading as {child.name} returned no JSON: {err}"}
