"""Bad inputs fail on the controller, before the host is read, naming the variable (one instance is enough)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from engine_harness import CONVERGE, failure_of, first_inventory_host
from twilight_harness import instance_name, run_playbook

testinfra_hosts = first_inventory_host()

KEY_FILE = "docker_engine_repo_key_src: must be empty"
# (id, extra vars, words the message must contain)
BAD_INPUT = [
    ("version-with-space", {"docker_engine_version": "5:28.0.1 -1"}, "docker_engine_version:"),
    ("compose-version-eq", {"docker_engine_compose_version": "2.33=1"}, "docker_engine_compose_version:"),
    ("fingerprint-spaced", {"docker_engine_repo_key_fingerprint": "9DC8 5822 9FC7 DD38"}, "40 (or 64) uppercase hex"),
    ("url-newline", {"docker_engine_repo_url": "https://download.docker.com/x\ny"}, "docker_engine_repo_url:"),
    ("key-missing", {"docker_engine_repo_key_src": "/nonexistent/docker.asc"}, KEY_FILE),
    ("key-relative", {"docker_engine_repo_key_src": "files/docker.asc"}, KEY_FILE),
    ("source-choice", {"docker_engine_source": "ubuntu"}, "docker_engine_source"),
]


@pytest.fixture(scope="module")
def runs(host) -> dict:
    limit = instance_name(host)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = pool.map(lambda case: run_playbook(CONVERGE, extra_vars=case[1], limit=limit), BAD_INPUT)
        return dict(zip([case for case, _, _ in BAD_INPUT], results, strict=True))


@pytest.mark.parametrize(("case", "words"), [(c, w) for c, _, w in BAD_INPUT], ids=[c for c, _, _ in BAD_INPUT])
def test_bad_input_fails_before_the_host_is_read_naming_the_variable(host, runs: dict, case: str, words: str) -> None:
    run = runs[case]
    assert run.rc != 0
    assert "Read the distribution" not in run.output, "the host was read before the inputs were checked"
    assert words in failure_of(run, host)
