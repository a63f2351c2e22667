# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller's side of lacatfly.twilight_drive.host_info (its documentation is the module's).

Runs the module as the task says. Each answer under C(account_reads) then records which questions it answers
(C(asked)) and as which account (C(asked_as)), the way lacatfly.twilight_drive.account_info's results do, so a
later account_info task of that account can take it with its I(answered) option instead of a call. The
machinery is in plugins/plugin_utils/_account_questions.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.plugins.action import ActionBase

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _account_questions as questions

MODULE = "lacatfly.twilight_drive.host_info"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        accounts = args.get("accounts") or {}
        asked = {}
        if isinstance(accounts, Mapping) and all(isinstance(sets, Mapping) for sets in accounts.values()):
            asked = {
                name: {key: questions.normalize(one) for key, one in sets.items()} for name, sets in accounts.items()
            }
        result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)
        for name, sets in (result.get("account_reads") or {}).items():
            for key, answer in sets.items():
                known = asked.get(name, {}).get(key)
                if known is not None and isinstance(answer, dict):
                    answer.update(asked=questions.as_data(known), asked_as=name)
        return result
