"""Building and reading the two artifacts operators install (used by the packaging tests).

- the Galaxy artifact: `ansible-galaxy collection build` (lacatfly-twilight_drive-X.Y.Z.tar.gz);
- the wheel: `pip wheel .` (lacatfly_twilight_drive-X.Y.Z-py3-none-any.whl), which
  places the collection at site-packages/ansible_collections/lacatfly/twilight_drive.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "ansible_collections/lacatfly/twilight_drive/"
BIN = Path(sys.executable).parent


def run(*cmd: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    """Run a command; fail the test with its output unless it exits 0."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's Ansible, Molecule and venv settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_", "VIRTUAL_ENV"))}
    env.update(extra)
    return env
