"""pytest fixtures for every Molecule scenario's testinfra suite; helpers live in twilight_harness.py."""

from __future__ import annotations

import pytest
from twilight_harness import DEPLOY_USER, Account


@pytest.fixture
def account(host) -> Account:
    user = host.user(DEPLOY_USER)
    assert user.exists, f"deploy account {DEPLOY_USER} missing"
    return Account(DEPLOY_USER, user.uid, user.gid, user.home)
