# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Machinery of the role_template lookup."""

from __future__ import annotations


class _ShallowOnDeepcopy(dict):
    """A task's variables, whose deep copy is a shallow one: the same values, in a new top-level dict."""

    def __deepcopy__(self, memo):
        return dict(self)


def shallow_on_deepcopy(variables):
    """``variables`` (a mapping) in a dict that ``copy.deepcopy`` copies only at the top level."""
    return _ShallowOnDeepcopy(variables)
