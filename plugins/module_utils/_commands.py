# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The few commands the collection's info modules ask: systemctl show, docker, docker compose.

Private to this collection (no compatibility promise).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor


class Commands:
    """The commands of one module run, through ``module.run_command`` (safe from several threads at once:
    it copies the environment and changes no process state for these calls), each killed after ``timeout``
    seconds so a wedged engine or manager fails the question instead of hanging the run."""

    def __init__(self, module, timeout=120, environ=None):
        self.module = module
        self.timeout = timeout
        self.environ = environ

    def run(self, argv, data=None):
        """``(rc, stdout, stderr)`` of a command; rc 127 when it is not installed, 124 when it timed out.
        Arguments are passed as they are (no ``~`` or ``$VAR`` expansion, no shell)."""
        timers = []
        fired = []

        def kill(proc):
            fired.append(True)
            proc.kill()

        def arm(proc):
            timer = threading.Timer(self.timeout, kill, (proc,))
            timer.daemon = True
            timers.append(timer)
            timer.start()

        try:
            rc, out, err = self.module.run_command(
                argv,
                check_rc=False,
                data=data,
                binary_data=data is not None,
                expand_user_and_vars=False,
                before_communicate_callback=arm,
                handle_exceptions=False,
                environ_update=self.environ,
            )
        except FileNotFoundError as err:
            return 127, "", str(err)
        finally:
            for timer in timers:
                timer.cancel()
        if fired:
            return 124, out, f"{argv[0]} did not answer within {self.timeout} s"
        return rc, out, err

    def systemctl_show(self, scope_args, units, properties):
        """``{unit: {property: value}}`` from one ``systemctl [--user] show`` of ``units``; RuntimeError on
        failure."""
        if not units:
            return {}
        rc, out, err = self.run(
            ["systemctl", *scope_args, "show", "--property=" + ",".join(("Id", *properties)), "--", *units]
        )
        if rc != 0:
            raise RuntimeError(f"systemctl {' '.join(scope_args)} show failed: {(err or out).strip()}")
        found = {}
        for block in out.strip().split("\n\n"):
            props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
            if "Id" in props:
                found[props.pop("Id")] = props
        return {unit: found.get(unit, {}) for unit in units}

    def docker_versions(self):
        """The engine's and compose's versions as this process sees them, or the error that stopped the
        question. Both are asked at once (each is a program start); compose's answer counts only when the
        engine answered."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            compose = pool.submit(self.run, ["docker", "compose", "version", "--short"])
            rc, out, err = self.run(["docker", "version", "--format", "{{.Server.Version}}"])
            compose_rc, compose_out, compose_err = compose.result()
        if rc != 0:
            return {"server": None, "compose": None, "error": (err or out).strip() or f"docker exited {rc}"}
        return {
            "server": out.strip(),
            "compose": compose_out.strip().lstrip("v") if compose_rc == 0 else None,
            "error": None if compose_rc == 0 else (compose_err or compose_out).strip(),
        }

    def image_id(self, ref):
        """The ID of an image in the engine this process reaches, or None."""
        rc, out, _err = self.run(["docker", "image", "inspect", "--format", "{{.Id}}", "--", ref])
        return out.strip() if rc == 0 else None
