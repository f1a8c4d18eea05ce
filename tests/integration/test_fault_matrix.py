# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults Azure and networks really produce, through the modules in real ansible-playbook runs.

Each case ends in success after retries, or in a clear failure that names the reason, Azure's
error code and the request id, within the timeout, with what was read so far still returned.
"""

import json
import subprocess
import threading

import pytest

import suite_counts
from conftest import REPO, base_environment, leaks, secrets_of
from scenarios import SUB, env_for, scenario

LAUNCHER = REPO / "bin" / "upgradegate-azure"
# The command line's exit code for each way a module fails (docs/cli.md).
CLI_EXIT = {"api": 6, "transport": 6, "protocol": 6, "auth": 6, "api_error": 6, "not_found": 5, "timeout": 4, "failed_state": 3}

LATEST = "rollingUpgrades/latest$"
GROUPS = [{"name": "rg-fault", "scale_sets": [
    {"name": "vmss-web", "sku": {"capacity": 10}, "rolling_upgrade": {"start": 0, "by": "polls", "poll_seconds": 10, "duration": 20}},
    {"name": "vmss-two", "sku": {"capacity": 10}, "rolling_upgrade": {"start": -100, "duration": 30}},
], "fleets": [{"name": "fleet-a", "members": [{"name": "m1", "group": "g1"}],
               "update_runs": [{"name": "run-%d" % i, "strategy": {"stages": [{"name": "s1", "groups": ["g1"]}]}, "start": -100}
                               for i in range(1, 4)]}]}]


def info(**options):
    return [{"name": "task", "upgradegate.azure.vmss_rolling_upgrade_info": dict({"resource_group": "rg-fault", "name": "vmss-web"}, **options)}]


def gate(**options):
    return [{"name": "task", "upgradegate.azure.wait_for_upgrade": dict(
        {"resource_group": "rg-fault", "scale_set": "vmss-web", "sleep": 0.2, "timeout": 30}, **options)}]


def runs(**options):
    return [{"name": "task", "upgradegate.azure.fleet_update_run_info": dict({"resource_group": "rg-fault", "fleet_name": "fleet-a"}, **options)}]


# (id, faults to add, tasks, expected): expected is "ok", or (reason or error kind, Azure code or None, words in msg)
CASES = [
    ("429 Retry-After in seconds", [dict(kind="throttle", path=LATEST, retry_after=1, count=1)], info(), "ok"),
    ("429 Retry-After as an HTTP date", [dict(kind="throttle", path=LATEST, retry_after=2, retry_after_format="http-date", count=1)], info(), "ok"),
    ("429 without Retry-After", [dict(kind="throttle", path=LATEST, retry_after_format="none", count=2)], info(), "ok"),
    ("500 burst shorter than the retry budget", [dict(kind="error", status=500, path=LATEST, count=2)], info(), "ok"),
    ("502 burst shorter than the retry budget", [dict(kind="error", status=502, path=LATEST, count=2)], info(), "ok"),
    ("503 burst shorter than the retry budget", [dict(kind="error", status=503, path=LATEST, count=2)], info(), "ok"),
    ("504 burst shorter than the retry budget", [dict(kind="error", status=504, path=LATEST, count=2)], info(), "ok"),
    ("503 burst longer than the retry budget", [dict(kind="error", status=503, path=LATEST)], info(),
     ("api", "ServiceUnavailable", "failed with HTTP 503")),
    ("dropped connections, then an answer", [dict(kind="drop", path=LATEST, count=2)], info(), "ok"),
    ("connections dropped every time", [dict(kind="drop", path=LATEST)], info(), ("transport", None, "ConnectionError")),
    ("a response slower than request_timeout", [dict(kind="slow_body", path=LATEST, chunk_bytes=8, chunk_delay_ms=1500, count=1)],
     info(request_timeout=0.5), "ok"),
    ("malformed JSON", [dict(kind="malformed_json", path=LATEST, count=1)], info(), ("protocol", None, "not a JSON object")),
    ("an HTML error page from a proxy", [dict(kind="html_error", status=502, path=LATEST)], info(),
     ("api", None, "a body that is not an Azure error (text/html): '<html>")),
    ("an empty 200 body", [dict(kind="empty_body", path=LATEST, count=1)], info(), ("protocol", None, "an empty body")),
    ("a 401 once: the token is renewed", [dict(kind="unauthorized", path=LATEST, count=1)], info(), "ok"),
    ("a 401 every time", [dict(kind="unauthorized", path=LATEST)], info(), ("auth", "InvalidAuthenticationToken", "HTTP 401")),
    ("a 404 for a missing resource group", [], info(resource_group="rg-nope"), ("not_found", "ResourceGroupNotFound", "does not exist")),
    ("a 404 for a missing scale set is an empty list", [], info(name="vmss-nope"), "ok"),
    ("a 404 for a missing fleet is an empty list", [], runs(fleet_name="fleet-nope"), "ok"),
    ("a 404 for a missing run is an empty list", [], runs(name="run-nope"), "ok"),
    ("a body cut short by a close, then an answer", [dict(kind="truncated_body", path=LATEST, count=2)], info(), "ok"),
    ("a body cut short by a reset, then an answer", [dict(kind="reset_mid_body", path=LATEST, count=2)], info(), "ok"),
    ("a body that claims gzip and is not, then an answer", [dict(kind="bad_gzip", path=LATEST, count=2)], info(), "ok"),
    ("bodies cut short every time", [dict(kind="truncated_body", path=LATEST)], info(), ("transport", None, "after 6 attempt(s)")),
    ("a body that claims gzip every time", [dict(kind="bad_gzip", path=LATEST)], info(),
     ("transport", None, "content-encoding: gzip, but failed to decode it")),
    ("a success body nested absurdly deep", [dict(kind="deep_json", path=LATEST)], info(), ("protocol", None, "not a JSON object")),
    ("an error body nested absurdly deep", [dict(kind="deep_json", path=LATEST, status=400)], info(),
     ("api", None, "a body that is not an Azure error")),
    ("a 429 with a twenty-digit Retry-After", [dict(kind="throttle", path=LATEST, retry_after=10 ** 20, count=1)], info(),
     ("api", "SubscriptionRequestsThrottled", "HTTP 429")),
    ("the gate waits out throttling", [dict(kind="throttle", path=LATEST, retry_after=1, count=2)], gate(), "ok"),
    ("the gate polls through bodies cut short, reset and not gzip", [
        dict(kind="truncated_body", path=LATEST, count=3), dict(kind="reset_mid_body", path=LATEST, count=3),
        dict(kind="bad_gzip", path=LATEST, count=3)], gate(), "ok"),
    ("the gate polls through a 503 burst longer than the retry budget", [dict(kind="error", status=503, path=LATEST, count=8)],
     gate(), "ok"),
    ("the gate polls through dropped connections", [dict(kind="drop", path=LATEST, count=8)], gate(), "ok"),
    ("the gate polls through malformed and empty bodies", [dict(kind="malformed_json", path=LATEST, count=2),
                                                           dict(kind="empty_body", path=LATEST, count=2)], gate(), "ok"),
    ("the gate ends a permanent 503 at its timeout", [dict(kind="error", status=503, path=LATEST, after=1)], gate(timeout=4),
     ("api_error", "ServiceUnavailable", "could not be read")),
    ("the gate fails at once on a 401 that persists", [dict(kind="unauthorized", path=LATEST, after=1)], gate(timeout=300),
     ("api_error", "InvalidAuthenticationToken", "could not be read")),
]


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(scenario(GROUPS))


@pytest.mark.parametrize("faults, tasks, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_fault_ends_in_success_or_a_clear_failure(emu, run_playbook, faults, tasks, expected):
    for fault in faults:
        emu.add_fault(**fault)
    run = run_playbook(tasks, env=env_for(emu))
    result = run.result("task")
    if expected == "ok":
        assert run.rc == 0, result.get("msg")
    else:
        reason, code, words = expected
        assert run.rc != 0 and words in result["msg"], result["msg"]
        error = result.get("error") or result["targets"][0].get("error") or {}
        assert result.get("reason", error.get("kind")) == reason
        assert error.get("code") == code
        if error.get("status"):  # Azure answered: its request id is named in the message
            assert error["request_id"] and error["request_id"] in result["msg"]
        if "targets" in result:  # a gate: the facts and history gathered so far come back
            assert result["history"] and result["rolling_upgrade"]["scale_set_name"] == "vmss-web"
            assert result["elapsed"] <= 4 + 30  # its timeout plus one request timeout
    assert "Traceback" not in run.stdout + run.stderr
    suite_counts.record("fault cases passed (modules)", 1)


def test_a_403_names_the_permission_and_keeps_the_request_id(emu, run_playbook):
    run = run_playbook(info(), env=env_for(emu, client="77777777-7777-4777-8777-777777777777"))
    result = run.result("task")
    assert result["error"]["code"] == "AuthorizationFailed" and result["error"]["request_id"] in result["msg"]
    assert "Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades/read" in result["msg"]
    suite_counts.record("fault cases passed (modules)", 1)


def test_a_failing_page_returns_the_runs_read_before_it(emulator_factory, run_playbook):
    emu = emulator_factory(scenario(GROUPS, page_sizes={"update_runs": 1}))
    emu.add_fault("error", status=503, path="fleets/fleet-a/updateRuns$", after=1)
    run = run_playbook(runs(), env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and result["error"]["code"] == "ServiceUnavailable"
    assert [item["name"] for item in result["update_runs"]] == ["run-1"]  # the first page
    suite_counts.record("fault cases passed (modules)", 1)


def test_a_next_link_to_another_host_fails_without_following_it(emulator_factory, run_playbook):
    other = emulator_factory(scenario(GROUPS))
    foreign = other.base_url + "/subscriptions/%s/resourceGroups/rg-fault/providers/Microsoft.ContainerService/fleets/fleet-a/updateRuns" % SUB
    groups = [dict(GROUPS[0], fleets=[dict(GROUPS[0]["fleets"][0], static_list={"value": [{"name": "run-1"}], "nextLink": foreign})])]
    emu = emulator_factory(scenario(groups))
    other.reset_log()
    run = run_playbook(runs(), env=env_for(emu))
    result = run.result("task")
    assert run.rc != 0 and "refusing to follow nextLink" in result["msg"] and result["error"]["code"] == "ForeignNextLink"
    assert [item["name"] for item in result["update_runs"]] == ["run-1"]
    assert other.requests_log() == []
    suite_counts.record("fault cases passed (modules)", 1)


def test_tokens_that_expire_during_a_long_wait_are_renewed(emulator_factory, run_playbook):
    emu = emulator_factory(scenario([{"name": "rg-fault", "scale_sets": [
        {"name": "vmss-web", "rolling_upgrade": {"start": 0, "by": "first_poll", "duration": 8}}]}], time_scale=1, token_lifetime=2))
    run = run_playbook(gate(sleep=0.5, timeout=60), env=env_for(emu))
    assert run.rc == 0, run.result("task").get("msg")
    tokens = {entry["token_id"] for entry in emu.requests_log(path=LATEST)}
    assert len(tokens) >= 2  # the wait outlived its first token
    suite_counts.record("fault cases passed (modules)", 1)


def test_the_gate_survives_the_emulator_restarting_mid_wait(emulator_factory, run_playbook):
    emu = emulator_factory(scenario([{"name": "rg-fault", "scale_sets": [
        {"name": "vmss-web", "rolling_upgrade": {"start": 0, "by": "first_poll", "duration": 6}}]}], time_scale=1))

    def restart_after_the_first_poll():  # mid-wait however long ansible-playbook takes to start
        for _attempt in range(1200):
            if emu.requests_log(path=LATEST):
                break
            threading.Event().wait(0.1)
        emu.restart()

    restart = threading.Thread(target=restart_after_the_first_poll)
    restart.start()
    try:
        run = run_playbook(gate(sleep=0.5, timeout=90), env=env_for(emu))
    finally:
        restart.join()
    result = run.result("task")
    assert run.rc == 0, result.get("msg")
    assert result["state"] == "completed"
    suite_counts.record("fault cases passed (modules)", 1)


def test_an_untrusted_certificate_fails_with_a_tls_message_and_ca_path_makes_it_pass(emu, run_playbook):
    env = env_for(emu)
    del env["REQUESTS_CA_BUNDLE"]
    refused = run_playbook(info(), env=env)
    assert refused.rc != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.result("task")["msg"]
    assert "set ca_path" in refused.result("task")["msg"]
    trusted = run_playbook(info(ca_path=emu.ca_path), env=env)
    assert trusted.rc == 0 and trusted.result("task")["rolling_upgrades"][0]["scale_set_name"] == "vmss-web"
    suite_counts.record("fault cases passed (modules)", 1)


def cli_call(tasks, expected):
    """The same case through the command line: (arguments, stdin, expected exit code, words on stderr)."""
    [task] = tasks
    module, options = [(key, value) for key, value in task.items() if key != "name"][0]
    if module.endswith("wait_for_upgrade"):
        argv = ["gate", "--resource-group", options["resource_group"], "--scale-set", options["scale_set"],
                "--sleep", str(options["sleep"]), "--timeout", str(options["timeout"])]
        stdin = ""
    elif module.endswith("vmss_rolling_upgrade_info"):
        query = {"resource_group": options["resource_group"], "scale_set": options["name"]}
        if "request_timeout" in options:
            query["request_timeout"] = str(options["request_timeout"])
        argv, stdin = ["status"], json.dumps(query)
    else:  # the status of one run: a missing fleet or run is an error there, not an empty list
        query = {"resource_group": options["resource_group"], "fleet_name": options["fleet_name"], "update_run": options.get("name", "run-1")}
        argv, stdin = ["status"], json.dumps(query)
        if expected == "ok" and (options["fleet_name"] != "fleet-a" or options.get("name", "run-1") != "run-1"):
            return argv, stdin, 5, "HTTP 404"
    if module.endswith("vmss_rolling_upgrade_info") and options["name"] == "vmss-nope" and expected == "ok":
        return argv, stdin, 5, "HTTP 404"
    if expected == "ok":
        return argv, stdin, 0, ""
    reason, _code, words = expected
    return argv, stdin, CLI_EXIT[reason], words


@pytest.mark.parametrize("faults, tasks, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_fault_through_the_command_line(emu, tmp_path, faults, tasks, expected):
    for fault in faults:
        emu.add_fault(**fault)
    argv, stdin, code, words = cli_call(tasks, expected)
    env = dict(base_environment(tmp_path), **env_for(emu))
    done = subprocess.run([str(LAUNCHER)] + argv, input=stdin, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    assert words in done.stderr and "Traceback" not in done.stderr
    if code == 0 and argv[0] == "status":
        assert all(isinstance(value, str) for value in json.loads(done.stdout).values())
    if code:
        assert done.stdout == "" if argv[0] == "status" else True
        if "HTTP" in done.stderr:  # Azure answered: its request id is named
            assert "x-ms-request-id: " in done.stderr and "x-ms-request-id: None" not in done.stderr
    assert leaks({"stdout": done.stdout, "stderr": done.stderr}, secrets_of(env)) == []
    suite_counts.record("fault cases passed (command line)", 1)
