# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The canary pattern of the role (tasks_from: canary) through the playbook upgradegate.azure.canary: the run waits at the gate
after the canary stage, the user's checks run, the gate is approved, the rest of the run is waited for; a failing check leaves
the gate closed."""

import pytest

from scenarios import env_for, scenario

STAGES = [{"name": "canary", "groups": ["canary"], "after_gates": ["Smoke tests passed"]}, {"name": "production", "groups": ["prod"]}]
FLEET = {"name": "fleet-k", "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
         "simulate": {"member_seconds": 10},
         "update_runs": [{"name": name, "stages": STAGES, "start": 0, "by": "polls", "poll_seconds": 5}
                         for name in ("run-good", "run-bad")]}
CHECK = """---
- name: The canary check of the test
  ansible.builtin.assert:
    that:
      - deployment_gate_canary.name == 'canary'
      - deployment_gate_canary.groups[0].members[0].state == 'completed'
      - {verdict}
"""


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    return emulator_session_factory(scenario([{"name": "rg-k", "fleets": [FLEET]}]))


def task(run, name):
    """The last result of a task of the role, whatever prefix Ansible gives role tasks ("<role> : name")."""
    found = [entry for entry in run.results if entry["task"] == name or entry["task"].endswith(" : " + name)]
    assert found, "task %r did not run; tasks that ran: %s" % (name, [entry["task"] for entry in run.results])
    return found[-1]


def canary_vars(tmp_path, run_name, verdict):
    check = tmp_path / ("check-%s.yml" % run_name)
    check.write_text(CHECK.format(verdict=verdict))
    return {"canary_run": {"resource_group": "rg-k", "fleet_name": "fleet-k", "update_run": run_name}, "canary_checks": [str(check)],
            "canary_sleep": 1, "canary_timeout": 300}


def test_the_canary_playbook_checks_approves_and_waits_for_the_rest(emu, run_playbook, tmp_path):
    run = run_playbook("upgradegate.azure.canary", env=env_for(emu), extra_vars=canary_vars(tmp_path, "run-good", "true"))
    assert run.rc == 0, run.stdout[-3000:]
    assert task(run, "The canary check of the test")["status"] == "ok"
    assert task(run, "Approve the gate after the canary stage")["result"]["changed"] is True
    assert task(run, "Wait for the rest of the update run")["result"]["state"] == "completed"
    patches = [e for e in emu.requests_log(path="/gates/") if e["method"] == "PATCH"]
    assert len(patches) == 1


def test_a_failing_check_stops_the_play_and_leaves_the_gate_closed(emu, run_playbook, tmp_path):
    run = run_playbook("upgradegate.azure.canary", env=env_for(emu), extra_vars=canary_vars(tmp_path, "run-bad", "false"))
    assert run.rc != 0
    assert task(run, "The canary check of the test")["status"] == "failed"
    assert not [entry for entry in run.results if entry["task"].endswith("Approve the gate after the canary stage")]
    [gate] = [g for g in emu.gates() if g["update_run"] == "run-bad"]
    assert gate["properties"]["state"] == "Pending"


def test_the_canary_playbook_without_a_run_says_what_to_give(run_playbook):
    run = run_playbook("upgradegate.azure.canary")
    assert run.rc != 0 and "canary_run" in run.stdout
