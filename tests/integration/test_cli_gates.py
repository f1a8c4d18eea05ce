# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line and approval gates, as a real process against the emulator: approve and its exit codes, the gate's exit code
on gate_pending with the gate named, and status exposing the pending gate."""

import json

import pytest

from scenarios import SUB, env_for, scenario
from test_cli import flat_strings, refused, run_cli, status

STAGES = [{"name": "canary", "groups": ["canary"], "after_gates": ["Smoke tests passed"]}, {"name": "production", "groups": ["prod"]}]
FLEET = {"name": "fleet-c", "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
         "simulate": {"member_seconds": 10},
         "update_runs": [{"name": name, "stages": STAGES, "start": -100} for name in ("run-a", "run-b", "run-skip", "run-held")]}
COMMON = ["--resource-group", "rg-cg", "--fleet-name", "fleet-c"]


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    return emulator_session_factory(scenario([{"name": "rg-cg", "fleets": [FLEET]}]))


@pytest.fixture
def env_of(tmp_path):
    from conftest import base_environment

    def build(emu):
        env = base_environment(tmp_path)
        env.update(env_for(emu))
        return env
    return build


def gate_of(emu, run):
    return [gate for gate in emu.gates() if gate["update_run"] == run][0]


def test_approve_by_run_stage_and_timing_then_again_exits_0_and_writes_once(emu, env_of):
    emu.reset_log()
    where = COMMON + ["--update-run", "run-a", "--stage", "canary", "--timing", "after"]
    check = run_cli(["approve", "--check"] + where, env_of(emu))
    assert check.returncode == 0 and "would approve" in check.stderr, check.stderr
    done = run_cli(["approve", "--json"] + where, env_of(emu))
    assert done.returncode == 0 and done.stderr.startswith("approved: gate"), done.stderr
    result = json.loads(done.stdout)
    assert result["changed"] is True and result["gate"]["state"] == "completed" and result["diff"]["before"] == {"state": "pending"}
    again = run_cli(["approve"] + where, env_of(emu))
    assert again.returncode == 0 and "already approved" in again.stderr
    assert len([e for e in emu.requests_log(path="/gates/") if e["method"] == "PATCH"]) == 1


def test_approve_by_gate_name_exits_0(emu, env_of):
    name = gate_of(emu, "run-b")["name"]
    done = run_cli(["approve", "--gate", name] + COMMON, env_of(emu))
    assert done.returncode == 0 and name in done.stderr


def test_approve_exit_codes_for_no_match_bad_input_a_skipped_gate_and_a_missing_fleet(emu, env_of):
    no_match = run_cli(["approve", "--update-run", "run-held", "--stage", "production", "--timing", "before"] + COMMON, env_of(emu))
    refused(no_match, 5, "no gate matches")
    assert "Smoke tests passed" in no_match.stderr
    refused(run_cli(["approve", "--gate", "not-a-guid"] + COMMON, env_of(emu)), 2, "name: 'not-a-guid' is not a gate name")
    refused(run_cli(["approve", "--update-run", "run-held", "--stage", "canary", "--timing", "during"] + COMMON, env_of(emu)), 2, "timing")
    refused(run_cli(["approve", "--gate", gate_of(emu, "run-held")["name"], "--api-version", "2025-03-01"] + COMMON, env_of(emu)), 2,
            "api_version: '2025-03-01' has no approval gates")
    refused(run_cli(["approve", "--gate", "00000000-0000-4000-8000-000000000000", "--resource-group", "rg-cg", "--fleet-name", "fleet-nope"],
                    env_of(emu)), 5, "fleet-nope")
    token = emu.token()
    url = emu.url("/subscriptions/%s/resourceGroups/rg-cg/providers/Microsoft.ContainerService/fleets/fleet-c/updateRuns/run-skip/skip"
                  % SUB)
    skipped = emu.session.post(url, params={"api-version": "2026-06-01"}, json={"targets": [{"type": "Stage", "name": "canary"}]},
                               headers={"Authorization": "Bearer %s" % token})
    assert skipped.status_code == 200, skipped.text
    refused(run_cli(["approve", "--gate", gate_of(emu, "run-skip")["name"]] + COMMON, env_of(emu)), 3, "was skipped")


def test_the_gate_exits_8_on_gate_pending_naming_the_gate_and_status_shows_it(emu, env_of):
    held = gate_of(emu, "run-held")
    done = run_cli(["gate", "--sleep", "0.2", "--update-run", "run-held", "--gate-timeout", "1", "--timeout", "120"] + COMMON, env_of(emu))
    refused(done, 8, "gate_pending")
    assert held["name"] in done.stderr and 'approval gate "Smoke tests passed"' in done.stderr
    result = flat_strings(status({"resource_group": "rg-cg", "fleet_name": "fleet-c", "update_run": "run-held"}, env_of(emu)))
    assert (result["state"], result["pending_gate"], result["pending_gate_display_name"]) == ("pending", held["name"], "Smoke tests passed")
    stage = flat_strings(status({"resource_group": "rg-cg", "fleet_name": "fleet-c", "update_run": "run-held", "stage": "production"},
                                env_of(emu)))
    assert stage["pending_gate"] == ""
