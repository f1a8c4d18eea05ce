# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The latest rolling upgrade of a scale set, normalised to the item of vmss_rolling_upgrade_info.

Expectations are written by hand from the example JSON, never produced by the code under test.
"""

import copy

import pytest

import reference

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_vmss import (
    history_entry_facts,
    newest_first,
    no_rolling_upgrade_facts,
    rolling_upgrade_facts,
)


ITEM_KEYS = {
    "id", "scale_set_id", "scale_set_name", "resource_group", "subscription_id", "location", "exists", "state",
    "status_code", "is_terminal", "succeeded", "last_action", "started_at", "last_action_at", "progress", "policy",
    "error", "tags",
}
PROGRESS_KEYS = {"successful", "failed", "in_progress", "pending", "total", "percent_complete"}
POLICY_KEYS = {
    "max_batch_instance_percent", "max_unhealthy_instance_percent", "max_unhealthy_upgraded_instance_percent",
    "pause_time_between_batches", "pause_time_between_batches_seconds", "enable_cross_zone_upgrade",
    "prioritize_unhealthy_instances", "rollback_failed_instances_on_policy_breach", "max_surge",
}
NO_POLICY = dict.fromkeys(POLICY_KEYS)
NO_PROGRESS = {"successful": 0, "failed": 0, "in_progress": 0, "pending": 0, "total": 0, "percent_complete": None}
SUB = "11111111-2222-3333-4444-555555555555"
SCALE_SET_ID = "/subscriptions/%s/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachineScaleSets/web" % SUB


def example(name):
    return reference.example("compute_2024-07-01/" + name)


def test_the_maximum_set_example_is_normalised_field_by_field():
    data = example("VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json")
    params = data["parameters"]
    facts = rolling_upgrade_facts(
        data["responses"]["200"]["body"], params["subscriptionId"], params["resourceGroupName"], params["vmScaleSetName"])
    assert facts == {
        "id": "aaaaaaaaaa",
        "scale_set_id": "/subscriptions/{subscription-id}/resourceGroups/rgcompute/providers/Microsoft.Compute"
                        "/virtualMachineScaleSets/aaaaaaaaaaaaaaaaaaaaaaaaa",
        "scale_set_name": "aaaaaaaaaaaaaaaaaaaaaaaaa",
        "resource_group": "rgcompute",
        "subscription_id": "{subscription-id}",
        "location": "aaaaaa",
        "exists": True,
        "state": "rolling_forward",
        "status_code": "RollingForward",
        "is_terminal": False,
        "succeeded": False,
        "last_action": "start",
        "started_at": "2021-11-30T13:06:23.362000Z",
        "last_action_at": "2021-11-30T13:06:23.362000Z",
        "progress": {"successful": 6, "failed": 25, "in_progress": 20, "pending": 27, "total": 78, "percent_complete": 7.7},
        "policy": {
            "max_batch_instance_percent": 49,
            "max_unhealthy_instance_percent": 81,
            "max_unhealthy_upgraded_instance_percent": 98,
            "pause_time_between_batches": "aaaaaaaaaaaaaaa",
            "pause_time_between_batches_seconds": None,
            "enable_cross_zone_upgrade": True,
            "prioritize_unhealthy_instances": True,
            "rollback_failed_instances_on_policy_breach": True,
            "max_surge": True,
        },
        "error": {
            "code": "aaaaaaa",
            "message": "aaaaaaaaa",
            "target": "aaaaaaa",
            "details": [{"code": "aaaaaaaaaaaaaaaaaaaaaaaa", "message": "aa", "target": "aaaa"}],
            "inner_error": {"exception_type": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "error_detail": "aaaaaaaaaaaaaaaaaaaaaaaa"},
        },
        "tags": {"key8533": "aaaaaaaaaaaaaaaaaaaaaaaa"},
    }


def test_the_minimum_set_example_of_the_rest_page_gives_an_item_without_state():
    # Sample response of VirtualMachineScaleSetRollingUpgrade_GetLatest_MinimumSet_Gen (shared/seeds/000_*.txt).
    body = {"location": "aaaaaa", "id": "aaaaaaaaaa"}
    facts = rolling_upgrade_facts(body, "{subscription-id}", "rgcompute", "aaaaaaaaaaaaaaaaa")
    assert facts == {
        "id": "aaaaaaaaaa",
        "scale_set_id": "/subscriptions/{subscription-id}/resourceGroups/rgcompute/providers/Microsoft.Compute"
                        "/virtualMachineScaleSets/aaaaaaaaaaaaaaaaa",
        "scale_set_name": "aaaaaaaaaaaaaaaaa",
        "resource_group": "rgcompute",
        "subscription_id": "{subscription-id}",
        "location": "aaaaaa",
        "exists": True,
        "state": None,
        "status_code": None,
        "is_terminal": False,
        "succeeded": False,
        "last_action": None,
        "started_at": None,
        "last_action_at": None,
        "progress": NO_PROGRESS,
        "policy": NO_POLICY,
        "error": None,
        "tags": {},
    }


def test_a_completed_upgrade_with_offsets_and_an_arm_id_is_normalised():
    body = {
        "id": SCALE_SET_ID.replace("/web", "/WEB") + "/rollingUpgrades/latest",
        "location": "westeurope",
        "properties": {
            "policy": {"maxBatchInstancePercent": 20, "pauseTimeBetweenBatches": "PT1M30S", "maxSurge": False},
            "runningStatus": {
                "code": "Completed",
                "startTime": "2024-05-01T08:00:00.1234567-04:00",
                "lastAction": "Start",
                "lastActionTime": "2024-05-01T08:00:00-04:00",
            },
            "progress": {"successfulInstanceCount": 10, "failedInstanceCount": 0, "inProgressInstanceCount": 0,
                         "pendingInstanceCount": 0},
        },
    }
    facts = rolling_upgrade_facts(body, SUB, "rg-web", "web")
    assert facts["id"] == SCALE_SET_ID.replace("/web", "/WEB") + "/rollingUpgrades/latest"
    assert facts["scale_set_id"] == SCALE_SET_ID.replace("/web", "/WEB")
    assert (facts["state"], facts["is_terminal"], facts["succeeded"]) == ("completed", True, True)
    assert facts["started_at"] == "2024-05-01T12:00:00.123456Z"
    assert facts["last_action_at"] == "2024-05-01T12:00:00Z"
    assert facts["progress"] == {"successful": 10, "failed": 0, "in_progress": 0, "pending": 0, "total": 10,
                                 "percent_complete": 100.0}
    assert facts["policy"] == dict(NO_POLICY, max_batch_instance_percent=20, pause_time_between_batches="PT1M30S",
                                   pause_time_between_batches_seconds=90, max_surge=False)
    assert facts["tags"] == {}


def test_a_body_without_id_gets_ids_built_from_the_request():
    facts = rolling_upgrade_facts({"properties": {}}, SUB, "rg-web", "web")
    assert facts["id"] == SCALE_SET_ID + "/rollingUpgrades/latest"
    assert facts["scale_set_id"] == SCALE_SET_ID


@pytest.mark.parametrize(
    "code, state, terminal, succeeded",
    [
        ("RollingForward", "rolling_forward", False, False),
        ("Completed", "completed", True, True),
        ("Cancelled", "cancelled", True, False),
        ("Faulted", "faulted", True, False),
        ("RollingBackward", "rolling_backward", False, False),
        (None, None, False, False),
        (42, None, False, False),
    ],
)
def test_each_status_code_gives_its_state_and_predicates(code, state, terminal, succeeded):
    facts = rolling_upgrade_facts({"properties": {"runningStatus": {"code": code}}}, SUB, "rg-web", "web")
    assert (facts["state"], facts["is_terminal"], facts["succeeded"]) == (state, terminal, succeeded)
    assert facts["status_code"] == (code if isinstance(code, str) else None)


@pytest.mark.parametrize(
    "action, expected",
    [("Start", "start"), ("Cancel", "cancel"), ("Resume", "resume"), (None, None), (1, None)],
)
def test_last_action_is_lower_case(action, expected):
    facts = rolling_upgrade_facts({"properties": {"runningStatus": {"lastAction": action}}}, SUB, "rg-web", "web")
    assert facts["last_action"] == expected


@pytest.mark.parametrize(
    "progress, expected",
    [
        ({}, (0, 0, 0, 0, 0, None)),
        ({"successfulInstanceCount": 0, "pendingInstanceCount": 4}, (0, 0, 0, 4, 4, 0.0)),
        ({"successfulInstanceCount": 1, "failedInstanceCount": 1, "inProgressInstanceCount": 1}, (1, 1, 1, 0, 3, 33.3)),
        ({"successfulInstanceCount": 2, "inProgressInstanceCount": 1}, (2, 0, 1, 0, 3, 66.7)),
        ({"successfulInstanceCount": 1, "pendingInstanceCount": 399}, (1, 0, 0, 399, 400, 0.3)),
        ({"successfulInstanceCount": 1999, "inProgressInstanceCount": 1}, (1999, 0, 1, 0, 2000, 99.9)),
        ({"successfulInstanceCount": 5, "failedInstanceCount": 5}, (5, 5, 0, 0, 10, 50.0)),
        ({"successfulInstanceCount": "5", "failedInstanceCount": None, "pendingInstanceCount": -2}, (0, 0, 0, 0, 0, None)),
        ({"successfulInstanceCount": 3.0, "pendingInstanceCount": True}, (3, 0, 0, 0, 3, 100.0)),
    ],
)
def test_progress_counts_instances_and_gives_percent_of_successful(progress, expected):
    facts = rolling_upgrade_facts({"properties": {"progress": progress}}, SUB, "rg-web", "web")
    keys = ("successful", "failed", "in_progress", "pending", "total", "percent_complete")
    assert tuple(facts["progress"][key] for key in keys) == expected


@pytest.mark.parametrize(
    "pause, seconds",
    [("PT0S", 0), ("PT5S", 5), ("PT1M30S", 90), ("PT1H", 3600), ("P1DT2H", 93600), ("PT0.5S", 1),
     ("aaaaaaaaaaaaaaa", None), ("P1M", None), (None, None)],
)
def test_the_pause_between_batches_is_kept_and_parsed(pause, seconds):
    facts = rolling_upgrade_facts({"properties": {"policy": {"pauseTimeBetweenBatches": pause}}}, SUB, "rg-web", "web")
    assert facts["policy"]["pause_time_between_batches"] == pause
    assert facts["policy"]["pause_time_between_batches_seconds"] == seconds


@pytest.mark.parametrize(
    "error, expected",
    [
        (None, None),
        ({}, None),
        ("boom", None),
        ({"code": None, "details": [], "innererror": {}}, None),
        ({"code": "OSUpgradeFailed"},
         {"code": "OSUpgradeFailed", "message": None, "target": None, "details": [], "inner_error": None}),
        ({"message": "m", "details": ["x", {"code": "D1"}, None, {"code": "D2", "message": "m2", "target": "t2"}],
          "innererror": {"exceptiontype": "E"}},
         {"code": None, "message": "m", "target": None,
          "details": [{"code": "D1", "message": None, "target": None}, {"code": "D2", "message": "m2", "target": "t2"}],
          "inner_error": {"exception_type": "E", "error_detail": None}}),
        ({"code": "C", "details": "not a list", "innererror": "not a dict"},
         {"code": "C", "message": None, "target": None, "details": [], "inner_error": None}),
    ],
)
def test_the_api_error_keeps_details_and_inner_error(error, expected):
    facts = rolling_upgrade_facts({"properties": {"error": error}}, SUB, "rg-web", "web")
    assert facts["error"] == expected


@pytest.mark.parametrize(
    "body",
    [
        None,
        "text",
        42,
        [],
        [{"properties": {}}],
        {},
        {"properties": None},
        {"properties": "text"},
        {"properties": {"runningStatus": "x", "progress": [1, 2], "policy": "x", "error": ["x"]}},
        {"properties": {"runningStatus": {"code": ["Completed"], "startTime": 5}, "progress": {"successfulInstanceCount": {}}}},
        {"properties": {"policy": {"maxBatchInstancePercent": "20", "maxSurge": "true", "pauseTimeBetweenBatches": 30}}},
        {"id": 5, "location": ["westeurope"], "tags": "a:b"},
    ],
)
def test_a_malformed_body_never_crashes_and_keeps_every_key(body):
    facts = rolling_upgrade_facts(body, SUB, "rg-web", "web")
    assert set(facts) == ITEM_KEYS
    assert set(facts["progress"]) == PROGRESS_KEYS
    assert set(facts["policy"]) == POLICY_KEYS
    assert facts["exists"] is True
    assert facts["id"] == SCALE_SET_ID + "/rollingUpgrades/latest"
    assert facts["tags"] == {}
    assert facts["location"] is None


def test_the_input_is_not_mutated_and_raw_is_a_deep_copy():
    data = example("VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json")
    body = data["responses"]["200"]["body"]
    before = copy.deepcopy(body)
    facts = rolling_upgrade_facts(body, SUB, "rg-web", "web", include_raw=True)
    assert body == before
    assert facts["raw"] == before
    assert facts["raw"] is not body
    facts["raw"]["properties"]["policy"]["maxSurge"] = False
    facts["tags"]["new"] = "x"
    facts["error"]["details"][0]["code"] = "changed"
    assert body == before


def test_raw_is_only_present_with_include_raw():
    assert "raw" not in rolling_upgrade_facts({}, SUB, "rg-web", "web")
    assert rolling_upgrade_facts(None, SUB, "rg-web", "web", include_raw=True)["raw"] is None


SCALE_SET_BODY = {
    "id": SCALE_SET_ID,
    "name": "web",
    "location": "westeurope",
    "tags": {"env": "prod"},
    "properties": {
        "upgradePolicy": {
            "mode": "Rolling",
            "rollingUpgradePolicy": {
                "maxBatchInstancePercent": 20,
                "maxUnhealthyInstancePercent": 20,
                "maxUnhealthyUpgradedInstancePercent": 20,
                "pauseTimeBetweenBatches": "PT0S",
                "enableCrossZoneUpgrade": False,
                "prioritizeUnhealthyInstances": True,
                "rollbackFailedInstancesOnPolicyBreach": False,
                "maxSurge": True,
            },
        },
    },
}


def test_a_scale_set_without_rolling_upgrade_gives_an_item_that_does_not_exist():
    before = copy.deepcopy(SCALE_SET_BODY)
    facts = no_rolling_upgrade_facts(SUB, "rg-web", "web", SCALE_SET_BODY)
    assert SCALE_SET_BODY == before
    assert facts == {
        "id": SCALE_SET_ID + "/rollingUpgrades/latest",
        "scale_set_id": SCALE_SET_ID,
        "scale_set_name": "web",
        "resource_group": "rg-web",
        "subscription_id": SUB,
        "location": "westeurope",
        "exists": False,
        "state": None,
        "status_code": None,
        "is_terminal": False,
        "succeeded": False,
        "last_action": None,
        "started_at": None,
        "last_action_at": None,
        "progress": NO_PROGRESS,
        "policy": {
            "max_batch_instance_percent": 20,
            "max_unhealthy_instance_percent": 20,
            "max_unhealthy_upgraded_instance_percent": 20,
            "pause_time_between_batches": "PT0S",
            "pause_time_between_batches_seconds": 0,
            "enable_cross_zone_upgrade": False,
            "prioritize_unhealthy_instances": True,
            "rollback_failed_instances_on_policy_breach": False,
            "max_surge": True,
        },
        "error": None,
        "tags": {"env": "prod"},
    }
    facts["tags"]["new"] = "x"
    assert SCALE_SET_BODY == before


@pytest.mark.parametrize(
    "scale_set_body",
    [None, {}, "text", [], {"properties": {"upgradePolicy": "Rolling"}}, {"properties": {"upgradePolicy": {"mode": "Manual"}}}],
)
def test_without_a_usable_scale_set_body_every_policy_key_is_null(scale_set_body):
    facts = no_rolling_upgrade_facts(SUB, "rg-web", "web", scale_set_body)
    assert set(facts) == ITEM_KEYS
    assert facts["policy"] == NO_POLICY
    assert facts["progress"] == NO_PROGRESS
    assert (facts["exists"], facts["state"], facts["location"], facts["tags"]) == (False, None, None, {})
    assert (facts["id"], facts["scale_set_id"]) == (SCALE_SET_ID + "/rollingUpgrades/latest", SCALE_SET_ID)


def test_a_scale_set_without_rolling_upgrade_has_a_null_raw_with_include_raw():
    assert no_rolling_upgrade_facts(SUB, "rg-web", "web", SCALE_SET_BODY, include_raw=True)["raw"] is None
    assert "raw" not in no_rolling_upgrade_facts(SUB, "rg-web", "web", SCALE_SET_BODY)


# ---------------------------------------------------------------------------------------------- 2025-04-01 and history

def test_the_2025_04_01_latest_examples_normalise_like_2024_07_01():
    newer = reference.example("compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json")
    older = example("VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json")
    assert rolling_upgrade_facts(newer["responses"]["200"]["body"], SUB, "rg", "web") == \
        rolling_upgrade_facts(older["responses"]["200"]["body"], SUB, "rg", "web")
    minimum = reference.example("compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MinimumSet_Gen.json")
    facts = rolling_upgrade_facts(minimum["responses"]["200"]["body"], SUB, "rg", "web")
    assert set(facts) == ITEM_KEYS and facts["state"] is None and facts["progress"] == NO_PROGRESS


def test_a_rolling_back_upgrade_is_neither_terminal_nor_a_success():
    facts = rolling_upgrade_facts({"properties": {"runningStatus": {"code": "RollingBack"}}}, SUB, "rg", "web")
    assert (facts["state"], facts["status_code"], facts["is_terminal"], facts["succeeded"]) == ("rolling_back", "RollingBack", False, False)


HISTORY_KEYS = {"state", "status_code", "started_at", "ended_at", "started_by", "target_image", "progress", "error", "rollback"}


def test_the_maximum_history_example_is_normalised_field_by_field():
    body = reference.example("compute_2025-04-01/VirtualMachineScaleSet_GetOSUpgradeHistory_MaximumSet_Gen.json")["responses"]["200"]["body"]
    entry = history_entry_facts(body["value"][0])
    assert set(entry) == HISTORY_KEYS
    assert (entry["state"], entry["status_code"], entry["started_by"]) == ("rolling_forward", "RollingForward", "Unknown")
    assert (entry["started_at"], entry["ended_at"]) == ("2021-11-30T13:05:40.442000Z", "2021-11-30T13:05:40.443000Z")
    assert entry["target_image"] == {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2016-Datacenter",
                                     "version": "latest", "id": "aaaaaaaaaaaaaaaaaaa"}
    assert entry["progress"] == {"successful": 6, "failed": 25, "in_progress": 20, "pending": 27, "total": 78, "percent_complete": 7.7}
    assert entry["error"]["code"] == "aaaaaaa" and entry["error"]["inner_error"]["exception_type"] == "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert entry["rollback"]["successfully_rolled_back"] == 12 and entry["rollback"]["failed_to_roll_back"] == 2
    assert entry["rollback"]["error"]["code"] == "aaaaaaa"


def test_the_minimum_history_example_gives_every_key_empty():
    body = reference.example("compute_2025-04-01/VirtualMachineScaleSet_GetOSUpgradeHistory_MinimumSet_Gen.json")["responses"]["200"]["body"]
    entry = history_entry_facts(body["value"][0])
    assert entry == {"state": None, "status_code": None, "started_at": None, "ended_at": None, "started_by": None,
                     "target_image": None, "progress": NO_PROGRESS, "error": None, "rollback": None}


@pytest.mark.parametrize("junk", [None, [], "text", {"properties": []}, {"properties": {"rollbackInfo": "x", "progress": 3}}])
def test_a_history_entry_of_any_shape_is_normalised_without_a_traceback(junk):
    assert set(history_entry_facts(junk)) == HISTORY_KEYS


def test_history_is_sorted_newest_first_undated_last_and_limited():
    entries = [{"started_at": "2026-01-01T00:00:00Z", "n": 1}, {"started_at": None, "n": 2},
               {"started_at": "2026-03-01T00:00:00.500000Z", "n": 3}, {"started_at": "2026-03-01T00:00:00Z", "n": 4}]
    assert [e["n"] for e in newest_first(entries, 10)] == [3, 4, 1, 2]
    assert [e["n"] for e in newest_first(entries, 2)] == [3, 4]
