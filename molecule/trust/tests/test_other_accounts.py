"""Other local accounts cannot block a deploy, and data the services own keeps its owner and mode.

- An account that has nothing to do with the deployment keeps, in its own home, user units named like ours.
  They collide with nothing (a user unit only runs in its own account's manager), so the deploy must go on:
  the collision check looks at system scope and the deploy accounts' own user scope only.
- ~/twilight/data made 0700 by its owner, and ~/twilight/postgres-data owned by uid 70 (the postgres user of
  the official image, which chowns it on first start) with mode 0700: a run with PostgreSQL enabled keeps
  both. That run fails at the pull (no PostgreSQL image can be had offline), after the directories.
Debian 12 only (full runs).
"""

from __future__ import annotations

from twilight_harness import (
    Account,
    failure_text,
    first_instance,
    instance_name,
    run_playbook,
    scenario_dir,
)

testinfra_hosts = first_instance()

BYSTANDER = "bystander"
UNITS = ("twilight-backend.service", "twilight-cloudflared.service")


def test_another_accounts_units_named_like_ours_do_not_block_the_deploy(host) -> None:
    host.check_output("id %s >/dev/null 2>&1 || useradd -m -s /bin/bash %s", BYSTANDER, BYSTANDER)
    home = host.user(BYSTANDER).home
    for unit in UNITS:
        host.check_output(
            "install -d -o %s -g %s %s/.config/systemd/user && printf '[Service]\\nExecStart=/bin/true\\n' > %s && "
            "chown %s: %s",
            BYSTANDER,
            BYSTANDER,
            home,
            f"{home}/.config/systemd/user/{unit}",
            BYSTANDER,
            f"{home}/.config/systemd/user/{unit}",
        )
    try:
        run = run_playbook(scenario_dir() / "converge.yml", limit=instance_name(host))
    finally:
        host.check_output("userdel -r %s", BYSTANDER)
    assert run.rc == 0, failure_text(run.output)[-3000:]
    assert f"/home/{BYSTANDER}" not in run.output


def test_existing_data_directories_keep_their_owner_and_mode(host, account: Account) -> None:
    data = f"{account.home}/twilight/data"
    pgdata = f"{account.home}/twilight/postgres-data"
    host.check_output(account.command(f"chmod 0700 {data}"))
    host.check_output("rm -rf %s && mkdir -m 0700 %s && chown 70:70 %s", pgdata, pgdata, pgdata)
    before = {p: (host.file(p).uid, host.file(p).gid, host.file(p).mode) for p in (data, pgdata)}
    assert before == {data: (account.uid, account.gid, 0o700), pgdata: (70, 70, 0o700)}
    run = run_playbook(
        scenario_dir() / "converge.yml",
        "--tags",
        "backend",
        extra_vars={
            "twilight_backend_postgres_enabled": True,
            "twilight_backend_postgres_env": {"POSTGRES_PASSWORD": "pg-secret-8d3f"},
        },
        limit=instance_name(host),
    )
    after = {p: (host.file(p).uid, host.file(p).gid, host.file(p).mode) for p in (data, pgdata)}
    # the run reached the directories: it succeeded, or failed at the PostgreSQL pull that comes after them
    assert run.rc == 0 or "postgres:16-alpine" in failure_text(run.output), failure_text(run.output)[-3000:]
    assert "pg-secret-8d3f" not in run.output
    assert after == before
