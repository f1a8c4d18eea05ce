# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet_update_run in real ansible-playbook runs against the emulator: every state and transition, idempotency counted
in the emulator's request log, check mode, diff mode, and each end of a long-running operation."""

import pytest

from scenarios import SECRET, SUB, env_for, scenario

RUN_WRITER = "88888888-8888-4888-8888-888888888888"
MEMBERS = [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}, {"name": "p2", "group": "prod"}]
TWO_STAGES = [{"name": "canary", "groups": ["canary"], "after_stage_wait_seconds": 30}, {"name": "production", "groups": ["prod"]}]
QUICK = {"retry_after": 0}


def fleet(name, writes=None, runs=()):
    spec = {"name": name, "members": MEMBERS, "update_strategies": [{"name": "two-stage", "stages": TWO_STAGES}],
            "update_runs": list(runs)}
    if writes:
        spec["writes"] = writes
    return spec


FLEETS = [
    fleet("fleet-sync", runs=[{"name": "run-running", "strategy": "two-stage", "start": 0},
                              {"name": "run-done", "strategy": "two-stage", "start": -100000},
                              {"name": "run-stop", "strategy": "two-stage", "start": 0},
                              {"name": "run-skip", "strategy": "two-stage", "start": 0},
                              {"name": "run-delete", "strategy": "two-stage", "start": 0},
                              {"name": "run-terraform", "strategy": "two-stage"}]),
    fleet("fleet-async", writes={"default": dict(QUICK, mode="async", polls=2)}),
    fleet("fleet-location", writes={"default": dict(QUICK, mode="location", polls=1)},
          runs=[{"name": "run-running", "strategy": "two-stage", "start": 0}]),
    fleet("fleet-failing", writes={"start": dict(QUICK, mode="async", polls=1, status="Failed",
                                                 error={"code": "MemberUpgradeBlocked", "message": "member c1 has a blocking PDB"})},
          runs=[{"name": "run-1", "strategy": "two-stage"}]),
    fleet("fleet-slow", writes={"start": {"mode": "async", "polls": 1000000, "retry_after": 1}},
          runs=[{"name": "run-1", "strategy": "two-stage"}]),
]
STRATEGY_ID = "/subscriptions/%s/resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/%%s/updateStrategies/two-stage" % SUB
OWN_STAGES = {"stages": [
    {"name": "canary", "groups": [{"name": "canary", "max_concurrency": "1"}], "after_stage_wait_seconds": 30,
     "after_gates": [{"display_name": "Canary looks healthy"}]},
    {"name": "production", "groups": [{"name": "prod", "max_concurrency": "50%"}]},
]}


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    built = scenario([{"name": "rg-fleet", "fleets": FLEETS}])
    built["tenants"][0]["clients"].append({"client_id": RUN_WRITER, "secret": SECRET, "permissions": [
        {"actions": ["Microsoft.ContainerService/fleets/updateRuns/read", "Microsoft.ContainerService/fleets/updateRuns/write",
                     "Microsoft.ContainerService/locations/operations/read"], "scope": "/subscriptions/%s" % SUB}]})
    return emulator_session_factory(built)


def task(title, **options):
    options.setdefault("resource_group", "rg-fleet")
    return {"name": title, "upgradegate.azure.fleet_update_run": options, "register": "out", "ignore_errors": True}


def writes(emu, fleet_name, run, since=0):
    """(method, path suffix, status) of every request to the run other than a read of the run itself."""
    entries = emu.requests_log(path="fleets/%s/updateRuns/%s(/|$)|/operations/" % (fleet_name, run), since=since)
    return [(e["method"], e["path"].split("/updateRuns/%s" % run)[-1] if "/updateRuns/" in e["path"] else "operation", e["status"])
            for e in entries if not (e["method"] == "GET" and e["path"].endswith("/updateRuns/" + run))]


def last_seq(emu):
    entries = emu.requests_log()
    return entries[-1]["seq"] if entries else 0


