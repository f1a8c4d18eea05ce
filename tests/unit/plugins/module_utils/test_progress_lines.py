# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The progress line: what it says for each kind of target, and when the reporter prints."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._progress import (
    Reporter,
    describe,
    duration,
    failed_members,
    line,
    plural,
    reporter_for,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import Rules, Waiter, observe

VMSS_TARGET = {"kind": "vmss", "resource_group": "rg-web", "scale_set": "vmss-web"}
RUN_TARGET = {"kind": "fleet", "resource_group": "rg-aks", "fleet_name": "fleet-prod", "update_run": "run-7"}


def vmss(state, successful=0, failed=0, total=10, exists=True, error=None):
    return {"exists": exists, "state": state, "started_at": "2026-11-23T18:00:00Z", "error": error,
            "progress": {"successful": successful, "failed": failed, "in_progress": 1, "total": total,
                         "percent_complete": round(100.0 * successful / total, 1) if total else None}}


def member(name, state, error=None):
    return {"name": name, "state": state, "error": error, "message": None}


def run(state, stages, current_stage=None, pending_gates=None, errors=()):
    """An update run's facts; stages: [(name, state, [(group, state, [members])])]."""
    built = {"state": state, "is_terminal": state in ("completed", "failed", "stopped", "skipped"), "current_stage": current_stage,
             "errors": list(errors),
             "stages": [{"name": n, "state": s, "groups": [{"name": g, "state": gs, "members": ms} for g, gs, ms in groups]}
                        for n, s, groups in stages]}
    if pending_gates is not None:
        built["pending_gates"] = pending_gates
    members = [m for stage in built["stages"] for group in stage["groups"] for m in group["members"]]
    done = sum(1 for m in members if m["state"] in ("completed", "skipped"))
    built["progress"] = {"total": len(members), "completed": done, "skipped": 0,
                         "failed": sum(1 for m in members if m["state"] == "failed"),
                         "percent_complete": round(100.0 * done / len(members), 1) if members else None}
    return built


DRAIN = {"code": "UpgradeFailed", "message": "node pool drain timed out"}
CANARY_RUNNING = run("running", [("canary", "running", [("canary", "running", [member("c1", "completed"), member("c2", "running")])]),
                                 ("prod", "not_started", [("prod-us", "not_started", [member("prod-us-1", "not_started"),
                                                                                      member("prod-us-2", "not_started")])])],
                     current_stage="canary")
FAILED_RUN = run("failed", [("canary", "completed", [("canary", "completed", [member("c1", "completed")])]),
                            ("prod", "failed", [("prod-us", "failed", [member("prod-us-1", "failed", DRAIN),
                                                                       member("prod-us-2", "not_started")])])],
                 errors=[{"scope": "run", "path": "", "code": "UpdateRunFailed", "message": "stage prod failed"}])
GATE = {"name": "0f1e", "id": "/x/gates/0f1e", "display_name": "Smoke tests passed", "gate_type": "Approval", "path": "canary",
        "timing": "after"}


def text(target, facts):
    return describe(target, observe(target, facts, Rules(["completed"])), facts)


@pytest.mark.parametrize("seconds, shown", [(0, "0s"), (8.9, "8s"), (80, "1m20s"), (362, "6m02s"), (3900, "1h05m00s"), (None, "0s")])
def test_durations_read_like_the_contract(seconds, shown):
    assert duration(seconds) == shown


@pytest.mark.parametrize("count, shown", [(0, "0 polls"), (1, "1 poll"), (2, "2 polls")])
def test_plurals_are_right(count, shown):
    assert plural(count, "poll") == shown


