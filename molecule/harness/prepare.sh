#!/usr/bin/env bash
# Make the test harness ready: a Docker engine that answers, the Molecule
# platform images (Debian 12 and 13: systemd PID 1 + inner Docker engine +
# compose v2) and the backend stand-in tarball. Idempotent and cached by
# content hash, so a re-run takes seconds.
#
#   molecule/harness/prepare.sh [debian12] [debian13]   (default: both)
#
# Platform source, chosen automatically (override: HARNESS_SOURCE=registry|debootstrap):
#   registry     FROM debian:12 / debian:13 when a registry answers (laptops, GitHub CI)
#   debootstrap  a minbase rootfs from Debian's archive, imported as the base
#                (machines whose only reachable archive is Debian's, such as ours)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="$root/molecule/.cache"
mkdir -p "$cache"

log() { printf '[harness] %s\n' "$*" >&2; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
# The Debian mirror this machine's apt already uses (deb822 URIs: or a one-line
# `deb` entry), so the repository names none; HARNESS_MIRROR overrides it.
apt_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
    /^Types:/ { deb = ($0 ~ /(^|[ \t])deb([ \t]|$)/) }
    /^URIs:/ && deb { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
  [ -n "$uri" ] || uri=$(grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/\[[^]]*\]//' | awk '$2 !~ /security/ { print $2; exit }')
  [ -n "$uri" ] || { log "no Debian mirror in this machine's apt configuration: set HARNESS_MIRROR"; exit 1; }
  echo "${uri%/}"
}
mirror=${HARNESS_MIRROR:-$(apt_mirror)}

label_of() {  # image label value, empty when the image is missing
  docker image inspect --format '{{ index .Config.Labels "org.lacatfly.harness.hash" }}' "$1" 2>/dev/null || true
}

ensure_engine() {
  if docker info >/dev/null 2>&1; then return; fi
  [ "$(id -u)" = 0 ] || { log "no Docker engine answers and I am not root to start one"; exit 1; }
  if ! command -v dockerd >/dev/null 2>&1; then
    log "installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  log "starting dockerd (log: /var/log/harness-dockerd.log)"
  # dockerd outlives this script: it must not inherit a descriptor of its
  # caller (tools/ansible-test holds its lock on fd 9; a dockerd holding it
  # would block every later run for good)
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
    done
    exec nohup dockerd >/var/log/harness-dockerd.log 2>&1 </dev/null
  ) &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && return; sleep 1; done
  tail -n 20 /var/log/harness-dockerd.log >&2
  log "dockerd did not answer within 60 s"; exit 1
}

choose_source() {
  if [ -n "${HARNESS_SOURCE:-}" ]; then echo "$HARNESS_SOURCE"; return; fi
  if docker image inspect debian:12 >/dev/null 2>&1 || timeout 60 docker pull -q debian:12 >/dev/null 2>&1; then
    echo registry
  else
    echo debootstrap
  fi
}

# base image name for a suite: the registry one, or a debootstrapped rootfs
base_image() {
  local suite=$1 version=$2
  if [ "$source" = registry ]; then echo "debian:$version"; return; fi
  local img="twilight-harness-rootfs:$suite" want
  want=$(printf 'minbase %s %s' "$suite" "$mirror" | sha256sum | cut -c1-16)
  if [ "$(label_of "$img")" != "$want" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    local dir; dir=$(mktemp -d /var/tmp/harness-rootfs.XXXXXX)
    log "debootstrap $suite (minbase) from $mirror"
    debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap-$suite.log" >&2; exit 1; }
    tar -C "$dir" -c . | docker import -c "LABEL org.lacatfly.harness.hash=$want" - "$img" >/dev/null
    rm -rf "$dir"
  fi
  echo "$img"
}

build_platform() {
  local name=$1 suite version
  case "$name" in
    debian12) suite=bookworm version=12 ;;
    debian13) suite=trixie version=13 ;;
    *) log "unknown platform $name"; exit 2 ;;
  esac
  local img="twilight-harness-platform:$name" base want
  base=$(base_image "$suite" "$version")
  want=$( (hash_of "$here/platform/Dockerfile" "$here/platform/provision.sh"; echo "$suite $mirror $base";
           docker image inspect --format '{{.Id}}' "$base") | sha256sum | cut -c1-16)
  if [ "$(label_of "$img")" = "$want" ]; then log "$img is up to date"; return; fi
  log "building $img from $base"
  docker build -q --label "org.lacatfly.harness.hash=$want" \
    --build-arg "BASE=$base" --build-arg "SUITE=$suite" --build-arg "MIRROR=$mirror" \
    -t "$img" "$here/platform" >/dev/null
}

# The backend stand-in: two good versions (for upgrade/rollback tests) and a
# broken one whose /healthz answers 500 (for the canary tests), in one tarball.
build_standin() {
  local base tarball="$cache/backend-standin.tar.gz" want v status tags=()
  base=$(base_image bookworm 12)
  want=$( (hash_of "$root/molecule/stand-ins/backend/Dockerfile"; docker image inspect --format '{{.Id}}' "$base") \
          | sha256sum | cut -c1-16)
  if [ -s "$tarball" ] && [ "$(cat "$tarball.hash" 2>/dev/null)" = "$want" ]; then
    log "backend stand-in is up to date"; return
  fi
  for v in 0.0.1-standin:200 0.0.2-standin:200 0.0.3-broken:500; do
    status=${v#*:} v=${v%:*}
    log "building backend stand-in $v (/healthz $status)"
    docker build -q --build-arg "BASE=$base" --build-arg "STANDIN_VERSION=$v" --build-arg "STANDIN_HEALTHZ_STATUS=$status" \
      -t "ghcr.io/lacatfly/twilight-drive:$v" "$root/molecule/stand-ins/backend" >/dev/null
    tags+=("ghcr.io/lacatfly/twilight-drive:$v")
  done
  docker save "${tags[@]}" | gzip -1 >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  echo "$want" >"$tarball.hash"
}

ensure_engine
source=$(choose_source)
log "platform source: $source"
platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=(debian12 debian13)
for p in "${platforms[@]}"; do build_platform "$p"; done
build_standin
"$here/kit-image.sh" prepare "$(base_image bookworm 12)"  # the image kit's sample image (scenario image)
log "ready"
