# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options through the role deployment_gate and the gate playbook: module_defaults, the connection variable."""

import pytest

from scenarios import env_for, scenario

GROUPS = [{"name": "rg-gate", "scale_sets": [
    {"name": "vmss-web", "sku": {"capacity": 4}, "rolling_upgrade": {"start": -100, "duration": 10}},
]}]
WEB = {"resource_group": "rg-gate", "scale_set": "vmss-web"}


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(scenario(GROUPS))


def sovereign_split(emu):
    """The environment without the endpoints, and the endpoints alone: a private cloud set only in module_defaults."""
    env = env_for(emu)
    endpoints = {"resource_manager_url": env.pop("AZURE_RESOURCE_MANAGER_URL"), "authority_host": env.pop("AZURE_AUTHORITY_HOST")}
    return env, endpoints


def token_requests(emu):
    return [entry for entry in emu.requests_log() if entry["path"].endswith("/oauth2/v2.0/token")]


def role(**variables):
    return {"name": "gate", "ansible.builtin.include_role": {"name": "upgradegate.azure.deployment_gate"}, "vars": variables}


def test_the_role_keeps_the_endpoints_set_only_in_module_defaults(emu, run_playbook):
    env, endpoints = sovereign_split(emu)
    play = [{"name": "with defaults", "module_defaults": {"group/upgradegate.azure.all": endpoints},
             "block": [role(deployment_gate_targets=[WEB], deployment_gate_sleep=0.2, deployment_gate_timeout=60)]}]
    run = run_playbook(play, env=env)
    assert run.rc == 0, run.stdout[-3000:]
    assert token_requests(emu), "the token request did not reach the emulator's authority"
    assert emu.requests_log(path="virtualMachineScaleSets/vmss-web/rollingUpgrades/latest")


def test_the_role_connection_variable_wins_key_by_key_over_module_defaults(emu, run_playbook):
    env, endpoints = sovereign_split(emu)
    # module_defaults point Resource Manager somewhere unreachable; the role's variable corrects only that key.
    defaults = dict(endpoints, resource_manager_url="https://127.0.0.1:9")
    play = [{"name": "override", "module_defaults": {"group/upgradegate.azure.all": defaults},
             "block": [role(deployment_gate_targets=[WEB], deployment_gate_sleep=0.2, deployment_gate_timeout=60,
                            deployment_gate_connection={"resource_manager_url": endpoints["resource_manager_url"]})]}]
    run = run_playbook(play, env=env)
    assert run.rc == 0, run.stdout[-3000:]
    assert token_requests(emu)


def test_the_role_passes_validate_certs_and_x509_certificate_path(emu, run_playbook, tmp_path):
    run = run_playbook([role(deployment_gate_targets=[WEB], deployment_gate_sleep=0.2, deployment_gate_timeout=60,
                             deployment_gate_connection={"validate_certs": False})], env=env_for(emu))
    assert run.rc == 0, run.stdout[-3000:]
    # The certificate reaches the module: a path that does not exist is refused by the module, naming the option.
    emu.reset_log()
    missing = tmp_path / "no-such-cert.pem"
    env = env_for(emu)
    del env["AZURE_SECRET"]
    run = run_playbook([role(deployment_gate_targets=[WEB], deployment_gate_sleep=0.2, deployment_gate_timeout=60,
                             deployment_gate_connection={"x509_certificate_path": str(missing)})], env=env)
    assert run.rc != 0 and "x509_certificate_path" in run.stdout, run.stdout[-3000:]
    assert emu.requests_log(path="virtualMachineScaleSets") == []


@pytest.mark.parametrize("connection, words", [
    ({"resource_manager_uri": "https://example.invalid"}, "resource_manager_uri"),
    ({"secret": "in-the-clear"}, "secret"),
    ({"auth_source": "password"}, "auth_source"),
    ({"validate_certs": "maybe"}, "validate_certs"),
])
def test_the_role_refuses_unknown_or_bad_connection_keys(emu, run_playbook, connection, words):
    run = run_playbook([role(deployment_gate_targets=[WEB], deployment_gate_connection=connection)], env=env_for(emu), secrets=["in-the-clear"])
    assert run.rc != 0 and "deployment_gate_connection" in run.stdout and words in run.stdout, run.stdout[-2000:]
    assert emu.requests_log(path="virtualMachineScaleSets") == []


def test_the_gate_playbook_takes_the_endpoints_from_gate_connection(emu, run_playbook):
    env, endpoints = sovereign_split(emu)
    run = run_playbook("upgradegate.azure.gate", env=env,
                       extra_vars={"gate_targets": [WEB], "gate_sleep": 0.2, "gate_timeout": 60, "gate_connection": endpoints})
    assert run.rc == 0, run.stdout[-3000:]
    assert token_requests(emu)


def test_the_gate_playbook_passes_the_optional_settings_through(emu, run_playbook):
    run = run_playbook("upgradegate.azure.gate", env=env_for(emu),
                       extra_vars={"gate_targets": [WEB], "gate_sleep": 0.2, "gate_timeout": 60, "gate_max_failed": 0,
                                   "gate_started_after": "2000-01-01T00:00:00Z", "gate_stall_timeout": 50})
    assert run.rc == 0, run.stdout[-3000:]
    assert "scale set rg-gate/vmss-web" in run.stdout
