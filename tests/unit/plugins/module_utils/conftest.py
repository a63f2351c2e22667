"""Fixtures of the _account_fs tests: a home opened the way the account's modules open it."""

from __future__ import annotations

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.module_utils._account_fs import Home


@pytest.fixture
def home(tmp_path):
    with Home(str(tmp_path)) as opened:
        yield opened
