# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Approval gates from the official examples: in an update run (strategy and status merged, lists or single objects), and as
the fleet's gates resource (both target shapes)."""

import copy

import pytest

import reference

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import update_run_facts
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_gate import describe, gate_facts, matches, sort_key
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_run_gates import gate_list, merged_gates, pending_gates

SUB = "00000000-0000-0000-0000-000000000000"
GATE_ID = "/subscriptions/subid1/resourcegroups/rg1/providers/Microsoft.ContainerService/fleets/fleet-1/gates/12345678-910a-bcde-f000-000000000000"
GATE_NAME = "12345678-910a-bcde-f000-000000000000"
RUN_ID = "/subscriptions/subid1/resourcegroups/rg1/providers/Microsoft.ContainerService/fleets/fleet-1/updateRuns/run1"
BEFORE_STAGE1 = {"name": GATE_NAME, "id": GATE_ID, "display_name": "gate before stage1", "gate_type": "Approval", "state": "pending"}
AFTER_STAGE1 = {"name": None, "id": None, "display_name": "gate after stage1", "gate_type": "Approval", "state": "not_started"}
BEFORE_GROUP = {"name": None, "id": None, "display_name": "gate before group-a", "gate_type": "Approval", "state": "not_started"}
AFTER_GROUP = {"name": None, "id": None, "display_name": "gate after group-a", "gate_type": "Approval", "state": "not_started"}
PENDING = [{"name": GATE_NAME, "id": GATE_ID, "display_name": "gate before stage1", "gate_type": "Approval", "path": "stage1",
            "timing": "before"}]
SYSTEM_DATA = {"created_by": "someUser", "created_by_type": "User", "created_at": "2022-03-23T05:40:40.657000Z",
               "last_modified_by": "someOtherUser", "last_modified_by_type": "User", "last_modified_at": "2022-03-23T05:40:40.657000Z"}
GATE_AFTER_GROUP1 = {
    "id": GATE_ID, "name": GATE_NAME, "display_name": "Perform health checks after Group 1", "gate_type": "Approval",
    "state": "pending", "provisioning_state": "Succeeded", "update_run": "run1", "stage": "stage1", "group": "group1",
    "timing": "after", "etag": "kd30rkdfo49=", "system_data": SYSTEM_DATA,
}


def run_of(version):
    data = reference.example("fleet_%s/UpdateRuns_Get.json" % version)
    params = data["parameters"]
    return update_run_facts(data["responses"]["200"]["body"], params["subscriptionId"], params["resourceGroupName"], params["fleetName"])


@pytest.mark.parametrize("version", ["2025-04-01-preview", "2026-06-01", "2026-06-02-preview"])
def test_a_run_at_its_first_gate_is_pending_and_names_it_in_every_shape(version):
    facts = run_of(version)
    stage = facts["stages"][0]
    assert (facts["state"], stage["state"], facts["is_terminal"]) == ("pending", "pending", False)
    assert (stage["before_gates"], stage["after_gates"]) == ([BEFORE_STAGE1], [AFTER_STAGE1])
    group = stage["groups"][0]
    assert (group["before_gates"], group["after_gates"]) == ([BEFORE_GROUP], [AFTER_GROUP])
    assert facts["pending_gates"] == PENDING


def test_the_single_object_gates_of_the_preview_example_equal_the_lists_of_the_stable_one():
    assert run_of("2025-04-01-preview")["stages"][0]["before_gates"] == run_of("2026-06-01")["stages"][0]["before_gates"]


def test_the_stable_version_has_concurrency_from_the_strategy_and_no_failure_counters():
    stage = run_of("2026-06-01")["stages"][0]
    assert (stage["max_concurrency"], stage["max_allowed_failures"], stage["failure_count"]) == ("10", None, None)
    assert (stage["groups"][0]["max_concurrency"], stage["groups"][0]["failure_count"]) == ("2", None)
    assert run_of("2026-06-01")["failure_count"] is None


