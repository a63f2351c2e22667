#!/usr/bin/env bash
# The backend image kit, built the way the backend repository builds it:
# image/Dockerfile as deploy/Dockerfile over the sample backend
# (molecule/stand-ins/sample-backend), on a local stand-in for python:3.11-slim
# (molecule/stand-ins/python-slim), and with no network at all: every wheel
# comes from a wheelhouse that this script fills from PyPI on the host, still
# installed through --require-hashes. Test harness only, never shipped.
#
#   kit-image.sh prepare BASE          the python stand-in, then the sample image
#                                      and its tarball (prepare.sh calls this with
#                                      the Debian 12 base); cached by content hash
#   kit-image.sh context DIR           DIR laid out as the backend repository:
#                                      the sample backend + deploy/{Dockerfile,requirements-uv.txt}
#                                      + .dockerignore
#   kit-image.sh build DIR ARGS...     build DIR with BuildKit, --network none, on the
#                                      python stand-in (ARGS: more `docker build` options)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="$root/molecule/.cache"
sample="$root/molecule/stand-ins/sample-backend"
python_standin="$root/molecule/stand-ins/python-slim"
PYTHON_IMAGE=twilight-kit-python:3.11
KIT_IMAGE=ghcr.io/lacatfly/twilight-drive
KIT_VERSION=0.1.0-sample
tarball="$cache/backend-kit.tar.gz"

log() { printf '[kit-image] %s\n' "$*" >&2; }
label_of() {
  docker image inspect --format '{{ index .Config.Labels "org.lacatfly.harness.hash" }}' "$1" 2>/dev/null || true
}
uv_bin() { if [ -x "$root/.venv/bin/uv" ]; then echo "$root/.venv/bin/uv"; else command -v uv; fi; }
pip_python() { if [ -x "$root/.venv/bin/python" ]; then echo "$root/.venv/bin/python"; else command -v python3; fi; }

# BuildKit builds only the stages a build needs (so the python:3.11-slim stage
# of the Dockerfile is never pulled when BASE_IMAGE is overridden). Docker CLIs
# from 23 on need the buildx plugin for it; Debian's docker.io (20.10) client
# has it built in.
buildkit_build() {
  if docker buildx version >/dev/null 2>&1; then
    docker buildx build --load "$@"
  elif [ -x /usr/bin/docker ] && [ "$(/usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)" -lt 23 ]; then
    DOCKER_BUILDKIT=1 /usr/bin/docker build "$@"
  else
    log "no BuildKit builder: install the docker buildx plugin (Debian: docker-buildx)"
    return 1
  fi
}

# Every file the images need, as hashes: wheels of uv (image/requirements-uv.txt)
# and of the sample's lock, for CPython 3.11 on glibc x86_64/aarch64.
requirements() {
  cat "$root/image/requirements-uv.txt"
  "$(uv_bin)" export --project "$sample/core" --frozen --no-dev --no-emit-project \
    --format requirements-txt --no-header --quiet
}

fill_wheelhouse() {
  local dir=$1 arch platforms=() v
  arch=$(uname -m)
  for v in $(seq 36 -1 17); do platforms+=(--platform "manylinux_2_${v}_${arch}"); done
  rm -rf "$dir" && mkdir -p "$dir"
  requirements >"$dir.txt"
  log "filling the wheelhouse from PyPI ($(grep -c '^[a-z]' "$dir.txt") requirements, hashes checked)"
  "$(pip_python)" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: --python-version 3.11 "${platforms[@]}" -r "$dir.txt" -d "$dir"
}

build_python_standin() {
  local base=$1 want ctx
  want=$( (cat "$python_standin/Dockerfile"; requirements; uname -m; docker image inspect --format '{{.Id}}' "$base") \
          | sha256sum | cut -c1-16)
  if [ "$(label_of "$PYTHON_IMAGE")" = "$want" ]; then log "$PYTHON_IMAGE is up to date"; return; fi
  ctx=$(mktemp -d)
  cp "$python_standin/Dockerfile" "$ctx/"
  fill_wheelhouse "$ctx/wheels"
  log "building $PYTHON_IMAGE (python:3.11-slim stand-in) from $base"
  docker build -q --label "org.lacatfly.harness.hash=$want" --build-arg "BASE=$base" -t "$PYTHON_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

# A build context shaped like the backend repository.
make_context() {
  local dir=$1
  mkdir -p "$dir/deploy"
  cp -R "$sample/." "$dir/"
  cp "$root/image/Dockerfile" "$dir/deploy/Dockerfile"
  cp "$root/image/requirements-uv.txt" "$dir/deploy/requirements-uv.txt"
  cp "$root/image/dockerignore" "$dir/.dockerignore"
  find "$dir" -name __pycache__ -prune -exec rm -rf {} +
}

build() {
  local dir=$1
  shift
  buildkit_build --progress plain --network none --build-arg "BASE_IMAGE=$PYTHON_IMAGE" -f "$dir/deploy/Dockerfile" "$@" "$dir"
}

prepare() {
  local base=$1 want ctx start
  build_python_standin "$base"
  want=$( (cd "$root" && cat image/Dockerfile image/requirements-uv.txt image/dockerignore
           find molecule/stand-ins/sample-backend -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 cat
           docker image inspect --format '{{.Id}}' "$PYTHON_IMAGE"; echo "$KIT_VERSION") | sha256sum | cut -c1-16)
  if [ -s "$tarball" ] && [ "$(cat "$tarball.hash" 2>/dev/null)" = "$want" ] \
     && docker image inspect "$KIT_IMAGE:$KIT_VERSION" >/dev/null 2>&1; then
    log "$KIT_IMAGE:$KIT_VERSION is up to date"; return
  fi
  ctx=$(mktemp -d)
  make_context "$ctx"
  log "building $KIT_IMAGE:$KIT_VERSION from image/Dockerfile, --network none"
  start=$SECONDS
  build "$ctx" --build-arg "VERSION=$KIT_VERSION" -t "$KIT_IMAGE:$KIT_VERSION" >"$cache/kit-build.log" 2>&1 \
    || { tail -n 30 "$cache/kit-build.log" >&2; rm -rf "$ctx"; exit 1; }
  log "built in $((SECONDS - start)) s (log: molecule/.cache/kit-build.log)"
  rm -rf "$ctx"
  docker save "$KIT_IMAGE:$KIT_VERSION" | gzip -1 >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  echo "$want" >"$tarball.hash"
}

mkdir -p "$cache"
case "${1:-}" in
  prepare) prepare "${2:?base image}" ;;
  context) make_context "${2:?directory}" ;;
  build) shift; build "$@" ;;
  *) echo "usage: $0 prepare BASE | context DIR | build DIR [docker build options]" >&2; exit 2 ;;
esac
