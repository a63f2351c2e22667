# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: linear
short_description: The linear strategy, without the garbage collection each forked worker inherits
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Runs a play exactly as P(ansible.builtin.linear#strategy) does (it is that strategy), with one difference in
    how the controller forks its workers, which changes no result.
  - Ansible forks a worker process for each task on each host. A worker starts with a copy of the controller's
    whole heap (the playbook, the roles, the variables and the results so far), and Python's cyclic garbage
    collector in the worker walks all of it as soon as enough new objects have been allocated. That is tens of
    milliseconds in many workers, for objects the worker is about to drop when it exits anyway.
  - This strategy calls Python's C(gc.freeze) right before each fork. Every object the controller holds is moved
    to a generation that collections ignore, so a worker collects only what it allocates itself. At the end of each
    play it calls C(gc.unfreeze), and the controller's collections see those objects again.
  - The playbooks of this collection use it. A no-op of C(playbooks/site.yml) ran about 0.4 s faster with it
    (docs/performance.md).
notes:
  - The cost is memory that cannot be reclaimed during the play. Cyclic garbage that the controller made before a
    fork is freed only after the play; objects without cycles are freed as usual. The controller's peak memory
    was the same in our measurements.
  - Use it as a play keyword, V(lacatfly.twilight_drive.linear) for C(strategy), or with C(ANSIBLE_STRATEGY).
"""

import gc

from ansible.plugins.strategy.linear import StrategyModule as LinearStrategyModule


class StrategyModule(LinearStrategyModule):
    """ansible.builtin.linear; each worker forked after gc.freeze(), the play's objects unfrozen at its end."""

    def run(self, iterator, play_context):
        try:
            return super().run(iterator, play_context)
        finally:
            gc.unfreeze()

    def _queue_task(self, host, task, task_vars, play_context):
        gc.freeze()
        return super()._queue_task(host, task, task_vars, play_context)
