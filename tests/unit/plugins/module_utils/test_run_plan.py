# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What fleet_update_run decides to write, from the facts of the run (pure)."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._run_plan import (
    PlanError,
    definition_step,
    require_run,
    skip_step,
    state_step,
)

PARAMS = {"name": "run-1", "fleet_name": "fleet-1"}


def facts(state="not_started", started_at=None):
    return {"state": state, "started_at": started_at, "stages": [
        {"name": "canary", "state": state, "after_stage_wait_seconds": 60, "after_stage_wait": {"state": "not_started"},
         "groups": [{"name": "canary", "state": state, "members": [{"name": "c1", "state": "skipped"}, {"name": "c2", "state": state}]}]},
        {"name": "prod", "state": "not_started", "after_stage_wait_seconds": None, "after_stage_wait": None,
         "groups": [{"name": "prod", "state": "not_started", "members": [{"name": "p1", "state": "not_started"}]}]},
    ]}


def test_a_missing_run_is_created_only_from_a_definition():
    assert definition_step(None, {"upgrade_type": "Full"}, ["upgrade_type"], True) == "create"
    assert definition_step(None, {}, [], False) is None
    with pytest.raises(PlanError) as caught:
        require_run(None, PARAMS)
    assert caught.value.missing and caught.value.field == "name" and "upgrade_type" in str(caught.value)


def test_a_run_that_has_not_started_is_replaced_only_when_it_differs():
    assert definition_step(facts(), {"upgrade_type": "Full"}, [], True) is None
    assert definition_step(facts(), {"upgrade_type": "Full"}, ["kubernetes_version"], True) == "replace"


@pytest.mark.parametrize("state, started_at", [("running", "2026-01-01T00:00:00Z"), ("completed", "x"), ("pending", "x"), ("stopped", "x")])
def test_a_started_run_that_differs_fails_naming_every_field(state, started_at):
    with pytest.raises(PlanError) as caught:
        definition_step(facts(state, started_at), {"a": 1}, ["kubernetes_version", "strategy.stages[0].max_concurrency"], True)
    assert caught.value.field == "kubernetes_version"
    assert "kubernetes_version, strategy.stages[0].max_concurrency" in str(caught.value) and state in str(caught.value)


@pytest.mark.parametrize("state, started_at, step", [
    ("not_started", None, "start"), ("stopped", "x", "start"), ("pending", None, "start"), (None, None, "start"),
    ("running", "x", None), ("stopping", "x", None), ("pending", "x", None),
])
def test_started_starts_what_has_not_started_or_has_stopped(state, started_at, step):
    assert state_step("started", facts(state, started_at), PARAMS) == step


@pytest.mark.parametrize("state", ["completed", "failed", "skipped"])
def test_started_fails_on_a_finished_run(state):
    with pytest.raises(PlanError) as caught:
        state_step("started", facts(state, "x"), PARAMS)
    assert caught.value.field == "state" and "create a new run" in str(caught.value)


@pytest.mark.parametrize("state, step", [("running", "stop"), ("stopping", None), ("stopped", None), ("not_started", None),
                                         ("completed", None), ("pending", None)])
def test_stopped_stops_only_a_running_run(state, step):
    assert state_step("stopped", facts(state, "x"), PARAMS) == step


def test_absent_deletes_any_run_that_exists():
    assert state_step("absent", facts("running", "x"), PARAMS) == "delete"
    assert state_step("absent", None, PARAMS) is None
    assert state_step("present", facts(), PARAMS) is None


def test_skip_sends_only_what_is_not_skipped_yet_each_once():
    targets = [{"type": "Member", "name": "c1"}, {"type": "Member", "name": "c2"}, {"type": "AfterStageWait", "name": "canary"},
               {"type": "Member", "name": "c2"}, {"type": "Stage", "name": "prod"}, {"type": "Group", "name": "prod"}]
    assert skip_step(facts("running", "x"), targets, PARAMS) == [
        {"type": "Member", "name": "c2"}, {"type": "AfterStageWait", "name": "canary"}, {"type": "Stage", "name": "prod"},
        {"type": "Group", "name": "prod"}]
    assert skip_step(facts("running", "x"), [{"type": "Member", "name": "c1"}], PARAMS) is None


@pytest.mark.parametrize("target", [{"type": "Member", "name": "ghost"}, {"type": "AfterStageWait", "name": "prod"},
                                    {"type": "Group", "name": "canary-x"}, {"type": "Stage", "name": "c1"}])
def test_a_skip_target_the_run_does_not_have_is_refused(target):
    with pytest.raises(PlanError) as caught:
        skip_step(facts(), [{"type": "Member", "name": "c1"}, target], PARAMS)
    assert caught.value.field == "skip[1]" and target["name"] in str(caught.value)


def test_a_finished_run_refuses_new_skips_but_not_skips_already_made():
    finished = facts("completed", "x")
    assert skip_step(finished, [{"type": "Member", "name": "c1"}], PARAMS) is None
    with pytest.raises(PlanError) as caught:
        skip_step(finished, [{"type": "Member", "name": "p1"}], PARAMS)
    assert caught.value.field == "skip" and "Member p1" in str(caught.value)


def test_a_run_about_to_be_created_accepts_members_azure_has_not_resolved_yet():
    planned = {"state": "not_started", "stages": [{"name": "canary", "groups": [{"name": "canary", "members": []}]}],
               "members_unknown": True}
    assert skip_step(planned, [{"type": "Member", "name": "c9"}], PARAMS) == [{"type": "Member", "name": "c9"}]
    with pytest.raises(PlanError):
        skip_step(planned, [{"type": "Stage", "name": "nope"}], PARAMS)
