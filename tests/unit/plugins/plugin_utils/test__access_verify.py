"""What verify.yml makes of an ingress and of the answers through Cloudflare Access (plugin_utils/_access_verify.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._access_verify import (
    login_redirect,
    public_hostnames,
    refused,
    served,
    verdicts,
)

LOGIN = "https://team.cloudflareaccess.com/cdn-cgi/access/login/api.example.com?kid=1&redirect_url=%2Fhealthz"


def test_plain_http_hostnames_are_checked_once_in_order() -> None:
    rules = [
        {"hostname": "api.example.com", "path": "^/v1", "service": "http://127.0.0.1:8081"},
        {"hostname": "api.example.com", "service": "http://127.0.0.1:8082"},
        {"hostname": "admin.example.com", "service": "https://127.0.0.1:8443"},
        {"service": "http_status:404"},
    ]
    assert public_hostnames(rules) == {
        "hostnames": ["api.example.com", "admin.example.com"],
        "skipped": [{"hostname": "(catch-all)", "reason": "the catch-all rule has no hostname of its own"}],
    }


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ({"hostname": "*.example.com", "service": "http://127.0.0.1:1"}, "a wildcard: list concrete names"),
        ({"hostname": "gone.example.com", "service": "http_status:404"}, "'http_status:404' is not an HTTP origin"),
        ({"hostname": "ssh.example.com", "service": "ssh://127.0.0.1:22"}, "is not an HTTP origin"),
        ({"hostname": "*", "service": "http://127.0.0.1:1"}, "the catch-all rule"),
    ],
)
def test_what_cannot_be_asked_is_listed_with_the_reason(rule: dict, reason: str) -> None:
    found = public_hostnames([rule])
    assert found["hostnames"] == []
    assert reason in found["skipped"][0]["reason"]


def test_a_name_checked_through_another_rule_is_not_listed_as_skipped() -> None:
    rules = [
        {"hostname": "api.example.com", "path": "^/ws", "service": "http_status:403"},
        {"hostname": "api.example.com", "service": "http://127.0.0.1:8081"},
    ]
    assert public_hostnames(rules) == {"hostnames": ["api.example.com"], "skipped": []}


@pytest.mark.parametrize(
    ("location", "team", "expected"),
    [
        (LOGIN, "", True),
        (LOGIN, "team", True),
        (LOGIN, "other", False),
        ("https://evil.example.com/cdn-cgi/access/login/x", "", False),
        ("https://team.cloudflareaccess.com.evil.example/cdn-cgi/access/login/x", "", False),
        ("http://team.cloudflareaccess.com/cdn-cgi/access/login/x", "", False),
        ("https://team.cloudflareaccess.com/somewhere-else", "", False),
        ("/cdn-cgi/access/login/x", "", False),
    ],
)
def test_only_the_access_login_page_is_a_login_redirect(location: str, team: str, expected: bool) -> None:
    assert login_redirect(location, team) is expected


@pytest.mark.parametrize(
    ("answer", "ok", "words"),
    [
        ({"status": 403}, True, "403 (refused)"),
        ({"status": 403, "content": "<p>error code: 1010</p>"}, True, "403 (refused), Cloudflare error 1010"),
        ({"status": 302, "location": LOGIN}, True, "302 to the Access login (team.cloudflareaccess.com)"),
        ({"status": 200}, False, "200: the hostname is open"),
        ({"status": 302, "location": "https://api.example.com/login"}, False, "not to the Access login"),
        ({"status": 302}, False, "302 to (no Location)"),
        ({"status": -1, "msg": "Status code was -1 and not [200]: Request failed: timed out"}, False, "no answer"),
        ({"status": 530, "content": "error code: 1033"}, False, "no connection from the tunnel"),
        ({"status": 404}, False, "404, not Access's refusal"),
    ],
)
def test_an_anonymous_request_must_be_refused_by_access(answer: dict, ok: bool, words: str) -> None:
    got_ok, got_words = refused({"item": "api.example.com", **answer})
    assert (got_ok, words in got_words) == (ok, True), got_words


def test_no_answer_keeps_the_reason_without_uris_preamble() -> None:
    _ok, words = refused({"status": -1, "msg": "Status code was -1 and not [200]: Request failed: <urlopen error x>"})
    assert words == "no answer (Request failed: <urlopen error x>)"


@pytest.mark.parametrize(
    ("answer", "ok", "words"),
    [
        ({"status": 200}, True, "200 on /healthz"),
        ({"status": 403}, False, "the token is refused"),
        ({"status": 403, "content": "error code: 1010"}, False, "browser integrity check"),
        ({"status": 302, "location": LOGIN}, False, "needs a Service Auth policy"),
        ({"status": 502}, False, "502 on /healthz: the origin behind the tunnel does not answer"),
        ({"status": 500}, False, "500 on /healthz: the backend answered, but not 200"),
        ({"status": 530, "content": "error code: 1033"}, False, "no connection from the tunnel"),
        ({"status": -1, "msg": "Request failed"}, False, "no answer"),
    ],
)
def test_the_token_must_reach_the_health_path(answer: dict, ok: bool, words: str) -> None:
    got_ok, got_words = served(answer, "/healthz")
    assert (got_ok, words in got_words) == (ok, True), got_words


def test_verdicts_pair_the_answers_by_hostname_and_copy_nothing_else() -> None:
    secret = "the-client-secret"
    anonymous = [{"item": "a.example.com", "status": 403}, {"item": "b.example.com", "status": 200}]
    with_token = [
        # uri's results echo the request, token included: none of it may reach a verdict
        {"item": "b.example.com", "status": 200, "invocation": {"module_args": {"headers": {"X": secret}}}},
        {"item": "a.example.com", "status": 200, "content": secret, "url": "https://a.example.com/healthz"},
    ]
    got = verdicts(anonymous, with_token, path="/healthz")
    assert [(v["hostname"], v["ok"]) for v in got] == [("a.example.com", True), ("b.example.com", False)]
    assert got[0]["line"] == (
        "ok   a.example.com: without credentials 403 (refused); with the service token 200 on /healthz"
    )
    assert got[1]["line"].startswith("FAIL b.example.com: without credentials 200: the hostname is open")
    assert got[1]["line"].endswith("<- FAIL; with the service token 200 on /healthz")
    assert secret not in repr(got)


def test_a_hostname_without_a_token_answer_fails() -> None:
    got = verdicts([{"item": "a.example.com", "status": 403}], [], path="/healthz")
    assert got[0]["ok"] is False and "no answer (not asked)" in got[0]["with_token"]
