# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Following long-running operations: a scripted session and a fake clock (no sockets, no sleeping)."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._arm import ArmResponse
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._lro import follow

from test_arm import BASE, Clock, Session, client, response

OP = BASE + "/subscriptions/s/providers/Microsoft.ContainerService/locations/westus/operations/op-1?api-version=2026-06-01"


def started(status=202, headers=None, body=None):
    """The first answer to a write, as the client hands it to follow()."""
    made = response(status, body, headers, text="" if body is None else None)
    return ArmResponse(made.status_code, body, made.headers)


def test_a_write_that_already_ended_is_returned_without_a_request():
    session = Session()
    first = started(200, body={"name": "run-1"})
    assert follow(client(session), first, "PUT run-1", deadline=1e9) is first
    assert session.calls == []


def test_an_async_operation_is_polled_after_each_retry_after_until_it_succeeds():
    clock = Clock()
    session = Session(response(200, {"status": "InProgress"}, {"Retry-After": "2"}),
                      response(200, {"status": "Succeeded"}))
    first = started(headers={"Azure-AsyncOperation": OP, "Retry-After": "3"})
    answer = follow(client(session, clock=clock), first, "POST start", deadline=1e9, clock=clock, sleep=clock.sleep)
    assert answer.body == {"status": "Succeeded"}
    assert [c["url"] for c in session.calls] == [OP, OP] and clock.slept == [3.0, 2.0]


def test_a_failed_operation_raises_with_azures_code_and_message():
    clock = Clock()
    session = Session(response(200, {"status": "Failed", "name": "op-1",
                                     "error": {"code": "UpgradeFailed", "message": "drain timed out"}}))
    with pytest.raises(ArmError) as caught:
        follow(client(session, clock=clock), started(headers={"Azure-AsyncOperation": OP}), "POST start", 1e9,
               clock=clock, sleep=clock.sleep)
    assert caught.value.code == "UpgradeFailed" and "POST start ended Failed: UpgradeFailed: drain timed out" in str(caught.value)


def test_a_location_monitor_is_polled_while_it_answers_202():
    clock = Clock()
    session = Session(response(202, text="", headers={"Location": OP, "Retry-After": "1"}), response(204, text=""))
    answer = follow(client(session, clock=clock), started(headers={"Location": OP, "Retry-After": "1"}), "DELETE run-1",
                    1e9, clock=clock, sleep=clock.sleep)
    assert answer.status == 204 and len(session.calls) == 2


def test_an_operation_still_running_at_the_deadline_times_out_without_sleeping_past_it():
    clock = Clock()
    session = Session(response(200, {"status": "InProgress"}, {"Retry-After": "10"}))
    with pytest.raises(ArmError) as caught:
        follow(client(session, clock=clock), started(headers={"Azure-AsyncOperation": OP, "Retry-After": "10"}), "POST start",
               deadline=clock.now + 15, clock=clock, sleep=clock.sleep)
    assert caught.value.kind == "timeout" and "(1 poll of its operation)" in str(caught.value)
    assert sum(clock.slept) <= 15


def test_a_monitor_on_another_host_is_refused_without_a_request():
    session = Session()
    with pytest.raises(ArmError) as caught:
        follow(client(session), started(headers={"Azure-AsyncOperation": "https://evil.example/op"}), "POST start", 1e9)
    assert caught.value.kind == "protocol" and session.calls == []
