# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""vmss_rolling_upgrade, OS upgrade history, rolling back and newer Compute versions in real ansible-playbook runs."""

import json

import pytest

from conftest import base_environment
from scenarios import SECRET, SUB, env_for, scenario
from test_cli import run_cli, status

RG = "rg-roll"
ON_START = {"by": "polls", "poll_seconds": 10, "duration": 30}
PAST = [
    {"properties": {"runningStatus": {"code": "Completed", "startTime": "2026-10-01T08:00:00Z", "endTime": "2026-10-01T08:40:00Z"},
                    "progress": {"successfulInstanceCount": 5}, "startedBy": "Platform",
                    "targetImageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "24.04.202609"}}},
    {"properties": {"runningStatus": {"code": "Faulted", "startTime": "2026-11-01T08:00:00Z", "endTime": "2026-11-01T08:20:00Z"},
                    "progress": {"successfulInstanceCount": 2, "failedInstanceCount": 1, "pendingInstanceCount": 2},
                    "startedBy": "User", "error": {"code": "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade", "message": "too many"},
                    "rollbackInfo": {"successfullyRolledbackInstanceCount": 2, "failedRolledbackInstanceCount": 0}}},
    {"properties": {"runningStatus": {"code": "Cancelled", "startTime": "2026-09-01T08:00:00Z"}, "startedBy": "User"}},
]


def scale_sets():
    return [
        {"name": "vmss-idle", "on_start": ON_START},
        {"name": "vmss-rolling", "rolling_upgrade": {"start": 0, "by": "polls", "poll_seconds": 1, "duration": 3600}},
        {"name": "vmss-manual", "upgrade_policy": {"mode": "Manual"}},
        {"name": "vmss-ended-meanwhile", "rolling_upgrade": {"body": {"properties": {"runningStatus": {
            "code": "RollingForward", "startTime": "2026-12-01T08:00:00Z"}}}}},
        {"name": "vmss-history", "os_upgrade_history": PAST, "history_page_size": 2},
        {"name": "vmss-rollback", "sku": {"capacity": 10}, "rolling_upgrade": {
            "start": 0, "by": "polls", "poll_seconds": 10, "duration": 40, "outcome": "Faulted", "fault_after": 10,
            "rollback_seconds": 20}},
    ]


READER = "88888888-8888-4888-8888-888888888888"


@pytest.fixture
def emu(emulator_factory):
    built = scenario([{"name": RG, "scale_sets": scale_sets()}])
    built["tenants"][0]["clients"].append({"client_id": READER, "secret": SECRET, "permissions": [{"actions": [
        "Microsoft.Compute/virtualMachineScaleSets/read", "Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades/read"],
        "scope": "/subscriptions/%s" % SUB}]})
    return emulator_factory(built)


def roll(task="roll", **options):
    return {"name": task, "upgradegate.azure.vmss_rolling_upgrade": dict({"resource_group": RG}, **options), "register": "r"}


def posts(emu, name, operation):
    return [e for e in emu.requests_log(path="virtualMachineScaleSets/%s/%s$" % (name, operation)) if e["method"] == "POST"]


def test_starting_an_os_upgrade_posts_once_and_a_second_run_changes_nothing(emu, run_playbook):
    run = run_playbook([roll("first", scale_set="vmss-idle"), roll("second", scale_set="vmss-idle")], env=env_for(emu))
    assert run.rc == 0, run.stdout
    first, second = run.result("first"), run.result("second")
    assert first["changed"] is True and first["requested_at"].endswith("Z")
    assert first["rolling_upgrade"]["state"] == "rolling_forward" and first["rolling_upgrade"]["exists"] is True
    assert second["changed"] is False and second["requested_at"] is None
    assert len(posts(emu, "vmss-idle", "osRollingUpgrade")) == 1


def test_an_extension_upgrade_posts_extension_rolling_upgrade(emu, run_playbook):
    run = run_playbook([roll(scale_set="vmss-idle", type="extension")], env=env_for(emu))
    assert run.rc == 0 and run.result("roll")["changed"] is True, run.stdout
    assert len(posts(emu, "vmss-idle", "extensionRollingUpgrade")) == 1 and posts(emu, "vmss-idle", "osRollingUpgrade") == []


def test_check_mode_reports_the_start_without_posting(emu, run_playbook):
    run = run_playbook([dict(roll(scale_set="vmss-idle"), diff=True)], env=env_for(emu), check=True)
    result = run.result("roll")
    assert run.rc == 0 and result["changed"] is True and result["requested_at"] is None, run.stdout
    assert result["diff"] == {"before": {"state": None}, "after": {"state": "rolling_forward"}}
    assert posts(emu, "vmss-idle", "osRollingUpgrade") == []


def test_a_running_upgrade_is_cancelled_and_followed_to_its_end(emu, run_playbook):
    run = run_playbook([dict(roll(scale_set="vmss-rolling", state="cancelled"), diff=True)], env=env_for(emu))
    result = run.result("roll")
    assert run.rc == 0 and result["changed"] is True, run.stdout
    assert result["rolling_upgrade"]["state"] == "cancelled" and result["rolling_upgrade"]["last_action"] == "cancel"
    assert result["diff"] == {"before": {"state": "rolling_forward"}, "after": {"state": "cancelled"}}
    assert len(posts(emu, "vmss-rolling", "rollingUpgrades/cancel")) == 1
    assert emu.requests_log(path="/operations/"), "the accepted cancel was not followed"


def test_cancelling_with_nothing_under_way_changes_nothing_and_posts_nothing(emu, run_playbook):
    run = run_playbook([roll(scale_set="vmss-idle", state="cancelled")], env=env_for(emu))
    assert run.rc == 0 and run.result("roll")["changed"] is False, run.stdout
    assert posts(emu, "vmss-idle", "rollingUpgrades/cancel") == []


def test_azures_409_for_nothing_to_cancel_is_no_change(emu, run_playbook):
    """The latest upgrade still read rolling_forward, but it ended before the cancel arrived: Azure answers 409."""
    run = run_playbook([roll(scale_set="vmss-ended-meanwhile", state="cancelled")], env=env_for(emu))
    assert run.rc == 0 and run.result("roll")["changed"] is False, run.stdout
    assert len(posts(emu, "vmss-ended-meanwhile", "rollingUpgrades/cancel")) == 1


def test_a_scale_set_that_cannot_roll_gets_azures_words_and_what_to_change(emu, run_playbook):
    run = run_playbook([roll(scale_set="vmss-manual")], env=env_for(emu))
    result = run.result("roll")
    assert run.rc != 0 and result["error"]["code"] == "OperationNotAllowed", run.stdout
    assert "upgrade policy mode is 'Manual'" in result["msg"] and "set properties.upgradePolicy.mode to Rolling" in result["msg"]
    assert result["requested_at"] is None or result["requested_at"].endswith("Z")


def test_history_is_read_across_pages_newest_first_and_limited(emu, run_playbook):
    run = run_playbook([{"name": "read", "upgradegate.azure.vmss_rolling_upgrade_info": {
        "resource_group": RG, "name": "vmss-history", "include_history": True, "history_limit": 2}}], env=env_for(emu))
    assert run.rc == 0, run.stdout
    history = run.result("read")["rolling_upgrades"][0]["history"]
    assert [(h["state"], h["started_at"]) for h in history] == [("faulted", "2026-11-01T08:00:00Z"), ("completed", "2026-10-01T08:00:00Z")]
    assert history[0]["rollback"] == {"successfully_rolled_back": 2, "failed_to_roll_back": 0, "error": None}
    assert history[0]["error"]["code"] == "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade"
    assert history[1]["target_image"]["version"] == "24.04.202609" and history[1]["started_by"] == "Platform"
    assert len(emu.requests_log(path="vmss-history/osUpgradeHistory")) == 2  # two pages of two


def test_history_of_every_scale_set_of_a_group_comes_with_its_latest_upgrade(emu, run_playbook):
    run = run_playbook([roll("start", scale_set="vmss-idle"),
                        {"name": "read", "upgradegate.azure.vmss_rolling_upgrade_info": {"resource_group": RG, "include_history": True}}],
                       env=env_for(emu))
    assert run.rc == 0, run.stdout
    items = {item["scale_set_name"]: item for item in run.result("read")["rolling_upgrades"]}
    assert set(items) == {s["name"] for s in scale_sets()} and all("history" in item for item in items.values())
    started = items["vmss-idle"]["history"]
    assert len(started) == 1 and started[0]["state"] == "rolling_forward" and started[0]["started_by"] == "User"
    assert len(emu.requests_log(path="/osUpgradeHistory")) == len(items) + 1  # vmss-history has two pages


def test_a_gate_fails_at_once_when_the_upgrade_rolls_back(emu, run_playbook):
    gate = {"name": "gate", "upgradegate.azure.wait_for_upgrade": {"resource_group": RG, "scale_set": "vmss-rollback", "sleep": 0.2,
                                                                   "timeout": 120}}
    run = run_playbook([gate], env=env_for(emu))
    result = run.result("gate")
    assert run.rc != 0 and result["reason"] == "failed_state" and result["state"] == "rolling_back", run.stdout
    assert result["polls"] == 2 and "Azure is restoring the previous model" in result["msg"]


def test_a_gate_asked_for_any_terminal_state_waits_through_the_roll_back(emu, run_playbook):
    gate = {"name": "gate", "upgradegate.azure.wait_for_upgrade": {"resource_group": RG, "scale_set": "vmss-rollback", "sleep": 0.2,
                                                                   "timeout": 120, "state": ["terminal"]}}
    run = run_playbook([gate], env=env_for(emu))
    result = run.result("gate")
    assert run.rc == 0 and result["state"] == "faulted", run.stdout
    assert [h["state"] for h in result["history"]] == ["rolling_forward", "rolling_back", "faulted"]


@pytest.mark.parametrize("version", ["2024-07-01", "2025-04-01", "2025-11-01"])
def test_every_stable_compute_version_reads_and_gates(emu, run_playbook, version):
    run = run_playbook([
        {"name": "read", "upgradegate.azure.vmss_rolling_upgrade_info": {"resource_group": RG, "name": "vmss-rolling", "api_version": version}},
        {"name": "gate", "upgradegate.azure.wait_for_upgrade": {"resource_group": RG, "scale_set": "vmss-rolling", "vmss_api_version": version,
                                                                "state": ["rolling_forward"], "timeout": 60, "sleep": 0.2}},
    ], env=env_for(emu))
    assert run.rc == 0 and run.result("read")["rolling_upgrades"][0]["state"] == "rolling_forward", run.stdout
    queries = [e["query"] for e in emu.requests_log(path="vmss-rolling/rollingUpgrades/latest$")]
    assert queries and all("api-version=%s" % version in query for query in queries)


def test_an_identity_that_may_only_read_is_told_which_permission_to_grant(emu, run_playbook):
    run = run_playbook([roll(scale_set="vmss-idle")], env=env_for(emu, client=READER))
    result = run.result("roll")
    assert run.rc != 0 and result["error"]["status"] == 403, run.stdout
    assert "Microsoft.Compute/virtualMachineScaleSets/osRollingUpgrade/action" in result["msg"]
    assert result["msg"].startswith("starting the os rolling upgrade of scale set 'vmss-idle' in resource group 'rg-roll'")


def test_the_command_line_reports_rolling_back_and_its_gate_exits_as_for_a_failure(emu, tmp_path):
    env = dict(base_environment(tmp_path), **env_for(emu))
    gated = run_cli(["gate", "--resource-group", RG, "--scale-set", "vmss-rollback", "--sleep", "0.2", "--timeout", "60"], env)
    assert gated.returncode == 3 and "rolling_back" in gated.stderr, gated.stderr
    read = status({"resource_group": RG, "scale_set": "vmss-rollback"}, env)
    assert read.returncode == 0 and json.loads(read.stdout)["state"] == "rolling_back", read.stderr


def test_the_command_line_starts_a_scale_set_once_and_prints_the_time_to_gate_from(emu, tmp_path):
    env = dict(base_environment(tmp_path), **env_for(emu))
    first = run_cli(["start", "--resource-group", RG, "--scale-set", "vmss-idle", "--type", "extension", "--json"], env)
    assert first.returncode == 0, first.stderr
    requested_at = json.loads(first.stdout)["requested_at"]
    assert "--started-after %s" % requested_at in first.stderr
    again = run_cli(["start", "--resource-group", RG, "--scale-set", "vmss-idle"], env)
    assert again.returncode == 0 and "is already rolling (state rolling_forward): nothing to do" in again.stderr, again.stderr
    assert len(posts(emu, "vmss-idle", "extensionRollingUpgrade")) == 1 and posts(emu, "vmss-idle", "osRollingUpgrade") == []
    refused = run_cli(["start", "--resource-group", RG, "--scale-set", "vmss-manual"], env)
    assert refused.returncode == 6 and "upgradePolicy.mode to Rolling" in refused.stderr, refused.stderr
