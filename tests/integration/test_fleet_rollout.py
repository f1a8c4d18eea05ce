# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet_rollout playbook end to end against the emulator: create (or reuse) a run, start it, gate on the canary
stage, then on the whole run. The approval steps are skipped without rollout_approve_canary (the no-gate path)."""

import pytest

from scenarios import SUB, env_for, scenario

MEMBERS = [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}, {"name": "p2", "group": "prod"}]
STAGES = [{"name": "canary", "groups": ["canary"], "after_stage_wait_seconds": 2}, {"name": "production", "groups": ["prod"]}]
GATED = [{"name": "canary", "groups": ["canary"], "after_gates": ["Smoke tests passed"]}, {"name": "production", "groups": ["prod"]}]
FLEET = {"name": "fleet-prod", "members": MEMBERS, "update_strategies": [{"name": "canary-first", "stages": STAGES}],
         "simulate": {"member_seconds": 1}, "update_runs": [{"name": "gated", "stages": GATED}],
         "writes": {"put": {"mode": "async", "polls": 1, "retry_after": 0}, "start": {"mode": "async", "polls": 1, "retry_after": 0}}}
STRATEGY_ID = "/subscriptions/%s/resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod/updateStrategies/canary-first" % SUB
START = "Start the update run unless it has already finished (then the gates below report how it ended)"
FAST = {"rollout_resource_group": "rg-fleet", "rollout_fleet_name": "fleet-prod", "rollout_sleep": 0.5, "rollout_timeout": 600}


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    # Emulated time runs 20 times faster than the wall clock: the gates wait for states, never for a duration.
    return emulator_session_factory(scenario([{"name": "rg-fleet", "fleets": [FLEET]}], time_scale=20))


def writes(emu, run):
    return [(e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in emu.requests_log(path="updateRuns/%s" % run)
            if e["method"] != "GET"]


def test_a_rollout_creates_starts_and_gates_on_the_canary_then_the_run_and_a_second_one_changes_nothing(emu, run_playbook):
    extra = dict(FAST, rollout_update_run="k8s-1-31", rollout_update_strategy_id=STRATEGY_ID, rollout_upgrade_type="Full",
                 rollout_kubernetes_version="1.31.1", rollout_canary_stage="canary")
    first = run_playbook("upgradegate.azure.fleet_rollout", env=env_for(emu), extra_vars=extra)
    assert first.rc == 0, first.stdout[-3000:]
    assert first.result("Create the update run, or reuse it")["actions"] == ["create"]
    assert first.result(START)["actions"] == ["start"]
    assert first.result("Gate on the canary stage")["state"] == "completed"
    assert first.status("Approve the gate after the canary stage") == "skipped"
    gate = first.result("Gate on the whole run")
    assert gate["state"] == "completed" and gate["update_run"]["progress"]["completed"] == 3
    assert "rg-fleet/fleet-prod/k8s-1-31: completed (3 of 3 members updated, 0 skipped); the run was created and started" in \
        first.result("Report the rollout")["msg"]
    second = run_playbook("upgradegate.azure.fleet_rollout", env=env_for(emu), extra_vars=extra)
    assert second.rc == 0, second.stdout[-3000:]
    reused = second.result("Create the update run, or reuse it")
    assert reused["changed"] is False and reused["actions"] == [] and second.status(START) == "skipped"
    assert "the run was reused and already started" in second.result("Report the rollout")["msg"]
    assert writes(emu, "k8s-1-31") == [("PUT", "k8s-1-31", 201), ("POST", "start", 202)]


def test_a_rollout_with_its_own_stages_and_no_canary_gates_on_the_run_only(emu, run_playbook):
    strategy = {"stages": [{"name": "all", "groups": [{"name": "canary"}, {"name": "prod"}]}]}
    run = run_playbook("upgradegate.azure.fleet_rollout", env=env_for(emu), extra_vars=dict(
        FAST, rollout_update_run="node-images", rollout_strategy=strategy, rollout_upgrade_type="NodeImageOnly"))
    assert run.rc == 0, run.stdout[-3000:]
    assert run.status("Gate on the canary stage") == "skipped"
    assert run.result("Gate on the whole run")["state"] == "completed"


@pytest.mark.parametrize("extra, words", [
    ({}, "Give rollout_resource_group, rollout_fleet_name and rollout_update_run"),
    ({"rollout_update_run": "r", "rollout_approve_canary": True}, "rollout_approve_canary needs rollout_canary_stage"),
])
def test_the_playbook_says_what_to_give(emu, run_playbook, extra, words):
    run = run_playbook("upgradegate.azure.fleet_rollout", env=env_for(emu), extra_vars=dict(FAST, **extra) if extra else None)
    assert run.rc != 0 and words in run.stdout


def test_a_rollout_with_an_approval_gate_after_the_canary_waits_at_it_approves_it_and_completes(emu, run_playbook):
    """The run exists (made by Terraform, say) with an approval gate after its canary stage: reuse, start, approve, gate."""
    run = run_playbook("upgradegate.azure.fleet_rollout", env=env_for(emu), extra_vars=dict(
        FAST, rollout_update_run="gated", rollout_canary_stage="canary", rollout_approve_canary=True))
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result("Create the update run, or reuse it")["actions"] == [] and run.result(START)["actions"] == ["start"]
    canary = run.result("Gate on the canary stage")
    assert canary["targets"][0]["pending_gates"][0]["display_name"] == "Smoke tests passed"
    approval = run.result("Approve the gate after the canary stage")
    assert approval["changed"] is True and approval["gate"]["state"] == "completed"
    assert run.result("Gate on the whole run")["state"] == "completed"
    patches = [e for e in emu.requests_log(path="/gates/") if e["method"] == "PATCH"]
    assert len(patches) == 1 and patches[0]["if_match"]
