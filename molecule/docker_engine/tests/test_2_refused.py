"""Runs the role must refuse; each leaves the host as converge left it."""

from __future__ import annotations

import re

import pytest
from engine_harness import CONVERGE, REPO, ROGUE_REPO, assert_repository_as_converged, debian, failure_of, run_once
from twilight_harness import instance_name, run_playbook

# (id, extra vars): apt must refuse the repository, and the role roll back
REFUSED = [
    ("key-file-holds-another-key", {"docker_engine_repo_key_src": "{{ harness_keys }}/rogue.asc"}),
    (
        "another-fingerprint-pinned",
        {"docker_engine_repo_key_fingerprint": "{{ lookup('ansible.builtin.file', harness_keys ~ '/rogue.fpr') }}"},
    ),
    ("repository-signed-by-another-key", {"docker_engine_repo_url": ROGUE_REPO}),
]


@pytest.mark.parametrize(("case", "extra_vars"), REFUSED, ids=[case for case, _ in REFUSED])
def test_apt_refuses_a_repository_not_signed_by_the_pinned_key_and_the_role_rolls_back(
    host, case: str, extra_vars: dict
) -> None:
    run = run_once(case, CONVERGE, extra_vars)
    assert run.rc != 0
    assert run.recap()[instance_name(host)]["failed"] == 1
    message = failure_of(run, host)
    assert "docker_engine_repo_key_src / docker_engine_repo_key_fingerprint: apt refused" in message
    assert "The key and source are back as they were" in message
    # apt's own words: gpgv (Debian 12: NO_PUBKEY or GOODSIG of a key not allowed) or sqv (Debian 13)
    assert re.search(r"public key is not available|Missing key|No good signature|is not signed", message), message
    assert_repository_as_converged(host)
    update = host.run("apt-get update --error-on=any")
    assert update.rc == 0, update.stdout + update.stderr


def test_another_source_for_dockers_repository_is_refused(host) -> None:
    by_hand = "/etc/apt/sources.list.d/docker-by-hand.list"
    host.check_output(f"echo 'deb {REPO} {debian(host)[1]} stable' > {by_hand}")
    try:
        run = run_playbook(CONVERGE, limit=instance_name(host))
    finally:
        host.check_output(f"rm -f {by_hand}")
    assert run.rc != 0
    assert f"docker_engine_repo_url: {by_hand} already name(s)" in failure_of(run, host)
    assert_repository_as_converged(host)
