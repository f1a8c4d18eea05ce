# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""``upgradegate-azure start`` of an update run as a real process against the emulator, judged by its exit codes and the
emulator's request log (as a Terraform terraform_data local-exec would run it)."""

import json
import subprocess

import pytest

from conftest import REPO, base_environment
from scenarios import SECRET, SUB, env_for, scenario

LAUNCHER = REPO / "bin" / "upgradegate-azure"
READ_ONLY_FLEET = "99999999-9999-4999-8999-999999999999"
STAGES = [{"name": "canary", "groups": ["canary"]}, {"name": "production", "groups": ["prod"]}]
FLEET = {"name": "fleet-tf", "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
         "update_strategies": [{"name": "two", "stages": STAGES}],
         "writes": {"start": {"mode": "async", "polls": 1, "retry_after": 0}},
         "update_runs": [{"name": "run-new", "strategy": "two"}, {"name": "run-running", "strategy": "two", "start": 0},
                         {"name": "run-done", "strategy": "two", "start": -100000}, {"name": "run-forbidden", "strategy": "two"}]}
SLOW = {"name": "fleet-slow", "members": [{"name": "c1", "group": "canary"}], "update_strategies": [],
        "writes": {"start": {"mode": "async", "polls": 1000000, "retry_after": 1}}, "update_runs": [{"name": "run-1"}]}


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    built = scenario([{"name": "rg-tf", "fleets": [FLEET, SLOW]}])
    built["tenants"][0]["clients"].append({"client_id": READ_ONLY_FLEET, "secret": SECRET, "permissions": [
        {"actions": ["Microsoft.ContainerService/fleets/updateRuns/read"], "scope": "/subscriptions/%s" % SUB}]})
    return emulator_session_factory(built)


def start(emu, tmp_path, run, *extra, client=None, fleet="fleet-tf"):
    env = base_environment(tmp_path)
    env.update(env_for(emu, client) if client else env_for(emu))
    args = [str(LAUNCHER), "start", "--resource-group", "rg-tf", "--fleet-name", fleet, "--update-run", run] + list(extra)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)


def posts(emu, run, since):
    return [(e["method"], e["status"]) for e in emu.requests_log(path="updateRuns/%s/start$" % run, since=since)]


def last_seq(emu):
    entries = emu.requests_log()
    return entries[-1]["seq"] if entries else 0


def test_start_starts_a_run_then_exits_0_again_without_a_request(emu, tmp_path):
    since = last_seq(emu)
    first = start(emu, tmp_path, "run-new", "--json")
    assert first.returncode == 0, first.stderr
    assert "started update run rg-tf/fleet-tf/run-new (state now running)" in first.stderr
    assert json.loads(first.stdout)["actions"] == ["start"]
    second = start(emu, tmp_path, "run-new")
    assert second.returncode == 0, second.stderr
    assert "has already started (state running): nothing to do" in second.stderr
    assert posts(emu, "run-new", since) == [("POST", 202)]


def test_a_running_run_exits_0_saying_so(emu, tmp_path):
    done = start(emu, tmp_path, "run-running")
    assert done.returncode == 0 and "already started (state running)" in done.stderr, done.stderr


def test_a_finished_run_exits_3(emu, tmp_path):
    done = start(emu, tmp_path, "run-done")
    assert done.returncode == 3, done.stderr
    assert "finished (state completed)" in done.stderr and "create a new run" in done.stderr and "Traceback" not in done.stderr


def test_a_missing_run_exits_5(emu, tmp_path):
    done = start(emu, tmp_path, "run-ghost")
    assert done.returncode == 5 and "does not exist" in done.stderr, done.stderr


def test_a_missing_permission_exits_6_naming_it(emu, tmp_path):
    done = start(emu, tmp_path, "run-forbidden", client=READ_ONLY_FLEET)
    assert done.returncode == 6, done.stderr
    assert "Microsoft.ContainerService/fleets/updateRuns/start/action" in done.stderr


def test_an_operation_that_does_not_end_in_time_exits_4(emu, tmp_path):
    done = start(emu, tmp_path, "run-1", "--timeout", "2", fleet="fleet-slow")
    assert done.returncode == 4, done.stderr
    assert "had not finished when the timeout ran out" in done.stderr


@pytest.mark.parametrize("args, words", [
    (["--timeout", "soon"], "timeout"),
    (["--fleet-api-version", "new"], "not an api-version"),
])
def test_bad_arguments_exit_2(emu, tmp_path, args, words):
    done = start(emu, tmp_path, "run-new", *args)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_start_without_a_target_exits_2(tmp_path):
    done = subprocess.run([str(LAUNCHER), "start", "--resource-group", "rg-tf"], env=base_environment(tmp_path), capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2 and "--update-run" in done.stderr, done.stderr
