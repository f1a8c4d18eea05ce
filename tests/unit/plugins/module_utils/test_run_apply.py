# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet_update_run's writes with a scripted session and a fake clock: the ETag headers, the order of the writes,
check mode, and what a failure keeps (no sockets, no sleeping)."""

import copy
import json

import pytest

import reference
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._run_apply import ensure
from ansible_collections.upgradegate.azure.plugins.module_utils._run_plan import PlanError
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import RUN_OPTIONS

from test_arm import BASE, Clock, Session, client, response

SUB = "00000000-0000-0000-0000-000000000000"
OP = BASE + "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ContainerService/locations/eastus/operations/op-1" % SUB
NOT_FOUND = {"error": {"code": "ResourceNotFound", "message": "The Resource 'Microsoft.ContainerService/fleets/updateRuns/run1' "
                                                              "under resource group 'rg1' was not found."}}


def params(**given):
    base = {name: option.get("default") for name, option in RUN_OPTIONS.items()}
    base.update(resource_group="rg1", fleet_name="fleet1", name="run1")
    base.update(given)
    return base


def created():
    return copy.deepcopy(reference.example("fleet_2026-06-01/UpdateRuns_CreateOrUpdate.json")["responses"]["201"]["body"])


def not_started():
    body = created()
    body["properties"]["status"]["status"] = {"state": "NotStarted"}
    return body


def running():
    return copy.deepcopy(reference.example("fleet_2026-06-01/UpdateRuns_Start.json")["responses"]["200"]["body"])


def calls(session):
    return [(call["method"], call["url"].split("/updateRuns/")[-1].split("?")[0] if "/updateRuns/" in call["url"] else "operation",
             {key: value for key, value in call["headers"].items() if key.startswith("If-")}) for call in session.calls]


DEFINITION = dict(upgrade_type="Full", kubernetes_version="1.26.1")


def test_a_create_sends_if_none_match_follows_the_operation_then_starts_and_reads_once_more():
    session = Session(response(404, NOT_FOUND), response(201, not_started(), {"Azure-AsyncOperation": OP, "Retry-After": "0"}),
                      response(200, {"status": "Succeeded", "name": "op-1"}), response(202, None, {"Location": OP}, text=""),
                      response(200, None, text=""), response(200, running()))
    clock = Clock()
    result = ensure(client(session, clock=clock), SUB, params(state="started", **DEFINITION), clock=clock, sleep=clock.sleep)
    assert result["actions"] == ["create", "start"] and result["changed"] and result["update_run"]["state"] == "running"
    assert calls(session) == [("GET", "run1", {}), ("PUT", "run1", {"If-None-Match": "*"}), ("GET", "operation", {}),
                              ("POST", "run1/start", {}), ("GET", "operation", {}), ("GET", "run1", {})]
    put = json.loads(session.calls[1]["data"])
    assert put == {"properties": {"managedClusterUpdate": {"upgrade": {"type": "Full", "kubernetesVersion": "1.26.1"},
                                                           "nodeImageSelection": {"type": "Latest"}}}}


def test_a_replace_sends_if_match_with_the_etag_read():
    session = Session(response(200, not_started()), response(200, not_started()), response(200, not_started()))
    clock = Clock()
    result = ensure(client(session, clock=clock), SUB, params(upgrade_type="Full", kubernetes_version="1.27.0"), clock=clock,
                    sleep=clock.sleep)
    assert result["actions"] == ["replace"]
    assert calls(session)[1] == ("PUT", "run1", {"If-Match": '"EtagValue"'})


def test_check_mode_reads_once_and_reports_the_writes_it_would_make():
    session = Session(response(404, NOT_FOUND))
    clock = Clock()
    result = ensure(client(session, clock=clock), SUB, params(state="started", skip=[{"type": "Member", "name": "m1"}], **DEFINITION),
                    check_mode=True, diff=True, clock=clock, sleep=clock.sleep)
    assert result["actions"] == ["create", "skip", "start"] and result["update_run"] is None
    assert [call["method"] for call in session.calls] == ["GET"]
    assert result["diff"]["before"] == {"state": "absent", "upgrade_type": None, "kubernetes_version": None, "skipped": []}
    assert result["diff"]["after"] == {"state": "running", "upgrade_type": "Full", "kubernetes_version": "1.26.1", "skipped": ["Member m1"]}


def test_a_failed_operation_keeps_the_run_as_read_and_says_what_failed():
    failed = {"status": "Failed", "name": "op-1", "error": {"code": "MemberUpgradeBlocked", "message": "blocked by a PDB"}}
    session = Session(response(200, not_started()), response(202, None, {"Azure-AsyncOperation": OP, "Retry-After": "0"}, text=""),
                      response(200, failed))
    clock = Clock()
    with pytest.raises(ArmError) as caught:
        ensure(client(session, clock=clock), SUB, params(state="started"), clock=clock, sleep=clock.sleep)
    assert caught.value.code == "MemberUpgradeBlocked" and "blocked by a PDB" in str(caught.value)
    assert str(caught.value).startswith("start update run 'run1' of fleet 'fleet1'")
    assert caught.value.partial["state"] == "not_started"


@pytest.mark.parametrize("status, code, words", [
    (403, "AuthorizationFailed", "Microsoft.ContainerService/fleets/updateRuns/stop/action"),
    (409, "OperationNotAllowed", "another operation in progress (OperationNotAllowed: Another operation is in progress)"),
])
def test_a_refused_write_names_the_permission_or_the_conflict(status, code, words):
    session = Session(response(200, running()), response(status, {"error": {"code": code, "message": "Another operation is in progress"}}))
    clock = Clock()
    with pytest.raises(ArmError) as caught:
        ensure(client(session, clock=clock), SUB, params(state="stopped"), clock=clock, sleep=clock.sleep)
    assert words in str(caught.value) and caught.value.partial["state"] == "running"


def test_a_plan_error_carries_the_run_as_read():
    session = Session(response(200, running()))
    clock = Clock()
    with pytest.raises(PlanError) as caught:
        ensure(client(session, clock=clock), SUB, params(upgrade_type="Full", kubernetes_version="1.30.0"), clock=clock, sleep=clock.sleep)
    assert caught.value.facts["state"] == "running" and "kubernetes_version" in str(caught.value)
    assert len(session.calls) == 1


def test_a_delete_of_a_run_already_gone_is_no_change_and_a_404_on_delete_is_not_an_error():
    assert ensure(client(Session(response(404, NOT_FOUND))), SUB, params(state="absent"))["changed"] is False
    session = Session(response(200, running()), response(404, NOT_FOUND))
    result = ensure(client(session), SUB, params(state="absent"))
    assert result["actions"] == ["delete"] and result["update_run"] is None
