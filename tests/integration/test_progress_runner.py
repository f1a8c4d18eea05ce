# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Progress lines in AWX / Automation Platform: ansible-runner turns them into job events while the task runs.

The upgrade stands still (emulated time frozen) until the event handler has
received a progress line as an event; only then does it cancel the upgrade,
so the gate's result event can only come after the line's event.
"""

import threading

import pytest
import yaml

from conftest import base_environment
from scenarios import SUB, env_for, scenario

ansible_runner = pytest.importorskip("ansible_runner")

VMSS_PATH = "/subscriptions/%s/resourceGroups/rg-gate/providers/Microsoft.Compute/virtualMachineScaleSets/%s"


def test_progress_lines_arrive_as_job_events_before_the_tasks_result(emulator_factory, tmp_path):
    emu = emulator_factory(scenario([{"name": "rg-gate", "scale_sets": [
        {"name": "vmss-web", "sku": {"capacity": 10}, "rolling_upgrade": {"start": -240, "duration": 600}}]}], time_scale=0))
    playbook = tmp_path / "gate.yml"
    playbook.write_text(yaml.safe_dump([{"name": "gate", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "gate", "upgradegate.azure.wait_for_upgrade": {
            "resource_group": "rg-gate", "scale_set": "vmss-web", "state": ["cancelled"], "sleep": 0.2, "timeout": 600, "heartbeat": 0}}]}]))
    env = base_environment(tmp_path)
    env.update(env_for(emu))
    events = []
    cancelled = threading.Event()

    def cancel():
        response = emu.session.post(emu.url(VMSS_PATH % (SUB, "vmss-web") + "/rollingUpgrades/cancel?api-version=2024-07-01"),
                                    headers={"Authorization": "Bearer %s" % emu.token()}, timeout=30)
        assert response.status_code == 202, response.text

    def on_event(event):
        events.append(event)
        if not cancelled.is_set() and (event.get("stdout") or "").startswith("wait_for_upgrade: "):
            cancelled.set()
            cancel()
        return True

    private = tmp_path / "runner"
    private.mkdir()
    done = ansible_runner.run(private_data_dir=str(private), playbook=str(playbook), envvars=env, event_handler=on_event, quiet=True,
                              timeout=900)
    assert done.rc == 0 and done.status == "successful", [event.get("stdout") for event in events]
    kinds = [event.get("event") for event in events]
    started = next(index for index, event in enumerate(events)
                   if event.get("event") == "playbook_on_task_start" and event["event_data"].get("task") == "gate")
    result = next(index for index, event in enumerate(events) if event.get("event") == "runner_on_ok" and event["event_data"].get("task") == "gate")
    lines = [(index, event) for index, event in enumerate(events) if (event.get("stdout") or "").startswith("wait_for_upgrade: ")]
    history = events[result]["event_data"]["res"]["history"]
    assert [event["stdout"] for _index, event in lines] == [entry["summary"] for entry in history], kinds
    assert len(lines) == 2 and all(started < index < result for index, _event in lines)
    assert all(event["event"] == "verbose" for _index, event in lines)
    assert events[result]["event_data"]["res"]["state"] == "cancelled"
