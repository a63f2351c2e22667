"""Shared by the unit tests: the test modules of this directory import each other's helpers by module name
(test_image_kit uses test_workflows'), under pytest's default import mode and under ansible-test units alike."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
