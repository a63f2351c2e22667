# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller's side of lacatfly.twilight_drive.account_info (its documentation is the module's).

Runs the module as the task says, with two options the module never sees: I(questions), the question options as
one dictionary; and I(answered), an earlier answer that this task returns, with no call on the host, when it
covers every question of the task for the same account (such as what lacatfly.twilight_drive.host_info read as
that account). The machinery is in plugins/plugin_utils/_account_questions.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _account_questions as questions

MODULE = "lacatfly.twilight_drive.account_info"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        given = args.pop("questions", None) or {}
        answered = args.pop("answered", None) or {}
        if not all(isinstance(value, Mapping) for value in (given, answered)):
            raise AnsibleActionFail("questions and answered must be dictionaries")
        if set(given) & set(args):
            twice = ", ".join(sorted(set(given) & set(args)))
            raise AnsibleActionFail(f"given both directly and in questions: {twice}")
        args.update(given)
        account = self._account()
        own = questions.normalize(args)
        if own is not None and answered.get("asked_as") == account:
            earlier = questions.from_data(answered.get("asked"))
            if earlier is not None and questions.covers(earlier, own):
                result.update(questions.restrict(answered, own), changed=False, reused=True)
                result.update(asked=questions.as_data(own), asked_as=account)
                return result
        result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)
        if own is not None and not result.get("failed"):
            result.update(asked=questions.as_data(own), asked_as=account)
        return result

    def _account(self):
        """Who the module runs as: the become user, or the connection's user."""
        context = self._play_context
        return str(context.become_user if context.become else context.remote_user)
