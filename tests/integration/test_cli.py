# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The upgradegate-azure launcher as a real process against the emulator: Terraform's status protocol and the gate's exit codes."""

import json
import subprocess

import pytest

from conftest import REPO, VENV_BIN, base_environment
from scenarios import READER_ONLY, SECRET, SUB, env_for, scenario

LAUNCHER = REPO / "bin" / "upgradegate-azure"
FAULT = {"code": "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade", "message": "Health probes failed on 3 instances."}
FLEET = {"name": "fleet-a", "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
         "update_strategies": [{"name": "two", "stages": [{"name": "canary", "groups": ["canary"]}, {"name": "production", "groups": ["prod"]}]}],
         "simulate": {"member_seconds": 2, "members": {"p1": {"seconds": 120}}},
         "update_runs": [{"name": "run-1", "strategy": "two", "start": -10}]}
# Emulated time stands still: what status reads never changes.
FROZEN = scenario([{"name": "rg-cli", "fleets": [FLEET], "scale_sets": [
    {"name": "vmss-mid", "sku": {"capacity": 10}, "rolling_upgrade": {"start": -10, "duration": 30}},
    {"name": "vmss-never"},
    {"name": "vmss-faulted", "sku": {"capacity": 10},
     "rolling_upgrade": {"start": -100, "duration": 60, "outcome": "Faulted", "fault_after": 20, "error": FAULT}},
]}])


def run_cli(args, env, stdin="", launcher=LAUNCHER):
    return subprocess.run([str(launcher)] + args, input=stdin, env=env, capture_output=True, text=True, timeout=120, check=False)


def status(query, env, launcher=LAUNCHER):
    return run_cli(["status"], env, json.dumps(query), launcher)


def flat_strings(done):
    """stdout as Terraform reads it: one JSON object whose values are all strings."""
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert isinstance(result, dict) and all(isinstance(value, str) for value in result.values()), result
    return result


def refused(done, code, words):
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def frozen(emulator_session_factory):
    return emulator_session_factory(FROZEN)


@pytest.fixture
def env_of(tmp_path):
    """env_of(emu, client=...) -> a clean environment pointed at the emulator, nothing from the developer's shell."""
    def build(emu=None, **options):
        env = base_environment(tmp_path)
        if emu is not None:
            env.update(env_for(emu, **options))
        return env

    return build


def test_status_of_a_scale_set_mid_upgrade_is_a_flat_object_of_strings(frozen, env_of):
    query = {"resource_group": "rg-cli", "scale_set": "vmss-mid", "subscription_id": SUB, "request_timeout": "20", "validate_certs": "true",
             "disable_instance_discovery": "true"}
    done = status(query, env_of(frozen))
    result = flat_strings(done)
    assert done.stderr == ""
    assert (result["kind"], result["state"], result["status_code"], result["exists"]) == ("vmss", "rolling_forward", "RollingForward", "true")
    assert (result["is_terminal"], result["succeeded"], result["total"], result["failed"]) == ("false", "false", "10", "0")
    assert 0 < float(result["percent_complete"]) < 100 and result["started_at"].endswith("Z")
    assert result["id"].endswith("/virtualMachineScaleSets/vmss-mid/rollingUpgrades/latest")
    assert (result["error_code"], result["error_message"]) == ("", "")


def test_status_of_a_scale_set_that_never_upgraded_is_not_an_error(frozen, env_of):
    result = flat_strings(status({"resource_group": "rg-cli", "scale_set": "vmss-never"}, env_of(frozen)))
    assert (result["exists"], result["state"], result["percent_complete"], result["started_at"]) == ("false", "", "", "")


def test_status_of_a_faulted_upgrade_carries_the_azure_error(frozen, env_of):
    result = flat_strings(status({"resource_group": "rg-cli", "scale_set": "vmss-faulted"}, env_of(frozen)))
    assert (result["state"], result["is_terminal"], result["succeeded"]) == ("faulted", "true", "false")
    assert (result["error_code"], result["error_message"]) == (FAULT["code"], FAULT["message"])
    assert int(result["failed"]) > 0


