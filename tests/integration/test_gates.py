# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Approval gates through real ansible-playbook runs: fleet_update_run_info shows them, fleet_gate_info lists them,
fleet_gate approves them (check mode, diff mode, idempotence, If-Match, the operation followed)."""

import pytest

from scenarios import SUB, SECRET, env_for, scenario
from test_info_modules import assert_documented

GATE_WRITER_DENIED = "88888888-8888-4888-8888-888888888888"
CANARY_THEN_PROD = [
    {"name": "canary", "groups": ["canary"], "after_gates": ["Smoke tests passed"]},
    {"name": "production", "groups": [{"name": "prod", "before_gates": ["Change window open"]}]},
]
FLEET = {
    "name": "fleet-gated",
    "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
    "simulate": {"member_seconds": 10},
    "update_runs": [
        {"name": "run-at-gate", "stages": CANARY_THEN_PROD, "start": -100},
        {"name": "run-to-approve", "stages": CANARY_THEN_PROD, "start": -100},
        {"name": "run-portal", "stages": CANARY_THEN_PROD, "start": -100},
        {"name": "run-later", "stages": CANARY_THEN_PROD},
    ],
}


def gated_scenario(**simulate):
    fleet = dict(FLEET, simulate=dict(FLEET["simulate"], **simulate))
    built = scenario([{"name": "rg-gates", "fleets": [fleet]}], page_sizes={"update_runs": 2})
    built["tenants"][0]["clients"].append({"client_id": GATE_WRITER_DENIED, "secret": SECRET, "permissions": [
        {"actions": ["Microsoft.ContainerService/fleets/*/read"], "scope": "/subscriptions/%s" % SUB}]})
    return built


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    return emulator_session_factory(gated_scenario())


def info(task, **options):
    return {"name": task, "upgradegate.azure.fleet_update_run_info": dict(dict(resource_group="rg-gates", fleet_name="fleet-gated"), **options)}


def gate_info(task, **options):
    return {"name": task, "upgradegate.azure.fleet_gate_info": dict(dict(resource_group="rg-gates", fleet_name="fleet-gated"), **options)}


def approve(task, check=None, diff=None, **options):
    step = {"name": task, "upgradegate.azure.fleet_gate": dict(resource_group="rg-gates", fleet_name="fleet-gated", **options)}
    if check is not None:
        step["check_mode"] = check
    if diff is not None:
        step["diff"] = diff
    return step


def test_a_run_at_a_gate_is_pending_and_names_the_gate_and_a_version_without_gates_only_says_pending(emu, run_playbook):
    run = run_playbook([info("stable", name="run-at-gate"), info("old", name="run-at-gate", api_version="2025-03-01")], env=env_for(emu))
    assert run.rc == 0, run.stdout
    item = run.result("stable")["update_runs"][0]
    assert item["state"] == "pending"
    canary = item["stages"][0]
    assert [(g["display_name"], g["gate_type"], g["state"]) for g in canary["after_gates"]] == [("Smoke tests passed", "Approval", "pending")]
    assert [(g["display_name"], g["state"], g["id"]) for g in item["stages"][1]["groups"][0]["before_gates"]] == [
        ("Change window open", "not_started", None)]
    [pending] = item["pending_gates"]
    assert (pending["display_name"], pending["path"], pending["timing"]) == ("Smoke tests passed", "canary", "after")
    assert pending["id"].endswith("/gates/" + pending["name"])
    assert_documented(item, "fleet_update_run_info", "update_runs")
    old = run.result("old")["update_runs"][0]
    assert (old["state"], old["pending_gates"], old["stages"][0]["after_gates"]) == ("pending", [], [])


def test_the_gates_of_a_fleet_are_listed_and_filtered(emu, run_playbook):
    emu.reset_log()
    run = run_playbook([
        gate_info("all"),
        gate_info("pending of one run", update_run="run-at-gate", state=["pending"]),
        gate_info("after canary", update_run="run-at-gate", stage="canary", timing="after", include_raw=True),
        gate_info("before", timing="before"),
        gate_info("no such fleet", fleet_name="fleet-nope"),
        gate_info("no such gate", name="00000000-0000-4000-8000-000000000000"),
    ], env=env_for(emu))
    assert run.rc == 0, run.stdout
    gates = run.result("all")["gates"]
    # Two gates a page: the first task followed nextLink to every page.
    pages = emu.requests_log(path="/fleets/fleet-gated/gates$")[:(len(gates) + 1) // 2]
    assert ["skiptoken" in e["query"] for e in pages] == [False] + [True] * (len(pages) - 1) and len(pages) >= 2
    # run-later has not started: Azure has created no gate for it.
    assert sorted({g["update_run"] for g in gates}) == ["run-at-gate", "run-portal", "run-to-approve"]
    for gate in gates:
        assert_documented(gate, "fleet_gate_info", "gates")
    [one] = run.result("pending of one run")["gates"]
    expected = ("canary", None, "after", "pending", "Smoke tests passed")
    assert (one["stage"], one["group"], one["timing"], one["state"], one["display_name"]) == expected
    [same] = run.result("after canary")["gates"]
    assert same["raw"]["properties"]["target"]["updateRunProperties"]["timing"] == "After" and same["name"] == one["name"]
    assert run.result("before")["gates"] == []
    assert run.result("no such fleet")["gates"] == [] and run.result("no such gate")["gates"] == []


def test_approving_a_gate_checks_then_approves_once_with_if_match_and_the_run_goes_on(emu, run_playbook):
    where = dict(update_run="run-to-approve", stage="canary", timing="after")
    emu.reset_log()
    run = run_playbook([
        approve("would approve", check=True, diff=True, **where),
        approve("approve", diff=True, **where),
        approve("again", **where),
        info("after", name="run-to-approve"),
    ], env=env_for(emu))
    assert run.rc == 0, run.stdout
    would = run.result("would approve")
    assert would["changed"] is True and would["gate"]["state"] == "completed"
    assert would["diff"] == {"before": {"state": "pending"}, "after": {"state": "completed"}}
    done = run.result("approve")
    assert done["changed"] is True and done["gate"]["state"] == "completed" and done["gate"]["name"] == would["gate"]["name"]
    assert done["diff"] == {"before": {"state": "pending"}, "after": {"state": "completed"}}
    assert_documented(done["gate"], "fleet_gate_info", "gates")
    assert run.result("again")["changed"] is False
    patches = [e for e in emu.requests_log(path="/gates/") if e["method"] == "PATCH"]
    assert len(patches) == 1, "check mode and the second run must not write"
    assert patches[0]["if_match"] == would["gate"]["etag"]
    followed = emu.requests_log(path="/operations/")
    assert len(followed) >= 1 and all(e["status"] in (200, 202) for e in followed)
    after = run.result("after")["update_runs"][0]
    assert after["stages"][0]["after_gates"][0]["state"] == "completed"
    # The run went on to the next gate, before the prod group.
    assert [(g["path"], g["timing"]) for g in after["pending_gates"]] == [("production/prod", "before")]


def test_a_gate_approved_in_the_portal_is_unchanged_and_a_group_gate_is_found_with_its_group(emu, run_playbook):
    gates = [g for g in emu.gates() if g["update_run"] == "run-portal"]
    emu.approve_gate(gates[0]["name"])
    run = run_playbook([
        approve("by name", name=gates[0]["name"]),
        approve("group gate", update_run="run-portal", stage="production", group="prod", timing="before"),
    ], env=env_for(emu))
    assert run.rc == 0, run.stdout
    assert run.result("by name")["changed"] is False and run.result("by name")["gate"]["state"] == "completed"
    group_gate = run.result("group gate")
    assert group_gate["changed"] is True and (group_gate["gate"]["group"], group_gate["gate"]["timing"]) == ("prod", "before")


def test_a_gate_that_does_not_match_fails_listing_the_gates_of_the_run(emu, run_playbook):
    run = run_playbook([dict(approve("no match", update_run="run-at-gate", stage="production", timing="after"), ignore_errors=True)],
                       env=env_for(emu))
    result = run.result("no match")
    assert result["failed"] and result["gate"] is None
    assert "no gate matches" in result["msg"] and "Smoke tests passed" in result["msg"] and "after stage canary" in result["msg"]


@pytest.mark.parametrize("options, field", [
    ({"name": "not-a-guid"}, "name"),
    ({"name": "00000000-0000-4000-8000-000000000000", "api_version": "2025-03-01"}, "api_version"),
    ({"update_run": "run-at-gate", "stage": "Canary!", "timing": "after"}, "stage"),
])
def test_bad_gate_options_are_refused_before_any_request(emu, run_playbook, options, field):
    emu.reset_log()
    run = run_playbook([dict(approve("bad", **options), ignore_errors=True)], env=env_for(emu))
    result = run.result("bad")
    assert result["failed"] and result["field"] == field and "Traceback" not in result["msg"]
    assert [e for e in emu.requests_log() if e["kind"] == "arm"] == []


def test_timing_other_than_before_or_after_is_refused_by_the_argument_spec(emu, run_playbook):
    run = run_playbook([dict(approve("bad", update_run="run-at-gate", stage="canary", timing="during"), ignore_errors=True),
                        dict(gate_info("bad info", api_version="2025-03-01"), ignore_errors=True)], env=env_for(emu))
    assert "timing" in run.result("bad")["msg"] and "before, after" in run.result("bad")["msg"]
    assert run.result("bad info")["field"] == "api_version"


def test_a_403_on_approval_names_the_permission_to_grant(emu, run_playbook):
    env = dict(env_for(emu), AZURE_CLIENT_ID=GATE_WRITER_DENIED)
    run = run_playbook([dict(approve("denied", update_run="run-at-gate", stage="canary", timing="after"), ignore_errors=True)],
                       env=env, secrets=[SECRET])
    result = run.result("denied")
    assert result["failed"] and result["error"]["status"] == 403
    assert "Microsoft.ContainerService/fleets/gates/write" in result["msg"]
