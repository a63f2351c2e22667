#!/bin/sh
# Runs inside the build of the fresh platform (see Dockerfile): what a fresh
# Debian VPS has before any of our roles run (systemd with logind, python3,
# sudo, curl, CA certificates), and NO Docker; then adapts systemd to a
# container, as molecule/harness/platform/provision.sh does.
set -eu
: "${SUITE:?}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends systemd systemd-sysv dbus libpam-systemd python3 sudo curl \
  ca-certificates iproute2 procps >/dev/null
# systemd in a container: nothing to load into the host kernel, no consoles.
systemctl mask systemd-modules-load.service getty.target console-getty.service systemd-firstboot.service \
  >/dev/null 2>&1 || true
if [ "$SUITE" != bookworm ]; then
  # Docker 26 (Debian 13's dockerd, inside the stand-in docker-ce) on this
  # cgroup-v1/IPv4-only test host fails to start containers without this.
  # Test environment only, written before any Docker exists.
  mkdir -p /etc/systemd/system/docker.service.d
  printf '[Service]\nEnvironment=DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1\n' \
    >/etc/systemd/system/docker.service.d/harness-ipv6.conf
fi
apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/cache/debconf/*-old
