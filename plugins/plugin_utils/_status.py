# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What playbooks/status.yml makes of what the roles' status entry points read, as pure functions.

Private to this collection (no compatibility promise). The roles read the
host (the facts twilight_backend_status and cloudflared_tunnel_status: unit
properties, the container, probes, metrics, sizes, and the paths a deploy
would write); here that becomes a verdict (healthy or the problems), the drift
from the inventory in words ("would change: compose.yml, image (1.0.0 ->
1.1.0)") and the lines of a compact table. Only names, states and digests
arrive here: the roles never put a file's content into those facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

UNIT_DIR = ".config/systemd/user/"
LIB_DIR = ".local/lib/twilight-drive/"
LABEL_WIDTH = 10
HA_CONNECTIONS = "cloudflared_tunnel_ha_connections"


def human_size(size: Any) -> str:
    """1536 -> '1.5 KiB', 12288 -> '12 KiB'; None -> '?'."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{value:.1f} {unit}" if unit != "B" and value < 10 else f"{value:.0f} {unit}"


def short_id(digest: str | None) -> str:
    """'sha256:0123456789abcdef...' -> 'sha256:0123456789ab'; '' or None -> '-'."""
    if not digest:
        return "-"
    algorithm, _sep, value = str(digest).partition(":")
    return f"{algorithm}:{value[:12]}" if value else str(digest)[:19]


def tag_of(ref: str) -> str:
    """The tag of an image reference ('' when it has none): registry ports and digests are not tags."""
    name = str(ref).split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def repo_of(ref: str) -> str:
    """The repository of an image reference (without tag and digest)."""
    name = str(ref).split("@", 1)[0]
    head, _sep, last = name.rpartition("/")
    last = last.split(":", 1)[0]
    return f"{head}/{last}" if head else last


def unit_words(unit: Mapping[str, Any]) -> str:
    """'active (running), enabled, since 2026-11-28 05:09:35 UTC, 0 restarts'."""
    if not unit or unit.get("LoadState") in (None, "", "not-found"):
        return "not installed"
    words = f"{unit.get('ActiveState', '?')} ({unit.get('SubState', '?')}), {unit.get('UnitFileState') or '?'}"
    since = str(unit.get("ActiveEnterTimestamp") or "").strip()
    if since and unit.get("ActiveState") == "active":
        # systemd writes 'Sat 2026-11-28 05:09:35 UTC'
        parts = since.split(" ", 1)
        words += f", since {parts[1] if len(parts) == 2 and len(parts[0]) == 3 else since}"
    restarts = unit.get("NRestarts")
    if restarts not in (None, ""):
        words += f", {restarts} restart{'' if str(restarts) == '1' else 's'}"
    return words


def unit_problems(name: str, unit: Mapping[str, Any]) -> list[str]:
    if not unit or unit.get("LoadState") in (None, "", "not-found"):
        return [f"{name} is not installed"]
    problems = []
    if unit.get("ActiveState") != "active":
        problems.append(f"{name} is {unit.get('ActiveState', '?')} ({unit.get('SubState', '?')})")
    if unit.get("UnitFileState") not in ("enabled", "enabled-runtime", "linked"):
        problems.append(f"{name} is {unit.get('UnitFileState') or 'not enabled'}: it would not start at boot")
    return problems


def probe_problem(url: str, probe: Mapping[str, Any] | None) -> str:
    """'<url> answered 503', or '<url> did not answer (why)'."""
    if probe and probe.get("status") is not None:
        return f"{url} answered {probe['status']}"
    return f"{url} did not answer ({(probe or {}).get('error') or 'not asked'})"


def probe_words(probe: Mapping[str, Any] | None) -> str:
    if not probe:
        return "not asked"
    if probe.get("status") is None:
        return f"no answer ({probe.get('error') or 'no error given'})"
    return str(probe["status"])


def file_names(pending: Sequence[str], project: str = "") -> list[str]:
    """The paths a deploy would write, as an operator names them: compose.yml, .env, the unit's file."""
    prefixes = ([f"{project}/"] if project else []) + [UNIT_DIR, LIB_DIR]
    names = []
    for path in pending:
        if project and path == project:
            names.append(f"~/{project}/")
            continue
        for prefix in prefixes:
            if path.startswith(prefix):
                path = path[len(prefix) :]
                break
        names.append(path)
    return names


