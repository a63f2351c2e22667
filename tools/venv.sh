# shellcheck shell=bash
# Sourced by tools/demo and tools/test: make .venv hold everything the
# project's pyproject.toml declares (collection deps + test tooling), rebuilt
# only when pyproject.toml changes, and put it first on PATH.
want=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.pyproject-hash 2>/dev/null)" != "$want" ]; then
  echo "[venv] installing the controller tooling into .venv (pip install .[test])" >&2
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "[venv] Python 3.11 or newer is required" >&2; exit 1; }
  rm -rf .venv
  python3 -m venv .venv
  if ! .venv/bin/pip install -q --disable-pip-version-check '.[test]'; then
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