def test_status_of_a_fleet_run(frozen, env_of):
    result = flat_strings(status({"resource_group": "rg-cli", "fleet_name": "fleet-a", "update_run": "run-1", "stage": "", "group": ""},
                                 env_of(frozen)))
    assert (result["kind"], result["scope"], result["state"], result["current_stage"]) == ("fleet", "run", "running", "production")
    assert (result["total"], result["completed"], result["percent_complete"], result["completed_at"]) == ("2", "1", "50.0", "")
    assert result["provisioning_state"] and result["id"].endswith("/fleets/fleet-a/updateRuns/run-1")


def test_status_of_a_stage_gives_the_stage_state_and_percent(frozen, env_of):
    result = flat_strings(status({"resource_group": "rg-cli", "fleet_name": "fleet-a", "update_run": "run-1", "stage": "canary"}, env_of(frozen)))
    assert (result["scope"], result["stage"], result["state"], result["succeeded"]) == ("stage", "canary", "completed", "true")
    assert (result["percent_complete"], result["total"], result["run_state"]) == ("100.0", "1", "running")
    assert result["completed_at"].endswith("Z")


def test_status_of_a_group_gives_the_group_state(frozen, env_of):
    result = flat_strings(status({"resource_group": "rg-cli", "fleet_name": "fleet-a", "update_run": "run-1", "group": "prod"}, env_of(frozen)))
    assert (result["scope"], result["group"], result["state"], result["percent_complete"]) == ("group", "prod", "running", "0.0")


@pytest.mark.parametrize("query, words", [
    ({"resource_group": "rg-cli", "scale_set": "vmss-nope"}, "scale set 'vmss-nope' in resource group 'rg-cli'"),
    ({"resource_group": "rg-nope", "scale_set": "vmss-mid"}, "rg-nope"),
    ({"resource_group": "rg-cli", "fleet_name": "fleet-a", "update_run": "run-nope"}, "update run 'run-nope'"),
    ({"resource_group": "rg-cli", "fleet_name": "fleet-nope", "update_run": "run-1"}, "fleet 'fleet-nope'"),
    ({"resource_group": "rg-cli", "fleet_name": "fleet-a", "update_run": "run-1", "stage": "nope"}, "stage 'nope' is not part of the run"),
])
def test_status_of_something_missing_exits_5_like_a_terraform_data_source(frozen, env_of, query, words):
    done = status(query, env_of(frozen))
    refused(done, 5, words)
    assert done.stdout == ""


@pytest.mark.parametrize("stdin, words", [
    ("resource_group=rg-cli", "stdin is not JSON"),
    ("", "stdin is not JSON"),
    (json.dumps(["rg-cli", "vmss-mid"]), "expected one JSON object of strings, got list"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "vmss-mid", "request_timeout": 20}), "request_timeout: must be a string"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "vmss-mid", "nmae": "x"}), "nmae: unknown key"),
    (json.dumps({"scale_set": "vmss-mid"}), "missing parameter(s) required by 'scale_set': resource_group"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "vmss-mid", "secret": SECRET}), "secrets are never read from the query"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "vmss-mid", "client_secret": SECRET}), "secrets are never read from the query"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "vmss-mid", "stage": "canary"}), "mutually exclusive: scale_set|stage"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "-bad-"}), "scale_set: '-bad-' is not a valid scale set name"),
    (json.dumps({"resource_group": "rg-cli", "scale_set": "vmss-mid", "validate_certs": "maybe"}), "validate_certs"),
])
def test_malformed_status_input_is_refused_on_stderr_with_nothing_on_stdout(frozen, env_of, stdin, words):
    before = len(frozen.requests_log())
    done = run_cli(["status"], env_of(frozen), stdin)
    refused(done, 2, words)
    assert done.stdout == "" and SECRET not in done.stderr
    assert len(frozen.requests_log()) == before


