# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure decisions of vmss_rolling_upgrade: what to request, and what to tell a user whose scale set cannot roll."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._vmss_actions import decide, start_hint


@pytest.mark.parametrize("exists, state, wanted, expected", [
    (False, None, "started", "start"),
    (True, "completed", "started", "start"),
    (True, "faulted", "started", "start"),
    (True, "cancelled", "started", "start"),
    (True, "rolling_forward", "started", None),
    (True, "rolling_back", "started", None),
    (True, "rolling_forward", "cancelled", "cancel"),
    (True, "rolling_back", "cancelled", "cancel"),
    (True, "completed", "cancelled", None),
    (False, None, "cancelled", None),
])
def test_a_request_is_made_only_when_it_changes_something(exists, state, wanted, expected):
    assert decide(wanted, {"exists": exists, "state": state}) == expected


PROBE = {"networkProfile": {"healthProbe": {"id": "/subscriptions/s/.../probes/health"}}}


def test_a_rolling_scale_set_with_a_health_probe_needs_no_hint():
    assert start_hint({"properties": {"upgradePolicy": {"mode": "Rolling"}, "virtualMachineProfile": PROBE}}) is None


def test_a_manual_scale_set_is_told_to_switch_to_rolling():
    hint = start_hint({"properties": {"upgradePolicy": {"mode": "Manual"}, "virtualMachineProfile": PROBE}})
    assert hint == "set properties.upgradePolicy.mode to Rolling (it is Manual)"


def test_a_scale_set_without_probe_or_health_extension_is_told_to_add_one():
    hint = start_hint({"properties": {"upgradePolicy": {"mode": "Rolling"}, "virtualMachineProfile": {}}})
    assert "health probe" in hint and "Application Health extension" in hint


def test_the_application_health_extension_counts_as_a_health_signal():
    profile = {"extensionProfile": {"extensions": [{"name": "health", "properties": {"type": "ApplicationHealthLinux"}}]}}
    assert start_hint({"properties": {"upgradePolicy": {"mode": "Rolling"}, "virtualMachineProfile": profile}}) is None


@pytest.mark.parametrize("body", [None, {}, {"properties": "oops"}, {"properties": {"upgradePolicy": "x"}}])
def test_a_scale_set_body_of_any_shape_gives_a_hint_not_a_traceback(body):
    assert "upgradePolicy.mode" in start_hint(body)
