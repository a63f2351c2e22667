#!/usr/bin/env bash
# The test platform of the docker_engine scenario: twilight-harness-fresh:debian12
# and :debian13, fresh Debian hosts without Docker that serve signed apt
# repositories (a Debian subset and Docker's layout with stand-in packages) on
# their own loopback (see fresh/Dockerfile). Separate from the shared platform
# images (molecule/harness/platform/), which carry Debian's Docker already.
# Cached by content hash like prepare.sh: a re-run with nothing changed takes
# seconds. Run molecule/harness/prepare.sh first (engine, base images).
#
#   molecule/harness/fresh-platform.sh [debian12] [debian13]   (default: both)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
log() { printf '[harness] %s\n' "$*" >&2; }
label_of() {
  docker image inspect --format '{{ index .Config.Labels "org.lacatfly.harness.hash" }}' "$1" 2>/dev/null || true
}
# the base prepare.sh made: a debootstrapped rootfs, or the registry's image
base_of() {
  local img
  for img in "twilight-harness-rootfs:$1" "debian:$2"; do
    if docker image inspect "$img" >/dev/null 2>&1; then echo "$img"; return; fi
  done
  log "no base image for $1 (twilight-harness-rootfs:$1 or debian:$2): run molecule/harness/prepare.sh first"
  exit 1
}

build() {
  local name=$1 suite version
  case "$name" in
    debian12) suite=bookworm version=12 ;;
    debian13) suite=trixie version=13 ;;
    *) log "unknown platform $name"; exit 2 ;;
  esac
  local img="twilight-harness-fresh:$name" base want ctx
  base=$(base_of "$suite" "$version")
  want=$( (cd "$root/molecule" && cat harness/fresh-platform.sh harness/fresh/* stand-ins/docker-packages/*;
           echo "$suite $base"; docker image inspect --format '{{.Id}}' "$base") | sha256sum | cut -c1-16)
  if [ "$(label_of "$img")" = "$want" ]; then log "$img is up to date"; return; fi
  log "building $img from $base (Debian's binaries, stand-in packages, signed loopback repositories)"
  ctx=$(mktemp -d)
  cp -r "$here/fresh/." "$ctx/"
  cp -r "$root/molecule/stand-ins/docker-packages" "$ctx/docker-packages"
  docker build -q --label "org.lacatfly.harness.hash=$want" \
    --build-arg "BASE=$base" --build-arg "SUITE=$suite" --build-arg "VERSION=$version" \
    -t "$img" "$ctx" >/dev/null
  rm -rf "$ctx"
}

platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=(debian12 debian13)
for p in "${platforms[@]}"; do build "$p"; done