@pytest.mark.parametrize("facts, shown", [
    (vmss("rolling_forward", 4), "rg-web/vmss-web rolling_forward 40.0% (4 of 10 upgraded, 0 failed)"),
    (vmss("rolling_forward", 4, failed=1), "rg-web/vmss-web rolling_forward 40.0% (4 of 10 upgraded, 1 failed)"),
    (vmss("completed", 10), "rg-web/vmss-web completed 100.0% (10 of 10 upgraded, 0 failed)"),
    (vmss("faulted", 3, failed=2, error={"code": "MaxUnhealthy", "message": "Health probes failed."}),
     "rg-web/vmss-web faulted 30.0% (3 of 10 upgraded, 2 failed): MaxUnhealthy: Health probes failed."),
    (vmss("rolling_forward", 0, total=0), "rg-web/vmss-web rolling_forward"),
    (vmss(None, exists=False), "rg-web/vmss-web not started (no rolling upgrade yet)"),
])
def test_a_scale_set_line_says_state_percent_and_counts(facts, shown):
    assert text(VMSS_TARGET, facts) == shown


def test_a_run_line_names_its_current_stage_and_group_and_counts_members():
    assert text(RUN_TARGET, CANARY_RUNNING) == "rg-aks/fleet-prod/run-7 stage canary group canary: running 25.0% (1 of 4 members, 0 failed)"


def test_a_stage_line_names_the_stage_and_counts_its_members_only():
    target = dict(RUN_TARGET, stage="canary")
    assert text(target, CANARY_RUNNING) == "rg-aks/fleet-prod/run-7 stage canary group canary: running 50.0% (1 of 2 members, 0 failed)"
    waiting = dict(RUN_TARGET, stage="prod")
    assert text(waiting, CANARY_RUNNING) == "rg-aks/fleet-prod/run-7 stage prod: not_started 0.0% (0 of 2 members, 0 failed)"


def test_a_failed_run_names_the_failed_member_and_azures_error():
    assert text(RUN_TARGET, FAILED_RUN) == "rg-aks/fleet-prod/run-7 failed: member prod-us-1 failed (UpgradeFailed: node pool drain timed out)"
    assert failed_members(RUN_TARGET, None, FAILED_RUN) == ["prod-us-1 (UpgradeFailed: node pool drain timed out)"]


def test_a_failed_run_without_failed_members_gives_the_runs_error():
    facts = run("failed", [("canary", "failed", [("canary", "failed", [member("c1", "completed")])])],
                errors=[{"scope": "stage", "path": "canary", "code": "UpdateStageFailed", "message": "the wait failed"}])
    assert text(RUN_TARGET, facts) == "rg-aks/fleet-prod/run-7 failed: UpdateStageFailed: the wait failed"


def test_failed_members_of_a_running_run_are_named_with_the_count():
    facts = run("running", [("prod", "running", [("prod-us", "running", [member("prod-us-1", "failed", DRAIN), member("prod-us-2", "running")])])],
                current_stage="prod")
    assert text(RUN_TARGET, facts) == ("rg-aks/fleet-prod/run-7 stage prod group prod-us: running 0.0% "
                                       "(0 of 2 members, 1 failed: prod-us-1 (UpgradeFailed: node pool drain timed out))")


def test_a_pending_approval_gate_is_named_with_its_stage():
    facts = run("running", [("canary", "completed", [("canary", "completed", [member("c1", "completed")])])],
                current_stage="canary", pending_gates=[GATE])
    assert text(RUN_TARGET, facts) == 'rg-aks/fleet-prod/run-7 pending at approval gate "Smoke tests passed" after stage canary'
    group_gate = dict(GATE, path="prod/prod-us", timing="before", display_name=None)
    facts["pending_gates"] = [group_gate]
    assert text(RUN_TARGET, facts) == 'rg-aks/fleet-prod/run-7 pending at approval gate "0f1e" before group prod-us of stage prod'


def test_an_empty_pending_gates_list_or_a_gate_outside_the_scope_changes_nothing():
    with_empty = dict(CANARY_RUNNING, pending_gates=[])
    assert text(RUN_TARGET, with_empty) == text(RUN_TARGET, CANARY_RUNNING)
    elsewhere = dict(CANARY_RUNNING, pending_gates=[dict(GATE, path="prod")])
    assert text(dict(RUN_TARGET, stage="canary"), elsewhere) == text(dict(RUN_TARGET, stage="canary"), CANARY_RUNNING)


def test_a_missing_stage_says_not_found():
    assert text(dict(RUN_TARGET, stage="nope"), CANARY_RUNNING).startswith("rg-aks/fleet-prod/run-7 stage nope not found: stage 'nope' is not part")


