# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Aggregate callback for the integration tests: every task result, as the user would see it, in one JSON file."""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: capture_results
type: aggregate
short_description: write every task result to the file named by UPGRADEGATE_RESULTS_FILE
description:
  - Test support for upgradegate.azure; results pass through the same no_log censoring as the screen output.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "capture_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._results = []

    def _record(self, status, result):
        shown = json.loads(self._dump_results(result._result, indent=0))  # pylint: disable=protected-access
        if status == "failed":
            shown["failed"] = True  # the display drops it; the status says it
        self._results.append({"task": result._task.get_name(), "status": status, "result": shown})  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("UPGRADEGATE_RESULTS_FILE")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self._results, handle)
