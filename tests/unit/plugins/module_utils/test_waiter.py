# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gate's wait loop on a fake clock: timelines are functions of fake time, nothing sleeps."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import DONE, FAILED, PENDING, Rules, Waiter, judge, observe


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def wall(self):
        return 1_800_000_000.0 + self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def vmss(state, successful=0, failed=0, total=10, started_at="2026-11-23T18:00:00Z", exists=True):
    return {"exists": exists, "state": state, "started_at": started_at, "error": None,
            "progress": {"successful": successful, "failed": failed, "total": total,
                         "percent_complete": round(100.0 * successful / total, 1) if total else None}}


def member(name, state):
    return {"name": name, "state": state}


def run(state, stages):
    return {"state": state, "is_terminal": state in ("completed", "failed", "stopped", "skipped"), "errors": [],
            "progress": {}, "stages": [{"name": n, "state": s, "groups": [{"name": g, "state": gs, "members": ms} for g, gs, ms in groups]}
                                       for n, s, groups in stages]}


def target(clock, timeline, kind="vmss", calls=None, **scope):
    """A target whose fetch answers timeline(now); records the fake time of every call."""
    calls = [] if calls is None else calls

    def fetch(deadline):
        calls.append(clock.now)
        answer = timeline(clock.now)
        if isinstance(answer, Exception):
            raise answer
        return answer if isinstance(answer, tuple) else (answer, None)

    return dict(kind=kind, label="%s target" % kind, fetch=fetch, **scope)


def wait(clock, targets, rules=None, timeout=60.0, interval=5.0, delay=0.0):
    return Waiter(targets, rules or Rules(["completed"]), timeout, interval, delay, clock=clock, wall=clock.wall, sleep=clock.sleep,
                  run_all=lambda fn, items: [fn(item) for item in items]).wait()


def steps(*points):
    """A timeline: [(from_time, answer), ...] -> answer of the last point whose time has come."""
    def timeline(now):
        current = points[0][1]
        for at, answer in points:
            if now >= at:
                current = answer
        return current
    return timeline


def test_a_rolling_upgrade_that_completes_after_a_few_polls_opens_the_gate():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss("rolling_forward", 2)), (10, vmss("rolling_forward", 6)), (14, vmss("completed", 10))))])
    tracked = waiter.tracked[0]
    assert (tracked.verdict, tracked.reason, waiter.polls, tracked.elapsed) == (DONE, None, 4, 15.0)
    assert [(h["state"], h["percent_complete"]) for h in waiter.history] == [("rolling_forward", 20.0), ("rolling_forward", 60.0),
                                                                             ("completed", 100.0)]
    assert waiter.history[0]["at"] == "2027-01-15T08:00:00.000000Z"


def test_a_faulted_upgrade_fails_at_once_not_at_the_timeout():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss("rolling_forward", 2)), (5, vmss("faulted", 3, failed=2))))], timeout=3600)
    tracked = waiter.tracked[0]
    assert (tracked.verdict, tracked.reason, waiter.polls, clock.now) == (FAILED, "failed_state", 2, 5.0)


def test_terminal_accepts_any_terminal_state_and_never_fails_on_one():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss("cancelled", 4))))], Rules(["terminal"]))
    assert waiter.tracked[0].verdict == DONE


def test_a_gate_that_never_opens_times_out_on_time_with_history():
    clock = Clock()
    calls = []
    waiter = wait(clock, [target(clock, steps((0, vmss("rolling_forward", 1))), calls=calls)], timeout=12.0, interval=5.0)
    tracked = waiter.tracked[0]
    assert (tracked.verdict, tracked.reason) == (FAILED, "timeout")
    assert calls == [0.0, 5.0, 10.0, 12.0] and clock.now == 12.0
    assert len(waiter.history) == 1


def test_started_after_ignores_the_previous_completed_upgrade_until_a_new_one_completes():
    clock = Clock()
    old = vmss("completed", 10, started_at="2026-11-23T17:00:00Z")
    new_running = vmss("rolling_forward", 3, started_at="2026-11-23T18:30:00.5Z")
    new_done = vmss("completed", 10, started_at="2026-11-23T18:30:00.5Z")
    waiter = wait(clock, [target(clock, steps((0, old), (10, new_running), (20, new_done)))],
                  Rules(["completed"], started_after="2026-11-23T18:30:00Z"))
    assert (waiter.tracked[0].verdict, waiter.tracked[0].elapsed) == (DONE, 20.0)
    assert [h["state"] for h in waiter.history] == [None, "rolling_forward", "completed"]


