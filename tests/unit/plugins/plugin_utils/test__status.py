"""_status: what playbooks/status.yml makes of what the roles' status entry points read."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._status import (
    file_names,
    fleet_summary,
    host_report,
    human_size,
    repo_digest,
    repo_of,
    short_id,
    tag_of,
)

IMAGE_ID_A = "sha256:" + "a" * 64
IMAGE_ID_B = "sha256:" + "b" * 64
DIGEST_A = "sha256:" + "d" * 64
UNIT = {
    "LoadState": "loaded",
    "ActiveState": "active",
    "SubState": "running",
    "UnitFileState": "enabled",
    "ActiveEnterTimestamp": "Sat 2026-11-28 05:09:42 UTC",
    "NRestarts": "0",
}
# the shape of twilight_backend_status (roles/twilight_backend/tasks/status.yml) on a healthy host
BACKEND = {
    "user": "twilight",
    "error": "",
    "manager_up": True,
    "unit_name": "twilight-backend.service",
    "unit": UNIT,
    "project": "twilight",
    "engine": {"server": "20.10.24", "compose": "2.26.1", "error": None},
    "container_name": "twilight-backend",
    "container": {
        "id": "c" * 64,
        "image": "127.0.0.1:5000/lacatfly/twilight-drive:0.0.1-standin",
        "image_id": IMAGE_ID_A,
        "status": "running",
        "health": "healthy",
        "started_at": "2026-11-28T05:09:44.123456789Z",
        "working_dir": "/home/twilight/twilight",
        "version": None,
    },
    "image": {
        "id": IMAGE_ID_A,
        "repo_digests": [f"127.0.0.1:5000/lacatfly/twilight-drive@{DIGEST_A}"],
        "version": None,
    },
    "wanted": {
        "ref": "127.0.0.1:5000/lacatfly/twilight-drive:0.0.1-standin",
        "version": "0.0.1-standin",
        "digest": "",
        "id": IMAGE_ID_A,
    },
    "health": {"url": "http://127.0.0.1:8081/healthz", "status": 200, "error": ""},
    "sizes": {
        "twilight/data": {"exists": True, "bytes": 9000, "disk_bytes": 12288, "files": 2, "unreadable": 0},
        "twilight/logs": {"exists": True, "bytes": 100, "disk_bytes": 4096, "files": 1, "unreadable": 0},
        "twilight/backups": {"exists": False},
    },
    "copies": 0,
    "pending": [],
    "stale": False,
}
TUNNEL = {
    "user": "twilight",
    "error": "",
    "manager_up": True,
    "unit_name": "twilight-cloudflared.service",
    "unit": UNIT,
    "binary": "/usr/local/lib/twilight-drive/cloudflared",
    "ready": {"url": "http://127.0.0.1:9090/ready", "status": 200, "error": ""},
    "metrics": {
        "url": "http://127.0.0.1:9090/metrics",
        "status": 200,
        "values": {"cloudflared_tunnel_ha_connections": 4.0},
    },
    "version": {"output": "cloudflared version 2026.5.1 (built 2026-05-01-1200 UTC)"},
    "binary_differs": False,
    "pending": [],
    "stale": False,
}


def changed(base: dict, **updates) -> dict:
    out = copy.deepcopy(base)
    for dotted, value in updates.items():
        target = out
        *path, last = dotted.split("__")
        for key in path:
            target = target[key]
        target[last] = value
    return out


def test_a_healthy_host_without_drift() -> None:
    report = host_report("vps1", BACKEND, TUNNEL)
    assert report["healthy"] is True
    assert report["problems"] == [] and report["drift"] == []
    text = "\n".join(report["lines"])
    assert report["lines"][0] == "vps1: healthy"
    assert "twilight-backend.service active (running), enabled, since 2026-11-28 05:09:42 UTC, 0 restarts" in text
    assert "twilight-backend running, healthy, started 2026-11-28T05:09:44Z" in text
    assert "version 0.0.1-standin, digest sha256:dddddddddddd, id sha256:aaaaaaaaaaaa" in text
    assert "/ready 200; 4 edge connections; cloudflared version 2026.5.1" in text
    assert "data/ 12 KiB (2 files); logs/ 4.0 KiB (1 file)" in text
    assert "none: a deploy would change nothing" in text


def test_a_stopped_backend_is_unhealthy_with_each_reason() -> None:
    stopped = changed(
        BACKEND,
        unit__ActiveState="inactive",
        unit__SubState="dead",
        container=None,
        health={"url": "http://127.0.0.1:8081/healthz", "status": None, "error": "Connection refused"},
    )
    report = host_report("vps1", stopped, TUNNEL)
    assert report["healthy"] is False
    assert report["problems"] == [
        "twilight-backend.service is inactive (dead)",
        "no container twilight-backend",
        "http://127.0.0.1:8081/healthz did not answer (Connection refused)",
    ]
    assert report["lines"][0] == "vps1: UNHEALTHY"
    assert "  problem    no container twilight-backend" in report["lines"]


@pytest.mark.parametrize(
    ("updates", "problem"),
    [
        ({"container__health": "unhealthy"}, "the container is unhealthy"),
        ({"container__status": "restarting"}, "the container is restarting"),
        ({"unit__UnitFileState": "disabled"}, "twilight-backend.service is disabled: it would not start at boot"),
        ({"unit": {"LoadState": "not-found"}}, "twilight-backend.service is not installed"),
        ({"manager_up": False}, "the user manager of twilight is not running"),
        ({"health__status": 503}, "http://127.0.0.1:8081/healthz answered 503"),
        (
            {"engine": {"server": None, "error": "permission denied"}},
            "the Docker engine does not answer twilight (permission denied)",
        ),
    ],
)
def test_each_backend_problem_is_named(updates: dict, problem: str) -> None:
    report = host_report("vps1", changed(BACKEND, **updates), TUNNEL)
    assert problem in report["problems"]
    assert report["healthy"] is False


def test_a_container_without_healthcheck_or_before_its_first_is_healthy_while_it_runs_and_answers() -> None:
    assert host_report("vps1", changed(BACKEND, container__health=None), TUNNEL)["healthy"] is True
    starting = host_report("vps1", changed(BACKEND, container__health="starting"), TUNNEL)
    assert starting["healthy"] is True
    assert "  container  twilight-backend running, starting, started 2026-11-28T05:09:44Z" in starting["lines"]
    silent = changed(BACKEND, container__health="starting", health__status=None, health__error="refused")
    assert host_report("vps1", silent, TUNNEL)["problems"] == ["http://127.0.0.1:8081/healthz did not answer (refused)"]


@pytest.mark.parametrize(
    ("updates", "problem"),
    [
        ({"metrics__values": {"cloudflared_tunnel_ha_connections": 0.0}}, "the tunnel has no edge connection"),
        (
            {"metrics__values": {"cloudflared_tunnel_ha_connections": None}},
            "cloudflared's metrics give no cloudflared_tunnel_ha_connections",
        ),
        ({"ready__status": 503}, "http://127.0.0.1:9090/ready answered 503"),
        (
            {"version": {"error": "exited 126"}},
            "/usr/local/lib/twilight-drive/cloudflared --version failed as twilight",
        ),
        (
            {"unit__ActiveState": "activating", "unit__SubState": "auto-restart"},
            "twilight-cloudflared.service is activating (auto-restart)",
        ),
    ],
)
def test_each_tunnel_problem_is_named(updates: dict, problem: str) -> None:
    report = host_report("vps1", BACKEND, changed(TUNNEL, **updates))
    assert problem in report["problems"]


def test_an_account_that_could_not_be_read_is_a_problem_and_says_why() -> None:
    report = host_report(
        "vps1", changed(BACKEND, error="twilight_backend_user: account twilight does not exist"), TUNNEL
    )
    assert report["problems"] == ["twilight_backend_user: account twilight does not exist"]
    assert "  backend    not read: twilight_backend_user: account twilight does not exist" in report["lines"]


def test_drift_names_the_files_and_the_image_with_both_versions() -> None:
    drifted = changed(
        BACKEND,
        pending=["twilight/compose.yml", "twilight/.env", ".config/systemd/user/twilight-backend.service"],
        stale=True,
        wanted={
            "ref": "127.0.0.1:5000/lacatfly/twilight-drive:0.0.2-standin",
            "version": "0.0.2-standin",
            "digest": "",
            "id": IMAGE_ID_B,
        },
    )
    report = host_report("vps1", drifted, changed(TUNNEL, pending=[".cloudflared/twilight-config.yml"], stale=True))
    assert report["drift"] == [
        "compose.yml",
        ".env",
        "twilight-backend.service",
        "image (0.0.1-standin -> 0.0.2-standin)",
        ".cloudflared/twilight-config.yml",
    ]
    assert report["healthy"] is True  # drift alone is no problem
    assert (
        "  drift      would change: compose.yml, .env, twilight-backend.service, "
        "image (0.0.1-standin -> 0.0.2-standin), .cloudflared/twilight-config.yml" in report["lines"]
    )
    assert host_report("vps1", drifted, TUNNEL, fail_on_drift=True)["healthy"] is False


def test_an_image_the_engine_lacks_would_be_pulled() -> None:
    report = host_report("vps1", changed(BACKEND, wanted__id=None, wanted__ref="ghcr.io/x/y:2"), TUNNEL)
    assert report["drift"] == ["image (ghcr.io/x/y:2 would be pulled)"]


def test_a_pinned_digest_the_running_image_lacks_is_drift() -> None:
    pinned = changed(BACKEND, wanted__digest="sha256:" + "e" * 64)
    assert host_report("vps1", pinned, TUNNEL)["drift"] == ["digest (sha256:dddddddddddd -> sha256:eeeeeeeeeeee)"]
    same = changed(BACKEND, wanted__digest=DIGEST_A)
    assert host_report("vps1", same, TUNNEL)["drift"] == []


def test_a_unit_that_runs_an_older_configuration_would_restart() -> None:
    report = host_report("vps1", BACKEND, changed(TUNNEL, stale=True))
    assert report["drift"] == ["restart (twilight-cloudflared.service runs an older configuration than its files)"]


def test_the_binary_and_the_version_label() -> None:
    labelled = changed(BACKEND, container__version="1.4.2")
    report = host_report("vps1", labelled, changed(TUNNEL, binary_differs=True))
    assert "binary (/usr/local/lib/twilight-drive/cloudflared)" in report["drift"]
    assert any("version 1.4.2," in line for line in report["lines"])


def test_disk_use_with_copies_and_what_could_not_be_read() -> None:
    sizes = changed(
        BACKEND,
        copies=3,
        sizes={
            "twilight/data": {"exists": True, "disk_bytes": 5 * 1024**3, "files": 10, "unreadable": 1},
            "twilight/logs": {"error": "/home/twilight/twilight/logs is a symbolic link"},
            "twilight/backups": {"exists": True, "disk_bytes": 3 * 1024**2, "files": 30},
        },
    )
    line = next(line for line in host_report("vps1", sizes, TUNNEL)["lines"] if line.startswith("  disk"))
    assert line == (
        "  disk       data/ 5.0 GiB (10 files), 1 unreadable directory; logs/ not read "
        "(/home/twilight/twilight/logs is a symbolic link); backups/ 3 copies, 3.0 MiB"
    )


def test_file_names_as_an_operator_knows_them() -> None:
    assert file_names(
        [
            "twilight",
            "twilight/logs",
            ".config/systemd/user/x.service.d/10-sandbox.conf",
            ".local/lib/twilight-drive/rotate-logs",
        ],
        "twilight",
    ) == ["~/twilight/", "logs", "x.service.d/10-sandbox.conf", "rotate-logs"]


@pytest.mark.parametrize(
    ("ref", "tag", "repo"),
    [
        ("ghcr.io/lacatfly/twilight-drive:1.4.2", "1.4.2", "ghcr.io/lacatfly/twilight-drive"),
        ("127.0.0.1:5000/lacatfly/twilight-drive", "", "127.0.0.1:5000/lacatfly/twilight-drive"),
        ("127.0.0.1:5000/x:1@sha256:" + "f" * 64, "1", "127.0.0.1:5000/x"),
        ("postgres:16-alpine", "16-alpine", "postgres"),
        ("postgres", "", "postgres"),
    ],
)
def test_tags_and_repositories_of_references(ref: str, tag: str, repo: str) -> None:
    assert (tag_of(ref), repo_of(ref)) == (tag, repo)


def test_repo_digest_of_a_reference_by_digest_and_by_tag() -> None:
    image = {"repo_digests": ["other/repo@sha256:1", f"127.0.0.1:5000/lacatfly/twilight-drive@{DIGEST_A}"]}
    assert repo_digest("127.0.0.1:5000/lacatfly/twilight-drive:0.0.1-standin", image) == DIGEST_A
    assert repo_digest("x@sha256:2", image) == "sha256:2"
    assert repo_digest("loaded/locally:1", {"repo_digests": []}) == ""


def test_sizes_and_ids_in_short() -> None:
    assert [human_size(v) for v in (None, 0, 900, 1536, 12288, 5 * 1024**4)] == [
        "?",
        "0 B",
        "900 B",
        "1.5 KiB",
        "12 KiB",
        "5120 GiB",
    ]
    assert (short_id(""), short_id(IMAGE_ID_A)) == ("-", "sha256:aaaaaaaaaaaa")


def test_the_fleet_summary_counts_and_names_every_host() -> None:
    healthy = host_report("a", BACKEND, TUNNEL)
    broken = host_report("b", changed(BACKEND, health__status=500), TUNNEL)
    drifted = host_report("c", changed(BACKEND, pending=["twilight/compose.yml"]), TUNNEL)
    summary = fleet_summary({"a": healthy, "b": broken, "c": drifted, "d": None})
    assert (summary["healthy"], summary["unhealthy"], summary["not_read"], summary["drifted"]) == (
        ["a", "c"],
        ["b"],
        ["d"],
        ["c"],
    )
    assert summary["lines"][0] == (
        "Fleet: 4 hosts, 2 healthy, 1 unhealthy, 1 not read (unreachable or failed); 1 differ from the inventory"
    )
    assert summary["lines"][1:] == [
        "  a  healthy    no drift",
        "  b  UNHEALTHY  no drift  [http://127.0.0.1:8081/healthz answered 500]",
        "  c  healthy    drift: compose.yml",
        "  d  NOT READ",
    ]


def test_the_version_of_a_container_run_by_digest_is_a_tag_of_its_image() -> None:
    by_digest = changed(
        BACKEND,
        container__image=f"127.0.0.1:5000/lacatfly/twilight-drive@{DIGEST_A}",
        image__repo_tags=["ghcr.io/other:9", "127.0.0.1:5000/lacatfly/twilight-drive:0.0.1-standin"],
        wanted__id=IMAGE_ID_B,
    )
    assert host_report("vps1", by_digest, TUNNEL)["drift"] == ["image (0.0.1-standin -> 0.0.1-standin)"]
    untagged = changed(by_digest, image__repo_tags=[])
    assert host_report("vps1", untagged, TUNNEL)["drift"] == [
        f"image (127.0.0.1:5000/lacatfly/twilight-drive@{DIGEST_A} -> 0.0.1-standin)"
    ]
