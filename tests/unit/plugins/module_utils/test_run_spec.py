# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet_update_run's checks before any request: each bad input is refused naming its field and what is allowed."""

import copy
import re

import pytest

import reference
from ansible_collections.upgradegate.azure.plugins.module_utils import _run_spec
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import has_gates, has_max_concurrency, validate

STRATEGY_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/fleets/fleet-1/updateStrategies/two"


def params(**given):
    base = {name: option.get("default") for name, option in _run_spec.RUN_OPTIONS.items()}
    base.update(resource_group="rg", fleet_name="fleet-1", name="run-1")
    base.update(given)
    return base


def stage(name="canary", groups=("canary",), **extra):
    item = {"name": name, "groups": [{"name": g, "before_gates": None, "after_gates": None, "max_concurrency": None} for g in groups],
            "after_stage_wait_seconds": None, "before_gates": None, "after_gates": None, "max_concurrency": None}
    item.update(extra)
    return item


FULL = {"upgrade_type": "Full", "kubernetes_version": "1.30.1"}


def test_names_alone_are_enough_to_act_on_a_run_created_elsewhere():
    validate(params(state="started"))
    validate(params(state="absent"))


@pytest.mark.parametrize("given, field, words", [
    ({"upgrade_type": "Full"}, "kubernetes_version", "required with upgrade_type=Full"),
    ({"upgrade_type": "ControlPlaneOnly"}, "kubernetes_version", "required with upgrade_type=ControlPlaneOnly"),
    ({"upgrade_type": "NodeImageOnly", "kubernetes_version": "1.30.1"}, "kubernetes_version", "not allowed with upgrade_type=NodeImageOnly"),
    ({"kubernetes_version": "1.30.1"}, "kubernetes_version", "needs upgrade_type"),
    (dict(FULL, kubernetes_version="latest"), "kubernetes_version", "MAJOR.MINOR"),
    ({"strategy": {"stages": [stage()]}}, "upgrade_type", "required with the options that define the run"),
    (dict(FULL, node_image_selection="Custom"), "custom_node_image_versions", "required"),
    (dict(FULL, custom_node_image_versions=["v1"]), "custom_node_image_versions", "only allowed with node_image_selection=Custom"),
    (dict(FULL, node_image_selection="Latest", custom_node_image_versions=["v1"]), "custom_node_image_versions", "only allowed"),
    (dict(FULL, update_strategy_id="two"), "update_strategy_id", "not the ARM id of an update strategy"),
    (dict(FULL, update_strategy_id=STRATEGY_ID.replace("fleet-1", "other")), "update_strategy_id", "belongs to fleet 'other'"),
    (dict(FULL, strategy={"stages": []}), "strategy.stages", "at least one stage"),
    (dict(FULL, strategy={"stages": [stage("Canary")]}), "strategy.stages[0].name", "lower-case letters"),
    (dict(FULL, strategy={"stages": [stage("a" * 51)]}), "strategy.stages[0].name", "1 to 50"),
    (dict(FULL, strategy={"stages": [stage(groups=("ok", "-bad"))]}), "strategy.stages[0].groups[1].name", "lower-case letters"),
    (dict(FULL, strategy={"stages": [stage(), stage("canary", groups=("other",))]}), "strategy.stages[1].name", "listed twice"),
    (dict(FULL, strategy={"stages": [stage(), stage("prod", groups=("canary",))]}), "strategy.stages[1].groups[0].name",
     "already in stage 'canary'"),
    (dict(FULL, strategy={"stages": [stage(groups=())]}), "strategy.stages[0].groups", "at least one group"),
    (dict(FULL, strategy={"stages": [stage(after_stage_wait_seconds=-1)]}), "strategy.stages[0].after_stage_wait_seconds", "0 or more"),
    (dict(FULL, strategy={"stages": [stage(max_concurrency="0")]}), "strategy.stages[0].max_concurrency", "neither a count"),
    (dict(FULL, strategy={"stages": [stage(max_concurrency="101%")]}), "strategy.stages[0].max_concurrency", "neither a count"),
    (dict(FULL, strategy={"stages": [stage(after_gates=[{"display_name": "x" * 101, "type": "Approval"}])]}),
     "strategy.stages[0].after_gates[0].display_name", "1 to 100 characters"),
    ({"state": "absent", "skip": [{"type": "Member", "name": "m1"}]}, "skip", "cannot be combined with state=absent"),
    ({"skip": []}, "skip", "at least one target"),
    ({"skip": [{"type": "Member", "name": ""}]}, "skip[0].name", "the name of the Member"),
    ({"timeout": 0}, "timeout", "greater than 0"),
    ({"fleet_name": "Fleet"}, "fleet_name", "not a valid name"),
    ({"name": "run_1"}, "name", "not a valid name"),
    ({"api_version": "latest"}, "api_version", "not an api-version"),
])
def test_bad_input_is_refused_naming_the_field(given, field, words):
    with pytest.raises(ValidationError) as caught:
        validate(params(**given))
    assert caught.value.field == field
    assert words in str(caught.value)


