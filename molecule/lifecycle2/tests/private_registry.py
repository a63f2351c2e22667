"""The private registry of the lifecycle2 tests: Debian's docker-registry (the CNCF distribution registry, installed
but disabled on the test platform) on the instance's loopback, 127.0.0.1:5000, with htpasswd authentication (bcrypt),
holding the backend stand-in's two versions. Test fixture only: what a registry's operator does, done as root in the
instance, before and beside the deployment under test."""

from __future__ import annotations

import json
import shlex

REGISTRY = "127.0.0.1:5000"
IMAGE = f"{REGISTRY}/lacatfly/twilight-drive"
VERSION_A = "0.0.1-standin"
VERSION_B = "0.0.2-standin"
# htpasswd accounts of the test registry (bcrypt): one pushes the images, the deployment reads with another
PUSHER = ("pusher", "lc2-push-secret-41c7")
READER = ("reader", "lc2-read-secret-9e02")
OTHER_READER = ("reader2", "lc2-read-secret-2b6f")
WRONG_PASSWORD = "lc2-wrong-secret-5d18"
PASSWORDS = (PUSHER[1], READER[1], OTHER_READER[1], WRONG_PASSWORD)

# An address of the instance that is not loopback, the way ghcr.io is not: the deploy account's own engine (rootless
# mode) reaches it through slirp4netns, which refuses the host's loopback (Debian 12's dockerd-rootless.sh always
# passes --disable-host-loopback).
REMOTE_ADDRESS = "10.99.0.1"
REMOTE = f"{REMOTE_ADDRESS}:5000"
CONFIG = """version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
http:
  addr: {listen}
auth:
  htpasswd:
    realm: lifecycle2-test-registry
    path: /etc/docker/registry/htpasswd
"""


def credentials(account: tuple[str, str] = READER, password: str | None = None) -> dict:
    """Extra vars deploying the stand-in from the private registry with an account's credentials."""
    return {
        "twilight_backend_image": IMAGE,
        "twilight_backend_registry_username": account[0],
        "twilight_backend_registry_password": account[1] if password is None else password,
    }


def start(host, remote: bool = False) -> None:
    """The registry with authentication, holding VERSION_A and VERSION_B; the first time, none of its tags is left in
    the engine after the push (so a deploy has to pull). With ``remote`` it also answers on REMOTE (an address of the
    instance's loopback interface that is not 127.0.0.1; the instance has no other network). Idempotent."""
    listen = REGISTRY
    if remote:
        host.run(f"ip address add {REMOTE_ADDRESS}/32 dev lo")  # fails harmlessly when it is there
        listen = ":5000"  # every address of the instance: its loopback interface only (network_mode none)
    users = " && ".join(
        f"htpasswd -Bb{'c' if i == 0 else ''} /etc/docker/registry/htpasswd {shlex.quote(u)} {shlex.quote(p)}"
        for i, (u, p) in enumerate((PUSHER, READER, OTHER_READER))
    )
    host.check_output(f"{users} 2>/dev/null")
    config = CONFIG.format(listen=listen)
    if host.file("/etc/docker/registry/config.yml").content_string != config:
        host.check_output(f"printf '%s' {shlex.quote(config)} >/etc/docker/registry/config.yml")
    host.check_output("systemctl restart docker-registry.service")
    host.check_output(f"timeout 30 sh -c 'until curl -s -o /dev/null http://{REGISTRY}/v2/; do sleep 0.2; done'")
    assert host.check_output(f"curl -s -o /dev/null -w '%{{http_code}}' http://{REGISTRY}/v2/") == "401"
    pushed = f"curl -sf -u {PUSHER[0]}:{PUSHER[1]} http://{REGISTRY}/v2/lacatfly/twilight-drive/tags/list"
    tags = json.loads(host.run(pushed).stdout or "{}").get("tags") or []
    if sorted(tags) != [VERSION_A, VERSION_B]:
        host.check_output(
            f"printf '%s' {shlex.quote(PUSHER[1])} | docker login -u {PUSHER[0]} --password-stdin {REGISTRY} >/dev/null"
        )
        for version in (VERSION_A, VERSION_B):
            host.check_output(f"docker tag ghcr.io/lacatfly/twilight-drive:{version} {IMAGE}:{version}")
            host.check_output(f"docker push -q {IMAGE}:{version}")
        host.check_output(f"docker logout {REGISTRY} >/dev/null")
        forget_local_tags(host)


def forget_local_tags(host) -> None:
    """Untag the registry's references in the engine (the images stay under their ghcr.io names)."""
    refs = host.check_output(f"docker images --format '{{{{.Repository}}}}:{{{{.Tag}}}}' {IMAGE}").split()
    digests = host.check_output(
        f"docker images --digests --format '{{{{.Repository}}}}@{{{{.Digest}}}}' {IMAGE}"
    ).split()
    for ref in refs + [d for d in digests if not d.endswith("@<none>")]:
        host.run(f"docker rmi {shlex.quote(ref)}")


def digest_of(host, version: str) -> str:
    """The registry digest of a version (the manifest's, as a pull by digest names it)."""
    out = host.check_output(
        f"curl -sfI -u {PUSHER[0]}:{PUSHER[1]} -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "
        f"http://{REGISTRY}/v2/lacatfly/twilight-drive/manifests/{version}"
    )
    [line] = [line for line in out.splitlines() if line.lower().startswith("docker-content-digest:")]
    return line.split(":", 1)[1].strip()
