# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bodies of rollingUpgrades/latest and updateRuns/{name} validate against the swagger extracts at
several points of their timelines (running, completed, faulted / failed, stopped, skipped)."""

import pytest

from emulator_helpers import (bearer, load_example, rolling_upgrade_validator, run_url, small_scenario,
                              update_run_validator, vmss_url)


def _errors(validator, body):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message) for e in validator.iter_errors(body)]


def test_the_converted_schemas_reject_a_wrong_body():
    """Guard against a converter so lax that everything validates."""
    body = load_example("compute_2024-07-01/VirtualMachineScaleSetRollingUpgrade_GetLatest_MaximumSet_Gen.json")["responses"]["200"]["body"]
    assert _errors(rolling_upgrade_validator(), body) == []
    body["properties"]["runningStatus"]["code"] = "Exploded"
    body["properties"]["progress"]["unknownCounter"] = 1
    assert len(_errors(rolling_upgrade_validator(), body)) == 2
    run = load_example("fleet_2025-03-01/UpdateRuns_Get_MaximumSet_Gen.json")["responses"]["200"]["body"]
    assert _errors(update_run_validator(), run) == []
    run["properties"]["status"]["status"]["state"] = "Pending"
    assert _errors(update_run_validator(), run)


def _faulting_scenario():
    scenario = small_scenario(time_scale=0)
    rg = scenario["subscriptions"][0]["resource_groups"][0]
    faulted = {"start": 0, "duration": 50, "outcome": "Faulted", "fault_after": 20, "failed_instances": 2}
    rg["scale_sets"].append({"name": "vmss-bad", "rolling_upgrade": faulted})
    rg["scale_sets"].append({"name": "vmss-explicit", "rolling_upgrade": {"timeline": [
        {"at": 0, "code": "RollingForward", "progress": {"successful": 0, "in_progress": 2, "pending": 3}},
        {"at": 10, "code": "Cancelled", "progress": {"successful": 2, "pending": 3}, "last_action": "Cancel"}]}})
    fleet = rg["fleets"][0]
    fleet["update_runs"].append({"name": "run-bad", "strategy": "safe", "start": 0,
                                 "simulate": {"members": {"prod-2": {"fail_after": 3}}, "members_in_parallel": True}})
    fleet["update_runs"].append({"name": "run-default", "start": 0})
    return scenario


@pytest.mark.parametrize("advance", [0, 5, 25, 120])
def test_rolling_upgrade_bodies_follow_the_swagger(emulator_factory, advance):
    emu = emulator_factory(_faulting_scenario())
    emu.advance(advance)
    validator, token = rolling_upgrade_validator(), emu.token()
    codes = set()
    for name in ("vmss-web", "vmss-bad", "vmss-explicit"):
        body = emu.session.get(vmss_url(emu, name, "/rollingUpgrades/latest"), headers=bearer(token)).json()
        assert _errors(validator, body) == [], name
        codes.add(body["properties"]["runningStatus"]["code"])
    assert codes == {0: {"RollingForward"}, 5: {"RollingForward"}, 25: {"RollingForward", "Faulted", "Cancelled"},
                     120: {"Completed", "Faulted", "Cancelled"}}[advance]


@pytest.mark.parametrize("advance", [0, 5, 15, 24, 35, 60])
def test_update_run_bodies_follow_the_swagger(emulator_factory, advance):
    emu = emulator_factory(_faulting_scenario())
    emu.advance(advance)
    validator, token = update_run_validator(), emu.token()
    states = {}
    for run in ("run-1", "run-2", "run-bad", "run-default"):
        body = emu.session.get(run_url(emu, run), headers=bearer(token)).json()
        assert _errors(validator, body) == [], run
        states[run] = body["properties"]["status"]["status"]["state"]
    expected = {0: ("Running", "Running"), 5: ("Running", "Running"), 15: ("Running", "Running"),
                24: ("Running", "Running"), 35: ("Running", "Failed"), 60: ("Completed", "Failed")}[advance]
    assert (states["run-1"], states["run-bad"]) == expected
    assert states["run-2"] == "NotStarted"


def test_stopped_and_skipped_runs_follow_the_swagger(emulator_factory):
    emu = emulator_factory(_faulting_scenario())
    token, validator = emu.token(), update_run_validator()
    emu.advance(5)
    skipped = emu.session.post(run_url(emu, "run-1", "/skip"), headers=bearer(token),
                               json={"targets": [{"type": "AfterStageWait", "name": "canary"}, {"type": "Member", "name": "prod-2"}]})
    assert _errors(validator, skipped.json()) == []
    stopped = emu.session.post(run_url(emu, "run-1", "/stop"), headers=bearer(token))
    assert _errors(validator, stopped.json()) == []
    emu.advance(10)
    body = emu.session.get(run_url(emu, "run-1"), headers=bearer(token)).json()
    assert _errors(validator, body) == [] and body["properties"]["status"]["status"]["state"] == "Stopped"
