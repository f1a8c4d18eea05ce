# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Approval gates in the emulator: created when a run reaches them, Pending until approved (by PATCH or through the inspection
API, as a person in the portal), the run held meanwhile; versions without gates show Pending without details."""

import pytest

from emulator_helpers import SUBSCRIPTION, bearer, run_url, small_scenario

GATED = "2026-06-01"


def gated_scenario(**simulate):
    scenario = small_scenario(time_scale=0)
    fleet = scenario["subscriptions"][0]["resource_groups"][0]["fleets"][0]
    fleet["simulate"] = dict({"member_seconds": 1}, **simulate)
    fleet["update_runs"] = [{"name": "run-g", "start": 0, "by": "polls", "stages": [
        {"name": "canary", "groups": [{"name": "canary", "before_gates": ["canary go"]}], "after_gates": ["Smoke tests passed"]},
        {"name": "production", "groups": ["prod"]}]}]
    return scenario


def gates_url(emu, name="", api=GATED):
    return "%s/subscriptions/%s/resourceGroups/rg-demo/providers/Microsoft.ContainerService/fleets/fleet-demo/gates%s?api-version=%s" % (
        emu.base_url, SUBSCRIPTION, "/" + name if name else "", api)


def status(emu, token, api=GATED):
    return emu.session.get(run_url(emu, "run-g", api=api), headers=bearer(token)).json()["properties"]["status"]


def approve(emu, token, gate, etag=None):
    headers = dict(bearer(token), **({"If-Match": etag} if etag else {}))
    return emu.session.patch(gates_url(emu, gate["name"]), headers=headers, json={"properties": {"state": "Completed"}})


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(gated_scenario())


def test_a_run_waits_at_each_gate_until_it_is_approved(emu):
    token = emu.token()
    first = status(emu, token)
    group = first["stages"][0]["groups"][0]
    assert (first["status"]["state"], first["stages"][0]["status"]["state"], group["status"]["state"]) == ("Pending", "Pending", "Pending")
    assert group["beforeGates"][0]["status"]["state"] == "Pending" and group["beforeGates"][0]["gateId"].endswith(
        emu.session.get(gates_url(emu), headers=bearer(token)).json()["value"][0]["name"])
    assert first["stages"][0]["afterGates"] == [{"displayName": "Smoke tests passed", "status": {"state": "NotStarted"}}]
    for _poll in range(3):
        assert status(emu, token)["status"]["state"] == "Pending"  # polls alone never move a run past a gate
    gate = emu.session.get(gates_url(emu), headers=bearer(token)).json()["value"][0]
    assert (gate["properties"]["state"], gate["properties"]["target"]["updateRunProperties"]) == (
        "Pending", {"name": "run-g", "stage": "canary", "group": "canary", "timing": "Before"})
    answer = approve(emu, token, gate, gate["eTag"])
    assert answer.status_code == 202 and answer.headers["Location"] and answer.headers["Retry-After"] == "1"
    states = [status(emu, token) for _poll in range(3)]
    assert states[0]["stages"][0]["groups"][0]["beforeGates"][0]["status"]["state"] == "Completed"
    assert states[-1]["status"]["state"] == "Pending" and states[-1]["stages"][0]["afterGates"][0]["status"]["state"] == "Pending"
    after = [g for g in emu.session.get(gates_url(emu), headers=bearer(token)).json()["value"] if g["properties"]["state"] == "Pending"]
    assert [g["properties"]["displayName"] for g in after] == ["Smoke tests passed"]
    assert emu.approve_gate(after[0]["name"])["properties"]["state"] == "Completed"
    assert [g["properties"]["state"] for g in emu.gates()] == ["Completed", "Completed"]
    final = [status(emu, token)["status"]["state"] for _poll in range(6)]
    assert final[-1] == "Completed" and "Pending" not in final


def test_an_approval_with_a_stale_etag_is_refused_and_changes_nothing(emu):
    token = emu.token()
    status(emu, token)
    gate = emu.session.get(gates_url(emu), headers=bearer(token)).json()["value"][0]
    assert approve(emu, token, gate, '"stale"').status_code == 412
    assert status(emu, token)["status"]["state"] == "Pending"


def test_a_version_without_gates_shows_pending_without_gate_details_and_has_no_gates_route(emu):
    token = emu.token()
    old = status(emu, token, api="2025-03-01")
    assert old["status"]["state"] == "Pending" and "beforeGates" not in old["stages"][0]["groups"][0]
    assert emu.session.get(gates_url(emu, api="2025-03-01"), headers=bearer(token)).json()["error"]["code"] == "NoRegisteredProviderFound"


def test_a_synchronous_approval_answers_200_with_the_completed_gate(emulator_factory):
    emu = emulator_factory(gated_scenario(gate_approval="sync"))
    token = emu.token()
    status(emu, token)
    gate = emu.session.get(gates_url(emu), headers=bearer(token)).json()["value"][0]
    answer = approve(emu, token, gate)
    assert answer.status_code == 200 and answer.json()["properties"]["state"] == "Completed"
    assert answer.headers["ETag"] == answer.json()["eTag"] != gate["eTag"]


def test_a_gate_name_that_is_not_a_guid_or_unknown_is_refused(emu):
    token = emu.token()
    assert emu.session.get(gates_url(emu, "not-a-guid"), headers=bearer(token)).status_code == 400
    assert emu.session.get(gates_url(emu, "00000000-0000-0000-0000-000000000000"), headers=bearer(token)).status_code == 404
