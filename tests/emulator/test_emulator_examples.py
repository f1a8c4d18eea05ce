# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every vendored official example (tests/fixtures/reference) is reproduced: the emulator, given a scenario built
from the example, answers the example's request with the example's status and body."""

import pytest

import reference
from emulator_helpers import SUBSCRIPTION, TENANT, CLIENT, load_example

COMPUTE = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmScaleSetName}"
FLEET = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/fleets/{fleetName}"

# example file -> (method, path template, how to build the scenario)
CASES = {
    "compute_2024-07-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json":
        ("GET", COMPUTE + "/rollingUpgrades/latest", "vmss_static"),
    "compute_2024-07-01/VirtualMachineScaleSetRollingUpgrade_StartOSUpgrade_MinimumSet_Gen.json":
        ("POST", COMPUTE + "/osRollingUpgrade", "vmss_idle"),
    "compute_2024-07-01/VirtualMachineScaleSetExtension_RollingUpgrade.json":
        ("POST", COMPUTE + "/extensionRollingUpgrade", "vmss_idle"),
    "compute_2024-07-01/VirtualMachineScaleSetRollingUpgrade_Cancel_MaximumSet_Gen.json":
        ("POST", COMPUTE + "/rollingUpgrades/cancel", "vmss_running"),
    "compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json":
        ("GET", COMPUTE + "/rollingUpgrades/latest", "vmss_static"),
    "compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MinimumSet_Gen.json":
        ("GET", COMPUTE + "/rollingUpgrades/latest", "vmss_static"),
    "compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_StartOSUpgrade_MaximumSet_Gen.json":
        ("POST", COMPUTE + "/osRollingUpgrade", "vmss_idle"),
    "compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_StartOSUpgrade_MinimumSet_Gen.json":
        ("POST", COMPUTE + "/osRollingUpgrade", "vmss_idle"),
    "compute_2025-04-01/VirtualMachineScaleSetExtension_RollingUpgrade.json":
        ("POST", COMPUTE + "/extensionRollingUpgrade", "vmss_idle"),
    "compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_Cancel_MaximumSet_Gen.json":
        ("POST", COMPUTE + "/rollingUpgrades/cancel", "vmss_running"),
    "compute_2025-04-01/VirtualMachineScaleSetRollingUpgrade_Cancel_MinimumSet_Gen.json":
        ("POST", COMPUTE + "/rollingUpgrades/cancel", "vmss_running"),
    "compute_2025-04-01/VirtualMachineScaleSet_GetOSUpgradeHistory_MaximumSet_Gen.json":
        ("GET", COMPUTE + "/osUpgradeHistory", "vmss_history"),
    "compute_2025-04-01/VirtualMachineScaleSet_GetOSUpgradeHistory_MinimumSet_Gen.json":
        ("GET", COMPUTE + "/osUpgradeHistory", "vmss_history"),
    "fleet_2025-03-01/UpdateRuns_Get.json": ("GET", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2025-03-01/UpdateRuns_Get_MaximumSet_Gen.json": ("GET", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2025-03-01/UpdateRuns_ListByFleet.json": ("GET", FLEET + "/updateRuns", "run_list"),
    "fleet_2025-03-01/UpdateRuns_CreateOrUpdate.json": ("PUT", FLEET + "/updateRuns/{updateRunName}", "run_put"),
    "fleet_2025-03-01/UpdateRuns_Delete.json": ("DELETE", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2025-03-01/UpdateRuns_Start.json": ("POST", FLEET + "/updateRuns/{updateRunName}/start", "run_action:start"),
    "fleet_2025-03-01/UpdateRuns_Stop.json": ("POST", FLEET + "/updateRuns/{updateRunName}/stop", "run_action:stop"),
    "fleet_2025-03-01/UpdateRuns_Skip.json": ("POST", FLEET + "/updateRuns/{updateRunName}/skip", "run_action:skip"),
    "fleet_2025-03-01/UpdateStrategies_Get.json": ("GET", FLEET + "/updateStrategies/{updateStrategyName}", "strategy"),
    "fleet_2025-03-01/AutoUpgradeProfiles_Get.json": ("GET", FLEET + "/autoUpgradeProfiles/{autoUpgradeProfileName}", "profile"),
    "fleet_2026-06-01/UpdateRuns_CreateOrUpdate.json": ("PUT", FLEET + "/updateRuns/{updateRunName}", "run_put"),
    "fleet_2026-06-01/UpdateRuns_Delete.json": ("DELETE", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2026-06-01/UpdateRuns_Start.json": ("POST", FLEET + "/updateRuns/{updateRunName}/start", "run_action:start"),
    "fleet_2026-06-01/UpdateRuns_Stop.json": ("POST", FLEET + "/updateRuns/{updateRunName}/stop", "run_action:stop"),
    "fleet_2026-06-01/UpdateRuns_Skip.json": ("POST", FLEET + "/updateRuns/{updateRunName}/skip", "run_action:skip"),
    "fleet_2025-04-01-preview/UpdateRuns_Get.json": ("GET", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2025-04-01-preview/Gates_Get.json": ("GET", FLEET + "/gates/{gateName}", "gate_static"),
    "fleet_2025-04-01-preview/Gates_ListByFleet.json": ("GET", FLEET + "/gates", "gate_list"),
    # This example names the gate parameter "name", not "gateName" as the swagger does.
    "fleet_2025-04-01-preview/Gates_Update.json": ("PATCH", FLEET + "/gates/{name}", "gate_patch"),
    "fleet_2026-06-01/UpdateRuns_Get.json": ("GET", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2026-06-01/Gates_Get.json": ("GET", FLEET + "/gates/{gateName}", "gate_static"),
    "fleet_2026-06-01/Gates_ListByFleet.json": ("GET", FLEET + "/gates", "gate_list"),
    "fleet_2026-06-01/Gates_Update.json": ("PATCH", FLEET + "/gates/{gateName}", "gate_patch"),
    "fleet_2026-06-02-preview/UpdateRuns_Get.json": ("GET", FLEET + "/updateRuns/{updateRunName}", "run_static"),
    "fleet_2026-06-02-preview/Gates_Get.json": ("GET", FLEET + "/gates/{gateName}", "gate_static"),
    "fleet_2026-06-02-preview/Gates_Get_ScheduledStart.json": ("GET", FLEET + "/gates/{gateName}", "gate_static"),
    "fleet_2026-06-02-preview/Gates_ListByFleet.json": ("GET", FLEET + "/gates", "gate_list"),
}


def test_every_example_file_has_a_case():
    assert reference.example_files() == sorted(CASES)


def _body(example, status="200"):
    return example["responses"][status]["body"]


def _resource_scenario(params, how, example):
    """The scenario that makes the emulator answer this example."""
    rg = {"name": params["resourceGroupName"], "location": "westus", "scale_sets": [], "fleets": []}
    if how.startswith("vmss"):
        vmss = {"name": params["vmScaleSetName"]}
        if how == "vmss_static":
            vmss["rolling_upgrade"] = {"body": _body(example)}
        elif how == "vmss_running":
            vmss["rolling_upgrade"] = {"start": 0, "duration": 3600}
        elif how == "vmss_history":
            vmss["os_upgrade_history"] = _body(example)
        rg["scale_sets"].append(vmss)
    else:
        fleet = {"name": params["fleetName"], "members": [{"name": "member-one", "group": "group-a"}],
                 "update_strategies": [], "auto_upgrade_profiles": [], "update_runs": []}
        run_name = params.get("updateRunName", "run1")
        if how == "run_static":
            fleet["update_runs"].append({"name": run_name, "body": _body(example) if "200" in example["responses"]
                                         and "body" in example["responses"]["200"] else {"name": run_name}})
        elif how == "run_list":
            fleet["static_list"] = _body(example)
        elif how == "run_put":
            fleet["update_runs"].append({"name": run_name, "body": _body(example), "responses": {"put": _body(example)}})
        elif how.startswith("run_action:"):
            verb = how.split(":")[1]
            fleet["update_runs"].append({"name": run_name, "body": {"name": run_name}, "responses": {verb: _body(example)}})
        elif how == "strategy":
            fleet["update_strategies"].append({"name": params["updateStrategyName"], "body": _body(example)})
        elif how in ("gate_static", "gate_patch"):
            gate = {"name": params.get("gateName") or params["name"], "body": _body(example)}
            if how == "gate_patch":
                gate["responses"] = {"patch": _body(example)}
            fleet["gates"] = [gate]
        elif how == "gate_list":
            fleet["static_gate_list"] = _body(example)
        elif how == "profile":
            fleet["auto_upgrade_profiles"].append({"name": params["autoUpgradeProfileName"], "body": _body(example)})
        rg["fleets"].append(fleet)
    return {"name": "example", "time_scale": 0,
            "tenants": [{"id": TENANT, "clients": [{"client_id": CLIENT, "secret": "s3cret-value"}]}],
            "subscriptions": [{"id": params["subscriptionId"], "resource_groups": [rg]}]}


def _request_body(params):
    for key in ("resource", "body"):
        if key in params:
            return params[key]
    return None


@pytest.mark.parametrize("example_file", sorted(CASES))
def test_example_is_reproduced(emulator_factory, example_file):
    method, template, how = CASES[example_file]
    example = load_example(example_file)
    params = example["parameters"]
    emu = emulator_factory(_resource_scenario(params, how, example))
    path = template.format(**params)
    resp = emu.session.request(method, emu.url(path), params={"api-version": params["api-version"]},
                               json=_request_body(params), headers={"Authorization": "Bearer %s" % emu.token()})
    assert str(resp.status_code) in example["responses"], resp.text
    expected = example["responses"][str(resp.status_code)]
    if "body" in expected:
        assert resp.json() == expected["body"]
    else:
        assert resp.content == b""
    for header in expected.get("headers", {}):
        assert resp.headers.get(header), "missing header %s" % header
    if isinstance(expected.get("body"), dict) and expected["body"].get("eTag"):
        assert resp.headers["ETag"] == expected["body"]["eTag"]


def test_subscription_placeholder_of_compute_examples_is_served_as_declared(emulator_factory):
    """Compute examples use the literal subscription '{subscription-id}'; paths are percent-decoded before matching."""
    example = load_example("compute_2024-07-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json")
    emu = emulator_factory(_resource_scenario(example["parameters"], "vmss_static", example))
    assert emu.subscription_id == "{subscription-id}" != SUBSCRIPTION
