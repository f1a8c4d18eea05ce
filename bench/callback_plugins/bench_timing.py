# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Aggregate callback for the benchmarks: when each task started and ended, each loop item and retry, as epoch seconds."""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: write task and item timings to the file named by UPGRADEGATE_BENCH_TIMING_FILE
description:
  - Benchmark support for upgradegate.azure; keeps only timings and a few result keys, never whole results.
"""

# Result keys worth keeping: the gate's own account of its wait, and the size of a fan-out.
KEPT = ("polls", "elapsed", "history", "attempts", "failed", "msg", "reason")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._events = []

    def _add(self, event, task, **extra):
        entry = {"event": event, "task": task, "time": time.time()}
        entry.update(extra)
        self._events.append(entry)

    @staticmethod
    def _kept(result):
        data = result._result  # pylint: disable=protected-access
        kept = {key: data[key] for key in KEPT if key in data}
        for key in ("rolling_upgrades", "results"):
            if isinstance(data.get(key), list):
                kept[key + "_count"] = len(data[key])
        if isinstance(data.get("targets"), list):
            kept["targets"] = [{"scale_set": t.get("scale_set"), "state": t.get("state"), "elapsed": t.get("elapsed")}
                               for t in data["targets"] if isinstance(t, dict)]
        return kept

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._add("task_start", task.get_name())

    def _result(self, status, result):
        self._add("task_end", result._task.get_name(), status=status, result=self._kept(result))  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._result("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result)

    def _item(self, status, result):
        data = result._result  # pylint: disable=protected-access
        self._add("item", result._task.get_name(), status=status, item=data.get("item"), attempts=data.get("attempts"))  # pylint: disable=protected-access

    def v2_runner_item_on_ok(self, result):
        self._item("ok", result)

    def v2_runner_item_on_failed(self, result):
        self._item("failed", result)

    def v2_runner_retry(self, result):
        self._add("retry", result._task.get_name(), attempts=result._result.get("attempts"))  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("UPGRADEGATE_BENCH_TIMING_FILE")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self._events, handle)
