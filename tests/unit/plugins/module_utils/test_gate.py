# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gate's option checks that the argument spec cannot express: each names its field."""

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.upgradegate.azure.plugins.module_utils._gate import GATE_OPTIONS, GATE_RULES, interval, label, validate_gate
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

DEFAULTS = dict(resource_group=None, scale_set=None, fleet_name=None, update_run=None, stage=None, group=None, targets=None,
                state=["completed"], timeout=3600.0, sleep=30.0, delay=0.0, started_after=None, min_percent_complete=None,
                max_failed=None, stall_timeout=None, msg=None, vmss_api_version="2024-07-01")
VMSS = dict(DEFAULTS, resource_group="rg", scale_set="web")
FLEET = dict(DEFAULTS, resource_group="rg", fleet_name="fleet", update_run="run-1")


@pytest.mark.parametrize("params", [
    VMSS, FLEET, dict(FLEET, stage="canary", group="canary"), dict(VMSS, state=["terminal"]), dict(VMSS, timeout=0.5, sleep=0.25),
    dict(VMSS, started_after="2026-11-23T18:30:00+02:00"), dict(FLEET, state=["completed", "skipped"]),
    dict(DEFAULTS, targets=[{"resource_group": "rg", "scale_set": "web"}, {"resource_group": "rg", "fleet_name": "f", "update_run": "r"}],
         state=["completed", "cancelled"]),
    dict(VMSS, min_percent_complete=100, max_failed=0, stall_timeout=60, delay=0),
    dict(VMSS, heartbeat=0), dict(VMSS, heartbeat=0.5, progress=False),
])
def test_good_options_pass(params):
    validate_gate(params)


@pytest.mark.parametrize("params, field, words", [
    (dict(VMSS, timeout=0), "timeout", "greater than 0"),
    (dict(VMSS, timeout=-5), "timeout", "greater than 0"),
    (dict(VMSS, sleep=0), "sleep", "greater than 0"),
    (dict(VMSS, sleep=60, timeout=30), "sleep", "longer than timeout"),
    (dict(VMSS, delay=-1), "delay", "of at least 0"),
    (dict(VMSS, sleep=None, delay=10, timeout=5), "delay", "not shorter than timeout"),
    (dict(VMSS, sleep=None, delay=5, timeout=5), "delay", "not shorter than timeout"),
    (dict(VMSS, stall_timeout=0), "stall_timeout", "greater than 0"),
    (dict(VMSS, heartbeat=-1), "heartbeat", "of at least 0"),
    (dict(VMSS, state=["failed"]), "state", "'failed' is never taken by scale sets"),
    (dict(FLEET, state=["faulted"]), "state", "'faulted' is never taken by update runs"),
    (dict(VMSS, state=[]), "state", "at least one"),
    (dict(VMSS, started_after="yesterday"), "started_after", "not an ISO 8601"),
    (dict(FLEET, started_after="2026-11-23T18:30:00Z"), "started_after", "scale sets only"),
    (dict(VMSS, min_percent_complete=120), "min_percent_complete", "between 0 and 100"),
    (dict(VMSS, max_failed=-1), "max_failed", "0 or more"),
    (dict(VMSS, vmss_api_version="2024-7-1"), "vmss_api_version", "not an api-version"),
    (dict(VMSS, resource_group="bad rg"), "resource_group", "not a valid resource group"),
    (dict(VMSS, scale_set="-web"), "scale_set", "not a valid scale set name"),
    (dict(FLEET, fleet_name="Fleet"), "fleet_name", "lower-case"),
    (dict(FLEET, update_run="Run_1"), "update_run", "lower-case"),
    (dict(FLEET, stage="Canary"), "stage", "lower-case"),
    (dict(FLEET, group="g" * 51), "group", "1 to 50"),
    (dict(DEFAULTS, targets=[{"resource_group": "rg", "scale_set": "ok"}, {"resource_group": "rg", "scale_set": "bad name"}]),
     "targets[1].scale_set", "not a valid scale set name"),
    (dict(DEFAULTS, targets=[]), "targets", "give at least one target"),
    (dict(VMSS, scale_set="web\n"), "scale_set", "not a valid scale set name"),
])
def test_bad_options_are_refused_naming_the_field(params, field, words):
    with pytest.raises(ValidationError) as caught:
        validate_gate(params)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ": ") and words in str(caught.value)


def test_a_state_that_no_target_takes_is_refused_by_the_argument_spec_listing_the_states():
    params = {"resource_group": "rg", "scale_set": "web", "state": ["completed", "done"]}
    errors = ArgumentSpecValidator(GATE_OPTIONS, **GATE_RULES).validate(params).error_messages
    assert len(errors) == 1 and errors[0].startswith("value of state must be one or more of: ") and "Got no match for: done" in errors[0]
    assert all(name in errors[0] for name in ("rolling_forward", "not_started", "terminal"))


@pytest.mark.parametrize("given, expected", [
    (dict(VMSS, sleep=None, timeout=10), 10),
    (dict(VMSS, sleep=None, timeout=3600), 30),
    (dict(VMSS, sleep=2, timeout=10), 2),
])
def test_an_unset_sleep_fits_the_timeout_and_passes_the_checks(given, expected):
    validate_gate(given)
    assert interval(given) == expected


def test_labels_name_the_target_and_its_scope():
    assert label(VMSS) == "scale set rg/web"
    assert label(dict(FLEET, stage="canary", group="g1")) == "update run rg/fleet/run-1 stage canary group g1"
