"""file_sha256: the controller's copy of a binary, hashed without reading it as text."""

from __future__ import annotations

import hashlib

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.lacatfly.twilight_drive.plugins.lookup.file_sha256 import LookupModule


def test_hashes_binary_content(tmp_path) -> None:
    data = bytes(range(256)) * 5000
    (tmp_path / "bin").write_bytes(data)
    assert LookupModule().run([str(tmp_path / "bin")], variables={}) == [hashlib.sha256(data).hexdigest()]


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(AnsibleLookupError, match=r"file_sha256: cannot read .*nope"):
        LookupModule().run([str(tmp_path / "nope")], variables={})
