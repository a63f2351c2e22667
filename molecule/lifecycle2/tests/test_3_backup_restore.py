"""data/ kept safe across version changes: a copy taken while the backend is stopped before it changes image (not on a
no-op run; a first install takes none, see test_1_status.py), kept with the image it belongs to, the newest
twilight_backend_backup_keep kept; playbooks/restore.yml puts a copy back with its version, byte for byte.

The versions come from the private registry of test_2_private_image.py (so each has a registry digest, and the
restore pins it): A is 0.0.1-standin, B 0.0.2-standin. Full playbook runs, one platform (Debian 12 when the run has
it): the behaviour is the role's, the same on both."""

from __future__ import annotations

import json
import re
import shlex

import private_registry as registry
import pytest
from twilight_harness import (
    PLAYBOOKS,
    Account,
    PlaybookRun,
    docker_inspect,
    file_state,
    first_instance,
    instance_name,
    record_figure,
    run_playbook,
    scenario_dir,
    start_poller,
    stop_poller,
)

testinfra_hosts = first_instance()

HOME = "/home/twilight"
PROJECT = f"{HOME}/twilight"
BACKUPS = f"{PROJECT}/backups"
NAME = re.compile(r"^[0-9]{8}T[0-9]{6}Z-(?P<version>.+)$")
A, B = registry.VERSION_A, registry.VERSION_B


@pytest.fixture(scope="module", autouse=True)
def private_registry(host):
    registry.start(host)


def deploy(host, version: str, *args: str, **more) -> PlaybookRun:
    extra = {**registry.credentials(), "twilight_backend_version": version, **more}
    run = run_playbook(scenario_dir() / "converge.yml", *args, extra_vars=extra, limit=instance_name(host))
    assert run.rc == 0, run.output[-4000:]
    return run


def restore(host, *args: str, **more) -> PlaybookRun:
    # the inventory (extra vars here) still names B: the restore runs the copy's own image
    extra = {**registry.credentials(), "twilight_backend_version": B, **more}
    return run_playbook(PLAYBOOKS / "restore.yml", *args, extra_vars=extra, limit=instance_name(host))


def in_backend(host, script: str) -> None:
    """Write into data/ the way the backend does: inside its container, as its user."""
    host.check_output(f"docker exec twilight-backend /bin/busybox sh -c {shlex.quote(script)}")


def tree(host, account: Account, path: str) -> dict[str, str]:
    """Every entry below ``path``, read as the account: files by sha256, links by target (never followed)."""
    script = (
        f"cd {shlex.quote(path)} && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do "
        'if [ -L "$p" ]; then echo "$p link $(readlink "$p")"; '
        'elif [ -d "$p" ]; then echo "$p dir"; '
        'else echo "$p file $(sha256sum <"$p" | cut -c1-64)"; fi; done'
    )
    lines = host.check_output(account.command(script)).splitlines()
    return dict(line.split(" ", 1) for line in lines)


def copies(host) -> list[str]:
    if not host.file(BACKUPS).exists:
        return []
    return sorted(n for n in host.check_output(f"ls -1 {BACKUPS}").split() if NAME.match(n))


def served(host) -> str:
    return host.check_output("curl -sf http://127.0.0.1:8081/version")


def running_image(host) -> str:
    return docker_inspect(host, "twilight-backend")["Config"]["Image"]


STATE: dict[str, object] = {}


def test_a_no_op_run_takes_no_copy_and_a_version_change_copies_data_with_its_image(host, account: Account) -> None:
    deploy(host, A)  # A from the registry (test_2 left it so; a no-op then)
    in_backend(
        host,
        "echo A >/data/marker && mkdir -p /data/db && /bin/busybox dd if=/dev/urandom of=/data/db/duck.db bs=1024 "
        "count=2048 2>/dev/null && echo bearer-A >/data/db/bearer && /bin/busybox ln -sf /etc/passwd /data/outside",
    )
    tree_a = tree(host, account, f"{PROJECT}/data")
    before = copies(host)
    noop = deploy(host, A)
    assert noop.recap()[instance_name(host)]["changed"] == 0, noop.output
    assert copies(host) == before

    run = deploy(host, B)
    assert served(host) == B
    [name] = [c for c in copies(host) if c not in before]
    assert NAME.match(name)["version"] == A
    copy = f"{BACKUPS}/{name}"
    assert tree(host, account, f"{copy}/data") == tree_a  # byte for byte, the link as a link
    assert tree_a["./outside"] == "link /etc/passwd"
    record = json.loads(host.file(f"{copy}/image.json").content_string)
    assert record["image"] == registry.IMAGE and record["version"] == A
    assert record["ref"] == f"{registry.IMAGE}:{A}"
    assert record["digest"] == registry.digest_of(host, A)
    assert record["before"] == f"{registry.IMAGE}:{B}"
    for path in (BACKUPS, copy, f"{copy}/image.json"):
        assert host.file(path).user == "twilight", path
    assert host.file(BACKUPS).mode == 0o700
    text = " ".join(run.output.split())
    assert f"Copied ~/twilight/data (as ~/twilight/backups/{name}," in text
    assert re.search(r"Copies kept \([0-9]+ KiB in ~/twilight/backups\)", text)
    STATE.update(name_a=name, tree_a=tree_a)


