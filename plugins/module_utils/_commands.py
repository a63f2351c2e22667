# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The few commands the collection's info modules ask: systemctl show, docker, docker compose.

Private to this collection (no compatibility promise). Plain subprocess calls
that are safe to make from several threads at once.
"""

from __future__ import annotations

import subprocess


def run(argv, timeout=120):
    """``(rc, stdout, stderr)`` of a command; rc 127 when it is not installed."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError as err:
        return 127, "", str(err)
    return proc.returncode, proc.stdout, proc.stderr


def systemctl_show(scope_args, units, properties):
    """``{unit: {property: value}}`` from one ``systemctl [--user] show`` of ``units``; RuntimeError on failure."""
    if not units:
        return {}
    rc, out, err = run(["systemctl", *scope_args, "show", "--property=" + ",".join(("Id", *properties)), "--", *units])
    if rc != 0:
        raise RuntimeError(f"systemctl {' '.join(scope_args)} show failed: {(err or out).strip()}")
    found = {}
    for block in out.strip().split("\n\n"):
        props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if "Id" in props:
            found[props.pop("Id")] = props
    return {unit: found.get(unit, {}) for unit in units}


def docker_versions():
    """The engine's and compose's versions as this process sees them, or the error that stopped the question."""
    rc, out, err = run(["docker", "version", "--format", "{{.Server.Version}}"])
    if rc != 0:
        return {"server": None, "compose": None, "error": (err or out).strip() or f"docker exited {rc}"}
    server = out.strip()
    rc, out, err = run(["docker", "compose", "version", "--short"])
    return {
        "server": server,
        "compose": out.strip().lstrip("v") if rc == 0 else None,
        "error": None if rc == 0 else (err or out).strip(),
    }


def image_id(ref):
    """The ID of an image in the engine this process reaches, or None."""
    rc, out, _err = run(["docker", "image", "inspect", "--format", "{{.Id}}", "--", ref])
    return out.strip() if rc == 0 else None
