# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet_gate's pure parts: which gate the options name, what to do with it, and the checks of its options."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._gate_approve import APPROVE, KEEP, choose, decide, validate_approval
from ansible_collections.upgradegate.azure.plugins.module_utils._gates import has_gates
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

NAME = "12345678-910a-bcde-f000-000000000000"


def gate(name, stage, group, timing, state="pending", run="run-1"):
    return {"name": name, "update_run": run, "stage": stage, "group": group, "timing": timing, "state": state, "display_name": name}


GATES = [gate("a", "canary", None, "after"), gate("b", "canary", "g1", "after"), gate("c", "prod", None, "before"),
         gate("d", "prod", None, "before", run="run-2"), gate("e", "prod", None, "before", state="completed", run="run-3")]


def params(**options):
    base = {"resource_group": "rg", "fleet_name": "fleet", "name": None, "update_run": None, "stage": None, "group": None,
            "timing": None, "state": "completed", "timeout": 600.0, "api_version": "2026-06-01"}
    base.update(options)
    return base


def test_the_stage_gate_is_chosen_without_a_group_and_the_group_gate_with_it():
    assert choose(GATES, params(update_run="run-1", stage="canary", timing="after"))["name"] == "a"
    assert choose(GATES, params(update_run="run-1", stage="canary", group="G1", timing="after"))["name"] == "b"


def test_no_match_fails_listing_the_gates_of_the_run_only():
    with pytest.raises(ValueError) as caught:
        choose(GATES, params(update_run="run-2", stage="canary", timing="after"))
    assert "no gate matches" in str(caught.value) and " d (" in str(caught.value) and " a (" not in str(caught.value)


def test_several_matches_fail_listing_them():
    with pytest.raises(ValueError, match="2 gates match"):
        choose([GATES[2], gate("f", "prod", None, "before", state="completed")], params(update_run="run-1", stage="prod", timing="before"))


def test_a_run_without_gates_yet_says_azure_creates_them_when_reached():
    with pytest.raises(ValueError, match="no gates yet"):
        choose([], params(update_run="run-1", stage="canary", timing="after"))


@pytest.mark.parametrize("state, expected", [("pending", APPROVE), ("completed", KEEP)])
def test_pending_is_approved_and_completed_is_kept(state, expected):
    assert decide(gate("a", "s", None, "after", state)) == expected


@pytest.mark.parametrize("state, words", [("skipped", "nothing to approve"), ("not_started", "only a pending gate"),
                                          (None, "only a pending gate"), ("waiting_for_window", "only a pending gate")])
def test_other_states_cannot_be_approved(state, words):
    with pytest.raises(ValueError, match=words):
        decide(gate("a", "s", None, "after", state))


@pytest.mark.parametrize("options, field", [
    ({"name": "gate-1"}, "name"),
    ({"name": NAME, "api_version": "2025-03-01"}, "api_version"),
    ({"name": NAME, "api_version": "2024-04-01"}, "api_version"),
    ({"update_run": "run-1", "stage": "canary", "timing": "during"}, "timing"),
    ({"update_run": "Run 1", "stage": "canary", "timing": "after"}, "update_run"),
    ({"update_run": "run-1", "stage": "canary", "group": "-g", "timing": "after"}, "group"),
    ({"name": NAME, "timeout": 0}, "timeout"),
])
def test_bad_options_name_their_field(options, field):
    with pytest.raises(ValidationError) as caught:
        validate_approval(params(**options))
    assert caught.value.field == field


@pytest.mark.parametrize("version, expected", [("2025-03-01", False), ("2024-04-01", False), ("2025-04-01-preview", True),
                                               ("2026-06-01", True), ("2026-06-02-preview", True), (None, False)])
def test_versions_with_gates(version, expected):
    assert has_gates(version) is expected
