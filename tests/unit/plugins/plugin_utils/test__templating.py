"""_templating: the variables the role_template lookup hands to the builtin one."""

from __future__ import annotations

import copy

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._templating import shallow_on_deepcopy


def test_a_deep_copy_is_a_new_dict_of_the_same_values() -> None:
    nested = {"b": [1, 2]}
    wrapped = shallow_on_deepcopy({"a": nested})
    copied = copy.deepcopy(wrapped)
    assert copied == {"a": nested}
    assert copied["a"] is nested
    assert copy.deepcopy(copied)["a"] is not nested  # a plain dict: its own deep copy is deep again
    copied["added"] = 1
    assert "added" not in wrapped
