# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the module as usual and, when it runs on this machine, prints its progress lines as they come.

The module does the waiting wherever the task runs. For a local connection
without ``async`` or ``no_log``, a Relay (module_utils/_relay.py) puts a file
in the task's temporary directory, which the module appends its lines to, and
prints each one on the controller's display while the module still runs;
otherwise the module runs exactly as without this plugin and prints nothing.
"""

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.upgradegate.azure.plugins.module_utils._relay import Relay

display = Display()


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    def _relay_wanted(self):
        """Progress can reach this display: asked for, not hidden, not in the background, and the module runs here."""
        try:
            wanted = boolean(self._task.args.get("progress", True), strict=True)
        except TypeError:
            wanted = False  # the module refuses the value and names the option
        return (wanted and not self._task.async_val and not self._play_context.no_log
                and getattr(self._connection, "transport", None) == "local" and not self._is_become_unprivileged())

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        wrap_async = self._task.async_val and not self._connection.has_native_async
        relay = None
        if self._relay_wanted():
            if self._connection._shell.tmpdir is None:
                self._make_tmp_path()  # the module gets it as its tmpdir
            relay = Relay(display.display, self._connection._shell.tmpdir).start()
        try:
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        finally:
            if relay is not None:
                relay.close()
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