def test_create_then_start_then_nothing_more_to_do(emu, run_playbook):
    since = last_seq(emu)
    definition = dict(fleet_name="fleet-sync", name="run-new", update_strategy_id=STRATEGY_ID % "fleet-sync", upgrade_type="Full",
                      kubernetes_version="1.31.1")
    run = run_playbook([task("create", **definition), task("create again", **definition),
                        task("start", state="started", **definition), task("start again", state="started", **definition),
                        task("by name", state="started", fleet_name="fleet-sync", name="run-new")], env=env_for(emu))
    assert run.rc == 0, run.stdout
    created = run.result("create")
    assert created["changed"] and created["actions"] == ["create"] and not created.get("failed"), created
    assert created["update_run"]["state"] == "not_started" and created["update_run"]["upgrade"]["kubernetes_version"] == "1.31.1"
    assert created["update_run"]["update_strategy_id"] == STRATEGY_ID % "fleet-sync"
    assert run.result("create again")["changed"] is False and run.result("create again")["actions"] == []
    started = run.result("start")
    assert started["changed"] and started["actions"] == ["start"] and started["update_run"]["state"] == "running"
    for name in ("start again", "by name"):
        assert run.result(name)["changed"] is False and run.result(name)["update_run"]["state"] == "running"
    assert [w[:2] for w in writes(emu, "fleet-sync", "run-new", since)] == [("PUT", ""), ("POST", "/start")]


def test_own_stages_with_gates_and_concurrency_are_created_once(emu, run_playbook):
    since = last_seq(emu)
    definition = dict(fleet_name="fleet-sync", name="run-own", strategy=OWN_STAGES, upgrade_type="NodeImageOnly",
                      node_image_selection="Consistent")
    run = run_playbook([task("create", **definition), task("again", **definition)], env=env_for(emu))
    assert run.result("create")["actions"] == ["create"], run.result("create")
    assert [s["name"] for s in run.result("create")["update_run"]["stages"]] == ["canary", "production"]
    assert run.result("again")["changed"] is False
    assert [w[:2] for w in writes(emu, "fleet-sync", "run-own", since)] == [("PUT", "")]


def test_a_run_that_has_not_started_is_replaced_and_diff_mode_shows_it(emu, run_playbook):
    since = last_seq(emu)
    base = dict(fleet_name="fleet-sync", name="run-replace", update_strategy_id=STRATEGY_ID % "fleet-sync", upgrade_type="Full")
    changed = dict(task("replace", kubernetes_version="1.31.2", **base), diff=True)
    run = run_playbook([task("create", kubernetes_version="1.31.1", **base), changed], env=env_for(emu))
    result = run.result("replace")
    assert result["actions"] == ["replace"] and result["update_run"]["upgrade"]["kubernetes_version"] == "1.31.2", result
    assert result["diff"]["before"]["kubernetes_version"] == "1.31.1" and result["diff"]["after"]["kubernetes_version"] == "1.31.2"
    assert result["diff"]["before"]["state"] == result["diff"]["after"]["state"] == "not_started"
    assert [w[:2] for w in writes(emu, "fleet-sync", "run-replace", since)] == [("PUT", ""), ("PUT", "")]


def test_a_started_run_that_differs_fails_naming_the_fields_and_sends_nothing(emu, run_playbook):
    since = last_seq(emu)
    run = run_playbook([task("differs", fleet_name="fleet-sync", name="run-running", upgrade_type="Full", kubernetes_version="1.99.0",
                             strategy={"stages": [{"name": "canary", "groups": [{"name": "canary"}]}]})], env=env_for(emu))
    result = run.result("differs")
    assert result["failed"] and "kubernetes_version" in result["msg"] and "strategy.stages" in result["msg"], result
    assert "has started" in result["msg"] and result["update_run"]["state"] == "running"
    assert writes(emu, "fleet-sync", "run-running", since) == []


def test_check_mode_reads_and_decides_but_never_writes(emu, run_playbook):
    since = last_seq(emu)
    run = run_playbook([
        task("create", fleet_name="fleet-sync", name="run-check", upgrade_type="NodeImageOnly", state="started"),
        task("start", fleet_name="fleet-sync", name="run-terraform", state="started"),
        task("stop", fleet_name="fleet-sync", name="run-running", state="stopped"),
        task("delete", fleet_name="fleet-sync", name="run-running", state="absent"),
    ], env=env_for(emu), check=True)
    assert run.result("create")["actions"] == ["create", "start"] and run.result("create")["update_run"] is None
    assert run.result("start")["changed"] and run.result("start")["update_run"]["state"] == "not_started"
    assert run.result("stop")["actions"] == ["stop"] and run.result("delete")["actions"] == ["delete"]
    entries = emu.requests_log(path="fleets/fleet-sync/", since=since)
    assert entries and {e["method"] for e in entries} == {"GET"}


