# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""wait_for_upgrade in real ansible-playbook runs against emulator timelines.

Timelines advance by polls where the count matters and by time where timing
matters; what the gate asked and when is read back from the emulator's log.
"""

import threading
from datetime import datetime, timezone

import pytest

from scenarios import SUB, env_for, scenario

VMSS_PATH = "/subscriptions/%s/resourceGroups/rg-gate/providers/Microsoft.Compute/virtualMachineScaleSets/%s"


def gate(task="gate", **options):
    return {"name": task, "upgradegate.azure.wait_for_upgrade": options}


def parse(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def latest_reads(emu, name):
    return emu.requests_log(path="virtualMachineScaleSets/%s/rollingUpgrades/latest$" % name)


def gate_scenario(scale_sets=(), fleets=(), **top):
    return scenario([{"name": "rg-gate", "scale_sets": list(scale_sets), "fleets": list(fleets)}], **top)


def by_polls(name, **upgrade):
    return {"name": name, "sku": {"capacity": 10}, "rolling_upgrade": dict({"start": 0, "by": "polls", "poll_seconds": 10}, **upgrade)}


def test_a_rolling_upgrade_that_completes_after_a_few_polls_opens_the_gate(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=30)]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=60)], env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0, run.stdout
    assert (result["state"], result["polls"], result["changed"]) == ("completed", 4, False)
    assert result["rolling_upgrade"]["state"] == "completed" and result["rolling_upgrade"]["progress"]["percent_complete"] == 100.0
    assert [entry["state"] for entry in result["history"]] == ["rolling_forward", "rolling_forward", "rolling_forward", "completed"]
    assert result["targets"][0]["succeeded"] is True and result["targets"][0]["reason"] is None
    assert isinstance(result["elapsed"], float) and "reason" not in result
    assert len(latest_reads(emu, "vmss-web")) == 4


def test_a_faulted_upgrade_fails_at_once_with_the_azure_error(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=60, outcome="Faulted", fault_after=20,
                                                   error={"code": "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade",
                                                          "message": "Health probes failed on 3 instances."})]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=3600)], env=env_for(emu))
    result = run.result("gate")
    assert run.rc != 0 and result["failed"]
    assert (result["reason"], result["state"], result["polls"]) == ("failed_state", "faulted", 3)
    assert result["elapsed"] < 60
    assert result["rolling_upgrade"]["error"]["code"] == "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade"
    assert "reached faulted, not completed: MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade: Health probes failed" in result["msg"]
    assert result["history"][0]["state"] == "rolling_forward" and result["history"][-1]["state"] == "faulted"


def test_started_after_opens_only_on_the_new_upgrade_not_the_previous_completed_one(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([{"name": "vmss-web", "rolling_upgrade": {"start": -3600, "duration": 600},
                                           "on_start": {"duration": 2, "outcome": "Completed"}}], time_scale=1))
    model_changed_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def start_after_the_second_poll():  # the gate has seen the previous upgrade, however long ansible-playbook took to start
        for _attempt in range(1200):
            if len(latest_reads(emu, "vmss-web")) >= 2:
                break
            threading.Event().wait(0.1)
        emu.session.post(emu.url(VMSS_PATH % (SUB, "vmss-web") + "/osRollingUpgrade?api-version=2024-07-01"),
                         headers={"Authorization": "Bearer %s" % emu.token()}, timeout=10)

    start_upgrade = threading.Thread(target=start_after_the_second_poll)
    start_upgrade.start()
    try:
        run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", started_after=model_changed_at, sleep=0.5, timeout=60)],
                           env=env_for(emu))
    finally:
        start_upgrade.join()
    result = run.result("gate")
    assert run.rc == 0, run.stdout
    assert result["rolling_upgrade"]["started_at"] > model_changed_at
    assert result["history"][0]["state"] is None  # the previous upgrade counted as not started
    assert result["history"][-1]["state"] == "completed" and result["polls"] >= 3


def test_a_fleet_stage_gate_opens_while_later_stages_still_run(emulator_factory, run_playbook):
    fleet = {"name": "fleet-a", "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
             "update_strategies": [{"name": "two", "stages": [{"name": "canary", "groups": ["canary"]},
                                                              {"name": "production", "groups": ["prod"]}]}],
             "simulate": {"member_seconds": 2, "members": {"p1": {"seconds": 120}}},
             "update_runs": [{"name": "run-1", "strategy": "two", "start": 0}]}
    emu = emulator_factory(gate_scenario(fleets=[fleet], time_scale=1))
    run = run_playbook([gate(resource_group="rg-gate", fleet_name="fleet-a", update_run="run-1", stage="canary", sleep=0.5, timeout=60)],
                       env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0, run.stdout
    assert result["state"] == "completed" and result["stage_facts"]["name"] == "canary"
    assert result["update_run"]["state"] == "running" and result["update_run"]["current_stage"] == "production"
    assert result["targets"][0]["stage"] == "canary"
    assert result["targets"][0]["label"] == "update run rg-gate/fleet-a/run-1 stage canary"
    assert {entry["target"] for entry in result["history"]} == {result["targets"][0]["label"]}


def test_a_group_gate_returns_the_group_facts(emulator_factory, run_playbook):
    fleet = {"name": "fleet-a", "members": [{"name": "c1", "group": "canary"}],
             "update_runs": [{"name": "run-1", "strategy": {"stages": [{"name": "s1", "groups": ["canary"]}]}, "start": -100}]}
    emu = emulator_factory(gate_scenario(fleets=[fleet]))
    run = run_playbook([gate(resource_group="rg-gate", fleet_name="fleet-a", update_run="run-1", group="canary", sleep=0.5, timeout=10)],
                       env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0, run.stdout
    assert result["group_facts"]["name"] == "canary" and result["group_facts"]["members"][0]["state"] == "completed"


def test_a_stopped_run_fails_at_once(emulator_factory, run_playbook):
    fleet = {"name": "fleet-a", "update_runs": [{"name": "run-1", "body": {
        "name": "run-1", "properties": {"provisioningState": "Succeeded", "status": {"status": {"state": "Stopped"}, "stages": []}}}}]}
    emu = emulator_factory(gate_scenario(fleets=[fleet]))
    run = run_playbook([gate(resource_group="rg-gate", fleet_name="fleet-a", update_run="run-1", sleep=1, timeout=3600)], env=env_for(emu))
    result = run.result("gate")
    assert (result["reason"], result["state"], result["polls"]) == ("failed_state", "stopped", 1)


def test_a_gate_that_does_not_open_times_out_with_history(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([{"name": "vmss-web", "rolling_upgrade": {"start": 0, "duration": 600}}]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.5, timeout=2)], env=env_for(emu))
    result = run.result("gate")
    assert run.rc != 0 and result["reason"] == "timeout"
    assert 2.0 <= result["elapsed"] < 2.0 + 30  # never early; at most one request timeout late
    assert result["history"] and result["history"][0]["state"] == "rolling_forward"
    assert result["msg"].startswith("timed out after 2.0 s waiting for scale set rg-gate/vmss-web to reach completed")
    assert result["targets"][0]["reason"] == "timeout" and result["rolling_upgrade"]["state"] == "rolling_forward"


def test_msg_replaces_the_failure_message(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([{"name": "vmss-web", "rolling_upgrade": {"start": 0, "duration": 600}}]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.5, timeout=1, msg="web tier not upgraded")],
                       env=env_for(emu))
    assert run.result("gate")["msg"] == "web tier not upgraded" and run.result("gate")["reason"] == "timeout"


def test_a_stalled_upgrade_fails_with_stalled(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([{"name": "vmss-web", "rolling_upgrade": {"start": 0, "duration": 600}}]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.5, timeout=120, stall_timeout=1.5)], env=env_for(emu))
    result = run.result("gate")
    assert result["reason"] == "stalled" and result["elapsed"] < 60
    assert "made no progress for 1.5 s" in result["msg"]


def test_max_failed_fails_as_soon_as_too_many_instances_failed(emulator_factory, run_playbook):
    timeline = [{"at": 0, "code": "RollingForward", "progress": {"successful": 2, "in_progress": 2, "pending": 6}},
                {"at": 1, "code": "RollingForward", "progress": {"successful": 4, "failed": 2, "in_progress": 2, "pending": 2}}]
    emu = emulator_factory(gate_scenario([{"name": "vmss-web", "rolling_upgrade": {"start": 0, "by": "polls", "timeline": timeline}}]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=60, max_failed=1)], env=env_for(emu))
    result = run.result("gate")
    assert (result["reason"], result["polls"]) == ("max_failed", 2)
    assert "2 instances failed, more than max_failed 1" in result["msg"]


def test_min_percent_complete_opens_before_completion(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=100)]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=60, min_percent_complete=40)],
                       env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0 and result["state"] == "rolling_forward" and result["rolling_upgrade"]["progress"]["percent_complete"] >= 40


def test_five_targets_are_polled_together_one_request_per_unfinished_target_per_round(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-%d" % i, duration=10 * i) for i in range(1, 6)]))
    targets = [{"resource_group": "rg-gate", "scale_set": "vmss-%d" % i} for i in range(1, 6)]
    run = run_playbook([gate(targets=targets, sleep=0.3, timeout=60)], env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0, run.stdout
    assert result["polls"] == 6 and result["state"] is None and "rolling_upgrade" not in result
    assert [len(latest_reads(emu, "vmss-%d" % i)) for i in range(1, 6)] == [2, 3, 4, 5, 6]
    assert [t["scale_set"] for t in result["targets"]] == ["vmss-%d" % i for i in range(1, 6)]
    assert [t["label"] for t in result["targets"]] == ["scale set rg-gate/vmss-%d" % i for i in range(1, 6)]
    assert all(t["succeeded"] and t["state"] == "completed" for t in result["targets"])
    elapsed = [t["elapsed"] for t in result["targets"]]
    assert elapsed == sorted(elapsed)


MISSING_FLEET = {"name": "fleet-a", "members": [{"name": "m", "group": "g1"}],
                 "update_runs": [{"name": "run-1", "strategy": {"stages": [{"name": "s1", "groups": ["g1"]}]}, "start": 0}]}


@pytest.mark.parametrize("options, words", [
    (dict(scale_set="vmss-nope"), "scale set rg-gate/vmss-nope was not found"),
    (dict(fleet_name="fleet-a", update_run="run-nope"), "update run rg-gate/fleet-a/run-nope was not found"),
    (dict(fleet_name="fleet-nope", update_run="run-1"), "update run rg-gate/fleet-nope/run-1 was not found"),
    (dict(fleet_name="fleet-a", update_run="run-1", stage="nope"), "stage 'nope' is not part of the run (stages: s1)"),
    (dict(fleet_name="fleet-a", update_run="run-1", group="nope"), "group 'nope' is not part of the run (stages: s1)"),
    (dict(scale_set="vmss-web", resource_group="rg-nope"), "scale set rg-nope/vmss-web was not found"),
])
def test_a_missing_target_fails_at_once_naming_it(emulator_factory, run_playbook, options, words):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=30)], fleets=[MISSING_FLEET]))
    run = run_playbook([gate(**dict({"resource_group": "rg-gate", "timeout": 3600}, **options))], env=env_for(emu))
    result = run.result("gate")
    assert (result["reason"], result["polls"]) == ("not_found", 1), result["msg"]
    assert words in result["msg"]


def test_throttling_during_the_wait_is_waited_out_and_no_request_comes_early(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=30)]))
    emu.add_fault("throttle", path="rollingUpgrades/latest$", retry_after=2, count=1, after=1)
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=60)], env=env_for(emu))
    assert run.rc == 0, run.stdout
    reads = latest_reads(emu, "vmss-web")
    statuses = [entry["status"] for entry in reads]
    assert statuses == [200, 429, 200, 200, 200]
    assert reads[2]["time"] - reads[1]["time"] >= 2.0


def test_a_completion_is_noticed_by_the_first_poll_after_it(emulator_factory, run_playbook):
    # Polls come every `sleep` seconds (plus one request), so the first poll after the completion
    # noticing it means detection within one sleep and one request, however loaded the machine is.
    # The upgrade lasts 6 s from the first poll, however long ansible-playbook takes to make it.
    emu = emulator_factory(gate_scenario([{"name": "vmss-web", "rolling_upgrade": {"start": 0, "by": "first_poll", "duration": 6}}],
                                         time_scale=1))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=1, timeout=60)], env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0, run.stdout
    polls = [entry["time"] for entry in latest_reads(emu, "vmss-web")]
    completed_at = polls[0] + 6
    assert len(polls) == result["polls"] >= 2
    assert [time for time in polls if time >= completed_at] == polls[-1:], "polls after the completion: %s" % [
        round(time - completed_at, 2) for time in polls if time >= completed_at]
    assert result["history"][-1]["state"] == "completed"


def test_the_gate_runs_under_async_and_async_status(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=20)]))
    run = run_playbook([
        dict(gate("start", resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=60), **{"async": 120, "poll": 0, "register": "job"}),
        {"name": "finish", "ansible.builtin.async_status": {"jid": "{{ job.ansible_job_id }}"}, "register": "waited",
         "until": "waited.finished", "retries": 60, "delay": 1},
    ], env=env_for(emu))
    assert run.rc == 0, run.stdout
    assert run.result("finish")["state"] == "completed" and run.result("finish")["polls"] == 3


def test_the_gate_runs_in_check_mode(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=10)]))
    run = run_playbook([gate(resource_group="rg-gate", scale_set="vmss-web", sleep=0.2, timeout=60)], env=env_for(emu), check=True)
    assert run.rc == 0 and run.result("gate")["state"] == "completed"


@pytest.mark.parametrize("options, words", [
    ({"resource_group": "rg-gate", "scale_set": "vmss-web", "timeout": 0}, "timeout: must be a number of seconds greater than 0"),
    ({"resource_group": "rg-gate", "scale_set": "vmss-web", "sleep": 10, "timeout": 5}, "sleep: 10.0 is longer than timeout 5.0"),
    ({"resource_group": "rg-gate", "scale_set": "vmss-web", "state": ["failed"]}, "state: 'failed' is never taken by scale sets"),
    ({"resource_group": "rg-gate", "scale_set": "vmss-web", "started_after": "last tuesday"}, "started_after: 'last tuesday' is not an ISO 8601"),
    ({"resource_group": "rg-gate", "scale_set": "vmss-web", "stage": "canary"}, "parameters are mutually exclusive: scale_set|stage"),
    ({"resource_group": "rg-gate", "scale_set": "vmss-web", "group": "canary"}, "parameters are mutually exclusive: scale_set|group"),
    ({"resource_group": "rg-gate", "fleet_name": "fleet-a"}, "parameters are required together: fleet_name, update_run"),
    ({"resource_group": "rg-gate"}, "one of the following is required: targets, scale_set, fleet_name"),
    ({"targets": [{"resource_group": "rg-gate", "scale_set": "a"}], "scale_set": "b", "resource_group": "rg-gate"},
     "targets|scale_set"),
    ({"targets": [{"resource_group": "rg-gate", "scale_set": "a", "fleet_name": "f", "update_run": "r"}]},
     "scale_set|fleet_name, scale_set|update_run found in targets"),
])
def test_bad_gate_options_are_refused_with_a_clear_message(emulator_factory, run_playbook, options, words):
    emu = emulator_factory(gate_scenario([by_polls("vmss-web", duration=10)]))
    run = run_playbook([gate(**options)], env=env_for(emu))
    result = run.result("gate")
    assert run.rc != 0 and words in result["msg"], result["msg"]
    assert "Traceback" not in run.stdout + run.stderr
    assert emu.requests_log(path="virtualMachineScaleSets") == []


def test_twenty_targets_reuse_their_connections_from_round_to_round(emulator_factory, run_playbook):
    emu = emulator_factory(gate_scenario([by_polls("vmss-%02d" % i, duration=40) for i in range(20)]))
    emu.add_fault("latency", path="rollingUpgrades/latest$", latency_ms=100)  # so the polls of a round overlap
    targets = [{"resource_group": "rg-gate", "scale_set": "vmss-%02d" % i} for i in range(20)]
    run = run_playbook([gate(targets=targets, sleep=0.2, timeout=60)], env=env_for(emu))
    assert run.rc == 0, run.stdout
    reads = emu.requests_log(path="rollingUpgrades/latest$")
    assert len(reads) == 20 * 5 and run.result("gate")["polls"] == 5
    # 16 targets are polled at once, through a pool of 16 connections kept from round to round.
    assert len({entry["client_port"] for entry in reads}) <= 16
