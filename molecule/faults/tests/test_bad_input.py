"""A table of bad inputs across the three roles: each must fail before any change, naming the variable.

playbooks/site.yml checks every role's inputs (pre_tasks) before any role
changes the host. The cases run concurrently against one instance of a
converged deployment (a failed check changes nothing, so they cannot
interfere); the host's state is compared before and after the whole table.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from twilight_harness import (
    PlaybookRun,
    docker_inspect,
    file_state,
    first_instance,
    instance_name,
    run_playbook,
    scenario_dir,
)

testinfra_hosts = first_instance()

APP = "http://127.0.0.1:8081"
WATCHED = (
    "/home/twilight/twilight/compose.yml",
    "/home/twilight/twilight/.env",
    "/home/twilight/.config/systemd/user/twilight-backend.service",
    "/home/twilight/.cloudflared/twilight-config.yml",
    "/home/twilight/.config/systemd/user/twilight-cloudflared.service",
)

# (id, extra vars, words the message must contain: the variable's name first)
CASES: list[tuple[str, dict, tuple[str, ...]]] = [
    ("port-out-of-range", {"twilight_backend_port": 70000}, ("twilight_backend_port", "1 to 65535")),
    ("port-not-int", {"twilight_backend_port": "http"}, ("twilight_backend_port", "int")),
    ("public-bind", {"twilight_backend_bind_address": "0.0.0.0"}, ("twilight_backend_bind_address", "not loopback")),
    ("bind-not-ip", {"twilight_backend_bind_address": "localhost"}, ("twilight_backend_bind_address", "IPv4")),
    ("bind-bad-octet", {"twilight_backend_bind_address": "127.0.0.256"}, ("twilight_backend_bind_address", "IPv4")),
    (
        "image-bad-ref",
        {"twilight_backend_image": "Ghcr.io/Lacatfly/Twilight Drive"},
        ("twilight_backend_image", "not a valid image repository"),
    ),
    ("tag-bad", {"twilight_backend_version": "-latest"}, ("twilight_backend_version", "not a valid image tag")),
    ("digest-bad", {"twilight_backend_image_digest": "sha256:abc"}, ("twilight_backend_image_digest", "sha256:<64")),
    ("pull-choice", {"twilight_backend_pull": "sometimes"}, ("twilight_backend_pull", "missing, always")),
    (
        "keeper-package-option",
        {"twilight_backend_keeper_packages": ["catatonit", "-o=Dpkg::Options::=--force-all"]},
        ("twilight_backend_keeper_packages", "Debian package names"),
    ),
    ("memory-bad", {"twilight_backend_memory": "lots"}, ("twilight_backend_memory", "size")),
    ("cpus-zero", {"twilight_backend_cpus": 0}, ("twilight_backend_cpus", "greater than 0")),
    ("cpus-not-float", {"twilight_backend_cpus": "fast"}, ("twilight_backend_cpus", "float")),
    ("pids-zero", {"twilight_backend_pids_limit": 0}, ("twilight_backend_pids_limit", "at least 1")),
    ("env-bad-key", {"twilight_backend_env": {"BAD-KEY": "x"}}, ("twilight_backend_env", "BAD-KEY")),
    ("env-quote", {"twilight_backend_env": {"TOKEN": "it's"}}, ("twilight_backend_env", "TOKEN", "single quote")),
    ("env-not-dict", {"twilight_backend_env": "TOKEN=x"}, ("twilight_backend_env", "dict")),
    (
        "postgres-no-env",
        {"twilight_backend_postgres_enabled": True},
        ("twilight_backend_postgres_env", "POSTGRES_PASSWORD"),
    ),
    (
        "postgres-foreign-key",
        {"twilight_backend_postgres_enabled": True, "twilight_backend_postgres_env": {"PGPASSWORD": "x"}},
        ("twilight_backend_postgres_env", "PGPASSWORD", "POSTGRES_"),
    ),
    (
        "healthcheck-bad",
        {"twilight_backend_healthcheck_test": ["RUN", "true"]},
        ("twilight_backend_healthcheck_test", "CMD"),
    ),
    ("backend-user-root", {"twilight_backend_user": "root"}, ("twilight_backend_user", "root")),
    ("dir-escapes-home", {"twilight_backend_dir": "../etc"}, ("twilight_backend_dir", "plain directory name")),
    ("health-path", {"twilight_backend_health_path": "healthz"}, ("twilight_backend_health_path", "starting with /")),
    ("tunnel-id-not-uuid", {"cloudflared_tunnel_id": "not-a-uuid"}, ("cloudflared_tunnel_id", "not a tunnel UUID")),
    ("metrics-public", {"cloudflared_tunnel_metrics": "0.0.0.0:9090"}, ("cloudflared_tunnel_metrics", "loopback")),
    ("metrics-port", {"cloudflared_tunnel_metrics": "127.0.0.1:99999"}, ("cloudflared_tunnel_metrics", "loopback")),
    (
        "ingress-trailing-slash",
        {"cloudflared_tunnel_ingress": [{"hostname": "a.example.com", "service": APP + "/"}]},
        ("cloudflared_tunnel_ingress", "ingress rule #1", "trailing slash"),
    ),
    (
        "ingress-port-in-host",
        {"cloudflared_tunnel_ingress": [{"hostname": "a.example.com:443", "service": APP}]},
        ("cloudflared_tunnel_ingress", "ingress rule #1", "port"),
    ),
    (
        "ingress-double-wildcard",
        {"cloudflared_tunnel_ingress": [{"hostname": "*.*.example.com", "service": APP}]},
        ("cloudflared_tunnel_ingress", "ingress rule #1", "wildcard"),
    ),
    (
        "ingress-typo",
        {"cloudflared_tunnel_ingress": [{"hostname": "a.example.com", "servcie": APP}]},
        ("cloudflared_tunnel_ingress", "servcie", "did you mean 'service'"),
    ),
    (
        "ingress-bare-duration",
        {
            "cloudflared_tunnel_ingress": [
                {"hostname": "a.example.com", "service": APP, "originRequest": {"connectTimeout": 30}}
            ]
        },
        ("cloudflared_tunnel_ingress", "connectTimeout", "duration"),
    ),
    (
        "ingress-catch-all-first",
        {"cloudflared_tunnel_ingress": [{"service": "http_status:404"}, {"hostname": "a.example.com", "service": APP}]},
        ("cloudflared_tunnel_ingress", "ingress rule #1"),
    ),
    (
        "origin-request-bool",
        {"cloudflared_tunnel_origin_request": {"noTLSVerify": "yes"}},
        ("cloudflared_tunnel_origin_request", "noTLSVerify", "boolean"),
    ),
    ("loglevel-choice", {"cloudflared_tunnel_loglevel": "verbose"}, ("cloudflared_tunnel_loglevel", "debug, info")),
    ("install-choice", {"cloudflared_tunnel_install": "apt"}, ("cloudflared_tunnel_install", "release, controller")),
    (
        "release-without-sha",
        {"cloudflared_tunnel_install": "release", "cloudflared_tunnel_sha256": "abc"},
        ("cloudflared_tunnel_sha256", "64 hex"),
    ),
    (
        "credentials-incomplete",
        {"cloudflared_tunnel_credentials": {"AccountTag": "x"}},
        ("cloudflared_tunnel_credentials", "TunnelSecret"),
    ),
    ("linger-state-choice", {"linger_state": "gone"}, ("linger_state", "present, absent")),
    ("linger-unknown-user", {"linger_users": ["nosuchuser"]}, ("linger_users", "nosuchuser")),
]


@pytest.fixture(scope="module")
def results(host) -> dict[str, PlaybookRun]:
    """Run the whole table once, four at a time, and check the host did not change."""
    before = file_state(host, *WATCHED)
    started = docker_inspect(host, "twilight-backend")["State"]["StartedAt"]
    lingering = host.check_output("ls -A /var/lib/systemd/linger")

    def one(case: tuple[str, dict, tuple[str, ...]]) -> tuple[str, PlaybookRun]:
        name, extra_vars, _expected = case
        return name, run_playbook(scenario_dir() / "converge.yml", extra_vars=extra_vars, limit=instance_name(host))

    with ThreadPoolExecutor(max_workers=4) as pool:
        out = dict(pool.map(one, CASES))
    assert file_state(host, *WATCHED) == before
    assert docker_inspect(host, "twilight-backend")["State"]["StartedAt"] == started
    assert host.check_output("ls -A /var/lib/systemd/linger") == lingering
    return out


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 25 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "extra_vars", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_before_any_change_naming_the_variable(
    results: dict[str, PlaybookRun], name: str, extra_vars: dict, words: tuple[str, ...]
) -> None:
    run = results[name]
    assert run.rc != 0, run.output
    text = " ".join(run.output.split())
    assert [w for w in words if w not in text] == [], text[-3000:]
    # refused by the input checks that run before any role: nothing reported changed
    assert sum(r["changed"] for r in run.recap().values()) == 0, run.output
