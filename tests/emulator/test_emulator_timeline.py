# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure status derivations, without HTTP."""

import pytest

from upgradegate_emulator.fleet_timeline import implicit_stages, run_state, run_status, schedule
from upgradegate_emulator.timeline import rolling_upgrade_body, upgrade_view

POLICY = {"maxBatchInstancePercent": 20}
SIM = {"member_seconds": 10, "members": {}, "members_in_parallel": False, "stop_seconds": 2}


def _counts(view):
    p = view["progress"]
    return (view["code"], p["successfulInstanceCount"], p["failedInstanceCount"], p["inProgressInstanceCount"],
            p["pendingInstanceCount"])


@pytest.mark.parametrize("t, expected", [
    (0, ("RollingForward", 0, 0, 2, 8)),
    (40, ("RollingForward", 4, 0, 2, 4)),
    (99.9, ("RollingForward", 8, 0, 2, 0)),
    (100, ("Completed", 10, 0, 0, 0)),
])
def test_simulated_upgrade_rolls_batches_forward(t, expected):
    assert _counts(upgrade_view({"duration": 100, "outcome": "Completed"}, t, 10, POLICY, "web")) == expected


def test_faulted_upgrade_reports_failed_instances_and_an_api_error():
    view = upgrade_view({"duration": 100, "outcome": "Faulted", "fault_after": 40, "failed_instances": 3}, 50, 10, POLICY, "web")
    assert _counts(view) == ("Faulted", 4, 3, 0, 3)
    assert view["error"]["code"] and view["error"]["details"] and view["error"]["innererror"]
    assert view["terminal_offset"] == 40


def test_cancel_freezes_progress_and_moves_in_flight_instances_to_pending():
    view = upgrade_view({"duration": 100}, 80, 10, POLICY, "web", cancelled_at=70)
    assert _counts(view) == ("Cancelled", 6, 0, 0, 4)
    assert view["last_action"] == "Cancel" and view["last_action_offset"] == 70


def test_explicit_timeline_uses_the_last_point_reached():
    points = [{"at": 0, "code": "RollingForward", "progress": {"pending": 5}},
              {"at": 10, "code": "Faulted", "progress": {"failed": 5}, "error": {"code": "X", "message": "m"}}]
    assert _counts(upgrade_view({"timeline": points}, 9, 5, POLICY, "web"))[0] == "RollingForward"
    view = upgrade_view({"timeline": points}, 10, 5, POLICY, "web")
    assert _counts(view) == ("Faulted", 0, 5, 0, 0) and view["error"] == {"code": "X", "message": "m"}


def test_body_carries_policy_status_and_progress():
    view = upgrade_view({"duration": 100}, 0, 10, POLICY, "web")
    body = rolling_upgrade_body(view, 0, POLICY, "westeurope")
    assert body["properties"]["runningStatus"] == {"code": "RollingForward", "startTime": "1970-01-01T00:00:00.000Z",
                                                   "lastAction": "Start", "lastActionTime": "1970-01-01T00:00:00.000Z"}
    assert "error" not in body["properties"] and body["location"] == "westeurope"


STAGES = [{"name": "canary", "groups": ["c"], "after_stage_wait_seconds": 5},
          {"name": "prod", "groups": ["p1", "p2"], "after_stage_wait_seconds": None}]
MEMBERS = {"c": [{"name": "c1", "cluster_resource_id": "/c1"}],
           "p1": [{"name": "a", "cluster_resource_id": "/a"}, {"name": "b", "cluster_resource_id": "/b"}],
           "p2": [{"name": "d", "cluster_resource_id": "/d"}]}


def _status(plan, rc, stop=None):
    return run_status(plan, rc, lambda t: "T%g" % t, "run", stop)


def test_stages_run_in_sequence_groups_in_parallel_members_in_sequence():
    plan = schedule(STAGES, MEMBERS, SIM)
    assert plan["end"] == 35  # canary 0-10, wait 10-15, prod: p1 a 15-25 b 25-35, p2 d 15-25
    status = _status(plan, 20)
    prod = status["stages"][1]
    assert status["stages"][0]["status"] == {"startTime": "T0", "completedTime": "T15", "state": "Completed"}
    assert status["stages"][0]["afterStageWaitStatus"]["status"]["state"] == "Completed"
    assert [m["status"]["state"] for g in prod["groups"] for m in g["members"]] == ["Running", "NotStarted", "Running"]
    assert _status(plan, 35)["status"] == {"startTime": "T0", "completedTime": "T35", "state": "Completed"}


def test_a_failed_member_fails_group_stage_and_run_with_errors():
    sim = dict(SIM, members={"d": {"fail_after": 2, "error": {"code": "Boom", "message": "d broke"}}})
    plan = schedule(STAGES, MEMBERS, sim)
    status = _status(plan, 40)
    prod = status["stages"][1]
    assert status["status"]["state"] == "Failed" and status["status"]["error"]["code"] == "UpdateRunFailed"
    assert prod["status"]["state"] == "Failed" and prod["status"]["error"]
    assert prod["groups"][1]["status"]["error"]["code"] == "UpdateGroupFailed"
    assert prod["groups"][1]["members"][0]["status"]["error"] == {"code": "Boom", "message": "d broke"}
    assert prod["groups"][0]["status"]["state"] == "Completed"


def test_skips_end_entities_early():
    plan = schedule(STAGES, MEMBERS, SIM, {("AfterStageWait", "canary"): 11, ("Member", "b"): 0})
    status = _status(plan, 30)
    assert status["stages"][0]["afterStageWaitStatus"]["status"]["state"] == "Skipped"
    assert status["stages"][1]["groups"][0]["members"][1]["status"] == {"state": "Skipped"}
    assert status["status"]["state"] == "Completed" and plan["end"] == 21


def test_stop_marks_running_entities_stopping_then_stopped():
    plan = schedule(STAGES, MEMBERS, SIM)
    assert run_state(plan, 5, "Stopping") == "Stopping"
    status = _status(plan, 5, "Stopped")
    assert status["status"]["state"] == "Stopped" and status["stages"][1]["status"]["state"] == "NotStarted"
    assert run_state(plan, None) == "NotStarted"


def test_run_without_strategy_has_one_default_stage_and_group():
    plan = schedule(implicit_stages(), {"default": MEMBERS["p1"]}, SIM)
    status = _status(plan, 12)
    assert [s["name"] for s in status["stages"]] == ["default"]
    assert [g["name"] for g in status["stages"][0]["groups"]] == ["default"]
    assert "afterStageWaitStatus" not in status["stages"][0]