def test_status_without_permission_exits_6_naming_the_permission(frozen, env_of):
    done = status({"resource_group": "rg-cli", "scale_set": "vmss-mid"}, env_of(frozen, client=READER_ONLY))
    refused(done, 6, "Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades/read")
    assert done.stdout == ""


def gate_scenario(*scale_sets, **top):
    return scenario([{"name": "rg-gate", "scale_sets": list(scale_sets), "fleets": [FLEET]}], **top)


def by_polls(name, **upgrade):
    return {"name": name, "sku": {"capacity": 10}, "rolling_upgrade": dict({"start": 0, "by": "polls", "poll_seconds": 10}, **upgrade)}


def gate(args, env):
    return run_cli(["gate", "--sleep", "0.2"] + args, env)


def test_the_gate_opens_with_exit_0_printing_one_line_per_change_and_the_result_as_json(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario(by_polls("vmss-web", duration=30)))
    done = gate(["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--timeout", "60", "--json"], env_of(emu))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["state"], result["polls"], result["changed"]) == ("completed", 4, False)
    assert result["rolling_upgrade"]["progress"]["percent_complete"] == 100.0
    *progress, summary = done.stderr.splitlines()
    assert progress == [change["summary"] for change in result["history"]] and len(progress) == 4
    assert progress[0].startswith("wait_for_upgrade: rg-gate/vmss-web rolling_forward 0.0% (0 of 10 upgraded, 0 failed) after ")
    assert progress[-1].startswith("wait_for_upgrade: rg-gate/vmss-web completed 100.0% (10 of 10 upgraded, 0 failed) after ")
    assert summary.startswith("gate open after 4 polls in ") and summary.endswith("rg-gate/vmss-web reached completed")


def test_progress_false_prints_only_the_summary_and_the_history_keeps_the_lines(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario(by_polls("vmss-web", duration=30)))
    done = gate(["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--timeout", "60", "--progress", "false", "--json"], env_of(emu))
    assert done.returncode == 0, done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("gate open after 4 polls in ")
    assert [entry["summary"].split(" after ")[0] for entry in json.loads(done.stdout)["history"]][-1] == (
        "wait_for_upgrade: rg-gate/vmss-web completed 100.0% (10 of 10 upgraded, 0 failed)")


def test_a_faulted_upgrade_exits_3(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario(by_polls("vmss-web", duration=60, outcome="Faulted", fault_after=20, error=FAULT)))
    done = gate(["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--timeout", "3600"], env_of(emu))
    refused(done, 3, "gate failed (failed_state) after 3 polls")
    assert "reached faulted, not completed: %s" % FAULT["code"] in done.stderr and done.stdout == ""


def test_a_gate_that_does_not_open_in_time_exits_4(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario({"name": "vmss-web", "rolling_upgrade": {"start": 0, "duration": 600}}))
    done = gate(["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--timeout", "1", "--json"], env_of(emu))
    refused(done, 4, "gate failed (timeout)")
    assert json.loads(done.stdout)["reason"] == "timeout"


def test_a_missing_scale_set_exits_5(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario())
    refused(gate(["--resource-group", "rg-gate", "--scale-set", "vmss-nope"], env_of(emu)), 5, "scale set rg-gate/vmss-nope was not found")


def test_a_client_without_permission_exits_6(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario(by_polls("vmss-web", duration=30)))
    done = gate(["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--json"], env_of(emu, client=READER_ONLY))
    refused(done, 6, "gate failed (api_error)")
    assert json.loads(done.stdout)["targets"][0]["error"]["status"] == 403


def test_a_stalled_upgrade_exits_7(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario({"name": "vmss-web", "rolling_upgrade": {"start": 0, "duration": 600}}))
    refused(gate(["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--stall-timeout", "0.5", "--timeout", "120"], env_of(emu)),
            7, "made no progress for 0.5 s")