def test_diff_mode_in_check_mode_predicts_the_state(emu, run_playbook):
    run = run_playbook([dict(task("start", fleet_name="fleet-sync", name="run-terraform", state="started"), diff=True)],
                       env=env_for(emu), check=True)
    assert run.result("start")["diff"] == {"before": {"state": "not_started"}, "after": {"state": "running"}}


def test_stop_then_nothing_more_to_do(emu, run_playbook):
    since = last_seq(emu)
    run = run_playbook([task("stop", fleet_name="fleet-sync", name="run-stop", state="stopped"),
                        task("again", fleet_name="fleet-sync", name="run-stop", state="stopped")], env=env_for(emu))
    assert run.result("stop")["actions"] == ["stop"] and run.result("stop")["update_run"]["state"] == "stopping"
    assert run.result("again")["changed"] is False
    assert [w[:2] for w in writes(emu, "fleet-sync", "run-stop", since)] == [("POST", "/stop")]


def test_skip_sends_only_what_is_not_skipped_yet(emu, run_playbook):
    since = last_seq(emu)
    targets = [{"type": "Member", "name": "p2"}, {"type": "AfterStageWait", "name": "canary"}]
    run = run_playbook([task("skip", fleet_name="fleet-sync", name="run-skip", state="started", skip=targets),
                        task("again", fleet_name="fleet-sync", name="run-skip", state="started", skip=targets),
                        task("ghost", fleet_name="fleet-sync", name="run-skip", skip=[{"type": "Member", "name": "ghost"}])],
                       env=env_for(emu))
    result = run.result("skip")
    assert result["actions"] == ["skip"], result
    members = {m["name"]: m["state"] for s in result["update_run"]["stages"] for g in s["groups"] for m in g["members"]}
    assert members["p2"] == "skipped" and result["update_run"]["stages"][0]["after_stage_wait"]["state"] == "skipped"
    assert run.result("again")["changed"] is False
    ghost = run.result("ghost")
    assert ghost["failed"] and ghost["field"] == "skip[0]" and "ghost" in ghost["msg"]
    assert [w[:2] for w in writes(emu, "fleet-sync", "run-skip", since)] == [("POST", "/skip")]


def test_a_running_run_is_deleted_once(emu, run_playbook):
    since = last_seq(emu)
    run = run_playbook([task("delete", fleet_name="fleet-sync", name="run-delete", state="absent"),
                        task("again", fleet_name="fleet-sync", name="run-delete", state="absent")], env=env_for(emu))
    assert run.result("delete")["actions"] == ["delete"] and run.result("delete")["update_run"] is None
    assert run.result("again")["changed"] is False
    assert [w[:2] for w in writes(emu, "fleet-sync", "run-delete", since)] == [("DELETE", ""), ("GET", "operation")]


def test_a_finished_run_cannot_be_started_again(emu, run_playbook):
    run = run_playbook([task("start", fleet_name="fleet-sync", name="run-done", state="started")], env=env_for(emu))
    result = run.result("start")
    assert result["failed"] and result["field"] == "state" and "completed" in result["msg"] and "create a new run" in result["msg"]
    assert result["update_run"]["state"] == "completed"


def test_a_missing_run_without_definition_fails_naming_what_to_give(emu, run_playbook):
    run = run_playbook([task("start", fleet_name="fleet-sync", name="run-ghost", state="started")], env=env_for(emu))
    result = run.result("start")
    assert result["failed"] and result["field"] == "name" and "upgrade_type" in result["msg"] and result["update_run"] is None


def test_writes_followed_through_azure_async_operation(emu, run_playbook):
    since = last_seq(emu)
    definition = dict(fleet_name="fleet-async", name="run-1", update_strategy_id=STRATEGY_ID % "fleet-async", upgrade_type="Full",
                      kubernetes_version="1.31.1")
    run = run_playbook([task("create and start", state="started", **definition), task("stop", state="stopped", **definition),
                        task("delete", state="absent", fleet_name="fleet-async", name="run-1")], env=env_for(emu))
    assert run.result("create and start")["actions"] == ["create", "start"], run.result("create and start")
    assert run.result("create and start")["update_run"]["state"] == "running"
    assert run.result("stop")["update_run"]["state"] == "stopping" and run.result("delete")["update_run"] is None
    operation = ("GET", "operation", 200)
    assert writes(emu, "fleet-async", "run-1", since) == [
        ("PUT", "", 201), operation, operation, operation, ("POST", "/start", 202), operation, operation, operation,
        ("POST", "/stop", 202), operation, operation, operation, ("DELETE", "", 202), operation, operation, operation]


