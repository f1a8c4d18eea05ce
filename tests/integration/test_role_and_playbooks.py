# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role deployment_gate, the playbooks gate and status, and the demo, as users run them."""

import json
import re
import subprocess
import sys

import pytest

from conftest import REPO, base_environment
from scenarios import env_for, scenario

GROUPS = [{"name": "rg-gate", "scale_sets": [
    {"name": "vmss-web", "sku": {"capacity": 10}, "rolling_upgrade": {"start": 0, "by": "polls", "poll_seconds": 10, "duration": 20}},
    {"name": "vmss-bad", "sku": {"capacity": 10},
     "rolling_upgrade": {"start": 0, "by": "polls", "poll_seconds": 10, "duration": 60, "outcome": "Faulted", "fault_after": 10}},
    {"name": "vmss-idle", "upgrade_policy": {"mode": "Manual"}},
], "fleets": [{"name": "fleet-a", "members": [{"name": "c1", "group": "canary"}],
               "update_runs": [{"name": "run-1", "strategy": {"stages": [{"name": "canary", "groups": ["canary"]}]}, "start": -100}]}]}]
WEB = {"resource_group": "rg-gate", "scale_set": "vmss-web"}
BAD = {"resource_group": "rg-gate", "scale_set": "vmss-bad"}
CANARY = {"resource_group": "rg-gate", "fleet_name": "fleet-a", "update_run": "run-1", "stage": "canary"}


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(scenario(GROUPS))


def role(**variables):
    return {"name": "gate", "ansible.builtin.include_role": {"name": "upgradegate.azure.deployment_gate"}, "vars": variables}


def test_the_role_prints_one_line_per_target_when_the_gate_opens(emu, run_playbook):
    run = run_playbook([role(deployment_gate_targets=[WEB, CANARY], deployment_gate_sleep=0.2, deployment_gate_timeout=60)], env=env_for(emu))
    assert run.rc == 0, run.stdout
    lines = [line for line in run.stdout.splitlines() if '"msg": "' in line]
    assert any("scale set rg-gate/vmss-web" in line and "completed" in line and "100.0 %" in line for line in lines), lines
    assert any("update run rg-gate/fleet-a/run-1 stage canary" in line and "completed" in line for line in lines), lines


WAIT_TASK = "upgradegate.azure.deployment_gate : Wait for every target to reach the wanted state"


def test_the_role_prints_each_change_before_the_wait_ends_and_nothing_with_progress_off(emu, run_playbook):
    run = run_playbook([role(deployment_gate_targets=[WEB], deployment_gate_sleep=0.2, deployment_gate_timeout=60)], env=env_for(emu))
    assert run.rc == 0, run.stdout
    lines = run.stdout.splitlines()
    header = next(index for index, text in enumerate(lines) if text.startswith("TASK [%s]" % WAIT_TASK))
    result = next(index for index, text in enumerate(lines) if index > header and text.startswith("ok: [localhost]"))
    progress = [text for text in lines[header:result] if text.startswith("wait_for_upgrade: ")]
    history = run.result(WAIT_TASK)["history"]
    assert progress == [entry["summary"] for entry in history] and len(progress) == 3
    assert progress[-1].startswith("wait_for_upgrade: rg-gate/vmss-web completed 100.0% (10 of 10 upgraded, 0 failed) after ")
    quiet = run_playbook([role(deployment_gate_targets=[WEB], deployment_gate_sleep=0.2, deployment_gate_timeout=60, deployment_gate_progress=False)],
                         env=env_for(emu))
    assert quiet.rc == 0 and not [text for text in quiet.stdout.splitlines() if text.startswith("wait_for_upgrade: ")]
    assert quiet.result(WAIT_TASK)["history"][0]["summary"].startswith("wait_for_upgrade: rg-gate/vmss-web completed")


def test_the_role_with_a_short_timeout_alone_polls_within_it_instead_of_refusing_the_default_sleep(emu, run_playbook):
    """The role passes sleep only when given, so the module's rule applies: 30 s, or the timeout when shorter."""
    run = run_playbook([role(deployment_gate_targets=[WEB], deployment_gate_timeout=10)], env=env_for(emu))
    result = run.result("upgradegate.azure.deployment_gate : Wait for every target to reach the wanted state")
    assert "field" not in result and "sleep" not in result.get("msg", ""), result  # before: "sleep: 30.0 is longer than timeout 10.0"
    assert result["polls"] >= 1, result