def test_started_after_treats_a_missing_upgrade_as_not_started_until_the_timeout():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss(None, exists=False, started_at=None))))],
                  Rules(["completed"], started_after="2026-11-23T18:30:00Z"), timeout=20)
    assert waiter.tracked[0].reason == "timeout"


def test_a_stage_gate_opens_while_later_stages_still_run():
    clock = Clock()
    running = run("running", [("canary", "running", [("canary", "running", [member("c1", "running")])]),
                              ("prod", "not_started", [("prod", "not_started", [member("p1", "not_started")])])])
    canary_done = run("running", [("canary", "completed", [("canary", "completed", [member("c1", "completed")])]),
                                  ("prod", "running", [("prod", "running", [member("p1", "running")])])])
    waiter = wait(clock, [target(clock, steps((0, running), (10, canary_done)), kind="fleet", stage="canary")])
    tracked = waiter.tracked[0]
    assert (tracked.verdict, tracked.observation.state, tracked.observation.percent) == (DONE, "completed", 100.0)
    assert tracked.observation.stage_facts["name"] == "canary"


def test_a_group_that_is_not_part_of_the_run_is_not_found_at_once():
    clock = Clock()
    facts = run("running", [("canary", "running", [("canary", "running", [member("c1", "running")])])])
    waiter = wait(clock, [target(clock, steps((0, facts)), kind="fleet", group="nope")])
    assert (waiter.tracked[0].reason, waiter.polls) == ("not_found", 1)
    assert "group 'nope' is not part of the run (stages: canary)" in waiter.tracked[0].observation.missing


def test_a_stopped_run_fails_with_failed_state():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, run("stopped", []))), kind="fleet")])
    assert waiter.tracked[0].reason == "failed_state"


def test_a_stall_fails_when_nothing_changes_for_stall_timeout():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss("rolling_forward", 2)), (5, vmss("rolling_forward", 4))))],
                  Rules(["completed"], stall_timeout=15), timeout=600)
    assert (waiter.tracked[0].reason, clock.now) == ("stalled", 20.0)


def test_max_failed_fails_as_soon_as_more_instances_failed():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss("rolling_forward", 2, failed=1)), (5, vmss("rolling_forward", 2, failed=2))))],
                  Rules(["completed"], max_failed=1))
    assert (waiter.tracked[0].reason, clock.now) == ("max_failed", 5.0)


def test_max_failed_closes_the_gate_while_the_target_has_progress_but_no_state_yet():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss(None, 2, failed=0)), (5, vmss(None, 2, failed=5))))],
                  Rules(["completed"], max_failed=1), timeout=600)
    assert (waiter.tracked[0].verdict, waiter.tracked[0].reason, clock.now) == ("failed", "max_failed", 5.0)


def test_min_percent_complete_opens_before_the_terminal_state():
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, vmss("rolling_forward", 2)), (5, vmss("rolling_forward", 5))))],
                  Rules(["completed"], min_percent_complete=50))
    assert (waiter.tracked[0].verdict, clock.now) == (DONE, 5.0)


def test_several_targets_are_polled_together_and_finished_ones_are_not_polled_again():
    clock = Clock()
    calls = [[], [], []]
    targets = [target(clock, steps((0, vmss("rolling_forward")), (done_at, vmss("completed", 10))), calls=calls[i])
               for i, done_at in enumerate((0, 10, 20))]
    waiter = wait(clock, targets)
    assert [t.verdict for t in waiter.tracked] == [DONE, DONE, DONE]
    assert calls == [[0.0], [0.0, 5.0, 10.0], [0.0, 5.0, 10.0, 15.0, 20.0]]
    assert waiter.polls == 5


def test_one_failing_target_stops_the_gate_at_once():
    clock = Clock()
    targets = [target(clock, steps((0, vmss("rolling_forward")))), target(clock, steps((0, vmss("rolling_forward")), (5, vmss("faulted"))))]
    waiter = wait(clock, targets, timeout=3600)
    assert [t.verdict for t in waiter.tracked] == [PENDING, FAILED] and clock.now == 5.0


def test_a_retry_after_longer_than_sleep_delays_the_next_round():
    clock = Clock()
    calls = []
    waiter = wait(clock, [target(clock, steps((0, (vmss("rolling_forward"), 12.0)), (12, vmss("completed", 10))), calls=calls)])
    assert calls == [0.0, 12.0] and waiter.tracked[0].verdict == DONE


