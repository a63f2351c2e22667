# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An AnsibleModule that logs which files it was given, never their contents.

Private to this collection (no compatibility promise).

AnsibleModule logs every invocation on the target (the journal, or syslog)
with its arguments, masking the values of ``no_log`` options by searching for
them in ``str(argument)``. For an option nested in a list of dicts that
search fails when the value spans lines: ``str()`` of the list escapes the
newlines, so the multi-line secret file (an ``.env``) was logged as it is.
This subclass logs each file's path, mode and size instead of its content.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

CONTENT_KEYS = ("content", "secret_content")


def summary(value):
    """``value`` with every ``content``/``secret_content`` string of a dict (at any depth) replaced by its size."""
    if isinstance(value, dict):
        return {
            key: (
                f"({len(item.encode('utf-8'))} bytes)"
                if key in CONTENT_KEYS and isinstance(item, str)
                else summary(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [summary(item) for item in value]
    return value


class ContentModule(AnsibleModule):
    """AnsibleModule for modules whose options carry file contents."""

    def _log_invocation(self):
        shown = {name: summary(value) for name, value in self.params.items()}
        self.log("Invoked with " + " ".join(f"{name}={shown[name]}" for name in sorted(shown)))
