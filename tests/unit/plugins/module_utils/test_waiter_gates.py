# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wait loop at approval gates, on a fake clock: pending as a target state, gate_timeout, stalls, history, and naming the gates
from the fleet's gates when the run's version has no gate details (read once per change)."""

from test_waiter import Clock, member, steps, target, wait

from ansible_collections.upgradegate.azure.plugins.module_utils._gate_lookup import GateLookup
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import DONE, FAILED, Rules

SMOKE = {"name": "11111111-2222-4333-8444-555555555555", "id": "/x/gates/11111111-2222-4333-8444-555555555555",
         "display_name": "Smoke tests passed", "gate_type": "Approval", "path": "canary", "timing": "after"}
WINDOW = {"name": "99999999-2222-4333-8444-555555555555", "id": "/x/gates/99999999-2222-4333-8444-555555555555",
          "display_name": "Change window", "gate_type": "Approval", "path": "prod/prod", "timing": "before"}


def run(state, canary, prod, gates=(), completed=0):
    members = [member("c1", "completed" if canary in ("completed", "pending") else "running"),
               member("p1", "completed" if prod == "completed" else "not_started")]
    return {"name": "run-1", "state": state, "is_terminal": state in ("completed", "failed"), "errors": [],
            "progress": {"completed": completed}, "pending_gates": list(gates),
            "stages": [{"name": "canary", "state": canary, "groups": [{"name": "canary", "state": canary, "members": members[:1]}]},
                       {"name": "prod", "state": prod, "groups": [{"name": "prod", "state": prod, "members": members[1:]}]}]}


AT_SMOKE = run("pending", "pending", "not_started", [SMOKE], 1)
AT_WINDOW = run("pending", "completed", "pending", [WINDOW], 1)
RUNNING = run("running", "running", "not_started")
DONE_RUN = run("completed", "completed", "completed", completed=2)


def test_pending_opens_as_soon_as_the_stage_reaches_its_gate_and_names_it():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, RUNNING), (10, AT_SMOKE)), kind="fleet", stage="canary")], Rules(["pending"]))
    tracked = waiter.tracked[0]
    assert (tracked.verdict, clock.now, tracked.observation.gates) == (DONE, 10.0, [SMOKE])


def test_pending_opens_on_a_gate_of_the_scope_even_when_azure_calls_the_stage_running():
    clock = Clock()
    held = run("pending", "running", "not_started", [SMOKE])
    waiter = wait(clock, [target(clock, steps((0, held)), kind="fleet", stage="canary")], Rules(["pending"]))
    assert waiter.tracked[0].verdict == DONE


def test_a_gate_of_another_stage_does_not_open_a_stage_target():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, AT_WINDOW)), kind="fleet", stage="canary")], Rules(["pending"]), timeout=20)
    # canary completed: it never reaches pending, and the run still moves.
    assert waiter.tracked[0].observation.gates == [] and waiter.tracked[0].verdict == FAILED


def test_a_run_at_a_gate_keeps_waiting_and_goes_on_once_someone_approves_it():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, AT_SMOKE), (30, RUNNING), (40, DONE_RUN)), kind="fleet")], timeout=600)
    assert (waiter.tracked[0].verdict, clock.now) == (DONE, 40.0)
    assert [(entry["state"], [g["display_name"] for g in entry["pending_gates"]]) for entry in waiter.history] == [
        ("pending", ["Smoke tests passed"]), ("running", []), ("completed", [])]


def test_gate_timeout_counts_from_the_first_sight_of_the_same_gates():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, RUNNING), (10, AT_SMOKE), (30, AT_WINDOW)), kind="fleet")],
                  Rules(["completed"], gate_timeout=25), timeout=600)
    # At SMOKE from 10 to 30 (20 s), then at WINDOW from 30: gate_pending at 55, not at 35.
    assert (waiter.tracked[0].reason, clock.now) == ("gate_pending", 55.0)
    assert waiter.tracked[0].observation.gates == [WINDOW]


def test_time_at_a_gate_is_not_a_stall():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, AT_SMOKE), (100, RUNNING)), kind="fleet")], Rules(["completed"], stall_timeout=30),
                  timeout=600)
    # 100 s at the gate did not stall; nothing changes after 100, so the stall comes 30 s later.
    assert (waiter.tracked[0].reason, clock.now) == ("stalled", 130.0)


def test_a_timeout_at_a_gate_keeps_the_gate_for_the_message():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, AT_SMOKE)), kind="fleet")], timeout=20)
    assert waiter.tracked[0].reason == "timeout" and waiter.tracked[0].observation.gates == [SMOKE]


class FakeClient:
    """Answers the fleet's gates list as Azure would; counts the lists."""

    def __init__(self, bodies):
        self.bodies, self.lists = bodies, 0

    def list(self, path, api_version, deadline=None):
        assert path.endswith("/fleets/fleet-1/gates") and api_version == "2026-06-01"
        self.lists += 1
        return self.bodies


def gate_body(name, run_name, state, stage="canary", timing="After"):
    return {"id": "/x/gates/" + name, "name": name, "properties": {
        "displayName": "Smoke tests passed", "gateType": "Approval", "state": state,
        "target": {"id": "/x/updateRuns/" + run_name, "updateRunProperties": {"name": run_name, "stage": stage, "timing": timing}}}}


def test_a_version_without_gates_names_the_gate_from_the_fleet_reading_once_per_change():
    client = FakeClient([gate_body(SMOKE["name"], "run-1", "Pending"), gate_body("other", "run-2", "Pending"),
                         gate_body("old", "run-1", "Completed")])
    lookup = GateLookup(client, "sub", "rg", "fleet-1", "run-1")
    held = run("pending", "pending", "not_started", [], 1)
    first = lookup.complete(held)
    assert first["pending_gates"] == [dict(SMOKE, id="/x/gates/" + SMOKE["name"])]
    assert held["pending_gates"] == []  # the input is not modified
    for _poll in range(5):
        assert lookup.complete(held)["pending_gates"] == first["pending_gates"]
    assert client.lists == 1
    moved = run("pending", "completed", "pending", [], 1)
    lookup.complete(moved)
    assert client.lists == 2
    assert lookup.complete(RUNNING) is RUNNING and client.lists == 2  # not held: nothing to explain, nothing read


def test_a_failed_gates_read_keeps_the_facts_and_tries_again_at_the_next_poll():
    class Failing(FakeClient):
        def list(self, path, api_version, deadline=None):
            from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
            self.lists += 1
            raise ArmError("denied", status=403)
    client = Failing([])
    lookup = GateLookup(client, "sub", "rg", "fleet-1", "run-1")
    held = run("pending", "pending", "not_started", [], 1)
    assert lookup.complete(held) is held and lookup.complete(held) is held and client.lists == 2
