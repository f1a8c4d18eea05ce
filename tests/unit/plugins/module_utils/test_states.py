# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state vocabularies of the contract and their predicates."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._states import (
    FLEET,
    FLEET_STATES,
    VMSS,
    VMSS_STATES,
    is_failing,
    is_success,
    is_terminal,
    snake_case,
    states,
    terminal_states,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("RollingForward", "rolling_forward"),
        ("Completed", "completed"),
        ("Cancelled", "cancelled"),
        ("Faulted", "faulted"),
        ("NotStarted", "not_started"),
        ("Running", "running"),
        ("Stopping", "stopping"),
        ("Stopped", "stopped"),
        ("Skipped", "skipped"),
        ("Failed", "failed"),
        ("Pending", "pending"),
        ("Start", "start"),
        ("Cancel", "cancel"),
        ("WaitingForApproval", "waiting_for_approval"),
        ("HTTPError", "http_error"),
        ("Step2Running", "step2_running"),
        ("not_started", "not_started"),
        ("Not Started", "not_started"),
        ("rolling-forward", "rolling_forward"),
        ("COMPLETED", "completed"),
        ("  Running  ", "running"),
        ("", None),
        ("--", None),
        (None, None),
        (3, None),
        (True, None),
        ({"state": "Running"}, None),
        (["Running"], None),
    ],
)
def test_azure_values_become_lower_snake_case(value, expected):
    assert snake_case(value) == expected


def test_the_vocabularies_are_the_contracts():
    assert states(VMSS) == VMSS_STATES == ("rolling_forward", "rolling_back", "completed", "cancelled", "faulted")
    assert states(FLEET) == FLEET_STATES == (
        "not_started", "running", "stopping", "stopped", "skipped", "failed", "pending", "completed")
    assert terminal_states(VMSS) == frozenset(("completed", "cancelled", "faulted"))
    assert terminal_states(FLEET) == frozenset(("completed", "failed", "stopped", "skipped"))


@pytest.mark.parametrize(
    "kind, state, terminal, success",
    [
        (VMSS, "rolling_forward", False, False),
        (VMSS, "rolling_back", False, False),
        (VMSS, "completed", True, True),
        (VMSS, "cancelled", True, False),
        (VMSS, "faulted", True, False),
        (VMSS, "rolling_backward", False, False),
        (VMSS, "not_started", False, False),
        (VMSS, "failed", False, False),
        (VMSS, None, False, False),
        (VMSS, "Completed", False, False),
        (FLEET, "not_started", False, False),
        (FLEET, "running", False, False),
        (FLEET, "stopping", False, False),
        (FLEET, "stopped", True, False),
        (FLEET, "skipped", True, False),
        (FLEET, "failed", True, False),
        (FLEET, "pending", False, False),
        (FLEET, "completed", True, True),
        (FLEET, "waiting_for_approval", False, False),
        (FLEET, "cancelled", False, False),
        (FLEET, None, False, False),
        (FLEET, ["completed"], False, False),
        (FLEET, {"state": "completed"}, False, False),
    ],
)
def test_terminal_and_success_states_per_kind(kind, state, terminal, success):
    assert is_terminal(kind, state) is terminal
    assert is_success(kind, state) is success


@pytest.mark.parametrize("predicate", [is_terminal, is_success])
def test_an_unknown_kind_is_a_programming_error(predicate):
    with pytest.raises(ValueError, match="unknown target kind 'scale_set'"):
        predicate("scale_set", "completed")
    with pytest.raises(ValueError):
        predicate("scale_set", None)


@pytest.mark.parametrize("kind, state, failing", [
    (VMSS, "rolling_back", True), (VMSS, "rolling_forward", False), (VMSS, "faulted", False), (VMSS, None, False),
    (FLEET, "rolling_back", False), (FLEET, "failed", False), (FLEET, "pending", False),
])
def test_rolling_back_is_the_one_state_that_has_failed_without_ending(kind, state, failing):
    assert is_failing(kind, state) is failing
