"""tools/get_pip.py: the pip bootstrap tools/ansible-test gives ansible-test instead of a download.

ansible-test runs ~/.ansible/test/cache/get_pip_<X_Y>.py with get-pip.py's
arguments; the copy must find the pip wheel of its own version beside it and
install only from there.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("get_pip", ROOT / "tools" / "get_pip.py")
assert spec and spec.loader
get_pip = importlib.util.module_from_spec(spec)
spec.loader.exec_module(get_pip)


def test_the_wheel_is_the_one_its_name_asks_for_beside_it() -> None:
    assert get_pip.wheel_beside("/c/get_pip_24_2.py") == "/c/pip-24.2-py3-none-any.whl"
    assert get_pip.wheel_beside("/c/get_pip_25_2_1.py") == "/c/pip-25.2.1-py3-none-any.whl"


def test_a_copy_under_another_name_is_refused() -> None:
    with pytest.raises(SystemExit, match=r"expected a name like get_pip_24_2\.py"):
        get_pip.wheel_beside("/c/get-pip.py")


def test_get_pips_own_options_are_dropped_and_nothing_comes_from_an_index() -> None:
    args = get_pip.pip_arguments(
        ["--disable-pip-version-check", "pip==24.2", "--no-setuptools", "--no-wheel"], "/c/pip-24.2-py3-none-any.whl"
    )
    assert args == ["install", "--no-index", "--find-links", "/c", "--disable-pip-version-check", "pip==24.2"]


def test_without_the_wheel_it_says_what_is_missing(tmp_path: Path) -> None:
    script = tmp_path / "get_pip_24_2.py"
    script.write_text((ROOT / "tools" / "get_pip.py").read_text())
    proc = subprocess.run([sys.executable, str(script), "pip==24.2"], capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert f"{tmp_path}/pip-24.2-py3-none-any.whl is missing" in proc.stderr
