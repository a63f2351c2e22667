# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: linear
short_description: The linear strategy, with each template compiled once and no garbage collection of inherited objects
version_added: 1.0.0
author: lacatfly (@lacatfly)
description:
  - Runs a play exactly as P(ansible.builtin.linear#strategy) does (it is that strategy), with two differences in
    how the controller's processes work, neither of which changes a result.
  - Ansible forks a worker process for each task on each host. A worker starts with a copy of the controller's
    whole heap (the playbook, the roles, the variables and the results so far), and Python's cyclic garbage
    collector in the worker walks all of it as soon as enough new objects have been allocated. That is tens of
    milliseconds in many workers, for objects the worker is about to drop when it exits anyway.
  - This strategy calls Python's C(gc.freeze) right before each fork. Every object the controller holds is moved
    to a generation that collections ignore, so a worker collects only what it allocates itself. At the end of each
    play it calls C(gc.unfreeze), and the controller's collections see those objects again.
  - Ansible compiles every template it renders into Python code, again in each worker, and a worker's
    compilations die with it. A run of C(playbooks/site.yml) that changes nothing compiled about 830 templates, 329
    different ones, a quarter of its time. While a play runs, this strategy keeps the code Jinja generates for a
    template string, in memory and in a directory of the controller's user, and takes it from there the next time
    the same string is compiled the same way, in any worker of this run or of a later one.
  - An entry is taken only for the same source, names, Jinja settings, versions of Python, Jinja and ansible-core,
    and filters and tests that take the same arguments as when it was compiled; anything else is compiled again.
    The directory must be the user's own with mode 0700 (it is created so), or entries are kept in memory only.
  - The playbooks of this collection use it. A no-op of C(playbooks/site.yml) ran about 0.4 s faster with the
    first difference and about 0.3 s faster again with the second (docs/performance.md).
notes:
  - The cost is memory that cannot be reclaimed during the play. Cyclic garbage that the controller made before a
    fork is freed only after the play; objects without cycles are freed as usual. The controller's peak memory
    was the same in our measurements.
  - The directory is C($XDG_CACHE_HOME/lacatfly.twilight_drive/templates) (C(~/.cache/...) without XDG_CACHE_HOME),
    or the path in the environment variable C(TWILIGHT_DRIVE_TEMPLATE_CACHE); V(off) there compiles as Ansible does.
    It may be deleted at any time; it grows by one small file per template string compiled.
  - Use it as a play keyword, V(lacatfly.twilight_drive.linear) for C(strategy), or with C(ANSIBLE_STRATEGY).
  - ansible-core 2.19 and 2.21 print a deprecation warning for every strategy outside C(ansible.builtin), this one
    included, and say that third-party strategies will go in a future release with no replacement planned. The
    collection supports ansible-core up to 2.21 (C(meta/runtime.yml)); its playbooks would need
    P(ansible.builtin.linear#strategy) again on a release without them, and would be slower by what this strategy
    saves.
"""

import gc
import os

from ansible.plugins.strategy.linear import StrategyModule as LinearStrategyModule

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils import _template_cache


class StrategyModule(LinearStrategyModule):
    """ansible.builtin.linear; each worker forked after gc.freeze(), the play's objects unfrozen at its end; compiled
    templates kept while the play runs."""

    def run(self, iterator, play_context):
        where = os.environ.get("TWILIGHT_DRIVE_TEMPLATE_CACHE") or _template_cache.default_directory()
        if where != "off":
            _template_cache.install(where)
        try:
            return super().run(iterator, play_context)
        finally:
            _template_cache.uninstall()
            gc.unfreeze()

    def _queue_task(self, host, task, task_vars, play_context):
        gc.freeze()
        return super()._queue_task(host, task, task_vars, play_context)
