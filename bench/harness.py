# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start emulators and run ansible-playbook against them with a clean environment and the timing callback."""

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
PLAYBOOKS = os.path.join(BENCH, "playbooks")
VENV_BIN = os.path.dirname(sys.executable)
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tools"))

from playbook_env import clean_environment  # noqa: E402  pylint: disable=wrong-import-position,import-error
from upgradegate_emulator.handle import Emulator  # noqa: E402  pylint: disable=wrong-import-position


def pacing():
    """The collection's pacing defaults (plugins/module_utils/_pacing.py, which imports nothing of the collection)."""
    spec = importlib.util.spec_from_file_location("upgradegate_pacing", os.path.join(REPO, "plugins", "module_utils", "_pacing.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def progress(message):
    """One line on stderr, so stdout keeps only the table."""
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def summary(values):
    """median / min / max / runs of a list of numbers (None when empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


class Workdir:
    """A temporary directory for one benchmark run: emulator state, playbook vars, timing files."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="upgradegate-bench-")  # pylint: disable=consider-using-with
        self.path = self._tmp.name
        self._counter = 0

    def file(self, stem, suffix):
        self._counter += 1
        return os.path.join(self.path, "%s-%03d%s" % (stem, self._counter, suffix))

    def subdir(self, name):
        path = os.path.join(self.path, name)
        os.makedirs(path, exist_ok=True)
        return path

    def close(self):
        self._tmp.cleanup()


def start_emulator(workdir, name, scenario):
    """An emulator for a scenario dict, with its own state dir."""
    state_dir = workdir.subdir("emulator-" + name)
    path = os.path.join(state_dir, "scenario.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(scenario, handle)
    return Emulator(path, state_dir, timeout=60.0).start()


def connection_vars(emu, resource_group):
    """Variables the uri baselines need: where to send requests and how to authenticate."""
    return {
        "bench_authority_host": emu.base_url, "bench_resource_manager_url": emu.base_url, "bench_tenant_id": emu.tenant_id,
        "bench_client_id": emu.client_id, "bench_client_secret": str(emu.client_secret), "bench_subscription_id": emu.subscription_id,
        "bench_ca_path": emu.ca_path, "bench_resource_group": resource_group,
    }


def environment(workdir, emu):
    """A clean environment (tools/playbook_env.py) with the emulator's AZURE_* settings and the timing callback."""
    env = clean_environment(workdir.path, os.path.join(BENCH, "callback_plugins"), "bench_timing")
    env.update({key: str(value) for key, value in emu.env("secret").items()})
    return env


def module_interpreter(workdir):
    """A shell script to use as ansible_python_interpreter: runs modules under peak_rss.py to record their memory."""
    path = os.path.join(workdir.path, "python-peak-rss")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("#!/bin/sh\nexec '%s' '%s' --append-env UPGRADEGATE_BENCH_MODULE_RSS_FILE -- '%s' \"$@\"\n"
                         % (sys.executable, os.path.join(BENCH, "peak_rss.py"), sys.executable))
        os.chmod(path, 0o700)
    return path


class PlaybookRun:
    """What one ansible-playbook run left behind: exit code, wall time, peak memory, timing events."""

    def __init__(self, rc, wall, maxrss_kb, events, output, module_rss):
        self.rc = rc
        self.wall = wall
        self.maxrss_kb = maxrss_kb
        self.events = events
        self.output = output
        self.module_rss = module_rss

    def task_window(self, first, last=None):
        """(start, end) epoch of the tasks from `first` to `last` (default: first alone)."""
        last = last or first
        starts = [e["time"] for e in self.events if e["event"] == "task_start" and e["task"] == first]
        ends = [e["time"] for e in self.events if e["event"] == "task_end" and e["task"] == last]
        if not starts or not ends:
            raise RuntimeError("tasks %r..%r did not both run:\n%s" % (first, last, self.output[-3000:]))
        return starts[0], ends[-1]

    def task_seconds(self, first, last=None):
        start, end = self.task_window(first, last)
        return end - start

    def result(self, task):
        found = [e for e in self.events if e["event"] == "task_end" and e["task"] == task]
        return found[-1] if found else None

    def items(self, task):
        return [e for e in self.events if e["event"] == "item" and e["task"] == task]

    def check(self, what):
        if self.rc != 0:
            raise RuntimeError("%s: ansible-playbook exited with %d:\n%s" % (what, self.rc, self.output[-4000:]))
        return self


def run_playbook(workdir, env, playbook, extra_vars, module_memory=False, timeout=900):
    """Run one playbook of bench/playbooks under peak_rss.py (a fresh process per run); returns a PlaybookRun."""
    vars_file = workdir.file("vars", ".json")
    with open(vars_file, "w", encoding="utf-8") as handle:
        json.dump(extra_vars, handle)
    os.chmod(vars_file, 0o600)
    timing_file = workdir.file("timing", ".json")
    peak_file = workdir.file("peak", ".json")
    module_rss_file = workdir.file("module-rss", ".jsonl")
    run_env = dict(env, UPGRADEGATE_BENCH_TIMING_FILE=timing_file, UPGRADEGATE_BENCH_MODULE_RSS_FILE=module_rss_file)
    command = [sys.executable, os.path.join(BENCH, "peak_rss.py"), "--out", peak_file, "--",
               os.path.join(VENV_BIN, "ansible-playbook"), os.path.join(PLAYBOOKS, playbook), "--extra-vars", "@" + vars_file]
    if module_memory:
        command += ["--extra-vars", json.dumps({"ansible_python_interpreter": module_interpreter(workdir)})]
    done = subprocess.run(command, env=run_env, cwd=workdir.path, capture_output=True, text=True, timeout=timeout, check=False)
    peak = {}
    if os.path.exists(peak_file):
        with open(peak_file, encoding="utf-8") as handle:
            peak = json.load(handle)
    events = []
    if os.path.exists(timing_file):
        with open(timing_file, encoding="utf-8") as handle:
            events = json.load(handle)
    module_rss = []
    if os.path.exists(module_rss_file):
        with open(module_rss_file, encoding="utf-8") as handle:
            module_rss = [json.loads(line) for line in handle if line.strip()]
    return PlaybookRun(done.returncode, peak.get("wall"), peak.get("maxrss_kb"), events, done.stdout + done.stderr, module_rss)
