# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue #19: no crash, no hang, no wrong fact, whatever Azure or the network does.

One test per class of misbehaviour, through real ansible-playbook runs and the command line.
Each counts what happened in the emulator's request log, never how long it took; the only
time bound checked is the contract's own (``elapsed`` within timeout + request_timeout), with room.
"""

import json
import subprocess

import suite_counts
from conftest import REPO, base_environment
from scenarios import SUB, env_for, scenario

LAUNCHER = REPO / "bin" / "upgradegate-azure"
LATEST = "rollingUpgrades/latest$"
TOKEN = "oauth2/v2.0/token$"
LIST = "resourceGroups/rg-hard/providers/Microsoft.Compute/virtualMachineScaleSets$"
VMSS_ID = "/subscriptions/%s/resourceGroups/rg-hard/providers/Microsoft.Compute/virtualMachineScaleSets/%%s" % SUB


def hard_scenario(scale_sets, **top):
    return scenario([{"name": "rg-hard", "scale_sets": scale_sets}], **top)


def by_polls(name, **upgrade):
    return {"name": name, "sku": {"capacity": 10},
            "rolling_upgrade": dict({"start": 0, "by": "polls", "poll_seconds": 5, "duration": 60}, **upgrade)}


def task(module, **options):
    return [{"name": "task", "upgradegate.azure." + module: options}]


def cli(emu, tmp_path, argv, stdin=""):
    env = dict(base_environment(tmp_path), **env_for(emu))
    return subprocess.run([str(LAUNCHER)] + argv, input=stdin, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_a_body_trickled_a_few_bytes_at_a_time_is_cut_at_request_timeout_and_retried(emulator_factory, run_playbook, tmp_path):
    # Each chunk comes well within request_timeout, so only a bound on the whole request stops it.
    emu = emulator_factory(hard_scenario([by_polls("vmss-web")]))
    emu.add_fault("slow_body", path=LATEST, chunk_bytes=4, chunk_delay_ms=200, count=1)
    run = run_playbook(task("vmss_rolling_upgrade_info", resource_group="rg-hard", name="vmss-web", request_timeout=1), env=env_for(emu))
    assert run.rc == 0, run.result("task").get("msg")
    assert [entry["fault"] is not None for entry in emu.requests_log(path=LATEST)] == [True, False]
    emu.reset_log()
    emu.add_fault("slow_body", path=LATEST, chunk_bytes=4, chunk_delay_ms=200, count=1)
    done = cli(emu, tmp_path, ["status"], json.dumps({"resource_group": "rg-hard", "scale_set": "vmss-web", "request_timeout": "1"}))
    assert done.returncode == 0, done.stderr
    assert [entry["fault"] is not None for entry in emu.requests_log(path=LATEST)] == [True, False]
    suite_counts.record("hardening cases passed", 2)


def test_a_token_endpoint_503_burst_at_renewal_is_ridden_out_like_one_on_resource_manager(emulator_factory, run_playbook, tmp_path):
    # Tokens last 2 s, so the wait renews them while the token endpoint answers 503 four times.
    emu = emulator_factory(hard_scenario([by_polls("vmss-web")], time_scale=1, token_lifetime=2))
    emu.add_fault("error", status=503, path=TOKEN, after=1, count=4)
    run = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", sleep=0.5, timeout=300), env=env_for(emu))
    result = run.result("task")
    assert run.rc == 0, result.get("msg")
    assert result["state"] == "completed" and result["history"][-1]["state"] == "completed"
    assert [entry["status"] for entry in emu.requests_log(path=TOKEN)].count(503) >= 2  # the burst hit renewals
    emu = emulator_factory(hard_scenario([by_polls("vmss-web")], time_scale=1, token_lifetime=2))
    emu.add_fault("error", status=503, path=TOKEN, after=1, count=4)
    done = cli(emu, tmp_path, ["gate", "--resource-group", "rg-hard", "--scale-set", "vmss-web", "--sleep", "0.5", "--timeout", "300"])
    assert done.returncode == 0, done.stderr
    assert [entry["status"] for entry in emu.requests_log(path=TOKEN)].count(503) >= 2  # the burst hit renewals
    assert "get_token failed" not in done.stderr and "Traceback" not in done.stderr
    suite_counts.record("hardening cases passed", 2)


def test_a_twenty_digit_retry_after_cannot_hold_the_gate_past_its_timeout(emulator_factory, run_playbook, tmp_path):
    emu = emulator_factory(hard_scenario([by_polls("vmss-web", duration=6000)]))
    emu.add_fault("throttle", path=LATEST, retry_after=10 ** 20, after=1)
    run = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", sleep=0.2, timeout=4), env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and result["reason"] == "api_error", result.get("msg")
    assert "throttled by Azure beyond the deadline (Retry-After 3" in result["msg"] and "Traceback" not in run.stdout + run.stderr
    assert result["history"] and result["rolling_upgrade"]["scale_set_name"] == "vmss-web"
    assert result["elapsed"] <= 4 + 30  # the contract: timeout + request_timeout
    assert [entry["status"] for entry in emu.requests_log(path=LATEST)] == [200, 429]  # nothing sent while held back
    emu.reset_log()
    done = cli(emu, tmp_path, ["gate", "--resource-group", "rg-hard", "--scale-set", "vmss-web", "--sleep", "0.2", "--timeout", "4"])
    assert done.returncode == 6 and "throttled by Azure beyond the deadline" in done.stderr and "Traceback" not in done.stderr
    suite_counts.record("hardening cases passed", 2)


def test_a_token_endpoint_that_trickles_its_answer_cannot_hold_the_gate_past_its_timeout(emulator_factory, run_playbook):
    # One byte a second: every socket read succeeds, so only a bound on getting the token ends it.
    emu = emulator_factory(hard_scenario([by_polls("vmss-web", duration=6000)], time_scale=1, token_lifetime=2))
    emu.add_fault("slow_body", path=TOKEN, after=1, chunk_bytes=1, chunk_delay_ms=1000)
    run = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", sleep=0.5, timeout=8, request_timeout=2),
                       env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and result["reason"] == "api_error", result.get("msg")
    assert "the token endpoint did not answer within 2.0 s" in result["msg"]
    assert result["history"] and result["rolling_upgrade"]["scale_set_name"] == "vmss-web"  # what was seen is kept
    assert result["elapsed"] <= 8 + 2 + 30  # the contract: timeout + request_timeout (with room for a loaded machine)
    suite_counts.record("hardening cases passed", 1)


def test_a_scale_set_on_two_pages_is_read_once_and_one_without_name_or_id_is_left_out(emulator_factory, run_playbook):
    emu = emulator_factory(hard_scenario([by_polls("vmss-a"), by_polls("vmss-b")], page_sizes={"scale_sets": 1}))
    page = {"value": [{"id": VMSS_ID % "vmss-a", "name": "vmss-a"}, {"properties": {}}, {"id": VMSS_ID % "vmss-b"}],
            "nextLink": emu.base_url + (VMSS_ID % "")[:-1] + "?api-version=2024-07-01&again=1"}
    emu.add_fault("replace_body", method="GET", path=LIST, count=1, body=page)
    run = run_playbook(task("vmss_rolling_upgrade_info", resource_group="rg-hard"), env=env_for(emu))
    result = run.result("task")
    assert run.rc == 0, result.get("msg")
    assert [item["scale_set_name"] for item in result["rolling_upgrades"]] == ["vmss-a", "vmss-b"]
    assert len(emu.requests_log(path="vmss-a/" + LATEST)) == 1 and len(emu.requests_log(path="vmss-b/" + LATEST)) == 1
    assert "1 scale set(s) of the listing named neither their id nor their name" in run.stdout + run.stderr
    suite_counts.record("hardening cases passed", 1)


RUNS = "fleets/fleet-a/updateRuns$"


def fleet_scenario():
    return scenario([{"name": "rg-hard", "fleets": [{"name": "fleet-a", "members": [{"name": "m1", "group": "g1"}], "update_runs": [
        {"name": "run-1", "strategy": {"stages": [{"name": "s1", "groups": ["g1"]}]}, "start": -100}]}]}])


def test_an_endless_chain_of_distinct_next_links_ends_with_a_clear_error_and_the_runs_read(emulator_factory, run_playbook):
    emu = emulator_factory(fleet_scenario())
    runs = "/subscriptions/%s/resourceGroups/rg-hard/providers/Microsoft.ContainerService/fleets/fleet-a/updateRuns" % SUB
    page = {"value": [{"id": runs + "/run-p{hit}", "name": "run-p{hit}"}], "nextLink": emu.base_url + runs + "?api-version=2026-06-01&page={hit}"}
    emu.add_fault("replace_body", method="GET", path=RUNS, body=page)
    run = run_playbook(task("fleet_update_run_info", resource_group="rg-hard", fleet_name="fleet-a"), env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and result["error"]["code"] == "TooManyPages" and "gave up after 1000 pages" in result["msg"], result.get("msg")
    assert len(result["update_runs"]) == 1000 and result["update_runs"][-1]["name"] == "run-p1000"  # the runs read, as facts
    assert len(emu.requests_log(path=RUNS)) == 1000
    suite_counts.record("hardening cases passed", 1)


def test_an_empty_page_with_a_next_link_ends_the_listing(emulator_factory, run_playbook):
    emu = emulator_factory(fleet_scenario())
    runs = "/subscriptions/%s/resourceGroups/rg-hard/providers/Microsoft.ContainerService/fleets/fleet-a/updateRuns" % SUB
    emu.add_fault("replace_body", method="GET", path=RUNS, body={"value": [], "nextLink": emu.base_url + runs + "?api-version=2026-06-01&p={hit}"})
    run = run_playbook(task("fleet_update_run_info", resource_group="rg-hard", fleet_name="fleet-a"), env=env_for(emu))
    assert run.rc == 0 and run.result("task")["update_runs"] == [], run.result("task").get("msg")
    assert len(emu.requests_log(path=RUNS)) == 1
    suite_counts.record("hardening cases passed", 1)


def test_a_listing_that_fails_part_way_returns_no_raw_list_bodies(emulator_factory, run_playbook):
    emu = emulator_factory(hard_scenario([by_polls("vmss-a"), by_polls("vmss-b")], page_sizes={"scale_sets": 1}))
    emu.add_fault("error", status=503, method="GET", path=LIST, after=1)
    run = run_playbook(task("vmss_rolling_upgrade_info", resource_group="rg-hard"), env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and result["error"]["code"] == "ServiceUnavailable"
    # The first page's scale set was read while the second page was listed: its rolling upgrade is kept, as a
    # rolling-upgrade item; never Azure's scale set bodies (the listing's pages).
    (item,) = result["rolling_upgrades"]
    assert item["scale_set_name"] == "vmss-a" and item["id"].endswith("/vmss-a/rollingUpgrades/latest")
    assert not {"properties", "sku", "zones"} & set(item)
    suite_counts.record("hardening cases passed", 1)


def test_max_failed_closes_the_gate_while_azure_reports_progress_but_no_state(emulator_factory, run_playbook):
    emu = emulator_factory(hard_scenario([by_polls("vmss-web")]))
    body = {"properties": {"progress": {"successfulInstanceCount": 0, "failedInstanceCount": 5, "inProgressInstanceCount": 0,
                                        "pendingInstanceCount": 5}}}
    emu.add_fault("replace_body", path=LATEST, body=body)
    run = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", max_failed=1, sleep=0.5, timeout=120),
                       env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and result["reason"] == "max_failed", result.get("msg")
    assert result["polls"] == 1 and "5 instances failed, more than max_failed 1" in result["msg"]
    suite_counts.record("hardening cases passed", 1)


def test_timeout_alone_shorter_than_the_default_sleep_works_and_a_delay_past_the_timeout_is_refused(
        emulator_factory, run_playbook, tmp_path):
    emu = emulator_factory(hard_scenario([by_polls("vmss-web", start=-100, by="time", duration=30)]))
    run = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", timeout=10), env=env_for(emu))
    assert run.rc == 0, run.result("task").get("msg")
    done = cli(emu, tmp_path, ["gate", "--resource-group", "rg-hard", "--scale-set", "vmss-web", "--timeout", "10"])
    assert done.returncode == 0, done.stderr
    refused = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", delay=10, timeout=5), env=env_for(emu))
    result = refused.result("task")
    assert refused.rc != 0 and result["field"] == "delay" and "not shorter than timeout" in result["msg"]
    assert len(emu.requests_log(path=LATEST)) == 2  # one gate each way in; the refused gate sent nothing
    suite_counts.record("hardening cases passed", 2)


def test_an_hour_long_gate_through_token_expiry_5xx_bursts_throttling_and_resets_opens_when_the_upgrade_completes(
        emulator_factory, run_playbook):
    # One emulated hour in about 30 s of real time (time_scale 120), counted from the gate's first poll so a slow
    # ansible-playbook start changes nothing. Tokens live 5 emulated minutes; faults come after a number of requests.
    hour, scale = 3600, 120
    emu = emulator_factory(hard_scenario([{"name": "vmss-web", "sku": {"capacity": 10},
                                           "rolling_upgrade": {"start": 0, "by": "first_poll", "duration": hour}}],
                                         time_scale=scale, token_lifetime=300))
    faults = [dict(kind="error", status=503, path=LATEST, after=3, count=3),
              dict(kind="error", status=500, path=TOKEN, after=2, count=3),
              dict(kind="throttle", path=LATEST, retry_after=1, after=8, count=2),
              dict(kind="reset_mid_body", path=LATEST, after=12, count=2),
              dict(kind="error", status=503, path=TOKEN, after=6, count=2),
              dict(kind="truncated_body", path=LATEST, after=16, count=1),
              dict(kind="error", status=502, path=LATEST, after=20, count=2),
              dict(kind="drop", path=LATEST, after=24, count=1)]
    for fault in faults:
        emu.add_fault(**fault)
    run = run_playbook(task("wait_for_upgrade", resource_group="rg-hard", scale_set="vmss-web", sleep=0.5, timeout=900), env=env_for(emu))
    result = run.result("task")
    assert run.rc == 0, result.get("msg")
    assert [rule["hits"] for rule in emu.faults()] == [fault["count"] for fault in faults]  # every fault happened
    assert len({entry["token_id"] for entry in emu.requests_log(path=LATEST) if entry["token_id"]}) >= 3  # tokens were renewed
    # No history lost: it starts with the first observation, grows, and ends with the completion.
    history = result["history"]
    percents = [entry["percent_complete"] for entry in history]
    assert history[0]["state"] == "rolling_forward" and history[-1]["state"] == "completed"
    assert percents == sorted(percents) and len(set(percents)) >= 4 and percents[-1] == 100.0
    # The gate opens at the first clean poll after the completion (2 emulated seconds of slack for handling time).
    reads = emu.requests_log(path=LATEST)
    completed_at = reads[0]["elapsed"] + hour
    clean_after = [entry for entry in reads if entry["status"] == 200 and not entry["fault"] and entry["elapsed"] >= completed_at + 2]
    assert len(clean_after) <= 1 and result["polls"] >= 5
    assert result["elapsed"] >= hour / scale - 1  # it never opened before the upgrade completed
    suite_counts.record("hardening cases passed", 1)
    suite_counts.record("chaos gates that opened on completion", 1)