def test_the_newest_preview_has_failure_counters_and_limits_as_the_strategy_writes_them():
    facts = run_of("2026-06-02-preview")
    stage1, stage2 = facts["stages"]
    assert facts["failure_count"] == 0
    assert (stage1["max_concurrency"], stage1["max_allowed_failures"], stage1["failure_count"]) == ("10", "2", 0)
    group = stage1["groups"][0]
    assert (group["max_concurrency"], group["max_allowed_failures"], group["failure_count"]) == ("2", "1", 0)
    # The status resolves "50%" to 50 and "25%" to 1: the strategy's strings are what the user wrote.
    assert (stage2["max_concurrency"], stage2["max_allowed_failures"], stage2["before_gates"]) == ("50%", "25%", [])


def test_the_preview_without_limits_has_null_limits():
    stage = run_of("2025-04-01-preview")["stages"][0]
    assert (stage["max_concurrency"], stage["max_allowed_failures"], stage["failure_count"]) == (None, None, None)


def test_a_run_without_status_shows_its_planned_gates_without_state():
    body = {"properties": {"strategy": {"stages": [{"name": "canary", "afterGates": [{"displayName": "Smoke", "type": "Approval"}],
                                                    "groups": [{"name": "g1"}]}]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert facts["stages"][0]["after_gates"] == [{"name": None, "id": None, "display_name": "Smoke", "gate_type": "Approval", "state": None}]
    assert facts["pending_gates"] == []


def test_a_pending_after_gate_of_a_completed_stage_is_pending_whatever_the_run_state():
    body = {"properties": {"status": {"status": {"state": "Running"}, "stages": [{
        "name": "canary", "status": {"state": "Completed"},
        "groups": [{"name": "g1", "status": {"state": "Completed"},
                    "afterGates": [{"displayName": "g1 ok", "gateId": "/x/gates/aaa", "status": {"state": "Pending"}}]}],
        "afterGates": [{"displayName": "Smoke", "gateId": "/x/gates/bbb", "status": {"state": "Pending"}}]}]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert [(g["name"], g["path"], g["timing"]) for g in facts["pending_gates"]] == [("bbb", "canary", "after"), ("aaa", "canary/g1", "after")]


@pytest.mark.parametrize("value, expected", [
    ({"displayName": "one"}, [{"displayName": "one"}]),
    ([{"displayName": "a"}, "junk", {"displayName": "b"}], [{"displayName": "a"}, {"displayName": "b"}]),
    ({}, []), (None, []), ("text", []), (7, []),
])
def test_gates_are_read_from_a_list_or_a_single_object(value, expected):
    assert gate_list(value) == expected


def test_an_unknown_gate_state_and_type_pass_through():
    gates = merged_gates([{"type": "ScheduledStart"}], {"status": {"state": "WaitingForWindow"}, "gateId": "/a/gates/g"})
    assert gates == [{"name": "g", "id": "/a/gates/g", "display_name": None, "gate_type": "ScheduledStart", "state": "waiting_for_window"}]


def test_merging_copies_and_leaves_the_input_alone():
    planned = [{"displayName": "x", "type": "Approval"}]
    reported = [{"gateId": "/a/gates/g", "status": {"state": "Pending"}}]
    before = copy.deepcopy((planned, reported))
    merged_gates(planned, reported)
    assert (planned, reported) == before


def test_more_status_gates_than_strategy_gates_are_all_kept():
    gates = merged_gates([{"type": "Approval"}], [{"status": {"state": "Completed"}}, {"status": {"state": "Pending"}}])
    assert [(g["gate_type"], g["state"]) for g in gates] == [("Approval", "completed"), (None, "pending")]


def test_pending_gates_of_malformed_stages_never_crash():
    assert pending_gates([{"before_gates": [{"state": "pending"}]}, "junk", {"groups": ["x", {"after_gates": "x"}]}]) == [
        {"name": None, "id": None, "display_name": None, "gate_type": None, "path": "", "timing": "before"}]


@pytest.mark.parametrize("version", ["2025-04-01-preview", "2026-06-01", "2026-06-02-preview"])
def test_the_get_example_of_every_version_gives_the_same_gate(version):
    data = reference.example("fleet_%s/Gates_Get.json" % version)
    assert gate_facts(data["responses"]["200"]["body"]) == GATE_AFTER_GROUP1


def test_the_update_example_is_a_completed_gate():
    data = reference.example("fleet_2026-06-01/Gates_Update.json")
    facts = gate_facts(data["responses"]["200"]["body"])
    assert (facts["state"], facts["update_run"], facts["stage"], facts["timing"]) == ("completed", "run1", "stage1", "after")


def test_the_preview_update_example_with_its_repeated_stage_key_keeps_the_last_value():
    data = reference.example("fleet_2025-04-01-preview/Gates_Update.json")
    facts = gate_facts(data["responses"]["200"]["body"])
    assert (facts["stage"], facts["group"]) == ("group1", None)


def test_the_scheduled_start_gate_passes_through_with_its_type():
    data = reference.example("fleet_2026-06-02-preview/Gates_Get_ScheduledStart.json")
    facts = gate_facts(data["responses"]["200"]["body"], include_raw=True)
    assert (facts["gate_type"], facts["timing"], facts["state"], facts["display_name"]) == ("ScheduledStart", "before", "pending",
                                                                                            "Wait for Friday evening")
    assert facts["raw"] == data["responses"]["200"]["body"] and facts["raw"] is not data["responses"]["200"]["body"]


def test_the_list_example_is_sorted_with_the_stage_gate_before_the_group_gate():
    data = reference.example("fleet_2026-06-02-preview/Gates_ListByFleet.json")
    gates = sorted((gate_facts(body) for body in data["responses"]["200"]["body"]["value"]), key=sort_key)
    assert [(g["stage"], g["group"], g["timing"]) for g in gates] == [("stage1", "group1", "after"), ("stage2", None, "before")]
    own_and_group = [{"update_run": "r", "stage": "s", "group": "g", "timing": "before"},
                     {"update_run": "r", "stage": "s", "group": None, "timing": "after"},
                     {"update_run": "r", "stage": "s", "group": None, "timing": "before"}]
    assert [(g["group"], g["timing"]) for g in sorted(own_and_group, key=sort_key)] == [(None, "before"), (None, "after"), ("g", "before")]


@pytest.mark.parametrize("body", [None, "x", [], {}, {"properties": "x"}, {"properties": {"target": "x", "state": 5}},
                                  {"properties": {"target": {"properties": "x", "updateRunProperties": []}}}])
def test_a_malformed_gate_body_keeps_every_key(body):
    facts = gate_facts(body)
    assert set(facts) == set(GATE_AFTER_GROUP1)
    assert facts["state"] is None and facts["update_run"] is None


def test_the_update_run_comes_from_the_target_id_when_the_target_has_no_name():
    assert gate_facts({"properties": {"target": {"id": RUN_ID}}})["update_run"] == "run1"


@pytest.mark.parametrize("filters, expected", [
    ({}, True), ({"update_run": "RUN1"}, True), ({"update_run": "run2"}, False), ({"stage": "stage1"}, True),
    ({"stage": "stage1", "group": "group1"}, True), ({"group": "group2"}, False), ({"timing": "after"}, True),
    ({"timing": "before"}, False), ({"states": ["pending", "completed"]}, True), ({"states": ["completed"]}, False),
    ({"name": GATE_NAME.upper()}, True),
])
def test_filters_keep_only_matching_gates(filters, expected):
    assert matches(GATE_AFTER_GROUP1, **filters) is expected


def test_a_gate_is_described_by_name_place_and_state():
    assert describe(GATE_AFTER_GROUP1) == '%s ("Perform health checks after Group 1", after group group1 of stage stage1 of run run1, pending)' % GATE_NAME
