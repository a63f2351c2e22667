"""TEST STAND-IN for the backend's service (src/service/main.py). Never shipped.

A plain ASGI app, served by uvicorn as the kit's Dockerfile runs it, that
exercises the image contract from the inside: at start-up it writes to /data
and /tmp (the only writable places) and refuses to start if the root file
system is writable, so a deployment without the collection's hardening fails.

    GET /healthz  200 "ok"
    GET /version  200 the version the image was built with (TWILIGHT_DRIVE_VERSION)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

VERSION = os.environ.get("TWILIGHT_DRIVE_VERSION", "unknown")
DATA = Path(os.environ.get("TWILIGHT_DATA_DIR", "/data"))
STARTED = DATA / "sample-backend.started"


def root_is_read_only(mountinfo: str) -> bool:
    """Whether the mount on / is read-only, from /proc/self/mountinfo (field 5 is the mount point, 6 its options)."""
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[4] == "/":
            return "ro" in fields[5].split(",")
    return False


def check_file_systems() -> None:
    """Write where the contract allows writes, and make sure the root is read-only."""
    STARTED.write_text(f"{VERSION} uid={os.getuid()}\n")
    with tempfile.NamedTemporaryFile(dir="/tmp"):
        pass
    if not root_is_read_only(Path("/proc/self/mountinfo").read_text()):
        raise RuntimeError("the root file system is writable: run the image read-only (docs/image-contract.md)")


async def app(scope: dict, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    check_file_systems()
                except (OSError, RuntimeError) as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    routes = {"/healthz": b"ok\n", "/version": VERSION.encode() + b"\n"}
    body = routes.get(scope["path"])
    status = 200 if body is not None else 404
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
    )
    await send({"type": "http.response.body", "body": body or b"not found\n"})
