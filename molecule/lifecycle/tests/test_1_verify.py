"""playbooks/verify.yml (the seed plan's step 10.6) against the TEST STAND-IN for Cloudflare Access
(molecule/stand-ins/access), on both platforms: the requests go from the instance itself to the stand-in on its
loopback, with the public hostname resolved there; the token comes from the test vault. Each run is a few
seconds, so every case runs on Debian 12 and 13."""

from __future__ import annotations

from twilight_harness import PlaybookRun, run_verify, start_access_standin

HOSTNAME = "api.fsagent.cc"
# the service token of molecule/shared/inventory/group_vars/twilight/vault-verify.yml
CLIENT_ID = "7c1e0f4d2a9b4e38a6d5c0b1e2f3a4b5.access"
CLIENT_SECRET = "lifecycle-verify-secret-3e9a7c51b0d24f68"


def report(run: PlaybookRun) -> str:
    """The output on one line (the yaml callback folds long report lines)."""
    return " ".join(run.output.split())


def assert_no_token(run: PlaybookRun, *more: str) -> None:
    assert [s for s in (CLIENT_ID, CLIENT_SECRET, *more) if s in run.output] == []


def test_access_refuses_without_credentials_and_the_token_reaches_the_backend(host) -> None:
    start_access_standin(host, "refuse")
    run = run_verify(host, "-vvv")
    assert run.rc == 0, run.output
    assert f"ok {HOSTNAME}: without credentials 403 (refused); with the service token 200 on /healthz" in report(run)
    assert_no_token(run)


def test_the_redirect_to_the_access_login_is_a_refusal_too(host) -> None:
    start_access_standin(host, "redirect")
    run = run_verify(host)
    assert run.rc == 0, run.output
    assert "without credentials 302 to the Access login (lifecycle-test.cloudflareaccess.com)" in report(run)
    # with the team given, a login page of another team is no refusal of ours
    other = run_verify(host, extra_vars={"twilight_verify_access_team": "another-team"})
    assert other.rc == 2, other.output
    assert "not to the Access login on another-team.cloudflareaccess.com <- FAIL" in report(other)


def test_a_hostname_open_without_access_fails_the_run(host) -> None:
    start_access_standin(host, "open")
    run = run_verify(host, "-vvv")
    assert run.rc == 2, run.output
    text = report(run)
    assert f"FAIL {HOSTNAME}: without credentials 200: the hostname is open" in text
    assert "Verification failed for 1 of 1 hostname(s)" in text
    assert_no_token(run)


def test_a_refused_token_fails_the_run_and_is_not_shown(host) -> None:
    start_access_standin(host, "refuse")
    wrong = "lifecycle-wrong-secret-0d5e1a"
    run = run_verify(host, "-vvv", extra_vars={"twilight_verify_client_secret": wrong})
    assert run.rc == 2, run.output
    assert "with the service token 403 on /healthz: the token is refused" in report(run)
    assert_no_token(run, wrong)


def test_a_missing_token_is_refused_before_any_request(host) -> None:
    run = run_verify(host, extra_vars={"twilight_verify_client_secret": ""})
    assert run.rc == 2, run.output
    assert "twilight_verify_client_secret is empty" in report(run)
    assert "Ask each public hostname" not in run.output
