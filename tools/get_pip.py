"""pip bootstrap for ansible-test, installed by tools/ansible-test; never run by hand.

ansible-test puts pip into each virtual environment it makes by running a
get-pip script, which it first downloads from a host outside the package
registries unless ~/.ansible/test/cache/get_pip_<X_Y>.py exists (X.Y: the pip
version that ansible-core release pins). tools/ansible-test copies this file
there, with pip-<X.Y>-py3-none-any.whl (downloaded from PyPI) beside it.
ansible-test runs it with the new environment's interpreter and get-pip's
arguments (the requirement pip==X.Y, --no-setuptools, --no-wheel): it runs pip
from the wheel itself and installs pip from that wheel, with no index.
"""

from __future__ import annotations

import os
import sys


def wheel_beside(script: str) -> str:
    """The pip wheel for this script's name: get_pip_24_2.py -> pip-24.2-py3-none-any.whl in its directory."""
    name = os.path.splitext(os.path.basename(script))[0]
    if not name.startswith("get_pip_"):
        raise SystemExit(f"{script}: expected a name like get_pip_24_2.py")
    version = name[len("get_pip_") :].replace("_", ".")
    return os.path.join(os.path.dirname(os.path.abspath(script)), f"pip-{version}-py3-none-any.whl")


def pip_arguments(argv: list[str], wheel: str) -> list[str]:
    """`pip install` arguments: get-pip's own options dropped, only the directory holding the wheel as source."""
    requirements = [arg for arg in argv if arg not in ("--no-setuptools", "--no-wheel")]
    return ["install", "--no-index", "--find-links", os.path.dirname(wheel), *requirements]


def main() -> int:
    wheel = wheel_beside(__file__)
    if not os.path.isfile(wheel):
        raise SystemExit(f"{wheel} is missing: tools/ansible-test downloads it from PyPI")
    sys.path.insert(0, wheel)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    return pip_main(pip_arguments(sys.argv[1:], wheel))


if __name__ == "__main__":
    sys.exit(main())
