# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What playbooks/verify.yml checks through Cloudflare Access, as pure functions.

Private to this collection (no compatibility promise). Which hostnames of a
tunnel's ingress are public and can be checked, and what the answers of
ansible.builtin.uri to an anonymous and to a service-token request mean.

Cloudflare Access, in front of a self-hosted application, refuses a request
that carries no valid credentials: it redirects a client it could log in to
the team's login page (``https://<team>.cloudflareaccess.com/cdn-cgi/access/login/...``)
or answers 403. A request with a service token accepted by a Service Auth
policy (headers CF-Access-Client-Id and CF-Access-Client-Secret) reaches the
origin. The answers are read field by field here: nothing of the request
(its headers hold the token) is ever copied into what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

REDIRECTS = frozenset({301, 302, 303, 307, 308})
ACCESS_DOMAIN = "cloudflareaccess.com"
LOGIN_PATH = "/cdn-cgi/access/login"
# Cloudflare's own error pages end with "error code: 1010" and the like
ERROR_CODE = re.compile(r"error code: ([0-9]{4})")
CLOUDFLARE_CODES = {
    "1010": "Cloudflare's browser integrity check refused this client (set twilight_verify_user_agent)",
    "1033": "Cloudflare has no connection from the tunnel (is cloudflared running on the host?)",
}


def public_hostnames(rules: Sequence[Mapping[str, Any]]) -> dict[str, list]:
    """The hostnames of ``rules`` (cloudflared ingress) that answer HTTP and can be checked, and the others.

    A rule is checked when its hostname is a plain name and its service an
    http(s) origin. Not checked, each with the reason: the catch-all (no
    hostname: it answers only names routed to the tunnel but matched by no
    rule), wildcards (no single name to ask), fixed answers (``http_status:``)
    and other services (ssh, tcp, unix sockets...).
    """
    hostnames: list[str] = []
    skipped: list[dict[str, str]] = []
    for rule in rules:
        host = str(rule.get("hostname") or "")
        service = str(rule.get("service") or "")
        if not host or host == "*":
            skipped.append({"hostname": "(catch-all)", "reason": "the catch-all rule has no hostname of its own"})
        elif "*" in host:
            skipped.append(
                {"hostname": host, "reason": "a wildcard: list concrete names under it in twilight_verify_hostnames"}
            )
        elif not service.startswith(("http://", "https://")):
            skipped.append({"hostname": host, "reason": f"its service {service!r} is not an HTTP origin"})
        elif host not in hostnames:
            hostnames.append(host)
    # a name also served by a checked rule (another path) is checked
    skipped = [s for s in skipped if s["hostname"] not in hostnames]
    return {"hostnames": hostnames, "skipped": skipped}


def _code(answer: Mapping[str, Any]) -> str:
    found = ERROR_CODE.search(str(answer.get("content") or ""))
    return found.group(1) if found else ""


def _status(answer: Mapping[str, Any]) -> int:
    try:
        return int(answer.get("status", -1))
    except (TypeError, ValueError):
        return -1


def _no_answer(answer: Mapping[str, Any]) -> str:
    """Why a request got no HTTP answer, from uri's message (it names the URL and the error, no header)."""
    msg = str(answer.get("msg") or "no answer")
    return re.sub(r"^Status code was -1 and not \[[^]]*\]: ", "", msg)


def login_redirect(location: str, team: str = "") -> bool:
    """Whether ``location`` is the Access login page (of ``team``, when given)."""
    parts = urlsplit(location)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not parts.path.startswith(LOGIN_PATH):
        return False
    if team:
        return host == f"{team.lower()}.{ACCESS_DOMAIN}"
    return host.endswith("." + ACCESS_DOMAIN)


def refused(answer: Mapping[str, Any], team: str = "") -> tuple[bool, str]:
    """Whether an anonymous request was refused the way Access refuses it; with the words for the report."""
    status = _status(answer)
    location = str(answer.get("location") or "")
    if status == 403:
        code = _code(answer)
        return True, "403 (refused)" + (f", Cloudflare error {code}" if code else "")
    if status in REDIRECTS and login_redirect(location, team):
        return True, f"{status} to the Access login ({urlsplit(location).hostname})"
    if status in REDIRECTS:
        where = f"{team}.{ACCESS_DOMAIN}" if team else f"*.{ACCESS_DOMAIN}"
        return False, f"{status} to {location or '(no Location)'}, not to the Access login on {where}"
    if 200 <= status < 300:
        return False, f"{status}: the hostname is open, no Access application and policy cover it"
    if status == -1:
        return False, f"no answer ({_no_answer(answer)})"
    code = _code(answer)
    return False, f"{status}" + (f" ({CLOUDFLARE_CODES.get(code, f'Cloudflare error {code}')})" if code else "") + (
        ", not Access's refusal (403 or the login redirect)"
    )


def served(answer: Mapping[str, Any], path: str) -> tuple[bool, str]:
    """Whether a request with the service token reached the backend's health path; with the words for the report."""
    status = _status(answer)
    location = str(answer.get("location") or "")
    if status == 200:
        return True, f"200 on {path}"
    if status in REDIRECTS and login_redirect(location):
        return False, (
            f"{status} to the Access login: the token is not accepted here (the application needs a Service Auth "
            "policy that includes it)"
        )
    if status == 403:
        code = _code(answer)
        why = CLOUDFLARE_CODES.get(code) if code else None
        return False, f"403 on {path}: " + (
            why or "the token is refused (wrong, expired or revoked, or no Service Auth policy includes it)"
        )
    if status == -1:
        return False, f"no answer ({_no_answer(answer)})"
    code = _code(answer)
    if code:
        return False, f"{status} on {path}: {CLOUDFLARE_CODES.get(code, f'Cloudflare error {code}')}"
    if status in (502, 503, 504):
        return False, f"{status} on {path}: the origin behind the tunnel does not answer (is the backend running?)"
    return False, f"{status} on {path}: the backend answered, but not 200"


def verdicts(
    anonymous: Sequence[Mapping[str, Any]],
    with_token: Sequence[Mapping[str, Any]],
    *,
    path: str,
    team: str = "",
) -> list[dict[str, Any]]:
    """One verdict per hostname from the uri results (``item`` is the hostname) of both requests."""
    tokens = {str(a.get("item")): a for a in with_token}
    out = []
    for answer in anonymous:
        host = str(answer.get("item"))
        ok_anon, anon = refused(answer, team)
        ok_token, token = served(tokens.get(host, {"status": -1, "msg": "not asked"}), path)
        out.append(
            {
                "hostname": host,
                "ok": ok_anon and ok_token,
                "without_credentials": anon,
                "with_token": token,
                "line": (
                    f"{'ok  ' if ok_anon and ok_token else 'FAIL'} {host}: without credentials {anon}"
                    f"{'' if ok_anon else ' <- FAIL'}; with the service token {token}{'' if ok_token else ' <- FAIL'}"
                ),
            }
        )
    return out
