# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest plugin: add up the counts tests record (``suite_counts.record``) and print them after the run.

The controlling process names one file in UPGRADEGATE_SUITE_COUNTS before the
xdist workers start; every process appends JSON lines ``{"name", "count"}``;
the totals are printed in the terminal summary (fault cases passed, timelines
and bodies checked, bad inputs refused, secrets found, soak memory growth).
"""

import json
import os
import tempfile

ENV = "UPGRADEGATE_SUITE_COUNTS"


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller already chose the file
        return
    handle, path = tempfile.mkstemp(prefix="suite-counts-", suffix=".jsonl")
    os.close(handle)
    os.environ[ENV] = path
    config.suite_counts_path = path


def totals(path):
    summed = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            summed[entry["name"]] = summed.get(entry["name"], 0) + entry["count"]
    return summed


def pytest_terminal_summary(terminalreporter, config):
    path = getattr(config, "suite_counts_path", None)
    if not path or not os.path.exists(path):
        return
    summed = totals(path)
    os.unlink(path)
    if summed:
        terminalreporter.section("suite counts")
        for name in sorted(summed):
            value = summed[name]
            terminalreporter.write_line("%s: %s" % (name, round(value, 1) if isinstance(value, float) else value))
