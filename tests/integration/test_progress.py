# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""wait_for_upgrade's live progress lines, read from ansible-playbook's stdout as it is produced.

stdout is a pipe read line by line; each line is kept in arrival order with
the (epoch) time it arrived, comparable with the emulator's request log. A
line shown "while the task still runs" is proven without any clock: the
emulator's upgrade stands still (emulated time frozen) until the test has
seen the line and cancels the upgrade, so the gate cannot end before.
"""

import json
import re
import subprocess
import threading
import time

import pytest
import yaml

import suite_counts
from conftest import SUPPORT, VENV_BIN, base_environment, leaks, secrets_of
from scenarios import SUB, env_for, scenario

VMSS_PATH = "/subscriptions/%s/resourceGroups/rg-gate/providers/Microsoft.Compute/virtualMachineScaleSets/%s"
PROGRESS = "wait_for_upgrade: "
ELAPSED = re.compile(r" after \d+(h\d\dm\d\ds|m\d\ds|s)$")


class Streamed:
    """One ansible-playbook run: stdout lines in the order they arrived, and the task results."""

    def __init__(self, process, tmp_path, name):
        self.process = process
        self.lines = []
        self.arrived = {}  # line -> epoch time it first arrived
        self.seen = threading.Condition()
        self._results_file = tmp_path / ("results-%s.json" % name)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.process.stdout:
            with self.seen:
                self.lines.append(raw.rstrip("\n"))
                self.arrived.setdefault(self.lines[-1], time.time())
                self.seen.notify_all()

    def wait_for_line(self, predicate):
        """Block until a line matching ``predicate`` has arrived (or the run ended); returns the line or None."""
        with self.seen:
            while True:
                found = next((text for text in self.lines if predicate(text)), None)
                if found is not None or not self._reader.is_alive():
                    return found
                self.seen.wait(0.5)

    def finish(self, timeout=900):
        self.rc = self.process.wait(timeout=timeout)
        self._reader.join()
        self.results = json.loads(self._results_file.read_text()) if self._results_file.exists() else []
        return self

    def result(self, task):
        return [entry for entry in self.results if entry["task"] == task][-1]["result"]

    def progress(self):
        return [text for text in self.lines if text.startswith(PROGRESS)]

    def index(self, predicate, start=0):
        return next(index for index, text in enumerate(self.lines) if index >= start and predicate(text))

    def task_result_index(self, task):
        """Where the default callback printed the result of ``task`` (the first ok/fatal line after its header)."""
        header = self.index(lambda text: text.startswith("TASK [%s]" % task))
        return self.index(lambda text: text.startswith(("ok: [", "fatal: [", "changed: [")), header)


@pytest.fixture
def stream_playbook(tmp_path):
    """stream_playbook(tasks, env) -> Streamed, running; call .finish() for the exit code and the results."""
    runs = []

    def start(tasks, env, name="run", play_vars=None):
        playbook = tmp_path / ("playbook-%s.yml" % name)
        play = {"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
        if play_vars:
            play["vars"] = play_vars
        playbook.write_text(yaml.safe_dump([play], sort_keys=False))
        full_env = base_environment(tmp_path)
        full_env["ANSIBLE_CONNECTION_PLUGINS"] = str(SUPPORT / "connection_plugins")
        full_env.update(env, UPGRADEGATE_RESULTS_FILE=str(tmp_path / ("results-%s.json" % name)))
        process = subprocess.Popen([str(VENV_BIN / "ansible-playbook"), str(playbook)], env=full_env, cwd=str(tmp_path),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        streamed = Streamed(process, tmp_path, name)
        runs.append((streamed, full_env))
        return streamed

    yield start
    for streamed, full_env in runs:
        if streamed.process.poll() is None:
            streamed.process.kill()
        streamed.finish()
        shown = leaks({"stdout": "\n".join(streamed.lines)}, secrets_of(full_env))
        suite_counts.record("secrets found", len(shown))
        assert not shown, "the run showed secrets: %s" % ", ".join(shown)


def gate(task="gate", **options):
    return {"name": task, "upgradegate.azure.wait_for_upgrade": options}


def gate_scenario(scale_sets=(), fleets=(), **top):
    return scenario([{"name": "rg-gate", "scale_sets": list(scale_sets), "fleets": list(fleets)}], **top)


def frozen_upgrade():
    """A rolling upgrade at 40 % that never moves on its own (emulated time stands still)."""
    return gate_scenario([{"name": "vmss-web", "sku": {"capacity": 10}, "rolling_upgrade": {"start": -240, "duration": 600}}], time_scale=0)


def cancel(emu):
    response = emu.session.post(emu.url(VMSS_PATH % (SUB, "vmss-web") + "/rollingUpgrades/cancel?api-version=2024-07-01"),
                                headers={"Authorization": "Bearer %s" % emu.token()}, timeout=30)
    assert response.status_code == 202, response.text


def polls_of(emu):
    return len(emu.requests_log(path="virtualMachineScaleSets/vmss-web/rollingUpgrades/latest$"))


def last_poll_time(emu):
    return emu.requests_log(path="virtualMachineScaleSets/vmss-web/rollingUpgrades/latest$")[-1]["time"]


def test_a_line_per_change_arrives_while_the_task_runs_and_none_while_nothing_changes(emulator_factory, stream_playbook):
    emu = emulator_factory(frozen_upgrade())
    run = stream_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", state=["cancelled"], sleep=0.2, timeout=600, heartbeat=0)],
                          env_for(emu))
    first = run.wait_for_line(lambda text: text.startswith(PROGRESS))
    assert first is not None, "\n".join(run.lines)
    assert re.match(r"wait_for_upgrade: rg-gate/vmss-web rolling_forward \d+\.\d% \(\d+ of 10 upgraded, 0 failed\) after \d+s$", first), first
    seen_at_polls = polls_of(emu)
    while polls_of(emu) < seen_at_polls + 3:  # three more polls of an upgrade that does not move
        time.sleep(0.2)
    cancel(emu)  # only now can the gate open: the line above was shown while the task ran
    run.finish()
    result = run.result("gate")
    assert run.rc == 0, "\n".join(run.lines)
    assert result["state"] == "cancelled" and result["polls"] >= 4
    assert run.progress() == [entry["summary"] for entry in result["history"]] and len(result["history"]) == 2
    assert "cancelled" in run.progress()[1]
    assert run.index(lambda text: text == first) < run.task_result_index("gate")
    assert run.index(lambda text: text == run.progress()[-1]) < run.task_result_index("gate")
    assert run.arrived[first] < last_poll_time(emu)  # the gate was still polling after the line had arrived
    suite_counts.record("progress lines seen while the task ran", 1)


def test_a_heartbeat_says_what_is_awaited_when_nothing_changes(emulator_factory, stream_playbook):
    emu = emulator_factory(frozen_upgrade())
    run = stream_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", state=["cancelled"], sleep=0.2, timeout=600, heartbeat=1)],
                          env_for(emu))
    beat = run.wait_for_line(lambda text: text.startswith(PROGRESS + "still waiting"))
    cancel(emu)
    run.finish()
    result = run.result("gate")
    assert beat is not None and run.rc == 0, "\n".join(run.lines)
    assert re.match(r"wait_for_upgrade: still waiting, no change for \d+s: rg-gate/vmss-web rolling_forward \d+\.\d% "
                    r"\(\d+ of 10 upgraded, 0 failed\) after \d+s$", beat), beat
    assert beat not in [entry["summary"] for entry in result["history"]] and len(result["history"]) == 2
    assert run.index(lambda text: text == beat) < run.task_result_index("gate")


def by_polls(name, **upgrade):
    return {"name": name, "sku": {"capacity": 10}, "rolling_upgrade": dict({"start": 0, "by": "polls", "poll_seconds": 10}, **upgrade)}


def timeless(value):
    """``value`` without elapsed times and timestamps (two emulators started at two different times)."""
    if isinstance(value, dict):
        return {key: timeless(item) for key, item in value.items() if key != "elapsed" and not key.endswith("_at")}
    if isinstance(value, list):
        return [timeless(item) for item in value]
    return value


def comparable(result):
    """What must not depend on how the gate reported: everything but times."""
    return {"state": result["state"], "polls": result["polls"], "failed": result.get("failed", False),
            "targets": timeless(result["targets"]), "rolling_upgrade": timeless(result["rolling_upgrade"]),
            "history": [(entry["target"], entry["state"], entry["percent_complete"], ELAPSED.sub("", entry["summary"]))
                        for entry in result["history"]]}


@pytest.mark.parametrize("how", ["progress: false", "no_log", "async", "remote host"])
def test_progress_off_no_log_and_async_print_nothing_and_return_the_same_result(emulator_factory, stream_playbook, how):
    task = {"resource_group": "rg-gate", "scale_set": "vmss-web", "sleep": 0.2, "timeout": 120}
    shown = stream_playbook([gate(**task)], env_for(emulator_factory(gate_scenario([by_polls("vmss-web", duration=30)]))), name="shown")
    quiet_task = gate(**dict(task, progress=False)) if how == "progress: false" else gate(**task)
    if how == "no_log":
        quiet_task["no_log"] = True
    if how == "async":
        quiet_task.update({"async": 300, "poll": 1})
    remote = {"ansible_connection": "remote_standin"} if how == "remote host" else None  # runs here, but not over a local connection
    quiet = stream_playbook([quiet_task], env_for(emulator_factory(gate_scenario([by_polls("vmss-web", duration=30)]))), name="quiet",
                            play_vars=remote)
    shown.finish()
    quiet.finish()
    assert shown.rc == 0 and quiet.rc == 0, "\n".join(shown.lines + quiet.lines)
    assert len(shown.progress()) == 4 and quiet.progress() == []
    assert not any("wait_for_upgrade" in text for text in quiet.lines)
    if how == "no_log":
        assert "censored" in json.dumps(quiet.result("gate"))
        return
    assert comparable(quiet.result("gate")) == comparable(shown.result("gate"))


FLEET = {"name": "fleet-a",
         "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod-us"}, {"name": "p2", "group": "prod-eu"}],
         "update_strategies": [{"name": "two", "stages": [{"name": "canary", "groups": ["canary"]},
                                                          {"name": "production", "groups": ["prod-us", "prod-eu"]}]}],
         "simulate": {"member_seconds": 2, "members": {"p1": {"fail_after": 1, "error": {
             "code": "UpgradeFailed", "message": "node pool drain timed out"}}}},
         "update_runs": [{"name": "run-1", "strategy": "two", "start": 0, "by": "polls", "poll_seconds": 1}]}


@pytest.mark.parametrize("options, reason, words, last", [
    ({}, "failed_state", "update run rg-gate/fleet-a/run-1 reached failed, not completed: 1 member failed: "
                         "p1 (UpgradeFailed: node pool drain timed out)",
     "wait_for_upgrade: rg-gate/fleet-a/run-1 failed: member p1 failed (UpgradeFailed: node pool drain timed out)"),
    ({"max_failed": 0}, "max_failed", "update run rg-gate/fleet-a/run-1: 1 member failed, more than max_failed 0: "
                                      "p1 (UpgradeFailed: node pool drain timed out)",
     "wait_for_upgrade: rg-gate/fleet-a/run-1 stage production group prod-eu: running 33.3% "
     "(1 of 3 members, 1 failed: p1 (UpgradeFailed: node pool drain timed out))"),
])
def test_a_failed_fleet_member_is_named_in_the_lines_and_the_failure(emulator_factory, stream_playbook, options, reason, words, last):
    emu = emulator_factory(gate_scenario(fleets=[FLEET]))
    run = stream_playbook([gate(resource_group="rg-gate", fleet_name="fleet-a", update_run="run-1", sleep=0.2, timeout=600, **options)],
                          env_for(emu)).finish()
    result = run.result("gate")
    assert run.rc != 0 and result["reason"] == reason, "\n".join(run.lines)
    assert result["msg"] == words
    lines = run.progress()
    assert lines == [entry["summary"] for entry in result["history"]]
    assert lines[0].startswith("wait_for_upgrade: rg-gate/fleet-a/run-1 stage canary group canary: running 0.0% (0 of 3 members, 0 failed)")
    assert ELAPSED.sub("", lines[-1]) == last
    texts = [ELAPSED.sub("", text) for text in lines]
    assert all(before != after for before, after in zip(texts, texts[1:]))  # no line repeats what the previous one said
    assert run.index(lambda text: text == lines[-1]) < run.task_result_index("gate")


def test_a_rescue_can_print_what_the_gate_saw(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=60, outcome="Faulted", fault_after=20,
                                                   error={"code": "UpgradeFailed", "message": "Health probes failed."})]))
    run = run_playbook([{"name": "gated", "block": [gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=600)],
                         "rescue": [{"name": "what the gate saw", "ansible.builtin.debug": {
                             "msg": "{{ ansible_failed_result.history | map(attribute='summary') | list }}"}}]}], env=env_for(emu))
    assert run.rc == 0, run.stdout
    seen = run.result("what the gate saw")["msg"]
    assert seen == [entry["summary"] for entry in run.result("gate")["history"]] and len(seen) == 2
    assert ELAPSED.sub("", seen[-1]) == ("wait_for_upgrade: rg-gate/vmss-web faulted 20.0% (2 of 10 upgraded, 2 failed): "
                                         "UpgradeFailed: Health probes failed.")
