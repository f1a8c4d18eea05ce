# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet's ``writes`` knob: update-run writes answered at once or through long-running operations that end
Succeeded or Failed after a number of polls, and Azure's 409 while an operation runs."""

import pytest

from emulator_helpers import bearer, run_url, small_scenario
from upgradegate_emulator.scenario import ScenarioError, normalise

API = "2026-06-01"


def with_writes(writes):
    scenario = small_scenario(time_scale=0)
    scenario["subscriptions"][0]["resource_groups"][0]["fleets"][0]["writes"] = writes
    return scenario


def _state(emu, token, run):
    body = emu.session.get(run_url(emu, run, api=API), headers=bearer(token)).json()
    return body["properties"]["status"]["status"]["state"]


def test_an_async_start_hands_out_an_operation_that_ends_after_its_polls_and_blocks_other_writes(emulator_factory):
    emu = emulator_factory(with_writes({"start": {"mode": "async", "polls": 2, "retry_after": 3}}))
    token = emu.token()
    started = emu.session.post(run_url(emu, "run-2", "/start", api=API), headers=bearer(token))
    assert started.status_code == 202 and started.content == b"" and started.headers["Retry-After"] == "3"
    status_url, monitor_url = started.headers["Azure-AsyncOperation"], started.headers["Location"]
    assert _state(emu, token, "run-2") == "Running"
    blocked = emu.session.post(run_url(emu, "run-2", "/stop", api=API), headers=bearer(token))
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "OperationNotAllowed"
    polls = [emu.session.get(status_url, headers=bearer(token)) for _poll in range(2)]
    assert [p.json()["status"] for p in polls] == ["InProgress", "InProgress"] and polls[0].headers["Retry-After"] == "3"
    assert emu.session.get(monitor_url, headers=bearer(token)).status_code == 200
    assert emu.session.post(run_url(emu, "run-2", "/stop", api=API), headers=bearer(token)).status_code == 200


def test_a_failing_operation_leaves_the_run_as_it_was_and_reports_its_error(emulator_factory):
    error = {"code": "MemberUpgradeBlocked", "message": "blocked"}
    emu = emulator_factory(with_writes({"start": {"mode": "location", "polls": 0, "status": "Failed", "error": error}}))
    token = emu.token()
    started = emu.session.post(run_url(emu, "run-2", "/start", api=API), headers=bearer(token))
    assert started.status_code == 202 and "Azure-AsyncOperation" not in started.headers
    final = emu.session.get(started.headers["Location"], headers=bearer(token))
    assert final.status_code == 400 and final.json()["error"] == error
    assert _state(emu, token, "run-2") == "NotStarted"


def test_a_sync_write_that_fails_is_refused_with_its_status(emulator_factory):
    emu = emulator_factory(with_writes({"default": {"status": "Failed", "http_status": 409}}))
    token = emu.token()
    refused = emu.session.post(run_url(emu, "run-1", "/stop", api=API), headers=bearer(token))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "UpdateRunOperationFailed"


def test_an_async_put_answers_201_with_the_run_and_its_operation_and_echoes_the_strategy(emulator_factory):
    emu = emulator_factory(with_writes({"put": {"mode": "async", "polls": 0}}))
    token = emu.token()
    strategy = {"stages": [{"name": "canary", "groups": [{"name": "canary", "maxConcurrency": "1"}],
                            "afterGates": [{"displayName": "ok?", "type": "Approval"}]}]}
    body = {"properties": {"strategy": strategy, "managedClusterUpdate": {"upgrade": {"type": "NodeImageOnly"}}}}
    created = emu.session.put(run_url(emu, "run-new", api=API), headers=bearer(token), json=body)
    assert created.status_code == 201 and created.headers["Azure-AsyncOperation"] and "Location" not in created.headers
    assert created.json()["properties"]["strategy"] == strategy


@pytest.mark.parametrize("writes, words", [
    ({"begin": {}}, "unknown verb 'begin'"),
    ({"start": {"mode": "later"}}, "mode: 'later' is not one of"),
    ({"start": {"status": "Done"}}, "status: 'Done' is not one of"),
    ({"start": {"wait": 1}}, "unknown key(s) wait"),
])
def test_bad_writes_knobs_are_refused_naming_the_place(writes, words):
    with pytest.raises(ScenarioError) as caught:
        normalise(with_writes(writes))
    assert words in str(caught.value) and "writes" in str(caught.value)