def test_check_mode_and_a_missing_name_change_nothing(host) -> None:
    watched = (f"{PROJECT}/compose.yml", f"{PROJECT}/data/marker", BACKUPS)
    before = file_state(host, f"{PROJECT}/compose.yml", f"{PROJECT}/data/marker")
    listing = copies(host)
    started = host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend")
    unnamed = restore(host)
    assert unnamed.rc == 2, unnamed.output
    assert "twilight_restore_backup: name the copy to put back" in " ".join(unnamed.output.split())
    assert STATE["name_a"] in unnamed.output
    check = restore(host, "--check", twilight_restore_backup=STATE["name_a"])
    assert check.rc == 0, check.output[-4000:]
    assert "Check mode, nothing was changed. Would restore" in " ".join(check.output.split())
    assert file_state(host, *watched[:2]) == before and copies(host) == listing
    assert host.check_output("docker inspect -f '{{.State.StartedAt}}' twilight-backend") == started


def test_restore_puts_the_copy_back_with_its_version_byte_for_byte(host, account: Account) -> None:
    in_backend(host, "echo B >/data/marker && rm /data/db/bearer && echo added-by-B >/data/b-only")
    tree_b = tree(host, account, f"{PROJECT}/data")
    assert tree_b != STATE["tree_a"]
    before = copies(host)
    run = restore(host, twilight_restore_backup=STATE["name_a"])
    assert run.rc == 0, run.output[-4000:]
    assert tree(host, account, f"{PROJECT}/data") == STATE["tree_a"]
    assert served(host) == A
    digest = registry.digest_of(host, A)
    assert running_image(host) == f"{registry.IMAGE}@{digest}"
    # B's data is kept as a copy of its own, and the restored copy is still there
    [kept_b] = [c for c in copies(host) if c not in before]
    assert NAME.match(kept_b)["version"] == B
    assert tree(host, account, f"{BACKUPS}/{kept_b}/data") == tree_b
    assert STATE["name_a"] in copies(host)
    text = " ".join(run.output.split())
    assert f"Restored ~/twilight/backups/{STATE['name_a']}/data into ~/twilight/data" in text
    assert f"twilight_backend_image_digest: {digest}" in text  # how to pin it in the inventory
    # the status of the restored host: healthy, and the inventory's B is drift
    status = run_playbook(
        PLAYBOOKS / "status.yml",
        extra_vars={**registry.credentials(), "twilight_backend_version": B},
        limit=instance_name(host),
    )
    assert status.rc == 0, status.output
    assert f"image ({A} -> {B})" in " ".join(status.output.split())


def test_extra_vars_that_would_run_another_image_are_refused(host) -> None:
    run = restore(host, twilight_restore_backup=STATE["name_a"], twilight_backend_image_digest="sha256:" + "0" * 64)
    assert run.rc == 2, run.output
    assert "given as extra vars (-e), they would run" in " ".join(run.output.split())


def test_the_newest_copies_are_kept(host) -> None:
    """N + 1 version changes with twilight_backend_backup_keep: N leave the N newest copies, all of them made by
    these changes; the older ones are removed and the run says which."""
    keep = 2
    before = copies(host)
    running = A
    outputs = []
    for _change in range(keep + 1):
        running = B if running == A else A
        outputs.append(deploy(host, running, twilight_backend_backup_keep=keep).output)
    left = copies(host)
    assert len(left) == keep
    assert not set(left) & set(before)
    assert [NAME.match(c)["version"] for c in left] == [B, A]  # the copies of what ran before the last two changes
    removed = " ".join(" ".join(o.split()) for o in outputs)
    for gone in before:
        assert gone in removed
    assert served(host) == B


def test_a_copy_that_fails_starts_the_backend_again_and_changes_nothing(host, account: Account) -> None:
    """A file in data/ the account cannot read (another owner's): the copy fails, the run stops, and the backend
    runs its old version again."""
    host.check_output(f"install -o root -g root -m 0600 /dev/null {PROJECT}/data/not-the-accounts")
    try:
        before = file_state(host, f"{PROJECT}/compose.yml")
        listing = copies(host)
        run = run_playbook(
            scenario_dir() / "converge.yml",
            extra_vars={**registry.credentials(), "twilight_backend_version": A},
            limit=instance_name(host),
        )
        assert run.rc == 2, run.output[-4000:]
        text = " ".join(run.output.split())
        assert "twilight_backend_backup_keep: copying ~/twilight/data failed" in text
        assert "Permission denied" in text
        assert f"the backend was started again on {registry.IMAGE}:{B}" in text
        assert file_state(host, f"{PROJECT}/compose.yml") == before and copies(host) == listing
        host.check_output("timeout 60 sh -c 'until curl -sf http://127.0.0.1:8081/healthz; do sleep 0.5; done'")
        assert served(host) == B
        assert host.check_output(f"ls -A {BACKUPS} | grep -c '^.partial-' || true") == "0"
    finally:
        host.check_output(f"rm -f {PROJECT}/data/not-the-accounts")


def test_what_the_copy_adds_to_the_downtime_of_a_version_change(host) -> None:
    """Measured, not asserted (docs/lifecycle.md): the longest time /healthz did not answer 200 during a version
    change without a copy, and with one of 64 MiB of data/."""
    in_backend(host, "/bin/busybox dd if=/dev/urandom of=/data/db/big bs=1048576 count=64 2>/dev/null")
    figures = {}
    for version, keep in ((A, 0), (B, 3)):
        listing = copies(host)
        poller = start_poller(host)
        run = deploy(host, version, twilight_backend_backup_keep=keep)
        figures[keep] = stop_poller(host, poller)
        assert (copies(host) == listing) is (keep == 0)
    copied = re.search(r"the copy then took ([0-9.]+) s", " ".join(run.output.split()))
    assert copied, run.output[-3000:]
    record_figure(host, "version change, no copy: longest time without /healthz 200", figures[0])
    record_figure(host, "version change with a copy of 64 MiB of data/: longest time without /healthz 200", figures[3])
    record_figure(host, "the copy of 64 MiB of data/ itself (cp -a, as the run reports it)", float(copied[1]))
