# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""State changes: rolling upgrade start / cancel / start again, update run start / stop / resume / skip,
create and delete, with the emulated clock instead of sleeping."""

import pytest

from emulator_helpers import bearer, load_example, run_url, small_scenario, update_run_validator, vmss_url


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(small_scenario(time_scale=0))


def _latest(emu, token, name="vmss-web"):
    return emu.session.get(vmss_url(emu, name, "/rollingUpgrades/latest"), headers=bearer(token)).json()["properties"]


def _run(emu, token, name):
    return emu.session.get(run_url(emu, name), headers=bearer(token)).json()["properties"]["status"]


def _post(emu, token, url, body=None):
    return emu.session.post(url, headers=bearer(token), json=body)


def test_rolling_upgrade_start_cancel_start(emu):
    token = emu.token()
    assert _post(emu, token, vmss_url(emu, "vmss-web", "/osRollingUpgrade")).status_code == 409  # one is running
    emu.advance(30)
    cancel = _post(emu, token, vmss_url(emu, "vmss-web", "/rollingUpgrades/cancel"))
    assert cancel.status_code == 202 and cancel.headers["Location"] and cancel.headers["Azure-AsyncOperation"]
    status = _latest(emu, token)
    assert status["runningStatus"]["code"] == "Cancelled" and status["runningStatus"]["lastAction"] == "Cancel"
    assert status["runningStatus"]["lastActionTime"] > status["runningStatus"]["startTime"]
    assert status["progress"]["inProgressInstanceCount"] == 0
    assert _post(emu, token, vmss_url(emu, "vmss-web", "/rollingUpgrades/cancel")).json()["error"]["code"] == "OperationNotAllowed"

    emu.advance(5)
    start = _post(emu, token, vmss_url(emu, "vmss-web", "/osRollingUpgrade"))
    assert start.status_code == 202
    status = _latest(emu, token)
    assert status["runningStatus"]["code"] == "RollingForward" and status["runningStatus"]["lastAction"] == "Start"
    operation = emu.session.get(start.headers["Azure-AsyncOperation"], headers=bearer(token)).json()
    assert operation["status"] == "InProgress"
    assert emu.session.get(start.headers["Location"], headers=bearer(token)).status_code == 202
    emu.advance(31)
    assert _latest(emu, token)["runningStatus"]["code"] == "Completed"
    assert emu.session.get(start.headers["Azure-AsyncOperation"], headers=bearer(token)).json()["status"] == "Succeeded"
    assert emu.session.get(start.headers["Location"], headers=bearer(token)).status_code == 200


def test_scale_set_without_upgrade_can_start_one(emu):
    token = emu.token()
    assert emu.session.get(vmss_url(emu, "vmss-idle", "/rollingUpgrades/latest"), headers=bearer(token)).status_code == 404
    assert _post(emu, token, vmss_url(emu, "vmss-idle", "/extensionRollingUpgrade")).status_code == 202
    assert _latest(emu, token, "vmss-idle")["runningStatus"]["code"] == "RollingForward"


def test_poll_driven_timeline_advances_per_request(emulator_factory):
    scenario = small_scenario(time_scale=0)
    scenario["subscriptions"][0]["resource_groups"][0]["scale_sets"].append(
        {"name": "vmss-polls", "rolling_upgrade": {"by": "polls", "duration": 3, "outcome": "Faulted"}})
    emu = emulator_factory(scenario)
    token = emu.token()
    codes = [_latest(emu, token, "vmss-polls")["runningStatus"]["code"] for _attempt in range(5)]
    assert codes == ["RollingForward"] * 3 + ["Faulted"] * 2


def test_update_run_start_stop_resume_complete(emu):
    token = emu.token()
    assert _run(emu, token, "run-2")["status"] == {"state": "NotStarted"}
    assert _post(emu, token, run_url(emu, "run-2", "/stop")).status_code == 409
    started = _post(emu, token, run_url(emu, "run-2", "/start"))
    assert started.status_code == 200 and started.headers["ETag"] == started.json()["eTag"]
    assert started.json()["properties"]["status"]["status"]["state"] == "Running"
    assert _post(emu, token, run_url(emu, "run-2", "/start")).status_code == 409
    emu.advance(5)
    stopped = _post(emu, token, run_url(emu, "run-2", "/stop")).json()["properties"]["status"]
    assert stopped["status"]["state"] == "Stopping" and stopped["stages"][0]["groups"][0]["members"][0]["status"]["state"] == "Stopping"
    emu.advance(100)
    status = _run(emu, token, "run-2")
    assert status["status"]["state"] == "Stopped" and status["stages"][1]["status"]["state"] == "NotStarted"
    _post(emu, token, run_url(emu, "run-2", "/start"))
    emu.advance(30)  # 5 s done before the stop; canary 10 s + wait 10 s + 2 prod members x 10 s = 40 s in all
    assert _run(emu, token, "run-2")["status"]["state"] == "Running"
    emu.advance(6)
    status = _run(emu, token, "run-2")
    assert status["status"]["state"] == "Completed"
    assert status["status"]["completedTime"] > status["status"]["startTime"]


def test_skip_targets_change_the_run(emu):
    token = emu.token()
    emu.advance(12)  # in canary's after-stage wait
    skipped = _post(emu, token, run_url(emu, "run-1", "/skip"), {"targets": [{"type": "AfterStageWait", "name": "canary"},
                                                                             {"type": "Member", "name": "prod-2"}]})
    assert skipped.status_code == 200
    status = skipped.json()["properties"]["status"]
    assert status["stages"][0]["afterStageWaitStatus"]["status"]["state"] == "Skipped"
    assert status["stages"][1]["groups"][0]["members"][0]["status"]["state"] == "Running"
    emu.advance(10)
    status = _run(emu, token, "run-1")
    assert status["status"]["state"] == "Completed"
    assert [m["status"]["state"] for m in status["stages"][1]["groups"][0]["members"]] == ["Completed", "Skipped"]
    bad = _post(emu, token, run_url(emu, "run-1", "/skip"), {"targets": [{"type": "Member", "name": "ghost"}]})
    assert bad.status_code == 400


def test_if_match_protects_actions(emu):
    token = emu.token()
    resp = emu.session.post(run_url(emu, "run-2", "/start"), headers=dict(bearer(token), **{"If-Match": '"stale"'}))
    assert resp.status_code == 412 and resp.json()["error"]["code"] == "PreconditionFailed"


def test_create_update_and_delete_an_update_run(emu):
    token = emu.token()
    resource = load_example("fleet_2025-03-01/UpdateRuns_CreateOrUpdate.json")["parameters"]["resource"]
    resource["properties"]["strategy"]["stages"][0]["groups"][0]["name"] = "prod"
    created = emu.session.put(run_url(emu, "run-new"), headers=bearer(token), json=resource)
    assert created.status_code == 201
    body = created.json()
    assert list(update_run_validator().iter_errors(body)) == []
    assert body["properties"]["status"]["stages"][0]["groups"][0]["members"][1]["name"] == "prod-2"
    assert emu.session.put(run_url(emu, "run-new"), headers=bearer(token), json=resource).status_code == 200
    names = [r["name"] for r in emu.session.get(run_url(emu, "").replace("/updateRuns/?", "/updateRuns?"), headers=bearer(token)).json()["value"]]
    assert names == ["run-1", "run-2", "run-new"]
    assert emu.session.put(run_url(emu, "run-1"), headers=bearer(token), json=resource).status_code == 409
    deleted = emu.session.delete(run_url(emu, "run-new"), headers=bearer(token))
    assert deleted.status_code == 202 and deleted.headers["Location"] and deleted.headers["Azure-AsyncOperation"]
    assert emu.session.delete(run_url(emu, "run-new"), headers=bearer(token)).status_code == 204
    assert emu.session.get(run_url(emu, "run-new"), headers=bearer(token)).status_code == 404


def test_run_created_without_strategy_has_a_default_stage_and_group(emu):
    token = emu.token()
    resource = {"properties": {"managedClusterUpdate": {"upgrade": {"type": "NodeImageOnly"}, "nodeImageSelection": {"type": "Latest"}}}}
    body = emu.session.put(run_url(emu, "run-plain"), headers=bearer(token), json=resource).json()
    stages = body["properties"]["status"]["stages"]
    assert [(s["name"], [g["name"] for g in s["groups"]]) for s in stages] == [("default", ["default"])]
    assert len(stages[0]["groups"][0]["members"]) == 3 and "strategy" not in body["properties"]
    missing = {"properties": {}}
    assert emu.session.put(run_url(emu, "run-bad"), headers=bearer(token), json=missing).status_code == 400
