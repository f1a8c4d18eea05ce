# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""AKS Fleet Manager update runs, normalised to the item of fleet_update_run_info.

Expectations are written by hand from the example JSON, never produced by the code under test.
"""

import copy
import json
import pathlib

import pytest

import reference

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import (
    find_group,
    find_stage,
    locate,
    member_progress,
    members_of,
    update_run_facts,
)

HERE = pathlib.Path(__file__).resolve().parent

SUB = "00000000-0000-0000-0000-000000000000"
RUN_ID = "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/myFleet/updateRuns/run1" % SUB
STRATEGY_ID = "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/myFleet/updateStrategies/strategy1" % SUB
CLUSTER = "/subscriptions/%s/resourceGroups/myClusters/providers/Microsoft.ContainerService/managedClusters/myCluster" % SUB
T1 = "2023-03-01T01:10:08.395000Z"

ITEM_KEYS = {
    "id", "name", "fleet_name", "resource_group", "subscription_id", "etag", "provisioning_state", "state",
    "is_terminal", "succeeded", "started_at", "completed_at", "duration_seconds", "update_strategy_id",
    "auto_upgrade_profile_id", "upgrade", "node_image_selection", "current_stage", "progress", "stages", "error",
    "errors", "system_data", "failure_count", "pending_gates",
}
PROGRESS_KEYS = {"total", "completed", "skipped", "failed", "running", "stopping", "stopped", "pending", "not_started",
                 "percent_complete"}
GATE_AND_LIMIT_KEYS = {"before_gates", "after_gates", "max_concurrency", "max_allowed_failures", "failure_count"}
STAGE_KEYS = {"name", "state", "started_at", "completed_at", "error", "after_stage_wait_seconds", "after_stage_wait", "groups"} | GATE_AND_LIMIT_KEYS
GROUP_KEYS = {"name", "state", "started_at", "completed_at", "error", "members"} | GATE_AND_LIMIT_KEYS
# A stage or group of a version or strategy without gates or limits.
NO_GATES = {"before_gates": [], "after_gates": [], "max_concurrency": None, "max_allowed_failures": None, "failure_count": None}
MEMBER_KEYS = {"name", "cluster_resource_id", "state", "started_at", "completed_at", "operation_id", "message", "error"}
NO_PROGRESS = {"total": 0, "completed": 0, "skipped": 0, "failed": 0, "running": 0, "stopping": 0, "stopped": 0,
               "pending": 0, "not_started": 0, "percent_complete": None}
CONTOSO = {"created_by": "@contoso.com", "created_by_type": "User", "created_at": T1,
           "last_modified_by": "@contoso.com", "last_modified_by_type": "User", "last_modified_at": T1}
CONTOSO_EARLIER = dict(CONTOSO, created_at="2023-03-01T01:09:08.395000Z")
FULL_1_26_1 = {"type": "Full", "kubernetes_version": "1.26.1"}
LATEST_IMAGES = {"type": "Latest", "custom_versions": [], "selected_versions": []}


def progress(**counts):
    return dict(NO_PROGRESS, **counts)


def example(name):
    return reference.example("fleet_2025-03-01/" + name)


def normalise(body, params, **kwargs):
    return update_run_facts(body, params["subscriptionId"], params["resourceGroupName"], params["fleetName"], **kwargs)


NOT_STARTED_RUN = {
    "id": RUN_ID,
    "name": "run1",
    "fleet_name": "fleet1",
    "resource_group": "rg1",
    "subscription_id": SUB,
    "etag": '"EtagValue"',
    "provisioning_state": "Succeeded",
    "state": "not_started",
    "is_terminal": False,
    "succeeded": False,
    "started_at": None,
    "completed_at": None,
    "duration_seconds": None,
    "update_strategy_id": None,
    "auto_upgrade_profile_id": None,
    "upgrade": FULL_1_26_1,
    "node_image_selection": LATEST_IMAGES,
    "current_stage": None,
    "progress": {"total": 1, "completed": 0, "skipped": 0, "failed": 0, "running": 0, "stopping": 0, "stopped": 0,
                 "pending": 0, "not_started": 1, "percent_complete": 0.0},
    "stages": [
        {
            "name": "stage1",
            "state": "not_started",
            "started_at": None,
            "completed_at": None,
            "error": None,
            "after_stage_wait_seconds": 3600,
            "after_stage_wait": {"state": "not_started", "started_at": None, "completed_at": None, "duration_seconds": None},
            **NO_GATES,
            "groups": [
                {
                    "name": "group-a",
                    "state": "not_started",
                    "started_at": None,
                    "completed_at": None,
                    "error": None,
                    **NO_GATES,
                    "members": [
                        {"name": "member-one", "cluster_resource_id": CLUSTER, "state": "not_started", "started_at": None,
                         "completed_at": None, "operation_id": None, "message": None, "error": None},
                    ],
                },
            ],
        },
    ],
    "failure_count": None,
    "pending_gates": [],
    "error": None,
    "errors": [],
    "system_data": CONTOSO,
}


def test_the_get_example_is_normalised_field_by_field():
    data = example("UpdateRuns_Get.json")
    assert normalise(data["responses"]["200"]["body"], data["parameters"]) == NOT_STARTED_RUN


def test_the_list_by_fleet_item_is_normalised_like_the_get():
    data = example("UpdateRuns_ListByFleet.json")
    items = data["responses"]["200"]["body"]["value"]
    assert [normalise(item, data["parameters"]) for item in items] == [NOT_STARTED_RUN]


@pytest.mark.parametrize("status", ["200", "201"])
def test_the_create_example_carries_the_update_strategy_id(status):
    data = example("UpdateRuns_CreateOrUpdate.json")
    facts = normalise(data["responses"][status]["body"], data["parameters"])
    assert facts == dict(NOT_STARTED_RUN, update_strategy_id=STRATEGY_ID)


def test_the_start_example_is_running_in_stage1():
    data = example("UpdateRuns_Start.json")
    assert normalise(data["responses"]["200"]["body"], data["parameters"]) == {
        "id": RUN_ID,
        "name": "run1",
        "fleet_name": "fleet1",
        "resource_group": "rg1",
        "subscription_id": SUB,
        "etag": '"EtagValue"',
        "provisioning_state": "Succeeded",
        "state": "running",
        "is_terminal": False,
        "succeeded": False,
        "started_at": T1,
        "completed_at": None,
        "duration_seconds": None,
        "update_strategy_id": None,
        "auto_upgrade_profile_id": None,
        "upgrade": FULL_1_26_1,
        "node_image_selection": LATEST_IMAGES,
        "current_stage": "stage1",
        "progress": {"total": 1, "completed": 0, "skipped": 0, "failed": 0, "running": 1, "stopping": 0, "stopped": 0,
                     "pending": 0, "not_started": 0, "percent_complete": 0.0},
        "stages": [
            {
                "name": "stage1",
                "state": "running",
                "started_at": T1,
                "completed_at": None,
                "error": None,
                "after_stage_wait_seconds": 3600,
                "after_stage_wait": {"state": "not_started", "started_at": None, "completed_at": None, "duration_seconds": None},
                **NO_GATES,
                "groups": [
                    {
                        "name": "group-a",
                        "state": "running",
                        "started_at": T1,
                        "completed_at": None,
                        "error": None,
                        **NO_GATES,
                        "members": [
                            {"name": "member-one", "cluster_resource_id": CLUSTER, "state": "running", "started_at": None,
                             "completed_at": None, "operation_id": None, "message": None, "error": None},
                        ],
                    },
                ],
            },
        ],
        "failure_count": None,
        "pending_gates": [],
        "error": None,
        "errors": [],
        "system_data": CONTOSO_EARLIER,
    }


def test_the_stop_example_is_stopping_and_stopping_is_the_current_stage():
    data = example("UpdateRuns_Stop.json")
    assert normalise(data["responses"]["200"]["body"], data["parameters"]) == {
        "id": RUN_ID,
        "name": "run1",
        "fleet_name": "fleet1",
        "resource_group": "rg1",
        "subscription_id": SUB,
        "etag": '"EtagValue"',
        "provisioning_state": "Succeeded",
        "state": "stopping",
        "is_terminal": False,
        "succeeded": False,
        "started_at": T1,
        "completed_at": None,
        "duration_seconds": None,
        "update_strategy_id": None,
        "auto_upgrade_profile_id": None,
        "upgrade": FULL_1_26_1,
        "node_image_selection": LATEST_IMAGES,
        "current_stage": "stage1",
        "progress": {"total": 1, "completed": 0, "skipped": 0, "failed": 0, "running": 0, "stopping": 1, "stopped": 0,
                     "pending": 0, "not_started": 0, "percent_complete": 0.0},
        "stages": [
            {
                "name": "stage1",
                "state": "stopping",
                "started_at": T1,
                "completed_at": None,
                "error": None,
                "after_stage_wait_seconds": 3600,
                "after_stage_wait": {"state": "not_started", "started_at": None, "completed_at": None, "duration_seconds": None},
                **NO_GATES,
                "groups": [
                    {
                        "name": "group-a",
                        "state": "stopping",
                        "started_at": T1,
                        "completed_at": None,
                        "error": None,
                        **NO_GATES,
                        "members": [
                            {"name": "member-one", "cluster_resource_id": CLUSTER, "state": "stopping", "started_at": None,
                             "completed_at": None, "operation_id": None, "message": None, "error": None},
                        ],
                    },
                ],
            },
        ],
        "failure_count": None,
        "pending_gates": [],
        "error": None,
        "errors": [],
        "system_data": CONTOSO_EARLIER,
    }


def test_the_skip_example_counts_the_skipped_member_as_done():
    data = example("UpdateRuns_Skip.json")
    assert normalise(data["responses"]["200"]["body"], data["parameters"]) == {
        "id": RUN_ID,
        "name": "run1",
        "fleet_name": "fleet1",
        "resource_group": "rg1",
        "subscription_id": SUB,
        "etag": '"EtagValue"',
        "provisioning_state": "Succeeded",
        "state": "running",
        "is_terminal": False,
        "succeeded": False,
        "started_at": T1,
        "completed_at": None,
        "duration_seconds": None,
        "update_strategy_id": None,
        "auto_upgrade_profile_id": None,
        "upgrade": FULL_1_26_1,
        "node_image_selection": LATEST_IMAGES,
        "current_stage": "stage1",
        "progress": {"total": 2, "completed": 0, "skipped": 1, "failed": 0, "running": 1, "stopping": 0, "stopped": 0,
                     "pending": 0, "not_started": 0, "percent_complete": 50.0},
        "stages": [
            {
                "name": "stage1",
                "state": "running",
                "started_at": T1,
                "completed_at": None,
                "error": None,
                "after_stage_wait_seconds": 3600,
                "after_stage_wait": {"state": "skipped", "started_at": None, "completed_at": None, "duration_seconds": None},
                **NO_GATES,
                "groups": [
                    {
                        "name": "group-a",
                        "state": "skipped",
                        "started_at": T1,
                        "completed_at": None,
                        "error": None,
                        **NO_GATES,
                        "members": [
                            {"name": "member-one", "cluster_resource_id": CLUSTER + "-1", "state": "skipped",
                             "started_at": None, "completed_at": None, "operation_id": None, "message": None, "error": None},
                        ],
                    },
                    {
                        "name": "group-b",
                        "state": "running",
                        "started_at": T1,
                        "completed_at": None,
                        "error": None,
                        **NO_GATES,
                        "members": [
                            {"name": "member-two", "cluster_resource_id": CLUSTER + "-2", "state": "running",
                             "started_at": None, "completed_at": None, "operation_id": None, "message": None, "error": None},
                        ],
                    },
                ],
            },
        ],
        "failure_count": None,
        "pending_gates": [],
        "error": None,
        "errors": [],
        "system_data": CONTOSO_EARLIER,
    }


def generated_error(code, message, target, info_type):
    return {"code": code, "message": message, "target": target, "details": [],
            "additional_info": [{"type": info_type, "info": {}}]}


def test_the_maximum_set_example_keeps_every_error_and_version():
    data = example("UpdateRuns_Get_MaximumSet_Gen.json")
    err = generated_error("glirydhaepaxwjigyadnklakg", "apnferzyafyuribdvqypldpv", "uc", "wcmgatubh")
    flat = {"code": "glirydhaepaxwjigyadnklakg", "message": "apnferzyafyuribdvqypldpv"}
    assert normalise(data["responses"]["200"]["body"], data["parameters"]) == {
        "id": RUN_ID,
        "name": "run1",
        "fleet_name": "fleet1",
        "resource_group": "rgfleets",
        "subscription_id": SUB,
        "etag": '"EtagValue"',
        "provisioning_state": "Succeeded",
        "state": "not_started",
        "is_terminal": False,
        "succeeded": False,
        "started_at": "2025-02-25T18:05:37.298000Z",
        "completed_at": "2025-02-25T18:05:37.298000Z",
        "duration_seconds": 0.0,
        "update_strategy_id": STRATEGY_ID,
        "auto_upgrade_profile_id": None,
        "upgrade": FULL_1_26_1,
        "node_image_selection": {"type": "Latest", "custom_versions": ["bxwihfpjbprdip"], "selected_versions": ["bxwihfpjbprdip"]},
        "current_stage": None,
        "progress": {"total": 1, "completed": 0, "skipped": 0, "failed": 0, "running": 0, "stopping": 0, "stopped": 0,
                     "pending": 0, "not_started": 1, "percent_complete": 0.0},
        "stages": [
            {
                "name": "stage1",
                "state": "not_started",
                "started_at": "2025-02-25T18:05:37.295000Z",
                "completed_at": "2025-02-25T18:05:37.295000Z",
                "error": err,
                "after_stage_wait_seconds": 3600,
                "after_stage_wait": {"state": "not_started", "started_at": "2025-02-25T18:05:37.296000Z",
                                     "completed_at": "2025-02-25T18:05:37.296000Z", "duration_seconds": 0.0},
                **NO_GATES,
                "groups": [
                    {
                        "name": "group-a",
                        "state": "not_started",
                        "started_at": "2025-02-25T18:05:37.295000Z",
                        "completed_at": "2025-02-25T18:05:37.295000Z",
                        "error": err,
                        **NO_GATES,
                        "members": [
                            {"name": "member-one", "cluster_resource_id": CLUSTER, "state": "not_started",
                             "started_at": "2025-02-25T18:05:37.296000Z", "completed_at": "2025-02-25T18:05:37.296000Z",
                             "operation_id": "mzcxshtcknvabgiln", "message": "iazpgormhrytvemiaib", "error": err},
                        ],
                    },
                ],
            },
        ],
        "failure_count": None,
        "pending_gates": [],
        "error": err,
        "errors": [
            dict(flat, scope="run", path=""),
            dict(flat, scope="stage", path="stage1"),
            dict(flat, scope="group", path="stage1/group-a"),
            dict(flat, scope="member", path="stage1/group-a/member-one"),
            dict(flat, scope="stage", path="stage1/after_stage_wait"),
        ],
        "system_data": {"created_by": "someUser", "created_by_type": "User", "created_at": "2022-03-23T05:40:40.657000Z",
                        "last_modified_by": "someOtherUser", "last_modified_by_type": "User",
                        "last_modified_at": "2022-03-23T05:40:40.657000Z"},
    }


def test_the_rest_page_version_of_the_maximum_set_example_has_an_auto_upgrade_profile():
    fixture = json.loads((HERE / "fixtures" / "update_run_get_maximum_set_seed_page.json").read_text(encoding="utf-8"))
    facts = update_run_facts(fixture["body"], SUB, "rgfleets", "fleet1")
    assert facts["auto_upgrade_profile_id"] == (
        "/subscriptions/%s/resourceGroups/rgfleets/providers/Microsoft.ContainerService/fleets/fleet1/autoUpgradeProfiles/aup1" % SUB)
    assert facts["node_image_selection"] == {"type": "Latest", "custom_versions": ["wkcmcqhecdbsoskkny"],
                                             "selected_versions": ["wkcmcqhecdbsoskkny"]}
    assert facts["started_at"] == "2025-02-14T23:29:32.768000Z"
    assert facts["stages"][0]["groups"][0]["members"][0]["operation_id"] == "islvvdetacuskjzmkcxc"
    assert facts["error"] == generated_error("ezwocfahsfmbddlqgloysjkthkn", "udtnrxlgadzqlogclb", "l", "fzgprz")
    assert [(item["scope"], item["path"]) for item in facts["errors"]] == [
        ("run", ""), ("stage", "stage1"), ("group", "stage1/group-a"), ("member", "stage1/group-a/member-one"),
        ("stage", "stage1/after_stage_wait")]


# A small builder for hand-made bodies: status nodes with Azure's field names.
def status(state, **extra):
    return dict({"state": state}, **extra)


def member(name, state, **extra):
    return dict({"name": name, "status": status(state)}, **extra)


def body_with_members(*states):
    members = [member("m%d" % index, state) for index, state in enumerate(states)]
    return {"name": "run1", "properties": {"status": {"status": status("Running"), "stages": [
        {"name": "s1", "status": status("Running"), "groups": [{"name": "g1", "status": status("Running"), "members": members}]}]}}}


@pytest.mark.parametrize(
    "state, expected, terminal, succeeded",
    [
        ("NotStarted", "not_started", False, False),
        ("Running", "running", False, False),
        ("Stopping", "stopping", False, False),
        ("Stopped", "stopped", True, False),
        ("Skipped", "skipped", True, False),
        ("Failed", "failed", True, False),
        ("Pending", "pending", False, False),
        ("Completed", "completed", True, True),
        ("WaitingForApproval", "waiting_for_approval", False, False),
        (None, None, False, False),
        (7, None, False, False),
    ],
)
def test_each_run_state_gives_its_snake_case_and_predicates(state, expected, terminal, succeeded):
    facts = update_run_facts({"properties": {"status": {"status": {"state": state}}}}, SUB, "rg1", "fleet1", "run1")
    assert (facts["state"], facts["is_terminal"], facts["succeeded"]) == (expected, terminal, succeeded)


@pytest.mark.parametrize(
    "states, expected",
    [
        ((), NO_PROGRESS),
        (("NotStarted", "NotStarted"), progress(total=2, not_started=2, percent_complete=0.0)),
        (("Completed", "Running", "NotStarted"), progress(total=3, completed=1, running=1, not_started=1, percent_complete=33.3)),
        (("Completed", "Skipped", "Failed"), progress(total=3, completed=1, skipped=1, failed=1, percent_complete=66.7)),
        (("Completed", "Completed"), progress(total=2, completed=2, percent_complete=100.0)),
        (("Skipped",), progress(total=1, skipped=1, percent_complete=100.0)),
        (("Stopping", "Stopped", "Pending"), progress(total=3, stopping=1, stopped=1, pending=1, percent_complete=0.0)),
        (("Completed", "WaitingForApproval", None), progress(total=3, completed=1, percent_complete=33.3)),
        (("Completed",) * 7 + ("Running",), progress(total=8, completed=7, running=1, percent_complete=87.5)),
    ],
)
def test_progress_counts_members_by_state(states, expected):
    facts = update_run_facts(body_with_members(*states), SUB, "rg1", "fleet1")
    assert facts["progress"] == expected
    assert member_progress(members_of(facts["stages"][0])) == expected
    assert member_progress(members_of(facts["stages"][0]["groups"][0])) == expected


def test_progress_of_1999_of_2000_members_is_not_yet_100():
    facts = update_run_facts(body_with_members(*(("Completed",) * 1999 + ("Running",))), SUB, "rg1", "fleet1")
    assert facts["progress"]["percent_complete"] == 99.9


@pytest.mark.parametrize(
    "members, expected",
    [
        (None, NO_PROGRESS),
        ("text", NO_PROGRESS),
        ([{"state": "completed"}, "x", {"state": ["completed"]}, {}], progress(total=3, completed=1, percent_complete=33.3)),
    ],
)
def test_member_progress_tolerates_anything(members, expected):
    assert member_progress(members) == expected


NESTED_ERROR = {
    "code": "UpgradeFailed",
    "message": "outer",
    "target": "member-one",
    "details": [
        {"code": "Inner1", "message": "first", "details": [{"code": "Deepest", "additionalInfo": [{"type": "T", "info": {"k": [1]}}]}]},
        "not an error",
        {},
        {"code": "Inner2"},
    ],
    "additionalInfo": [{"type": "PolicyViolation", "info": {"policy": "p1"}}, "x", {"info": None}],
}
NESTED_FACTS = {
    "code": "UpgradeFailed",
    "message": "outer",
    "target": "member-one",
    "details": [
        {"code": "Inner1", "message": "first", "target": None, "additional_info": [], "details": [
            {"code": "Deepest", "message": None, "target": None, "details": [], "additional_info": [{"type": "T", "info": {"k": [1]}}]}]},
        {"code": "Inner2", "message": None, "target": None, "details": [], "additional_info": []},
    ],
    "additional_info": [{"type": "PolicyViolation", "info": {"policy": "p1"}}, {"type": None, "info": None}],
}


def errored_run():
    def err(code):
        return {"code": code, "message": code.lower()}
    failed_member = dict(member("m2", "Failed"), status=status("Failed", error=NESTED_ERROR))
    group_one = {"name": "g1", "status": status("Failed", error=err("GroupFailed")),
                 "members": [member("m1", "Completed"), failed_member]}
    group_without_members = {"name": "g2", "status": status("Completed")}
    stage_one = {"name": "s1", "status": status("Failed", error=err("StageFailed")),
                 "afterStageWaitStatus": {"status": status("Skipped", error=err("WaitFailed"))},
                 "groups": [group_one, group_without_members]}
    nameless_member = {"status": status("NotStarted", error=err("NoName"))}
    nameless_stage = {"status": status("NotStarted", error=err("Nameless")),
                      "groups": [{"status": status("NotStarted"), "members": [nameless_member]}]}
    return {"name": "run1", "properties": {"status": {
        "status": status("Failed", error=err("RunFailed")),
        "stages": [stage_one, nameless_stage],
    }}}


def test_errors_are_kept_at_every_level_and_flattened_in_order():
    facts = update_run_facts(errored_run(), SUB, "rg1", "fleet1")
    assert facts["error"] == {"code": "RunFailed", "message": "runfailed", "target": None, "details": [], "additional_info": []}
    assert facts["stages"][0]["groups"][0]["members"][1]["error"] == NESTED_FACTS
    assert facts["stages"][0]["groups"][1]["members"] == []
    assert facts["errors"] == [
        {"scope": "run", "path": "", "code": "RunFailed", "message": "runfailed"},
        {"scope": "stage", "path": "s1", "code": "StageFailed", "message": "stagefailed"},
        {"scope": "group", "path": "s1/g1", "code": "GroupFailed", "message": "groupfailed"},
        {"scope": "member", "path": "s1/g1/m2", "code": "UpgradeFailed", "message": "outer"},
        {"scope": "stage", "path": "s1/after_stage_wait", "code": "WaitFailed", "message": "waitfailed"},
        {"scope": "stage", "path": "", "code": "Nameless", "message": "nameless"},
        {"scope": "member", "path": "//", "code": "NoName", "message": "noname"},
    ]
    assert (facts["state"], facts["is_terminal"], facts["succeeded"], facts["current_stage"]) == ("failed", True, False, None)
    assert facts["progress"] == progress(total=3, completed=1, failed=1, not_started=1, percent_complete=33.3)


def test_error_details_nested_absurdly_deep_are_cut_without_crashing():
    error = {"code": "Level0"}
    innermost = error
    for level in range(1, 200):
        innermost["details"] = [{"code": "Level%d" % level}]
        innermost = innermost["details"][0]
    body = {"properties": {"status": {"status": status("Failed", error=error)}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    depth, node = 0, facts["error"]
    while node["details"]:
        depth, node = depth + 1, node["details"][0]
    assert depth == 16
    assert node["code"] == "Level16"


def test_a_run_without_status_shows_the_planned_stages_of_its_strategy_without_state():
    body = {"name": "run1", "properties": {"strategy": {"stages": [
        {"name": "canary", "groups": [{"name": "g-canary"}], "afterStageWaitInSeconds": 600},
        {"name": "prod", "groups": [{"name": "g-eu"}, {"name": "g-us"}]},
    ]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1")

    def group(name):
        return {"name": name, "state": None, "started_at": None, "completed_at": None, "error": None, **NO_GATES, "members": []}
    assert facts["stages"] == [
        {"name": "canary", "state": None, "started_at": None, "completed_at": None, "error": None,
         "after_stage_wait_seconds": 600, "after_stage_wait": None, **NO_GATES, "groups": [group("g-canary")]},
        {"name": "prod", "state": None, "started_at": None, "completed_at": None, "error": None,
         "after_stage_wait_seconds": None, "after_stage_wait": None, **NO_GATES, "groups": [group("g-eu"), group("g-us")]},
    ]
    assert (facts["state"], facts["is_terminal"], facts["current_stage"]) == (None, False, None)
    assert facts["progress"] == NO_PROGRESS
    assert find_group(facts, "g-us", "prod") is facts["stages"][1]["groups"][1]


def test_a_run_without_strategy_or_status_stages_has_no_invented_stage():
    body = {"name": "run1", "properties": {"managedClusterUpdate": {"upgrade": {"type": "NodeImageOnly"}},
                                           "status": {"status": status("NotStarted")}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1")
    assert facts["stages"] == []
    assert facts["state"] == "not_started"
    assert facts["upgrade"] == {"type": "NodeImageOnly", "kubernetes_version": None}
    assert find_stage(facts, "default") is None


def test_a_run_without_strategy_uses_the_stage_azure_reports():
    body = {"name": "run1", "properties": {"status": {"status": status("Running"), "stages": [
        {"name": "default", "status": status("Running"), "groups": [
            {"name": "default", "status": status("Running"), "members": [member("a", "Completed"), member("b", "Running")]}]}]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1")
    assert [(stage["name"], stage["after_stage_wait_seconds"], stage["after_stage_wait"]) for stage in facts["stages"]] == [
        ("default", None, None)]
    assert facts["current_stage"] == "default"
    assert member_progress(members_of(find_group(facts, "default")))["percent_complete"] == 50.0


@pytest.mark.parametrize(
    "strategy_wait, status_wait, expected",
    [(3600, 60, 3600), (None, 60, 60), (0, 60, 0), (None, None, None), ("3600", "60", None), ("x", 60, 60)],
)
def test_the_after_stage_wait_comes_from_the_strategy_else_from_the_wait_status(strategy_wait, status_wait, expected):
    body = {"properties": {
        "strategy": {"stages": [{"name": "other", "afterStageWaitInSeconds": 1}, {"name": "s1", "afterStageWaitInSeconds": strategy_wait}]},
        "status": {"stages": [{"name": "s1", "afterStageWaitStatus": {"waitDurationInSeconds": status_wait}}]},
    }}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert facts["stages"][0]["after_stage_wait_seconds"] == expected


def test_the_after_stage_wait_has_its_own_state_and_duration():
    wait = {"status": {"state": "Completed", "startTime": "2024-01-01T10:00:00Z", "completedTime": "2024-01-01T06:30:00-04:00"}}
    body = {"properties": {"status": {"stages": [{"name": "s1", "afterStageWaitStatus": wait}]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert facts["stages"][0]["after_stage_wait"] == {
        "state": "completed", "started_at": "2024-01-01T10:00:00Z", "completed_at": "2024-01-01T10:30:00Z", "duration_seconds": 1800.0}


def test_a_finished_run_has_a_duration_and_no_current_stage():
    body = {"properties": {"status": {"status": status("Completed", startTime="2024-01-01T10:00:00Z",
                                                       completedTime="2024-01-01T11:30:00.5+00:00"),
                                      "stages": [{"name": "s1", "status": status("Completed")}]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert (facts["state"], facts["is_terminal"], facts["succeeded"]) == ("completed", True, True)
    assert (facts["started_at"], facts["completed_at"], facts["duration_seconds"]) == (
        "2024-01-01T10:00:00Z", "2024-01-01T11:30:00.500000Z", 5400.5)
    assert facts["current_stage"] is None


def test_the_current_stage_is_the_first_running_or_stopping_one():
    stages = [{"name": name, "status": status(state)} for name, state in
              (("a", "Completed"), ("b", "Pending"), ("c", "Stopping"), ("d", "Running"))]
    facts = update_run_facts({"properties": {"status": {"stages": stages}}}, SUB, "rg1", "fleet1", "run1")
    assert facts["current_stage"] == "c"


@pytest.mark.parametrize(
    "body, name, expected_id, expected_name",
    [
        ({"id": "/given/id", "name": "given"}, "arg", "/given/id", "given"),
        ({}, "arg", "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/fleet1/updateRuns/arg" % SUB, "arg"),
        ({"id": 5, "name": ["x"]}, "arg",
         "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/fleet1/updateRuns/arg" % SUB, "arg"),
        ({}, None, None, None),
    ],
)
def test_id_and_name_come_from_the_body_else_from_the_request(body, name, expected_id, expected_name):
    facts = update_run_facts(body, SUB, "rg1", "fleet1", name)
    assert (facts["id"], facts["name"]) == (expected_id, expected_name)


@pytest.mark.parametrize(
    "body, expected",
    [({"eTag": "\"a\""}, "\"a\""), ({"etag": "\"b\""}, "\"b\""), ({"eTag": "\"a\"", "etag": "\"b\""}, "\"a\""),
     ({"eTag": 5}, None), ({}, None)],
)
def test_the_etag_is_read_in_either_spelling(body, expected):
    assert update_run_facts(body, SUB, "rg1", "fleet1", "run1")["etag"] == expected


def test_node_image_versions_are_lists_of_version_strings():
    body = {"properties": {
        "managedClusterUpdate": {"nodeImageSelection": {"type": "Custom", "customNodeImageVersions": [
            {"version": "AKSUbuntu-2204gen2containerd-2024.01.01"}, "bare", {"version": 5}, {}]}},
        "status": {"nodeImageSelection": {"selectedNodeImageVersions": [{"version": "AKSUbuntu-2204gen2containerd-2024.01.01"}]}},
    }}
    assert update_run_facts(body, SUB, "rg1", "fleet1", "run1")["node_image_selection"] == {
        "type": "Custom", "custom_versions": ["AKSUbuntu-2204gen2containerd-2024.01.01"],
        "selected_versions": ["AKSUbuntu-2204gen2containerd-2024.01.01"]}


MALFORMED_BODIES = [
    None,
    "text",
    42,
    [],
    {},
    {"properties": None},
    {"properties": "text"},
    {"properties": {"status": "x", "strategy": "x", "managedClusterUpdate": "x"}},
    {"properties": {"status": {"status": "x", "stages": "x", "nodeImageSelection": "x"}}},
    {"properties": {"status": {"stages": ["x", None, 3, []]}, "strategy": {"stages": ["x"]}}},
    {"properties": {"status": {"stages": [{}]}}},
    {"properties": {"status": {"stages": [{"name": 5, "status": "x", "groups": "x", "afterStageWaitStatus": "x"}]}}},
    {"properties": {"status": {"stages": [{"groups": [{}, "x", {"members": "x"}, {"members": [{}, "x", {"status": []}]}]}]}}},
    {"properties": {"status": {"stages": [{"afterStageWaitStatus": {"status": "x", "waitDurationInSeconds": "x"}}]}}},
    {"properties": {"managedClusterUpdate": {"upgrade": "x", "nodeImageSelection": {"customNodeImageVersions": "x"}}}},
    {"systemData": "x", "eTag": [], "properties": {"provisioningState": {}, "updateStrategyId": 1, "autoUpgradeProfileId": []}},
    {"properties": {"status": {"status": {"error": "x", "startTime": 5, "completedTime": "garbage"}}}},
    {"properties": {"status": {"status": {"error": {"details": "x", "additionalInfo": "x"}}}}},
]


@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_a_malformed_body_never_crashes_and_keeps_every_key(body):
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert set(facts) == ITEM_KEYS
    assert set(facts["progress"]) == PROGRESS_KEYS
    assert set(facts["upgrade"]) == {"type", "kubernetes_version"}
    assert set(facts["node_image_selection"]) == {"type", "custom_versions", "selected_versions"}
    assert set(facts["system_data"]) == {"created_by", "created_by_type", "created_at", "last_modified_by",
                                         "last_modified_by_type", "last_modified_at"}
    for stage in facts["stages"]:
        assert set(stage) == STAGE_KEYS
        for group in stage["groups"]:
            assert set(group) == GROUP_KEYS
            for item in group["members"]:
                assert set(item) == MEMBER_KEYS
    assert facts["error"] is None
    assert facts["errors"] == []
    assert facts["id"] == "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/fleet1/updateRuns/run1" % SUB


def test_members_and_groups_with_keys_missing_get_nulls():
    body = {"properties": {"status": {"stages": [{"groups": [{"members": [{}]}, {"name": "empty"}]}]}}}
    facts = update_run_facts(body, SUB, "rg1", "fleet1", "run1")
    assert facts["stages"] == [{
        "name": None, "state": None, "started_at": None, "completed_at": None, "error": None,
        "after_stage_wait_seconds": None, "after_stage_wait": None,
        **NO_GATES,
        "groups": [
            {"name": None, "state": None, "started_at": None, "completed_at": None, "error": None, **NO_GATES, "members": [
                {"name": None, "cluster_resource_id": None, "state": None, "started_at": None, "completed_at": None,
                 "operation_id": None, "message": None, "error": None}]},
            {"name": "empty", "state": None, "started_at": None, "completed_at": None, "error": None, **NO_GATES, "members": []},
        ],
    }]
    assert facts["progress"] == progress(total=1, percent_complete=0.0)


def test_the_input_is_not_mutated_and_raw_is_a_deep_copy():
    body = errored_run()
    body["properties"]["status"]["stages"][0]["groups"][0]["members"][1]["status"]["error"] = copy.deepcopy(NESTED_ERROR)
    before = copy.deepcopy(body)
    facts = update_run_facts(body, SUB, "rg1", "fleet1", include_raw=True)
    assert body == before
    assert facts["raw"] == before and facts["raw"] is not body
    facts["raw"]["properties"]["status"]["status"]["state"] = "Completed"
    facts["stages"][0]["groups"][0]["members"][1]["error"]["additional_info"][0]["info"]["policy"] = "changed"
    assert body == before
    assert "raw" not in update_run_facts(body, SUB, "rg1", "fleet1")


TWO_STAGES = {"name": "run1", "properties": {"status": {"stages": [
    {"name": "s1", "groups": [{"name": "g1", "members": [member("a", "Completed")]}, {"name": "g2"}]},
    {"name": "s2", "groups": [{"name": "g3", "members": [member("b", "Running")]}, {"name": "g1", "members": []}]},
]}}}


@pytest.mark.parametrize(
    "group_name, stage_name, expected",
    [
        ("g1", None, ("s1", 0)),
        ("g1", "s1", ("s1", 0)),
        ("g1", "s2", ("s2", 1)),
        ("g3", None, ("s2", 0)),
        ("g2", "s1", ("s1", 1)),
        ("g3", "s1", None),
        ("g1", "nope", None),
        ("nope", None, None),
        ("G1", None, None),
        (None, None, None),
    ],
)
def test_find_group_searches_one_stage_or_all_of_them_first_match_first(group_name, stage_name, expected):
    facts = update_run_facts(TWO_STAGES, SUB, "rg1", "fleet1")
    found = find_group(facts, group_name, stage_name)
    if expected is None:
        assert found is None
    else:
        stage_index = {"s1": 0, "s2": 1}[expected[0]]
        assert found is facts["stages"][stage_index]["groups"][expected[1]]


@pytest.mark.parametrize("stage_name, index", [("s1", 0), ("s2", 1), ("s3", None), ("S1", None), (None, None), (1, None)])
def test_find_stage_matches_the_exact_name(stage_name, index):
    facts = update_run_facts(TWO_STAGES, SUB, "rg1", "fleet1")
    found = find_stage(facts, stage_name)
    assert found is (None if index is None else facts["stages"][index])


@pytest.mark.parametrize("facts", [None, "x", {}, {"stages": "x"}, {"stages": [None, "x", {"groups": "x"}]}])
def test_lookups_on_anything_else_give_none(facts):
    assert find_stage(facts, "s1") is None
    assert find_group(facts, "g1") is None
    assert find_group(facts, "g1", "s1") is None
    assert members_of(facts) == []


def test_members_of_a_stage_spans_its_groups_in_order():
    facts = update_run_facts(TWO_STAGES, SUB, "rg1", "fleet1")
    assert [item["name"] for item in members_of(facts)] == ["a", "b"]
    assert [item["name"] for item in members_of(find_stage(facts, "s1"))] == ["a"]
    assert member_progress(members_of(find_stage(facts, "s2"))) == progress(total=1, running=1, percent_complete=0.0)
    assert member_progress(members_of(find_group(facts, "g2"))) == NO_PROGRESS


def test_locate_names_what_a_target_looks_at_or_what_the_run_lacks():
    facts = {"state": "running", "is_terminal": False, "stages": [
        {"name": "canary", "groups": [{"name": "g1", "members": []}]}, {"name": "prod", "groups": [{"name": "g2", "members": []}]}]}
    assert locate(facts) == (facts, None, None, None)
    assert locate(facts, "prod") == (facts["stages"][1], facts["stages"][1], None, None)
    assert locate(facts, None, "g2")[0] is facts["stages"][1]["groups"][0]
    assert locate(facts, "canary", "g2")[3] == "group 'g2' is not part of the run (stages: canary, prod)"
    assert locate(facts, "nope", "g1")[3] == "stage 'nope' is not part of the run (stages: canary, prod)"


def test_locate_waits_for_stages_of_a_run_that_has_none_yet_but_not_of_one_that_ended():
    assert locate({"state": "not_started", "is_terminal": False, "stages": []}, "canary") == (None, None, None, None)
    assert locate({"state": "failed", "is_terminal": True, "stages": []}, "canary")[3] == "stage 'canary' is not part of the run (stages: none)"