def backend_report(backend: Mapping[str, Any]) -> dict[str, Any]:
    """The backend's lines, problems and drift from what the role's status entry point read."""
    name = backend.get("unit_name", "twilight-backend.service")
    project = backend.get("project", "twilight")
    lines: list[tuple[str, str]] = []
    if backend.get("error"):
        return {"lines": [("backend", f"not read: {backend['error']}")], "problems": [backend["error"]], "drift": []}
    problems = []
    if not backend.get("manager_up"):
        problems.append(f"the user manager of {backend.get('user', '?')} is not running")
    unit = backend.get("unit") or {}
    lines.append(("backend", f"{name} {unit_words(unit)}"))
    problems += unit_problems(name, unit)

    engine = backend.get("engine") or {}
    container = backend.get("container")
    image = backend.get("image") or {}
    wanted = backend.get("wanted") or {}
    if engine.get("server") is None and engine:
        problems.append(f"the Docker engine does not answer {backend.get('user', '?')} ({engine.get('error') or '?'})")
    if container:
        started = str(container.get("started_at") or "")[:19]
        health = container.get("health") or "no healthcheck"
        lines.append(
            (
                "container",
                f"{backend.get('container_name', 'twilight-backend')} {container.get('status')}, {health}"
                + (f", started {started}Z" if started else ""),
            )
        )
        if container.get("status") != "running":
            problems.append(f"the container is {container.get('status')}")
        elif container.get("health") not in (None, "healthy", "starting"):
            # starting: its first healthcheck is still to come (start_period); the health URL below decides
            problems.append(f"the container is {container.get('health')}")
        version = running_version(container, image)
        digest = repo_digest(container.get("image", ""), image)
        lines.append(
            (
                "image",
                f"{container.get('image')}, version {version or '?'}, digest {short_id(digest)}, "
                f"id {short_id(container.get('image_id'))}",
            )
        )
    else:
        lines.append(("container", f"{backend.get('container_name', 'twilight-backend')}: none"))
        if engine.get("server") is not None:
            problems.append("no container twilight-backend")
    health = backend.get("health") or {}
    lines.append(("health", f"{health.get('url', '?')} {probe_words(health)}"))
    if health.get("status") != 200:
        problems.append(probe_problem(health.get("url", "the health URL"), health))

    drift = file_names(backend.get("pending") or [], project)
    if wanted.get("ref"):
        if not wanted.get("id"):
            drift.append(f"image ({wanted['ref']} would be pulled)")
        elif container and container.get("image_id") != wanted.get("id"):
            drift.append(
                f"image ({running_version(container, image) or container.get('image')} -> "
                f"{wanted.get('version') or tag_of(wanted['ref']) or wanted['ref']})"
            )
        elif container and wanted.get("digest") and wanted["digest"] not in _digests(image):
            drift.append(
                f"digest ({short_id(repo_digest(container.get('image', ''), image))} -> {short_id(wanted['digest'])})"
            )
    if backend.get("stale") and not drift:
        drift.append(f"restart ({name} runs an older configuration than its files)")
    sizes = backend.get("sizes") or {}
    lines.append(("disk", disk_words(sizes, project, backend.get("copies"))))
    return {"lines": lines, "problems": problems, "drift": drift}


def _digests(image: Mapping[str, Any]) -> list[str]:
    return [str(d).split("@", 1)[1] for d in image.get("repo_digests") or [] if "@" in str(d)]


def repo_digest(ref: str, image: Mapping[str, Any]) -> str:
    """The registry digest of the image for the repository of ``ref`` ('' when it came from none)."""
    repo = repo_of(ref)
    if "@" in str(ref):
        return str(ref).split("@", 1)[1]
    for entry in image.get("repo_digests") or []:
        name, _sep, digest = str(entry).partition("@")
        if name == repo:
            return digest
    return ""


def running_version(container: Mapping[str, Any], image: Mapping[str, Any]) -> str:
    """The version of what runs: the image's org.opencontainers.image.version label, else the tag of its reference,
    else (a reference by digest) a tag the engine has for the image in the same repository."""
    ref = container.get("image", "")
    if container.get("version") or image.get("version") or tag_of(ref):
        return str(container.get("version") or image.get("version") or tag_of(ref))
    repo = repo_of(ref)
    tags = [tag_of(t) for t in image.get("repo_tags") or [] if repo_of(t) == repo and tag_of(t)]
    return tags[0] if tags else ""


def disk_words(sizes: Mapping[str, Any], project: str, copies: int | None = None) -> str:
    words = []
    for key in ("data", "logs", "backups"):
        size = sizes.get(f"{project}/{key}") or sizes.get(key)
        if not size:
            continue
        if size.get("error"):
            words.append(f"{key}/ not read ({size['error']})")
        elif not size.get("exists"):
            if key != "backups":
                words.append(f"{key}/ missing")
            continue
        else:
            what = human_size(size.get("disk_bytes"))
            if key == "backups" and copies is not None:
                what = f"{copies} cop{'y' if copies == 1 else 'ies'}, {what}"
            elif size.get("files") is not None:
                what += f" ({size['files']} file{'' if size['files'] == 1 else 's'})"
            if size.get("unreadable"):
                what += f", {size['unreadable']} unreadable director{'y' if size['unreadable'] == 1 else 'ies'}"
            words.append(f"{key}/ {what}")
    return "; ".join(words) or "nothing measured"


