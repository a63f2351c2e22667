#!/bin/sh
# Runs inside the platform image build (see Dockerfile). Installs what a
# target VPS has before our roles run: systemd, python3, sudo, curl, a Docker
# engine with the compose v2 CLI plugin; then adapts systemd to a container.
set -eu
: "${SUITE:?}" "${MIRROR:?}"
export DEBIAN_FRONTEND=noninteractive

# rootlesskit, slirp4netns and uidmap: what rootless mode needs; catatonit: the
# keeper's pause binary (the roles install them on a VPS; the instances have no
# network, so they are baked in).
# docker-registry (the CNCF distribution registry) and apache2-utils (htpasswd
# for its authentication) are test fixtures: pulls by digest and private images.
pkgs="systemd systemd-sysv dbus libpam-systemd python3 python3-yaml python3-debian sudo curl
      ca-certificates iproute2 procps docker.io rootlesskit slirp4netns uidmap catatonit
      docker-registry apache2-utils"
case "$SUITE" in
  bookworm) ;;  # compose v2 comes from trixie below
  *) pkgs="$pkgs docker-cli docker-compose" ;;  # trixie: CLI split out, compose is v2
esac

apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null

if [ "$SUITE" = bookworm ]; then
  # Debian 12's docker-compose is Compose v1; take the v2 CLI plugin (a static
  # Go binary) from trixie's package without installing trixie's dependencies.
  echo "deb $MIRROR trixie main" >/etc/apt/sources.list.d/harness-trixie.list
  apt-get update -qq
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq docker-compose/trixie && dpkg -x docker-compose_*.deb x)
  install -D -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" \
    /usr/libexec/docker/cli-plugins/docker-compose
  rm -rf "$tmp" /etc/apt/sources.list.d/harness-trixie.list
fi
docker compose version >/dev/null

# The registry fixture: loopback only, started by the tests that need it.
cat >/etc/docker/registry/config.yml <<'EOF'
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
http:
  addr: 127.0.0.1:5000
EOF
systemctl disable docker-registry.service >/dev/null 2>&1

# Rootless Docker opens /dev/net/tun as the account (slirp4netns); the device
# the instance is given is 0600 root.
echo 'z /dev/net/tun 0666 - - -' >/etc/tmpfiles.d/harness-tun.conf
# Rootless runc mounts a new /proc, which the kernel refuses while paths of
# the instance's /proc are masked or made read-only by Docker (the API has no
# `systempaths=unconfined`): undo those mounts at boot, after sysctl (skipped
# on a read-only /proc/sys) and before any user manager starts.
cat >/usr/local/sbin/harness-unmask <<'EOF'
#!/bin/sh
awk '$5 ~ "^/proc/" || $5 == "/sys/firmware" { print $5 }' /proc/self/mountinfo | sort -r | xargs -r umount -l
EOF
chmod 0755 /usr/local/sbin/harness-unmask
cat >/etc/systemd/system/harness-unmask.service <<'EOF'
[Unit]
Description=Test harness: unmask /proc and /sys/firmware for rootless Docker (test platform only)
DefaultDependencies=no
After=systemd-sysctl.service
Before=sysinit.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/harness-unmask

[Install]
WantedBy=sysinit.target
EOF
systemctl enable harness-unmask.service >/dev/null 2>&1

# systemd in a container: nothing to load into the host kernel, no consoles.
systemctl mask systemd-modules-load.service getty.target console-getty.service \
  systemd-firstboot.service >/dev/null 2>&1 || true
if [ "$SUITE" != bookworm ]; then
  # Docker 26 on this cgroup-v1/IPv4-only test host fails to start containers
  # ("failed to disable IPv6 on container's interface") without this.
  mkdir -p /etc/systemd/system/docker.service.d
  printf '[Service]\nEnvironment=DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1\n' \
    >/etc/systemd/system/docker.service.d/harness-ipv6.conf
fi
systemctl enable docker.service >/dev/null 2>&1

apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/cache/debconf/*-old
