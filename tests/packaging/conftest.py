"""The two artifacts, built once per test session from this checkout (see artifacts.py)."""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from artifacts import BIN, PREFIX, ROOT, run


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, ROOT)
    (whl,) = out.glob("*.whl")
    return whl


@pytest.fixture(scope="session")
def galaxy_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("galaxy")
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", out, ROOT)
    (artifact,) = out.glob("lacatfly-twilight_drive-*.tar.gz")
    return artifact


@pytest.fixture(scope="session")
def wheel_files(wheel: Path) -> dict[str, bytes]:
    """The collection's files in the wheel, by path inside the collection."""
    with zipfile.ZipFile(wheel) as whl:
        return {
            n.removeprefix(PREFIX): whl.read(n) for n in whl.namelist() if n.startswith(PREFIX) and not n.endswith("/")
        }


@pytest.fixture(scope="session")
def galaxy_files(galaxy_artifact: Path) -> dict[str, bytes]:
    """The regular files in the Galaxy artifact, by path inside the collection."""
    files = {}
    with tarfile.open(galaxy_artifact) as tar:
        for member in tar.getmembers():
            if member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[member.name] = extracted.read()
            else:
                assert member.isdir(), f"{member.name}: neither a file nor a directory in the artifact"
    return files