@pytest.mark.parametrize("value, allowed", [("1", True), ("25", True), ("1%", True), ("99%", True), ("100%", True), ("0", False),
                                            ("0%", False), ("101%", False), ("05", False), ("-1", False), ("1.5", False), ("", False)])
def test_max_concurrency_is_a_count_from_1_or_a_percentage_up_to_100(value, allowed):
    """The swagger's pattern of 2026-06-01: ^(?:([1-9]\\d*)|([1-9]\\d?|100)%)$."""
    assert bool(_run_spec._MAX_CONCURRENCY.match(value)) == allowed


@pytest.mark.parametrize("api_version, gates, concurrency", [
    ("2025-03-01", False, False), ("2024-04-01", False, False), ("2025-04-01-preview", True, False),
    ("2026-06-01", True, True), ("2026-06-02-preview", True, True),
])
def test_gates_and_max_concurrency_follow_the_api_version(api_version, gates, concurrency):
    assert (has_gates(api_version), has_max_concurrency(api_version)) == (gates, concurrency)
    gated = params(api_version=api_version, strategy={"stages": [stage(groups=(), before_gates=[{"display_name": "ok", "type": "Approval"}])]},
                   **FULL)
    gated["strategy"]["stages"][0]["groups"] = stage()["groups"]
    limited = copy.deepcopy(gated)
    limited["strategy"]["stages"][0]["before_gates"] = None
    limited["strategy"]["stages"][0]["groups"][0]["max_concurrency"] = "25%"
    for checked, allowed, field in ((gated, gates, "strategy.stages[0].before_gates"),
                                    (limited, concurrency, "strategy.stages[0].groups[0].max_concurrency")):
        if allowed:
            validate(checked)
        else:
            with pytest.raises(ValidationError) as caught:
                validate(checked)
            assert caught.value.field == field and api_version in str(caught.value)


def test_the_name_rules_and_enumerations_are_the_swaggers():
    definitions = reference.spec("fleet_2025-03-01_fleets.EXTRACT.json")["definitions"]
    for definition in ("UpdateStage", "UpdateGroup"):
        properties = definitions[definition]["properties"]
        assert properties["name"]["maxLength"] == _run_spec.NAME_MAX_LENGTH
        pattern = re.compile(properties["name"]["pattern"])
        for name in ("a", "canary-1", "0", "-a", "a-", "A", "a_b"):
            refused = False
            try:
                _run_spec._check_name(name, "n")
            except ValidationError:
                refused = True
            assert refused == (pattern.match(name) is None), name
    assert definitions["TargetType"]["enum"] == list(_run_spec.SKIP_TYPES)
    assert definitions["ManagedClusterUpgradeType"]["enum"] == list(_run_spec.UPGRADE_TYPES)
    assert definitions["NodeImageSelectionType"]["enum"] == list(_run_spec.NODE_IMAGE_SELECTIONS)
