"""account_info's options for a status (sizes, listings, image details, metrics, program versions), called as
Ansible calls the module (its main(), with module args); Docker and the program are played by patched commands."""

from __future__ import annotations

import json
import os
import pwd
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils import _account_read
from ansible_collections.lacatfly.twilight_drive.plugins.modules import account_info


def run_module(args: dict, tmp_path: Path, monkeypatch, capsys) -> dict:
    """The module's result, with the home directory of the account running it at ``tmp_path``."""
    account = pwd.getpwuid(os.getuid())
    fake = pwd.struct_passwd((*account[:5], str(tmp_path), *account[6:]))
    monkeypatch.setattr(_account_read.pwd, "getpwuid", lambda _uid: fake)
    with patch_module_args(args), pytest.raises(SystemExit):
        account_info.main()
    return json.loads(capsys.readouterr().out)


def test_the_new_options_default_to_empty_results(tmp_path, monkeypatch, capsys) -> None:
    """Callers of 1.0.0 get what they got, plus empty dicts."""
    result = run_module({}, tmp_path, monkeypatch, capsys)
    for key in ("sizes", "listings", "image_details", "metrics", "versions"):
        assert result[key] == {}, key
    assert result["changed"] is False


def test_sizes_and_listings_of_the_project(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "twilight" / "data").mkdir(parents=True)
    (tmp_path / "twilight" / "data" / "db").write_bytes(b"d" * 4096)
    (tmp_path / "twilight" / "backups" / "20261128T100000Z-0.0.1-standin").mkdir(parents=True)
    os.symlink("/etc", tmp_path / "twilight" / "logs")
    result = run_module(
        {
            "sizes": ["twilight/data", "twilight/logs", "twilight/missing"],
            "listings": ["twilight/backups", "twilight/nothing"],
        },
        tmp_path,
        monkeypatch,
        capsys,
    )
    data = result["sizes"]["twilight/data"]
    assert (data["exists"], data["files"], data["directories"]) == (True, 1, 1)
    assert data["bytes"] >= 4096
    assert "is a symbolic link" in result["sizes"]["twilight/logs"]["error"]
    assert result["sizes"]["twilight/missing"] == {"exists": False}
    assert result["listings"]["twilight/backups"] == {
        "entries": [{"name": "20261128T100000Z-0.0.1-standin", "type": "directory"}]
    }
    assert result["listings"]["twilight/nothing"] == {"error": "missing"}


def test_image_details_and_the_containers_version_label(tmp_path, monkeypatch, capsys) -> None:
    image = {
        "id": "sha256:" + "a" * 64,
        "repo_digests": ["127.0.0.1:5000/lacatfly/twilight-drive@sha256:" + "b" * 64],
        "repo_tags": ["127.0.0.1:5000/lacatfly/twilight-drive:0.0.1-standin"],
        "created": "2026-11-28T10:00:00Z",
        "labels": {"org.opencontainers.image.version": "0.0.1", "other": "x"},
    }
    container = {
        "id": "c" * 64,
        "image": "127.0.0.1:5000/lacatfly/twilight-drive:0.0.1-standin",
        "image_id": image["id"],
        "state": {"Status": "running", "Health": {"Status": "healthy"}, "StartedAt": "2026-11-28T10:00:01Z"},
        "labels": {"org.opencontainers.image.version": "0.0.1", "com.docker.compose.project.working_dir": "/p"},
    }

    def fake_run(_self, argv, data=None):
        if argv[:3] == ["docker", "image", "inspect"]:
            return (0, json.dumps(image), "") if argv[-1] != "missing:1" else (1, "", "No such image")
        if argv[:3] == ["docker", "container", "inspect"]:
            return 0, json.dumps(container), ""
        raise AssertionError(argv)

    monkeypatch.setattr(_account_read.Commands, "run", fake_run)
    result = run_module(
        {"image_details": ["twilight:1", "missing:1"], "containers": ["twilight-backend"]},
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert result["image_details"]["twilight:1"] == {
        "id": image["id"],
        "repo_digests": image["repo_digests"],
        "repo_tags": image["repo_tags"],
        "created": image["created"],
        "version": "0.0.1",
    }
    assert result["image_details"]["missing:1"] is None
    assert result["containers"]["twilight-backend"]["version"] == "0.0.1"
    assert result["containers"]["twilight-backend"]["health"] == "healthy"


def test_a_programs_version_is_its_first_line_and_a_failure_says_why(tmp_path, monkeypatch, capsys) -> None:
    program = tmp_path / "cloudflared"
    program.write_text("#!/bin/sh\necho 'cloudflared version 2026.5.1 (built 2026-05-01)'\necho second line\n")
    program.chmod(0o755)
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\necho 'flag provided but not defined: -version' >&2\nexit 2\n")
    broken.chmod(0o755)
    result = run_module(
        {"versions": [str(program), str(broken), str(tmp_path / "absent"), "relative/path"]},
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert result["versions"][str(program)] == {"output": "cloudflared version 2026.5.1 (built 2026-05-01)"}
    assert "exited 2: flag provided but not defined" in result["versions"][str(broken)]["error"]
    assert "missing or not executable" in result["versions"][str(tmp_path / "absent")]["error"]
    assert "not an absolute path" in result["versions"]["relative/path"]["error"]


@pytest.fixture
def metrics_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                body, status = b"# HELP x\ncloudflared_tunnel_ha_connections 2\n", 200
            else:
                body, status = b"nope\n", 404
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_metrics_are_summed_and_an_error_or_a_silent_port_gives_none(tmp_path, monkeypatch, capsys, metrics_server):
    names = ["cloudflared_tunnel_ha_connections"]
    urls = [f"{metrics_server}/metrics", f"{metrics_server}/other", "http://127.0.0.1:9/metrics"]
    result = run_module({"metrics": urls, "metric_names": names}, tmp_path, monkeypatch, capsys)
    assert result["metrics"][urls[0]] == {"status": 200, "values": {names[0]: 2.0}}
    assert result["metrics"][urls[1]] == {"status": 404, "values": {names[0]: None}}
    silent = result["metrics"][urls[2]]
    assert silent["status"] is None and silent["error"] and silent["values"] == {names[0]: None}


def test_stat_only_paths_are_described_without_reading_them(tmp_path, monkeypatch, capsys) -> None:
    """Logs: their type and owner, never their content (no checksum), and a link reported as a link."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "backend.log").write_bytes(b"line\n" * 1000)
    os.symlink("/etc/hostname", tmp_path / "logs" / "cloudflared.log")
    result = run_module(
        {
            "paths": ["logs/backend.log"],
            "stat_only": ["logs/backend.log", "logs/cloudflared.log", "logs/missing.log"],
        },
        tmp_path,
        monkeypatch,
        capsys,
    )
    described = result["paths"]["logs/backend.log"]
    assert (described["type"], described["size"]) == ("file", 5000)
    assert "checksum" not in described  # stat_only wins over paths for the same path
    assert result["paths"]["logs/cloudflared.log"]["type"] == "link"
    assert result["paths"]["logs/missing.log"] == {"exists": False}


def test_paths_still_carry_the_checksum(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "compose.yml").write_text("services: {}\n")
    result = run_module({"paths": ["compose.yml"]}, tmp_path, monkeypatch, capsys)
    assert len(result["paths"]["compose.yml"]["checksum"]) == 64
