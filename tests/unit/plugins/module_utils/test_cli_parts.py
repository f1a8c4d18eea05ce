# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of the command line: targets, the query, the flat status, and input refused before any request."""

import argparse
import io
import json

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._cli import main
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_exit import EXIT_CODES, NotFound, exit_for_error, exit_for_result
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_gate import parse_target, summary_line
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_status import as_text, fleet_status, read_query
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import update_run_facts
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError, ValidationError

SUB = "00000000-0000-0000-0000-000000000000"


def status_node(state, error=None):
    return dict({"state": state}, **({"error": error} if error else {}))


RUN = {"name": "run-1", "properties": {"provisioningState": "Succeeded", "status": {
    "status": {"state": "Failed", "startTime": "2026-01-01T00:00:00Z", "error": {"code": "UpdateRunFailed", "message": "run"}},
    "stages": [
        {"name": "canary", "status": status_node("Completed"), "groups": [
            {"name": "canary", "status": status_node("Completed"), "members": [{"name": "c1", "status": status_node("Completed")}]}]},
        {"name": "prod", "status": status_node("Failed", {"code": "UpdateStageFailed", "message": "stage"}), "groups": [
            {"name": "eu", "status": status_node("Failed"), "members": [
                {"name": "p1", "status": status_node("Completed")},
                {"name": "p2", "status": status_node("Failed", {"code": "UpgradeFailed", "message": "p2 broke"})}]}]},
    ]}}}


@pytest.fixture
def facts():
    return update_run_facts(RUN, SUB, "rg", "fleet-a")


@pytest.mark.parametrize("text, target", [
    ("rg/web", {"resource_group": "rg", "scale_set": "web"}),
    ("rg/fleet/run", {"resource_group": "rg", "fleet_name": "fleet", "update_run": "run"}),
    ("rg/fleet/run/canary", {"resource_group": "rg", "fleet_name": "fleet", "update_run": "run", "stage": "canary"}),
    ("rg/fleet/run/canary/eu", {"resource_group": "rg", "fleet_name": "fleet", "update_run": "run", "stage": "canary", "group": "eu"}),
    ("rg/fleet/run//eu", {"resource_group": "rg", "fleet_name": "fleet", "update_run": "run", "group": "eu"}),
])
def test_a_target_path_names_the_target_options(text, target):
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["rg", "a/b/c/d/e/f"])
def test_a_target_path_of_the_wrong_length_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match="is not RESOURCE_GROUP/SCALE_SET"):
        parse_target(text)


@pytest.mark.parametrize("value, text", [(None, ""), (True, "true"), (False, "false"), (10, "10"), (33.3, "33.3"), (100.0, "100.0"),
                                         ("rolling_forward", "rolling_forward")])
def test_status_values_become_strings(value, text):
    assert as_text(value) == text


def test_empty_query_values_count_as_not_given():
    assert read_query(io.StringIO('{"resource_group": "rg", "scale_set": "web", "stage": ""}')) == {"resource_group": "rg", "scale_set": "web"}


@pytest.mark.parametrize("stdin, field", [
    ("{", "query"), ("null", "query"), ('"rg"', "query"), ('{"resource_group": null}', "resource_group"),
    ('{"resource_group": true}', "resource_group"), ('{"secret": "s"}', "secret"), ('{"api_version": "2024-07-01"}', "api_version"),
])
def test_a_query_that_is_not_an_object_of_known_strings_is_refused(stdin, field):
    with pytest.raises(ValidationError) as raised:
        read_query(io.StringIO(stdin))
    assert raised.value.field == field


def test_a_run_status_has_the_run_state_and_its_own_error_first(facts):
    status = fleet_status(facts)
    assert (status["scope"], status["state"], status["succeeded"], status["is_terminal"]) == ("run", "failed", False, True)
    assert (status["total"], status["completed"], status["failed"], status["percent_complete"]) == (3, 2, 1, 66.7)
    assert (status["error_code"], status["error_message"]) == ("UpdateRunFailed", "run")


def test_a_stage_status_has_the_stage_state_counts_and_error(facts):
    status = fleet_status(facts, stage="canary")
    assert (status["state"], status["percent_complete"], status["error_code"], status["run_state"]) == ("completed", 100.0, None, "failed")
    assert fleet_status(facts, stage="prod")["error_code"] == "UpdateStageFailed"


def test_a_group_status_takes_the_first_error_inside_the_group(facts):
    status = fleet_status(facts, group="eu")
    assert (status["scope"], status["state"], status["total"], status["failed"]) == ("group", "failed", 2, 1)
    assert (status["error_code"], status["error_message"]) == ("UpgradeFailed", "p2 broke")


