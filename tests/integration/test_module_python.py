# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules on the oldest Python a managed host may have (3.9), with only the runtime requirements installed.

`make test` builds that Python's virtualenv (.tmp/matrix/module-python, requirements.txt only) and names it in
UPGRADEGATE_MODULE_PYTHON; the controller keeps its own Python.
"""

import os
import subprocess

import pytest

from scenarios import env_for, scenario

GROUPS = [{"name": "rg-py", "scale_sets": [{"name": "vmss-web", "sku": {"capacity": 4}, "rolling_upgrade": {"start": -100, "duration": 10}}],
           "fleets": [{"name": "fleet-py", "members": [{"name": "c1", "group": "canary"}],
                       "update_runs": [{"name": "run-1", "strategy": {"stages": [{"name": "canary", "groups": ["canary"]}]}, "start": -100}]}]}]


@pytest.fixture(scope="module")
def module_python():
    path = os.environ.get("UPGRADEGATE_MODULE_PYTHON")
    if not path or not os.path.exists(path):
        message = "no managed-host Python given: make test builds one (UPGRADEGATE_MODULE_PYTHON=%s)" % path
        if os.environ.get("UPGRADEGATE_FULL_SUITE"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(scenario(GROUPS))


def test_every_module_runs_on_the_managed_hosts_python(emu, run_playbook, module_python):
    version = subprocess.run([module_python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    interpreter = {"ansible_python_interpreter": module_python}
    run = run_playbook([
        {"name": "vmss", "upgradegate.azure.vmss_rolling_upgrade_info": {"resource_group": "rg-py", "name": "vmss-web"}, "vars": interpreter},
        {"name": "fleet", "upgradegate.azure.fleet_update_run_info": {"resource_group": "rg-py", "fleet_name": "fleet-py", "name": "run-1"},
         "vars": interpreter},
        {"name": "gate", "upgradegate.azure.wait_for_upgrade": {"resource_group": "rg-py", "scale_set": "vmss-web", "timeout": 60, "sleep": 1},
         "vars": interpreter},
    ], env=env_for(emu))
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result("vmss")["rolling_upgrades"][0]["state"] == "completed"
    assert run.result("fleet")["update_runs"][0]["name"] == "run-1"
    assert run.result("gate")["state"] == "completed"
    assert module_python in run.stdout  # -vvvv shows the interpreter each module ran with
    print("modules ran on Python %s" % version)