def tunnel_report(tunnel: Mapping[str, Any]) -> dict[str, Any]:
    """The tunnel's lines, problems and drift from what the role's status entry point read."""
    name = tunnel.get("unit_name", "twilight-cloudflared.service")
    if tunnel.get("error"):
        return {"lines": [("tunnel", f"not read: {tunnel['error']}")], "problems": [tunnel["error"]], "drift": []}
    problems = []
    if not tunnel.get("manager_up"):
        problems.append(f"the user manager of {tunnel.get('user', '?')} is not running")
    unit = tunnel.get("unit") or {}
    problems += unit_problems(name, unit)
    ready = tunnel.get("ready") or {}
    metrics = tunnel.get("metrics") or {}
    connections = (metrics.get("values") or {}).get(HA_CONNECTIONS)
    version = tunnel.get("version") or {}
    edge = [f"/ready {probe_words(ready)}"]
    if ready.get("status") != 200:
        problems.append(probe_problem(ready.get("url", "/ready"), ready))
    if connections is None:
        edge.append(
            f"edge connections unknown ({HA_CONNECTIONS} not in {metrics.get('url', '/metrics')}: "
            f"{probe_words(metrics)})"
        )
        problems.append(f"cloudflared's metrics give no {HA_CONNECTIONS}")
    else:
        count = int(connections)
        edge.append(f"{count} edge connection{'' if count == 1 else 's'}")
        if count < 1:
            problems.append("the tunnel has no edge connection")
    if version.get("output"):
        edge.append(version["output"])
    else:
        edge.append(f"version unknown ({version.get('error', 'not asked')})")
        problems.append(f"{tunnel.get('binary', 'cloudflared')} --version failed as {tunnel.get('user', '?')}")
    drift = file_names(tunnel.get("pending") or [])
    if tunnel.get("binary_differs"):
        drift.append(f"binary ({tunnel.get('binary', 'cloudflared')})")
    if tunnel.get("stale") and not drift:
        drift.append(f"restart ({name} runs an older configuration than its files)")
    return {
        "lines": [("tunnel", f"{name} {unit_words(unit)}"), ("edge", "; ".join(edge))],
        "problems": problems,
        "drift": drift,
    }


def host_report(host: str, backend: Mapping[str, Any], tunnel: Mapping[str, Any], fail_on_drift: bool = False) -> dict:
    """One host's table, verdict and drift."""
    parts = [backend_report(backend), tunnel_report(tunnel)]
    problems = [p for part in parts for p in part["problems"]]
    drift = [d for part in parts for d in part["drift"]]
    if fail_on_drift and drift:
        problems.append("it differs from the inventory (twilight_status_fail_on_drift)")
    healthy = not problems
    rows = [row for part in parts for row in part["lines"]]
    rows.append(("drift", ("would change: " + ", ".join(drift)) if drift else "none: a deploy would change nothing"))
    rows += [("problem", p) for p in problems]
    header = f"{host}: {'healthy' if healthy else 'UNHEALTHY'}"
    lines = [header] + [f"  {label:<{LABEL_WIDTH}} {text}" for label, text in rows]
    return {"host": host, "healthy": healthy, "problems": problems, "drift": drift, "lines": lines}


def fleet_summary(reports: Mapping[str, Any]) -> dict[str, Any]:
    """The fleet's lines: per host its verdict and drift; a host without a report was unreachable or failed."""
    hosts = sorted(reports)
    done = {h: r for h, r in reports.items() if isinstance(r, Mapping) and "healthy" in r}
    healthy = [h for h in hosts if h in done and done[h]["healthy"]]
    unhealthy = [h for h in hosts if h in done and not done[h]["healthy"]]
    missing = [h for h in hosts if h not in done]
    drifted = [h for h in hosts if h in done and done[h]["drift"]]
    width = max((len(h) for h in hosts), default=0)
    lines = [
        f"Fleet: {len(hosts)} host{'' if len(hosts) == 1 else 's'}, {len(healthy)} healthy, "
        f"{len(unhealthy)} unhealthy, {len(missing)} not read (unreachable or failed); "
        f"{len(drifted)} differ from the inventory"
    ]
    for h in hosts:
        if h in missing:
            lines.append(f"  {h:<{width}}  NOT READ")
            continue
        r = done[h]
        verdict = "healthy  " if r["healthy"] else "UNHEALTHY"
        detail = "; ".join(r["problems"]) if r["problems"] else ""
        drift = ("drift: " + ", ".join(r["drift"])) if r["drift"] else "no drift"
        lines.append(f"  {h:<{width}}  {verdict}  {drift}" + (f"  [{detail}]" if detail else ""))
    return {"healthy": healthy, "unhealthy": unhealthy, "not_read": missing, "drifted": drifted, "lines": lines}