def test_the_role_fails_with_a_summary_when_the_gate_does_not_open(emu, run_playbook):
    run = run_playbook([role(deployment_gate_targets=[WEB, BAD], deployment_gate_sleep=0.2, deployment_gate_timeout=60)], env=env_for(emu))
    assert run.rc != 0
    assert "Deployment gate did not open after" in run.stdout and "(failed_state): scale set rg-gate/vmss-bad reached faulted" in run.stdout
    assert "<- failed_state" in run.stdout  # the per-target line names the reason


@pytest.mark.parametrize("variables, words", [
    ({}, "missing required arguments: deployment_gate_targets"),
    ({"deployment_gate_targets": "vmss-web"}, "deployment_gate_targets"),
    ({"deployment_gate_targets": [{"scale_set": "vmss-web"}]}, "missing required arguments: resource_group found in deployment_gate_targets"),
    ({"deployment_gate_targets": [dict(WEB, color="blue")]}, "color"),
    ({"deployment_gate_targets": [WEB], "deployment_gate_timeout": "soon"}, "deployment_gate_timeout"),
    ({"deployment_gate_targets": [WEB], "deployment_gate_max_failed": "none"}, "deployment_gate_max_failed"),
])
def test_the_role_refuses_bad_variables_with_a_clear_message(emu, run_playbook, variables, words):
    run = run_playbook([role(**variables)], env=env_for(emu))
    assert run.rc != 0 and words in run.stdout, run.stdout[-2000:]
    assert emu.requests_log(path="virtualMachineScaleSets") == []


def test_the_gate_playbook_runs_from_extra_vars(emu, run_playbook):
    run = run_playbook("upgradegate.azure.gate", env=env_for(emu), extra_vars={"gate_targets": [WEB], "gate_sleep": 0.2, "gate_timeout": 60})
    assert run.rc == 0, run.stdout
    assert "scale set rg-gate/vmss-web" in run.stdout


def test_the_gate_playbook_says_how_to_give_targets(emu, run_playbook):
    run = run_playbook("upgradegate.azure.gate", env=env_for(emu))
    assert run.rc != 0 and "Give the targets as extra vars" in run.stdout


def test_the_status_playbook_prints_a_table_and_writes_json_and_markdown_reports(emu, run_playbook, tmp_path):
    report_dir = tmp_path / "reports"
    run = run_playbook("upgradegate.azure.status", env=env_for(emu), extra_vars={
        "status_resource_group": "rg-gate", "status_fleet_resource_group": "rg-gate", "status_fleet_name": "fleet-a",
        "status_report_dir": str(report_dir)})
    assert run.rc == 0, run.stdout
    assert "rg-gate/vmss-idle" in run.stdout and "never upgraded" in run.stdout and "rg-gate/fleet-a/run-1" in run.stdout
    header = next(text for text in run.stdout.splitlines() if '"msg": "SCALE SET' in text)
    row = next(text for text in run.stdout.splitlines() if '"msg": "rg-gate/vmss-web ' in text)
    state = re.search(r"vmss-web +(\S)", row).start(1)
    started = re.search(r"\d{4}-\d\d-\d\dT[0-9:.]+Z", row)
    assert (header.index("STATE"), header.index("STARTED"), header.index("ERROR")) == (state, started.start(), started.end() + 2), (header, row)
    report = json.loads((report_dir / "status.json").read_text())
    assert sorted(item["scale_set_name"] for item in report["rolling_upgrades"]) == ["vmss-bad", "vmss-idle", "vmss-web"]
    assert [item["name"] for item in report["update_runs"]] == ["run-1"]
    markdown = (report_dir / "status.md").read_text()
    assert "| rg-gate/vmss-idle | never upgraded | - | - |  |" in markdown
    assert "| rg-gate/fleet-a/run-1 | completed | 100.0 % | - |  |" in markdown


def run_demo(tmp_path, scenario_name):
    env = base_environment(tmp_path)
    return subprocess.run([sys.executable, str(REPO / "tools" / "demo.py"), "--scenario", scenario_name], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_demo_opens_every_gate_and_exits_0(tmp_path):
    done = run_demo(tmp_path, "demo")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Every gate opened after" in done.stdout and "every gate opened." in done.stdout


def test_the_fault_demo_stops_the_pipeline_and_exits_non_zero(tmp_path):
    done = run_demo(tmp_path, "fault")
    assert done.returncode != 0
    assert "Deployment gate did not open" in done.stdout and "a gate stopped the pipeline" in done.stdout