def test_transient_errors_are_polled_through_and_a_persistent_one_ends_as_api_error():
    clock = Clock()
    flaky = ArmError("HTTP 503", kind="api", status=503)
    waiter = wait(clock, [target(clock, steps((0, flaky), (5, vmss("completed", 10))))])
    assert waiter.tracked[0].verdict == DONE
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, flaky)))], timeout=10)
    assert waiter.tracked[0].reason == "api_error"


@pytest.mark.parametrize("error, reason", [(ArmError("gone", kind="not_found", status=404), "not_found"),
                                           (ArmError("denied", kind="api", status=403), "api_error"),
                                           (ArmError("no token", kind="auth"), "api_error")])
def test_not_found_and_permanent_errors_fail_at_once(error, reason):
    clock = Clock()
    waiter = wait(clock, [target(clock, steps((0, error)))], timeout=3600)
    assert (waiter.tracked[0].reason, waiter.polls) == (reason, 1)


def test_delay_waits_before_the_first_poll():
    clock = Clock()
    calls = []
    wait(clock, [target(clock, steps((0, vmss("completed", 10))), calls=calls)], delay=7.5)
    assert calls == [7.5]


@pytest.mark.parametrize("state, wanted, verdict", [
    ("completed", ["completed"], DONE), ("rolling_forward", ["completed"], PENDING), ("faulted", ["completed"], FAILED),
    ("cancelled", ["cancelled"], DONE), ("faulted", ["terminal"], DONE), ("rolling_forward", ["rolling_forward"], DONE),
    ("some_future_state", ["completed"], PENDING), ("some_future_state", ["terminal"], PENDING),
    ("rolling_back", ["completed"], FAILED), ("rolling_back", ["terminal"], PENDING), ("rolling_back", ["rolling_back"], DONE),
    ("rolling_back", ["completed", "faulted"], FAILED),
])
def test_judge_follows_the_state_rules(state, wanted, verdict):
    assert judge("vmss", observe({"kind": "vmss"}, vmss(state), Rules(wanted)), Rules(wanted))[0] == verdict


def test_each_change_is_reported_as_it_is_seen():
    clock = Clock()
    seen = []
    target_ = target(clock, steps((0, vmss("rolling_forward", 2)), (5, vmss("completed", 10))))
    Waiter([target_], Rules(["completed"]), 60, 5, clock=clock, wall=clock.wall, sleep=clock.sleep, on_change=seen.append,
           run_all=lambda fn, items: [fn(item) for item in items]).wait()
    assert [(change["state"], change["percent_complete"]) for change in seen] == [("rolling_forward", 20.0), ("completed", 100.0)]


def test_a_later_stage_waiting_its_turn_is_not_stalled_while_the_run_progresses():
    clock = Clock()

    def facts(canary_member, run_progress):
        made = run("running", [("canary", "running", [("canary", "running", [member("c1", canary_member)])]),
                               ("prod", "not_started", [("prod", "not_started", [member("p1", "not_started")])])])
        made["progress"] = {"percent_complete": run_progress}
        return made

    timeline = steps((0, facts("running", 0.0)), (10, facts("running", 10.0)), (20, facts("completed", 50.0)),
                     (30, facts("completed", 60.0)), (40, facts("completed", 60.0)))
    waiter = wait(clock, [target(clock, timeline, kind="fleet", stage="prod")], Rules(["completed"], stall_timeout=15), timeout=600)
    assert (waiter.tracked[0].reason, clock.now) == ("stalled", 45.0)
    assert len(waiter.history) == 1  # the prod stage itself never changed


def test_a_later_stage_of_a_run_that_failed_fails_at_once():
    clock = Clock()
    failed = run("failed", [("canary", "failed", [("canary", "failed", [member("c1", "failed")])]),
                            ("prod", "not_started", [("prod", "not_started", [member("p1", "not_started")])])])
    waiter = wait(clock, [target(clock, steps((0, failed)), kind="fleet", stage="prod")], timeout=3600)
    assert (waiter.tracked[0].reason, waiter.polls) == ("failed_state", 1)


def test_started_after_is_normalised_whatever_its_offset():
    assert Rules(["completed"], started_after="2026-11-23T19:30:00+01:00").started_after == Rules(
        ["completed"], started_after="2026-11-23T18:30:00Z").started_after
