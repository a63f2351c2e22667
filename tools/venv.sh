# shellcheck shell=bash
# Sourced by tools/demo and tools/test: make .venv hold what pyproject.toml
# declares (the collection's dependencies and the `test` extra), rebuilt only
# when pyproject.toml (or this file) changes, and put it first on PATH. The project itself is
# not installed there: Ansible, Molecule and pytest use this checkout through
# the symlink below, so no stale copy in site-packages can shadow or merge
# with it (tests/packaging builds and installs the wheel in a venv of its own).
want=$(cat pyproject.toml tools/venv.sh | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.pyproject-hash 2>/dev/null)" != "$want" ]; then
  echo "[venv] installing the dependencies and test tooling of pyproject.toml into .venv" >&2
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "[venv] Python 3.11 or newer is required" >&2; exit 1; }
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/python - >.venv/requirements.txt <<'PY'
import tomllib

with open("pyproject.toml", "rb") as file:
    project = tomllib.load(file)["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
PY
  if ! .venv/bin/pip install -q --disable-pip-version-check -r .venv/requirements.txt; then
    rm -rf .venv
    echo "[venv] pip install failed" >&2
    exit 1
  fi
  echo "$want" >.venv/.pyproject-hash
fi
export PATH="$PWD/.venv/bin:$PATH"
export VIRTUAL_ENV="$PWD/.venv"
# This checkout as the collection lacatfly.twilight_drive, where ansible.cfg,
# Molecule and the tests look for it (an untracked symlink, made here).
mkdir -p .collections/ansible_collections/lacatfly
ln -sfn ../../.. .collections/ansible_collections/lacatfly/twilight_drive
