"""Secrets given to the roles never show up where they should not, and their files are private."""

from __future__ import annotations

import pytest
from twilight_harness import Account, docker_inspect, first_instance, instance_name, run_playbook, scenario_dir

# full runs at -vvv: one platform is enough (the output is the controller's)
testinfra_hosts = first_instance()

VAULT_SECRETS = (
    "site-tushare-secret-5e21",
    "site-siliconflow-secret-a9f0",
    "c2l0ZS10dW5uZWwtc2VjcmV0LTE4ZWU=",
    "site-account-tag-77aa",
)
ROTATED = "rotated-tushare-secret-3b8d"
ROTATED_ENV = {
    "TWILIGHT_BEARER_DB_PATH": "/data/bearer.db",
    "DUCKDB_PATH": "/data/twilight.duckdb",
    "LISTEN_HOST": "0.0.0.0",
    "LOG_LEVEL": "info",
    "TUSHARE_TOKEN": ROTATED,
    "SILICONFLOW_API_KEY": "site-siliconflow-secret-a9f0",
}
ALL_SECRETS = (*VAULT_SECRETS, ROTATED)


def leaked(text: str) -> list[str]:
    return [s for s in ALL_SECRETS if s in text]


def test_rotating_a_secret_with_vvv_and_diff_prints_no_secret(host) -> None:
    """A real change of .env (and back), at -vvv with --diff: the whole output holds no secret."""
    for env in (ROTATED_ENV, None):
        extra = {"twilight_backend_env": env} if env else None
        run = run_playbook(
            scenario_dir() / "converge.yml", "-vvv", "--diff", extra_vars=extra, limit=instance_name(host)
        )
        assert run.rc == 0, run.output[-3000:]
        assert run.recap()[instance_name(host)]["changed"] >= 1  # .env really changed
        assert leaked(run.output) == []


def test_journal_holds_no_secret(host) -> None:
    assert leaked(host.check_output("journalctl --no-pager -o cat")) == []


def test_process_list_holds_no_secret(host) -> None:
    assert leaked(host.check_output("ps -eo args")) == []


def test_docker_inspect_shows_the_env_only_to_the_docker_socket(host) -> None:
    """What Docker itself exposes (documented in the README): the container's Env, to root and the docker group."""
    env = docker_inspect(host, "twilight-backend")["Config"]["Env"]
    assert "TUSHARE_TOKEN=site-tushare-secret-5e21" in env
    denied = host.run("setpriv --reuid=65534 --regid=65534 --clear-groups docker inspect twilight-backend")
    assert denied.rc != 0 and "permission denied" in denied.stderr.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/home/twilight/twilight/.env",
        "/home/twilight/.cloudflared/twilight-backend-3d0c5a8e-2f1b-4c6d-9e7a-5b4c3d2e1f00.json",
        "/home/twilight/.cloudflared/twilight-config.yml",
    ],
)
def test_secret_files_are_0600_and_the_accounts(host, path: str) -> None:
    f = host.file(path)
    assert (f.mode, f.user, f.group) == (0o600, "twilight", "twilight")


def test_no_account_certificate_on_the_host(host) -> None:
    assert not host.file("/home/twilight/.cloudflared/cert.pem").exists


def test_enabling_postgres_whose_image_cannot_be_pulled_changes_nothing(host, account: Account) -> None:
    """Enabling PostgreSQL needs its image, which cannot be pulled here (no network): the role brings every image
    before it writes anything, so neither .env-postgres nor compose.yml is written and the backend runs on."""
    started = docker_inspect(host, "twilight-backend")["State"]["StartedAt"]
    run = run_playbook(
        scenario_dir() / "converge.yml",
        extra_vars={
            "twilight_backend_postgres_enabled": True,
            "twilight_backend_postgres_env": {"POSTGRES_PASSWORD": "pg-secret-6c2e"},
        },
        limit=instance_name(host),
    )
    assert run.rc != 0
    assert "Bring the images into the engine" in run.output and "pg-secret-6c2e" not in run.output
    assert not host.file("/home/twilight/twilight/.env-postgres").exists
    assert "postgres" not in host.file("/home/twilight/twilight/compose.yml").content_string
    assert docker_inspect(host, "twilight-backend")["State"]["StartedAt"] == started
    back = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    assert back.rc == 0, back.output[-3000:]
    assert docker_inspect(host, "twilight-backend")["State"]["StartedAt"] == started