def test_several_targets_and_a_fleet_stage_are_waited_for_together(emulator_factory, env_of):
    emu = emulator_factory(gate_scenario(by_polls("vmss-a", duration=10), by_polls("vmss-b", duration=20)))
    done = gate(["--target", "rg-gate/vmss-a", "--target", "rg-gate/vmss-b", "--target", "rg-gate/fleet-a/run-1/canary", "--timeout", "60",
                 "--json"], env_of(emu))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [(t.get("scale_set") or t["stage"], t["state"]) for t in result["targets"]] == [
        ("vmss-a", "completed"), ("vmss-b", "completed"), ("canary", "completed")]
    assert "wait_for_upgrade: rg-gate/fleet-a/run-1 stage canary: completed 100.0% (1 of 1 member, 0 failed) after " in done.stderr


@pytest.mark.parametrize("args, words", [
    (["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--timeout", "0"], "timeout: must be a number of seconds greater than 0"),
    (["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--timeout", "soon"], "timeout"),
    (["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--state", "done"], "value of state must be one or more of"),
    (["--resource-group", "rg-gate"], "one of the following is required: targets, scale_set, fleet_name"),
    (["--target", "rg-gate/vmss-web", "--scale-set", "vmss-web"], "mutually exclusive: targets|scale_set"),
    (["--target", "rg-gate"], "argument --target: 'rg-gate' is not RESOURCE_GROUP/SCALE_SET"),
    (["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--secret", SECRET], "unrecognized arguments: --secret"),
    (["--resource-group", "rg-gate", "--scale-set", "vmss-web", "--auth-source", "magic"], "auth_source"),
    (["--resource-group", "rg-gate", "--scale-set", "vmss-a", "--scale-set", "vmss-b"], "argument --scale-set: given more than once"),
    (["--resource-group", "rg-gate", "--sca", "vmss-web"], "unrecognized arguments: --sca"),
    (["--resource-group", "rg-gate", "--scale-set", "vmss-web\n"], "scale_set: 'vmss-web\\n' is not a valid scale set name"),
])
def test_bad_gate_input_exits_2_before_any_request(frozen, env_of, args, words):
    before = len(frozen.requests_log())
    done = gate(args, env_of(frozen))
    refused(done, 2, words)
    assert done.stdout == "" and len(frozen.requests_log()) == before


def test_the_launcher_runs_where_python3_is_the_only_python_on_the_path(env_of, tmp_path):
    only = tmp_path / "only-python3"
    only.mkdir()
    (only / "python3").write_text('#!/bin/sh\nexec "%s" "$@"\n' % (VENV_BIN / "python3"))
    (only / "python3").chmod(0o755)
    done = run_cli(["gate", "--help"], dict(env_of(), PATH=str(only)))
    assert done.returncode == 0, done.stderr
    assert "exit codes:" in done.stdout and "--stall-timeout" in done.stdout


def test_the_launcher_works_from_an_installed_collection(frozen, env_of, tmp_path):
    env = env_of(frozen)
    galaxy = str(VENV_BIN / "ansible-galaxy")
    subprocess.run([galaxy, "collection", "build", "--output-path", str(tmp_path / "dist"), str(REPO)], env=env, check=True, capture_output=True,
                   timeout=300)
    tarball = next((tmp_path / "dist").glob("upgradegate-azure-*.tar.gz"))
    subprocess.run([galaxy, "collection", "install", "--offline", "--no-deps", "--force", "-p", str(tmp_path / "installed"), str(tarball)],
                   env=env, check=True, capture_output=True, timeout=300)
    installed = tmp_path / "installed" / "ansible_collections" / "upgradegate" / "azure" / "bin" / "upgradegate-azure"
    result = flat_strings(status({"resource_group": "rg-cli", "scale_set": "vmss-mid"}, env, launcher=installed))
    assert result["state"] == "rolling_forward"