def test_a_line_is_prefixed_and_ends_with_the_elapsed_time():
    assert line("rg-web/vmss-web completed", 80.4) == "wait_for_upgrade: rg-web/vmss-web completed after 1m20s"


def test_the_reporter_prints_changes_and_a_heartbeat_only_after_quiet_seconds():
    printed = []
    reporter = Reporter(printed.append, heartbeat=60)
    reporter.on_change({"summary": "first"})
    reporter.on_poll(0.0, ["a"])
    for elapsed in (30.0, 59.0):
        reporter.on_poll(elapsed, ["a"])
    assert printed == ["first"]
    reporter.on_poll(61.0, ["rg-web/vmss-web rolling_forward 40.0%"])
    assert printed[-1] == "wait_for_upgrade: still waiting, no change for 1m01s: rg-web/vmss-web rolling_forward 40.0% after 1m01s"
    reporter.on_poll(100.0, ["a"])
    assert len(printed) == 2  # the next heartbeat counts from the last line
    reporter.on_poll(125.0, ["a", "b"])
    assert printed[-1] == "wait_for_upgrade: still waiting, no change for 2m05s: a; b after 2m05s"
    reporter.on_change({"summary": "second"})
    reporter.on_poll(130.0, ["a"])
    reporter.on_poll(189.0, ["a"])
    assert printed[-1] == "second"


def test_heartbeat_0_never_beats_and_progress_false_gives_no_reporter():
    printed = []
    reporter = Reporter(printed.append, heartbeat=0)
    for elapsed in range(0, 100000, 1000):
        reporter.on_poll(float(elapsed), ["a"])
    assert printed == []
    assert reporter_for({"progress": False, "heartbeat": 300.0}, printed.append) is None
    assert reporter_for({"progress": True, "heartbeat": 300.0}, None) is None
    assert reporter_for({"progress": True, "heartbeat": 300.0}, printed.append).heartbeat == 300.0


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def wall(self):
        return 1_800_000_000.0 + self.now

    def sleep(self, seconds):
        self.now += seconds


def test_the_waiter_records_a_change_only_when_the_line_would_change_and_beats_while_quiet():
    clock = Clock()
    # in_progress moves every poll, nothing a user reads does until 100 s; then a member fails
    answers = [(0, vmss("rolling_forward", 2)), (10, dict(vmss("rolling_forward", 2), progress=dict(vmss("rolling_forward", 2)["progress"],
                                                                                                    in_progress=3))),
               (100, vmss("rolling_forward", 2, failed=1)), (130, vmss("completed", 10, failed=1))]

    def fetch(deadline):
        return [facts for at, facts in answers if clock.now >= at][-1], None

    printed = []
    reporter = Reporter(printed.append, 45)
    target = dict(VMSS_TARGET, label="scale set rg-web/vmss-web", fetch=fetch)
    waiter = Waiter([target], Rules(["completed"]), 600, 10, clock=clock, wall=clock.wall, sleep=clock.sleep,
                    run_all=lambda fn, items: [fn(item) for item in items], on_change=reporter.on_change, on_poll=reporter.on_poll).wait()
    assert [entry["summary"] for entry in waiter.history] == [
        "wait_for_upgrade: rg-web/vmss-web rolling_forward 20.0% (2 of 10 upgraded, 0 failed) after 0s",
        "wait_for_upgrade: rg-web/vmss-web rolling_forward 20.0% (2 of 10 upgraded, 1 failed) after 1m40s",
        "wait_for_upgrade: rg-web/vmss-web completed 100.0% (10 of 10 upgraded, 1 failed) after 2m10s"]
    beats = [text_ for text_ in printed if "still waiting" in text_]
    assert beats == ["wait_for_upgrade: still waiting, no change for 50s: rg-web/vmss-web rolling_forward 20.0% (2 of 10 upgraded, 0 failed) "
                     "after 50s"]
    assert [text_ for text_ in printed if "still waiting" not in text_] == [entry["summary"] for entry in waiter.history]
