# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input, across the three modules, the role and the command line: refused, naming the field, no traceback.

Nothing reaches Azure: the emulator's log stays empty of Resource Manager requests.
"""

import json
import subprocess

import pytest

import suite_counts
from conftest import REPO, base_environment
from scenarios import env_for, scenario

LAUNCHER = REPO / "bin" / "upgradegate-azure"
VMSS = "upgradegate.azure.vmss_rolling_upgrade_info"
FLEET = "upgradegate.azure.fleet_update_run_info"
GATE = "upgradegate.azure.wait_for_upgrade"
WEB = {"resource_group": "rg-in", "name": "vmss-web"}
RUN = {"resource_group": "rg-in", "fleet_name": "fleet-a"}
ONE = {"resource_group": "rg-in", "scale_set": "vmss-web"}

# (module, options, field named in the message)
MODULE_CASES = [
    (VMSS, dict(WEB, resource_group="bad rg"), "resource_group"),
    (VMSS, dict(WEB, name="-web"), "name"),
    (VMSS, {"name": "vmss-web"}, "resource_group"),
    (VMSS, dict(WEB, tags=[":prod"]), "tags"),
    (VMSS, dict(WEB, api_version="latest"), "api_version"),
    (VMSS, dict(WEB, subscription_id="not-a-uuid"), "subscription_id"),
    (VMSS, dict(WEB, ca_path="/nonexistent/ca.pem"), "ca_path"),
    (VMSS, dict(WEB, auth_source="credential_file", profile="nope"), "profile"),
    (VMSS, dict(WEB, cloud_environment="AzureGermanCloud"), "cloud_environment"),
    (VMSS, dict(WEB, auth_source="magic"), "auth_source"),
    (VMSS, dict(WEB, request_timeout=0), "request_timeout"),
    (VMSS, dict(WEB, resource_manager_url="http://127.0.0.1:1"), "resource_manager_url"),
    (VMSS, dict(WEB, authority_host="ftp://login"), "authority_host"),
    (VMSS, dict(WEB, auth_source="env", x509_certificate_path="/nonexistent/cert.pem", secret=None), "x509_certificate_path"),
    (VMSS, dict(WEB, auth_source="workload_identity"), "auth_source"),
    (VMSS, dict(WEB, include_raw="maybe"), "include_raw"),
    (VMSS, dict(WEB, tags=["env", ""]), "tags"),
    (FLEET, dict(RUN, fleet_name="Fleet_1"), "fleet_name"),
    (FLEET, dict(RUN, name="Run!"), "name"),
    (FLEET, {"fleet_name": "fleet-a"}, "resource_group"),
    (FLEET, {"resource_group": "rg-in"}, "fleet_name"),
    (FLEET, dict(RUN, api_version="2025"), "api_version"),
    (FLEET, dict(RUN, fleet_name="f" * 64), "fleet_name"),
    (GATE, dict(ONE, timeout=0), "timeout"),
    (GATE, dict(ONE, timeout=-1), "timeout"),
    (GATE, dict(ONE, sleep=0), "sleep"),
    (GATE, dict(ONE, sleep=60, timeout=30), "sleep"),
    (GATE, dict(ONE, delay=-1), "delay"),
    (GATE, dict(ONE, stall_timeout=0), "stall_timeout"),
    (GATE, dict(ONE, heartbeat=-1), "heartbeat"),
    (GATE, dict(ONE, progress="loud"), "progress"),
    (GATE, dict(ONE, state=["done"]), "state"),
    (GATE, dict(ONE, state=["failed"]), "state"),
    (GATE, dict(ONE, started_after="yesterday"), "started_after"),
    (GATE, dict(RUN, update_run="run-1", started_after="2026-11-23T18:00:00Z"), "started_after"),
    (GATE, dict(ONE, min_percent_complete=150), "min_percent_complete"),
    (GATE, dict(ONE, max_failed=-1), "max_failed"),
    (GATE, dict(ONE, stage="canary"), "stage"),
    (GATE, {"targets": [{"scale_set": "vmss-web"}]}, "resource_group"),
    (GATE, {"targets": [{"resource_group": "rg-in", "scale_set": "a", "fleet_name": "f", "update_run": "r"}]}, "fleet_name"),
    (GATE, {"targets": [dict(ONE), dict(ONE, scale_set="bad name")]}, "targets[1].scale_set"),
    (GATE, dict(ONE, targets=[ONE]), "targets"),
    (GATE, dict(RUN), "update_run"),
    (GATE, dict(RUN, update_run="Bad"), "update_run"),
    (GATE, dict(RUN, update_run="run-1", group="G"), "group"),
    (GATE, dict(ONE, timeout="an hour"), "timeout"),
    (GATE, {"targets": []}, "targets"),
    (GATE, dict(ONE, scale_set="vmss-web\n"), "scale_set"),
    (VMSS, dict(WEB, name="vmss-web\n"), "name"),
    (VMSS, dict(WEB, resource_group="rg-in\n"), "resource_group"),
    (VMSS, dict(WEB, subscription_id="00000000-0000-0000-0000-000000000000\n"), "subscription_id"),
    (VMSS, dict(WEB, api_version="\u0662\u0660\u0662\u0664-\u0660\u0667-\u0660\u0661"), "api_version"),
    (FLEET, dict(RUN, fleet_name="fleet-a\n"), "fleet_name"),
    (FLEET, dict(RUN, api_version="2025-03-01\n"), "api_version"),
]
# (module, options, words the message must hold: the field and what is allowed)
MESSAGE_CASES = [
    (VMSS, dict(WEB, resource_group="bad rg"), "resource_group: 'bad rg' is not a valid resource group name: 1 to 90 letters"),
    (VMSS, dict(WEB, name="vmss-web\n"), "name: 'vmss-web\\n' is not a valid scale set name"),
    (VMSS, dict(WEB, api_version="latest"), "api_version: 'latest' is not an api-version; expected YYYY-MM-DD"),
    (FLEET, dict(RUN, fleet_name="Fleet_1"), "lower-case letters, digits and '-'"),
    (GATE, dict(ONE, state=["done"]), "value of state must be one or more of: "),
    (GATE, dict(ONE, state=["failed"]), "state: 'failed' is never taken by scale sets; they take cancelled, completed, faulted, rolling_back, rolling_forward"),
    (GATE, {"targets": []}, "targets: give at least one target"),
    (GATE, dict(ONE, sleep=60, timeout=30), "sleep: 60.0 is longer than timeout 30.0"),
]
ROLE_CASES = [
    ({}, "deployment_gate_targets"),
    ({"deployment_gate_targets": "vmss-web"}, "deployment_gate_targets"),
    ({"deployment_gate_targets": [{"scale_set": "vmss-web"}]}, "resource_group"),
    ({"deployment_gate_targets": [ONE], "deployment_gate_timeout": "soon"}, "deployment_gate_timeout"),
]
# (arguments, stdin, field named on stderr)
CLI_CASES = [
    (["status"], "not json", "query"),
    (["status"], "[1, 2]", "query"),
    (["status"], json.dumps({"resource_group": "rg-in", "scale_set": 5}), "scale_set"),
    (["status"], json.dumps({"resource_group": "rg-in", "scale_set": "vmss-web", "colour": "blue"}), "colour"),
    (["status"], json.dumps({"resource_group": "rg-in", "scale_set": "vmss-web", "secret": "x"}), "secret"),
    (["status"], json.dumps({"scale_set": "vmss-web"}), "resource_group"),
    (["gate", "--resource-group", "rg-in", "--scale-set", "vmss-web", "--timeout", "0"], "", "timeout"),
    (["gate", "--resource-group", "rg-in", "--scale-set=-web"], "", "scale_set"),
    (["gate", "--target", "a/b/c/d/e/f"], "", "target"),
    (["gate", "--resource-group", "rg-in", "--scale-set", "vmss-web", "--state", "done"], "", "state"),
    (["gate", "--resource-group", "rg-in", "--scale-set", "vmss-web", "--started-after", "soon"], "", "started_after"),
    (["gate", "--resource-group", "rg-in", "--scale-set", "vmss-web", "--subscription-id", "nope"], "", "subscription_id"),
    (["gate", "--resource-group", "rg-in", "--scale-set", "vmss-a", "--scale-set", "vmss-b"], "", "--scale-set"),
    (["gate", "--resource-group", "rg-in", "--sca", "vmss-web"], "", "--sca"),
    (["gate", "--resource-group", "rg-in", "--scale-set", "vmss-web\n"], "", "scale_set"),
    (["status"], json.dumps({"resource_group": "rg-in\n", "scale_set": "vmss-web"}), "resource_group"),
]


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    return emulator_session_factory(scenario([{"name": "rg-in", "scale_sets": [{"name": "vmss-web"}]}]))


def test_bad_module_options_are_refused_naming_the_field(emu, run_playbook):
    tasks = [{"name": "case %d" % index, module: options, "ignore_errors": True}
             for index, (module, options, _field) in enumerate(MODULE_CASES)]
    run = run_playbook(tasks, env=env_for(emu))
    assert "Traceback" not in run.stdout + run.stderr
    wrong = []
    for index, (module, options, field) in enumerate(MODULE_CASES):
        result = run.result("case %d" % index)
        named = result.get("field") == field or (result.get("field") is None and field in result.get("msg", ""))
        if not (result.get("failed") and named and "exception" not in result):
            wrong.append((module, options, field, result.get("field"), result.get("msg")))
    assert wrong == [], "\n".join(map(str, wrong))
    assert emu.requests_log(path="^/subscriptions") == []
    suite_counts.record("bad inputs refused with the right field", len(MODULE_CASES))


@pytest.mark.parametrize("variables, field", ROLE_CASES)
def test_bad_role_variables_are_refused_naming_the_variable(emu, run_playbook, variables, field):
    run = run_playbook([{"name": "gate", "ansible.builtin.include_role": {"name": "upgradegate.azure.deployment_gate"}, "vars": variables}],
                       env=env_for(emu))
    assert run.rc != 0 and "Traceback" not in run.stdout + run.stderr
    [refusal] = [entry["result"] for entry in run.results if entry["status"] == "failed"]
    assert field in refusal["msg"], refusal["msg"]
    suite_counts.record("bad inputs refused with the right field", 1)


@pytest.mark.parametrize("argv, stdin, field", CLI_CASES)
def test_bad_command_line_input_is_refused_naming_the_field(emu, tmp_path, argv, stdin, field):
    env = dict(base_environment(tmp_path), **env_for(emu))
    done = subprocess.run([str(LAUNCHER)] + argv, input=stdin, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and field in done.stderr, (done.returncode, done.stderr)
    assert done.stdout == "" and "Traceback" not in done.stderr
    suite_counts.record("bad inputs refused with the right field", 1)


def test_a_refusal_says_what_is_allowed(emu, run_playbook):
    tasks = [{"name": "case %d" % index, module: options, "ignore_errors": True}
             for index, (module, options, _words) in enumerate(MESSAGE_CASES)]
    run = run_playbook(tasks, env=env_for(emu))
    unclear = [(module, options, words, run.result("case %d" % index).get("msg"))
               for index, (module, options, words) in enumerate(MESSAGE_CASES) if words not in run.result("case %d" % index).get("msg", "")]
    assert unclear == [], "\n".join(map(str, unclear))
    assert emu.requests_log(path="^/subscriptions") == []
