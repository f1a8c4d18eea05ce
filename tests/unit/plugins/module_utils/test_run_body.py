# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The update-run body fleet_update_run sends, and its comparison with what Azure has (pure, from the official examples)."""

import copy

import pytest

import reference
from ansible_collections.upgradegate.azure.plugins.module_utils._run_body import (
    differences,
    request_body,
    view_of_body,
    view_of_options,
)

STRATEGY_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/"
               "myFleet/updateStrategies/strategy1")
# The options that describe the official 2026-06-01 CreateOrUpdate example's request, as a user writes them.
EXAMPLE_OPTIONS = {
    "update_strategy_id": STRATEGY_ID,
    "strategy": {"stages": [{
        "name": "stage1", "max_concurrency": "10", "after_stage_wait_seconds": 3600,
        "groups": [{"name": "group-a", "max_concurrency": "2",
                    "before_gates": [{"display_name": "gate before group-a", "type": "Approval"}],
                    "after_gates": [{"display_name": "gate after group-a", "type": "Approval"}]}],
        "before_gates": [{"display_name": "gate before stage1", "type": "Approval"}],
        "after_gates": [{"display_name": "gate after stage1", "type": "Approval"}],
    }]},
    "upgrade_type": "Full", "kubernetes_version": "1.26.1", "node_image_selection": "Latest", "custom_node_image_versions": None,
}


def example():
    return reference.example("fleet_2026-06-01/UpdateRuns_CreateOrUpdate.json")


def test_the_body_built_from_the_options_is_the_official_example_request():
    assert request_body(EXAMPLE_OPTIONS) == example()["parameters"]["resource"]


def test_the_official_example_response_matches_its_options_so_nothing_is_sent_again():
    for status in ("200", "201"):
        assert differences(view_of_options(EXAMPLE_OPTIONS), view_of_body(example()["responses"][status]["body"])) == []


def test_node_image_selection_defaults_to_latest_and_versions_use_azure_names():
    body = request_body({"upgrade_type": "NodeImageOnly"})
    assert body == {"properties": {"managedClusterUpdate": {"upgrade": {"type": "NodeImageOnly"}, "nodeImageSelection": {"type": "Latest"}}}}
    custom = request_body({"upgrade_type": "NodeImageOnly", "node_image_selection": "Custom", "custom_node_image_versions": ["v1", "v2"]})
    assert custom["properties"]["managedClusterUpdate"]["nodeImageSelection"] == {
        "type": "Custom", "customNodeImageVersions": [{"version": "v1"}, {"version": "v2"}]}


def test_a_gate_without_type_is_an_approval_and_missing_keys_are_not_sent():
    body = request_body({"upgrade_type": "Full", "kubernetes_version": "1.30.1",
                         "strategy": {"stages": [{"name": "canary", "groups": [{"name": "c"}], "after_gates": [{"display_name": None}]}]}})
    assert body["properties"]["strategy"] == {"stages": [{"name": "canary", "groups": [{"name": "c"}], "afterGates": [{"type": "Approval"}]}]}


@pytest.mark.parametrize("change, expected", [
    (lambda o: o.update(kubernetes_version="1.27.0"), ["kubernetes_version"]),
    (lambda o: o.update(upgrade_type="ControlPlaneOnly"), ["upgrade_type"]),
    (lambda o: o["strategy"]["stages"][0]["groups"][0].update(max_concurrency="3"), ["strategy.stages[0].groups[0].max_concurrency"]),
    (lambda o: o["strategy"]["stages"][0].update(after_stage_wait_seconds=60), ["strategy.stages[0].after_stage_wait_seconds"]),
    (lambda o: o["strategy"]["stages"][0]["after_gates"].append({"display_name": "second", "type": "Approval"}),
     ["strategy.stages[0].after_gates"]),
    (lambda o: o["strategy"]["stages"].append({"name": "two", "groups": [{"name": "b"}]}), ["strategy.stages"]),
    (lambda o: o.update(node_image_selection="Consistent"), ["node_image_selection"]),
    (lambda o: o.update(update_strategy_id=STRATEGY_ID.replace("strategy1", "other")), ["update_strategy_id"]),
])
def test_each_difference_is_named_as_the_option_is_written(change, expected):
    options = copy.deepcopy(EXAMPLE_OPTIONS)
    change(options)
    assert differences(view_of_options(options), view_of_body(example()["responses"]["200"]["body"])) == expected


def test_only_given_options_are_compared():
    actual = view_of_body(example()["responses"]["200"]["body"])
    assert differences(view_of_options({}), actual) == []
    assert differences(view_of_options({"upgrade_type": "Full", "kubernetes_version": "1.26.1"}), actual) == []


def test_strategy_ids_compare_without_case_and_a_single_gate_object_counts_as_a_list():
    body = example()["responses"]["200"]["body"]
    body = copy.deepcopy(body)
    body["properties"]["updateStrategyId"] = STRATEGY_ID.upper()
    stage = body["properties"]["strategy"]["stages"][0]
    stage["afterGates"] = stage["afterGates"][0]
    stage["maxConcurrency"] = 10
    assert differences(view_of_options(EXAMPLE_OPTIONS), view_of_body(body)) == []


@pytest.mark.parametrize("body", [None, {}, {"properties": None}, {"properties": {"strategy": {"stages": "x"}, "managedClusterUpdate": 3}}])
def test_a_body_missing_parts_gives_a_view_and_every_given_option_differs(body):
    view = view_of_body(body)
    assert view["strategy"] is None and view["upgrade_type"] is None
    assert differences(view_of_options({"upgrade_type": "NodeImageOnly"}), view) == ["upgrade_type"]
