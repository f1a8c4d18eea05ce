# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""wait_for_upgrade at approval gates, through real ansible-playbook runs against the emulator: a full approval-gated run driven
from a playbook (request counts per poll), gate_timeout and timeout naming the gate, and a version without gates explained from
the fleet's gates read once per change."""

import os

import pytest

from scenarios import env_for, scenario

RUN_PATH = "/fleets/fleet-canary/updateRuns/%s$"
GATES_PATH = "/fleets/fleet-canary/gates"
STAGES = [
    {"name": "canary", "groups": ["canary"], "after_gates": ["Smoke tests passed"]},
    {"name": "production", "groups": ["prod"]},
]
FLEET = {
    "name": "fleet-canary",
    "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}, {"name": "p2", "group": "prod"}],
    "simulate": {"member_seconds": 10},
    "update_runs": [
        # Driven by polls: each read of the run moves it 5 s on, whatever the load of the machine.
        {"name": "run-polled", "stages": STAGES, "start": 0, "by": "polls", "poll_seconds": 5},
        {"name": "run-held", "stages": STAGES, "start": -100},
        {"name": "run-held-old", "stages": STAGES, "start": -100},
    ],
}
COMMON = {"resource_group": "rg-canary", "fleet_name": "fleet-canary"}


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    return emulator_session_factory(scenario([{"name": "rg-canary", "fleets": [FLEET]}]))


def wait_task(name, **options):
    return {"name": name, "upgradegate.azure.wait_for_upgrade": dict(COMMON, sleep=1, **options)}


def test_a_canary_waits_for_its_gate_then_is_approved_from_the_playbook_and_the_run_completes(emu, run_playbook):
    emu.reset_log()
    first = dict(wait_task("wait for the canary gate", update_run="run-polled", stage="canary", state=["pending"], timeout=300),
                 register="at_gate")
    run = run_playbook([
        first,
        {"name": "the checks of the pipeline", "ansible.builtin.assert": {"that": ["at_gate.targets[0].pending_gates | length == 1"]}},
        {"name": "approve", "upgradegate.azure.fleet_gate": dict(COMMON, name="{{ at_gate.targets[0].pending_gates[0].name }}")},
        wait_task("wait for the rest", update_run="run-polled", timeout=300),
    ], env=env_for(emu))
    assert run.rc == 0, run.stdout
    at_gate = run.result("wait for the canary gate")
    [gate] = at_gate["targets"][0]["pending_gates"]
    assert (gate["display_name"], gate["path"], gate["timing"]) == ("Smoke tests passed", "canary", "after")
    assert at_gate["history"][-1]["pending_gates"] == [gate]
    # Run time 0, 5 (canary running), 10 (c1 done, the gate reached): three polls, one read of the run each.
    assert at_gate["polls"] == 3 and [e["state"] for e in at_gate["history"]] == ["running", "pending"]
    approved = run.result("approve")
    assert approved["changed"] is True and approved["gate"]["state"] == "completed"
    rest = run.result("wait for the rest")
    assert rest["state"] == "completed" and rest["update_run"]["stages"][0]["after_gates"][0]["state"] == "completed"
    log = emu.requests_log()
    run_reads = [e for e in log if e["path"].endswith("/updateRuns/run-polled")]
    gate_requests = [(e["method"], e["path"].split("/fleets/fleet-canary")[1]) for e in log if "/gates" in e["path"]]
    # One read of the run per poll of each wait, nothing else reads it.
    assert len(run_reads) == at_gate["polls"] + rest["polls"]
    # The approval: one GET of the gate, one PATCH; the gates are not read by the waits at all.
    assert gate_requests == [("GET", "/gates/" + gate["name"]), ("PATCH", "/gates/" + gate["name"]), ("GET", "/gates/" + gate["name"])]
    # Approved at run time 15: production runs p1 (15-25) then p2 (25-35), one poll each 5 s.
    assert rest["polls"] == 5 and [e["state"] for e in rest["history"]][-1] == "completed"
    record_requests(log)


def record_requests(log):
    """With UPGRADEGATE_REQUEST_RECORD set, write the Resource Manager requests of the run there, in order, one a line."""
    lines = ["%3d %-6s %-40s %s" % (index, e["method"], "/".join(e["path"].split("/")[-2:]), e["status"])
             for index, e in enumerate((e for e in log if e["kind"] == "arm"), 1)]
    target = os.environ.get("UPGRADEGATE_REQUEST_RECORD")
    if target:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


def test_gate_timeout_and_timeout_at_a_gate_name_the_gate_and_how_to_approve_it(emu, run_playbook):
    run = run_playbook([
        dict(wait_task("gate timeout", update_run="run-held", gate_timeout=2, timeout=300), ignore_errors=True),
        dict(wait_task("timeout", update_run="run-held", stage="production", timeout=2), ignore_errors=True),
    ], env=env_for(emu))
    held = run.result("gate timeout")
    assert held["failed"] and held["reason"] == "gate_pending"
    [gate] = held["targets"][0]["pending_gates"]
    for text in ('approval gate "Smoke tests passed"', gate["name"], "after stage canary", "upgradegate.azure.fleet_gate",
                 "upgradegate-azure approve"):
        assert text in held["msg"]
    timed_out = run.result("timeout")
    assert timed_out["reason"] == "timeout" and gate["name"] in timed_out["msg"] and "approve" in timed_out["msg"]


def test_a_version_without_gates_names_the_gate_from_the_fleet_gates_read_once_per_change(emu, run_playbook):
    emu.reset_log()
    run = run_playbook([dict(wait_task("old version", update_run="run-held-old", fleet_api_version="2025-03-01", timeout=4),
                             ignore_errors=True)], env=env_for(emu))
    result = run.result("old version")
    assert result["reason"] == "timeout" and 'approval gate "Smoke tests passed"' in result["msg"]
    assert [g["display_name"] for g in result["targets"][0]["pending_gates"]] == ["Smoke tests passed"]
    run_reads = emu.requests_log(path=RUN_PATH % "run-held-old")
    gate_reads = emu.requests_log(path=GATES_PATH)
    assert all("api-version=2025-03-01" in e["query"] for e in run_reads) and len(run_reads) == result["polls"] >= 2
    # The run did not change while it was held: its gates were read once, with a version that has them.
    assert len(gate_reads) == 1 and "api-version=2026-06-01" in gate_reads[0]["query"]


@pytest.mark.parametrize("options, field", [
    ({"scale_set": "vmss-x", "state": ["pending"]}, "state"),
    ({"scale_set": "vmss-x", "gate_timeout": 60}, "gate_timeout"),
    ({"fleet_name": "fleet-canary", "update_run": "run-held", "gate_timeout": 0}, "gate_timeout"),
    ({"fleet_name": "fleet-canary", "update_run": "run-held", "fleet_api_version": "latest"}, "fleet_api_version"),
])
def test_bad_gate_options_of_the_wait_are_refused_before_any_request(emu, run_playbook, options, field):
    emu.reset_log()
    task = {"name": "bad", "ignore_errors": True, "upgradegate.azure.wait_for_upgrade": dict({"resource_group": "rg-canary"}, **options)}
    result = run_playbook([task], env=env_for(emu)).result("bad")
    assert result["failed"] and result["field"] == field, result["msg"]
    assert [e for e in emu.requests_log() if e["kind"] == "arm"] == []