def test_a_stage_that_is_not_in_the_run_is_not_found(facts):
    with pytest.raises(NotFound, match="stage 'nope' is not part of the run"):
        fleet_status(facts, stage="nope")


def run_main(argv, stdin="", environ=None):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, io.StringIO(stdin), out, err, environ if environ is not None else {})
    return code, out.getvalue(), err.getvalue()


def test_help_goes_to_the_given_stdout_and_lists_the_exit_codes():
    code, out, err = run_main(["gate", "--help"])
    assert (code, err) == (0, "") and "--stall-timeout" in out and "7  stalled" in out


def test_a_secret_flag_is_a_usage_error():
    code, out, err = run_main(["gate", "--target", "rg/web", "--secret", "s3cret"])
    assert (code, out) == (2, "") and "unrecognized arguments: --secret" in err


def test_bad_gate_input_with_json_prints_the_failure_as_the_module_would():
    code, out, err = run_main(["gate", "--target", "rg/web", "--sleep", "10", "--timeout", "5", "--json"])
    result = json.loads(out)
    assert code == 2 and "sleep: 10.0 is longer than timeout 5.0" in err
    assert (result["failed"], result["field"], result["polls"], result["targets"]) == (True, "sleep", 0, [])


def test_environment_fallbacks_read_the_given_environment():
    code, out, err = run_main(["gate", "--target", "rg/web"], environ={"ANSIBLE_AZURE_AUTH_SOURCE": "magic"})
    assert (code, out) == (2, "") and "auth_source" in err and "magic" in err


def test_the_summary_names_each_target_by_the_label_the_gate_returned():
    result = {"polls": 3, "elapsed": 1.5, "targets": [{"label": "scale set rg/web", "state": "completed"},
                                                      {"label": "update run rg/f/r stage canary", "state": "completed"}]}
    assert summary_line(result) == "gate open after 3 polls in 1.5 s: scale set rg/web reached completed; update run rg/f/r stage canary reached completed"
    failed = dict(result, failed=True, reason="timeout", msg="timed out")
    assert summary_line(failed) == "gate failed (timeout) after 3 polls in 1.5 s: timed out"


@pytest.mark.parametrize("reason, code", [("failed_state", 3), ("max_failed", 3), ("timeout", 4), ("not_found", 5), ("api_error", 6),
                                          ("stalled", 7)])
def test_each_failure_reason_has_its_documented_exit_code(reason, code):
    assert exit_for_result({"failed": True, "reason": reason}) == code
    assert "  %d  " % code in EXIT_CODES
    assert exit_for_result({"failed": False}) == 0


@pytest.mark.parametrize("error, code, keys", [
    (ValidationError("sleep", "too long"), 2, {"field": "sleep"}),
    (NotFound("stage 'x' is not part of the run"), 5, {}),
    (ArmError("gone", kind="not_found", status=404), 5, {"error"}),
    (ArmError("denied", kind="api", status=403), 6, {"error"}),
    (KeyboardInterrupt(), 130, {}),
    (KeyError("oops"), 1, {}),
])
def test_each_error_has_its_exit_code_and_failure_keys(error, code, keys):
    got_code, message, document = exit_for_error(error)
    assert got_code == code and message
    assert set(document) == set(keys) and document.get("field", "sleep") == "sleep"


@pytest.mark.parametrize("argv, words", [
    (["gate", "--resource-group", "rg", "--scale-set", "a", "--scale-set", "b"], "argument --scale-set: given more than once"),
    (["gate", "--target", "rg/web", "--timeout", "60", "--timeout", "120"], "argument --timeout: given more than once"),
    (["gate", "--target", "rg/web", "--subscription-id", "x", "--subscription-id", "y"], "argument --subscription-id: given more than once"),
])
def test_a_single_value_flag_given_twice_is_refused_naming_it(argv, words):
    code, out, err = run_main(argv)
    assert (code, out) == (2, "") and words in err


@pytest.mark.parametrize("argv, words", [
    (["gate", "--resource-group", "rg", "--sca", "web"], "unrecognized arguments: --sca web"),
    (["gate", "--target", "rg/web", "--time", "60"], "unrecognized arguments: --time 60"),
])
def test_abbreviated_flags_are_refused(argv, words):
    code, out, err = run_main(argv)
    assert (code, out) == (2, "") and words in err


def test_repeatable_flags_still_repeat():
    code, out, err = run_main(["gate", "--target", "rg/a", "--target", "rg/b", "--state", "completed", "--state", "nope", "--json"])
    assert code == 2 and json.loads(out)["field"] == "arguments" and "Got no match for: nope" in err
