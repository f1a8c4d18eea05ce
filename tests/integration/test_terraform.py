# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real `terraform apply` runs with upgradegate-azure in `local-exec` provisioners of `terraform_data`, against the emulator.

terraform_data is built into Terraform: no provider is downloaded. Terraform never
goes to the network here: an empty CLI configuration, no providers, no checkpoint.
The `external` data source is a provider that cannot be installed offline: its
protocol is tested with the command itself in test_cli.py.
"""

import json
import shutil
import subprocess

import pytest

from conftest import REPO, VENV_BIN
from scenarios import CLIENT, SECRET, SUB, TENANT, scenario

TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH: the real-Terraform tests need it (any 1.x)")

FAULT = {"code": "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade", "message": "Health probes failed on 3 instances."}
GROUPS = [{"name": "rg-tf", "scale_sets": [
    {"name": "vmss-done", "sku": {"capacity": 4}, "rolling_upgrade": {"start": -100, "duration": 10}},
    {"name": "vmss-faulted", "sku": {"capacity": 4},
     "rolling_upgrade": {"start": -100, "duration": 60, "outcome": "Faulted", "fault_after": 20, "error": FAULT}},
], "fleets": [{"name": "fleet-tf", "members": [{"name": "c1", "group": "canary"}],
               "update_strategies": [{"name": "one", "stages": [{"name": "canary", "groups": ["canary"]}]}],
               "update_runs": [{"name": "run-new", "strategy": "one"}]}]}]

GATED = """
resource "terraform_data" "gate" {
  provisioner "local-exec" {
    command = "upgradegate-azure gate --resource-group rg-tf --scale-set %(scale_set)s --timeout 120 --sleep 1"
  }
}

resource "terraform_data" "deploy" {
  depends_on = [terraform_data.gate]
  provisioner "local-exec" {
    command = "echo deployed > deployed.txt"
  }
}
"""

STARTED = """
resource "terraform_data" "start" {
  provisioner "local-exec" {
    command = "upgradegate-azure start --resource-group rg-tf --fleet-name fleet-tf --update-run run-new"
  }
}
"""


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(scenario(GROUPS))


def terraform_env(tmp_path, emu):
    """The command on PATH as a user installs it, credentials for the emulator, and a Terraform that stays offline."""
    config = tmp_path / "terraformrc"
    config.write_text("")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": ":".join([str(REPO / "bin"), str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home), "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
        "TF_INPUT": "0", "TF_DATA_DIR": str(tmp_path / "tf-data"),
        "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT, "AZURE_CLIENT_SECRET": SECRET, "AZURE_SUBSCRIPTION_ID": SUB,
        "AZURE_AUTHORITY_HOST": emu.base_url, "AZURE_RESOURCE_MANAGER_URL": emu.base_url,
        "AZURE_DISABLE_INSTANCE_DISCOVERY": "true", "REQUESTS_CA_BUNDLE": emu.ca_path, "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
    }


def apply(tmp_path, emu, configuration):
    work = tmp_path / "tf"
    work.mkdir()
    (work / "main.tf").write_text(configuration)
    env = terraform_env(tmp_path, emu)
    init = subprocess.run([TERRAFORM, "init", "-input=false", "-no-color"], cwd=str(work), env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert init.returncode == 0, init.stdout + init.stderr
    done = subprocess.run([TERRAFORM, "apply", "-auto-approve", "-input=false", "-no-color"], cwd=str(work), env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    return work, done


def resources_in_state(work):
    state = work / "terraform.tfstate"
    if not state.exists():
        return set()
    return {resource["name"] for resource in json.loads(state.read_text()).get("resources", [])
            if not all(instance.get("status") == "tainted" for instance in resource.get("instances", []))}


def test_an_apply_gated_on_a_completed_upgrade_goes_on(emu, tmp_path):
    work, done = apply(tmp_path, emu, GATED % {"scale_set": "vmss-done"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (work / "deployed.txt").read_text().strip() == "deployed"
    assert resources_in_state(work) == {"gate", "deploy"}
    assert emu.requests_log(path="virtualMachineScaleSets/vmss-done/rollingUpgrades/latest")


def test_an_apply_gated_on_a_faulted_upgrade_fails_and_creates_nothing_after_the_gate(emu, tmp_path):
    work, done = apply(tmp_path, emu, GATED % {"scale_set": "vmss-faulted"})
    assert done.returncode != 0
    assert "exit status 3" in done.stderr, done.stdout + done.stderr  # the gate's exit code for a failed upgrade
    assert "faulted" in done.stdout + done.stderr
    assert not (work / "deployed.txt").exists()
    assert "deploy" not in resources_in_state(work) and "gate" not in resources_in_state(work)


def start_subcommand_missing():
    done = subprocess.run([str(VENV_BIN / "python"), str(REPO / "bin" / "upgradegate-azure"), "start", "--help"],
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode != 0


@pytest.mark.skipif(start_subcommand_missing(),
                    reason="`upgradegate-azure start --help` fails: the start subcommand does not exist yet in this branch (another change adds it)")
def test_start_in_local_exec_starts_the_update_run(emu, tmp_path):
    work, done = apply(tmp_path, emu, STARTED)
    assert done.returncode == 0, done.stdout + done.stderr
    starts = [entry for entry in emu.requests_log(path="updateRuns/run-new/start") if entry["method"] == "POST"]
    assert starts and starts[0]["status"] < 300, starts
    assert resources_in_state(work) == {"start"}