def test_writes_followed_through_location(emu, run_playbook):
    since = last_seq(emu)
    run = run_playbook([task("stop", fleet_name="fleet-location", name="run-running", state="stopped")], env=env_for(emu))
    assert run.result("stop")["actions"] == ["stop"] and run.result("stop")["update_run"]["state"] == "stopping"
    expected = [("POST", "/stop", 202), ("GET", "operation", 202), ("GET", "operation", 200)]
    assert writes(emu, "fleet-location", "run-running", since) == expected


def test_an_operation_that_ends_failed_fails_with_its_error_and_keeps_the_run(emu, run_playbook):
    run = run_playbook([task("start", fleet_name="fleet-failing", name="run-1", state="started")], env=env_for(emu))
    result = run.result("start")
    assert result["failed"] and "MemberUpgradeBlocked" in result["msg"] and "member c1 has a blocking PDB" in result["msg"], result
    assert "ended Failed" in result["msg"] and result["update_run"]["state"] == "not_started"


def test_an_operation_longer_than_the_timeout_fails_and_a_second_write_meets_azures_409(emu, run_playbook):
    run = run_playbook([task("start", fleet_name="fleet-slow", name="run-1", state="started", timeout=3),
                        task("stop", fleet_name="fleet-slow", name="run-1", state="stopped", timeout=3)], env=env_for(emu))
    started = run.result("start")
    assert started["failed"] and "had not finished when the timeout ran out" in started["msg"], started
    assert started["error"]["kind"] == "timeout" and started["update_run"]["state"] == "not_started"
    stopped = run.result("stop")
    assert stopped["failed"] and stopped["error"]["status"] == 409, stopped
    assert "Another operation is in progress" in stopped["msg"] and "conflict" in stopped["msg"]


def test_a_403_names_the_permission_to_grant(emu, run_playbook):
    run = run_playbook([task("start", fleet_name="fleet-sync", name="run-terraform", state="started")], env=env_for(emu, RUN_WRITER))
    result = run.result("start")
    assert result["failed"] and result["error"]["status"] == 403
    assert "Microsoft.ContainerService/fleets/updateRuns/start/action" in result["msg"], result["msg"]
    assert result["update_run"]["state"] == "not_started"


def test_bad_input_is_refused_before_any_request(emu, run_playbook):
    since = last_seq(emu)
    run = run_playbook([task("bad", fleet_name="fleet-sync", name="run-bad", upgrade_type="NodeImageOnly", kubernetes_version="1.30.1"),
                        task("gates on 2025-03-01", fleet_name="fleet-sync", name="run-bad", upgrade_type="NodeImageOnly",
                             api_version="2025-03-01", strategy=OWN_STAGES)], env=env_for(emu))
    assert run.result("bad")["failed"] and run.result("bad")["field"] == "kubernetes_version"
    old = run.result("gates on 2025-03-01")
    assert old["failed"] and old["field"] == "strategy.stages[0].after_gates" and "2025-03-01" in old["msg"], old
    assert emu.requests_log(path="updateRuns/run-bad", since=since) == []


def test_the_documented_return_keys_are_returned(emu, run_playbook):
    run = run_playbook([dict(task("read", fleet_name="fleet-sync", name="run-running", state="present"), diff=True)], env=env_for(emu))
    result = run.result("read")
    assert set(result) >= {"update_run", "actions", "changed", "diff"}
    assert {"id", "name", "etag", "state", "stages"} <= set(result["update_run"])


def test_the_seed_api_version_2025_03_01_creates_and_starts_a_run_without_gates(emu, run_playbook):
    since = last_seq(emu)
    definition = dict(fleet_name="fleet-sync", name="run-seed", upgrade_type="ControlPlaneOnly", kubernetes_version="1.31.1",
                      api_version="2025-03-01", strategy={"stages": [{"name": "all", "groups": [{"name": "canary"}, {"name": "prod"}]}]})
    run = run_playbook([task("create and start", state="started", **definition), task("again", state="started", **definition)],
                       env=env_for(emu))
    assert run.result("create and start")["actions"] == ["create", "start"], run.result("create and start")
    assert run.result("again")["changed"] is False
    seen = emu.requests_log(path="updateRuns/run-seed", since=since)
    assert {e["query"] for e in seen} == {"api-version=2025-03-01"} and [e["method"] for e in seen if e["method"] != "GET"] == ["PUT", "POST"]
