# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils import _ids
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

SUB = "1b2c3d4e-0000-4a5b-8c9d-0123456789ab"


@pytest.mark.parametrize("value", [SUB, SUB.upper(), "00000000-0000-0000-0000-000000000000"])
def test_subscription_ids_that_are_uuids_are_accepted(value):
    assert _ids.check_subscription_id(value) == value


@pytest.mark.parametrize("value", ["", "not-a-uuid", SUB[:-1], SUB + "0", "{%s}" % SUB, None, 42])
def test_subscription_ids_that_are_not_uuids_are_refused_naming_the_field(value):
    with pytest.raises(ValidationError, match=r"^subscription_id: ") as caught:
        _ids.check_subscription_id(value)
    assert caught.value.field == "subscription_id"


@pytest.mark.parametrize("value", ["rg", "rg-app_01", "(rg).x", "a" * 90, "gruppe-ü", "RG.Prod"])
def test_valid_resource_group_names_pass(value):
    assert _ids.check_resource_group(value) == value


@pytest.mark.parametrize("value", ["a" * 91, "ends.", "has space", "slash/rg", "semi;colon", "star*"])
def test_invalid_resource_group_names_are_refused_with_the_rule(value):
    with pytest.raises(ValidationError, match=r"^resource_group: .*1 to 90"):
        _ids.check_resource_group(value)


@pytest.mark.parametrize("value", ["web", "web-01", "a", "web_", "w.e.b", "A" * 64])
def test_valid_scale_set_names_pass(value):
    assert _ids.check_scale_set_name(value) == value


@pytest.mark.parametrize("value", ["-web", "_web", "web-", "web.", "A" * 65, "web set", "web/1"])
def test_invalid_scale_set_names_are_refused(value):
    with pytest.raises(ValidationError, match=r"^name: .*scale set name"):
        _ids.check_scale_set_name(value)


@pytest.mark.parametrize("value", ["fleet", "f-1", "a" * 63, "0"])
def test_valid_fleet_names_pass(value):
    assert _ids.check_fleet_name(value) == value


@pytest.mark.parametrize("value", ["Fleet", "-f", "f-", "a" * 64, "f_1", "f.1"])
def test_invalid_fleet_names_are_refused(value):
    with pytest.raises(ValidationError, match=r"^fleet_name: .*1 to 63 lower-case"):
        _ids.check_fleet_name(value)


@pytest.mark.parametrize("value, ok", [("run-1", True), ("a" * 50, True), ("a" * 51, False), ("Run", False)])
def test_update_run_names_follow_the_swagger_pattern_and_length(value, ok):
    if ok:
        assert _ids.check_update_run_name(value, "update_run") == value
    else:
        with pytest.raises(ValidationError, match=r"^update_run: .*1 to 50"):
            _ids.check_update_run_name(value, "update_run")


@pytest.mark.parametrize("value, ok", [
    ("2024-07-01", True), ("2025-03-01", True), ("2024-05-02-preview", True),
    ("2024-7-1", False), ("latest", False), ("2024-07-01-", False), ("", False),
])
def test_api_versions_are_dates_with_an_optional_suffix(value, ok):
    if ok:
        assert _ids.check_api_version(value) == value
    else:
        with pytest.raises(ValidationError, match=r"^api_version: "):
            _ids.check_api_version(value)


def test_resource_paths_are_built_with_escaped_names():
    assert _ids.resource_path(SUB, "rg", "Microsoft.Compute", "virtualMachineScaleSets", "web") == (
        "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web" % SUB)
    assert _ids.resource_group_path(SUB, "rg (x)") == "/subscriptions/%s/resourceGroups/rg%%20%%28x%%29" % SUB
    assert _ids.resource_path(SUB, "rg (x)", "Microsoft.ContainerService", "fleets", "f", "updateRuns", "r 1") == (
        "/subscriptions/%s/resourceGroups/rg%%20%%28x%%29/providers/Microsoft.ContainerService/fleets/f/updateRuns/r%%201" % SUB)


def test_resource_ids_keep_names_as_azure_writes_them():
    assert _ids.resource_id(SUB, "rg (x)", "Microsoft.ContainerService", "fleets", "f", "updateRuns", "r-1") == (
        "/subscriptions/%s/resourceGroups/rg (x)/providers/Microsoft.ContainerService/fleets/f/updateRuns/r-1" % SUB)
    assert _ids.parse_resource_id(_ids.resource_id(SUB, "rg (x)", "Microsoft.Compute", "virtualMachineScaleSets", "web")) == {
        "subscription_id": SUB, "resource_group": "rg (x)", "provider": "Microsoft.Compute", "resources": [("virtualMachineScaleSets", "web")]}


def test_types_and_names_come_in_pairs():
    with pytest.raises(ValueError, match="pairs"):
        _ids.resource_id(SUB, "rg", "Microsoft.Compute", "virtualMachineScaleSets")


@pytest.mark.parametrize("text", [
    "/subscriptions/%s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachineScaleSets/web" % SUB,
    "/SUBSCRIPTIONS/%s/resourcegroups/RG/PROVIDERS/Microsoft.Compute/virtualMachineScaleSets/web" % SUB,
    "subscriptions/%s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachineScaleSets/web/" % SUB,
])
def test_resource_ids_parse_case_insensitively_on_fixed_segments(text):
    assert _ids.parse_resource_id(text) == {
        "subscription_id": SUB, "resource_group": "RG", "provider": "Microsoft.Compute",
        "resources": [("virtualMachineScaleSets", "web")],
    }


def test_nested_resource_ids_keep_every_type_and_name():
    parsed = _ids.parse_resource_id(
        "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.ContainerService/fleets/f/updateRuns/run-1" % SUB)
    assert parsed["resources"] == [("fleets", "f"), ("updateRuns", "run-1")]


@pytest.mark.parametrize("text", [None, 7, "", "/", "/resourceGroups/rg", "/subscriptions", "/subscriptions/x/foo/bar",
                                  "/subscriptions/x/resourceGroups/rg/providers/P/type"])
def test_things_that_are_not_resource_ids_parse_to_none(text):
    assert _ids.parse_resource_id(text) is None


@pytest.mark.parametrize("check, field", [
    (_ids.check_resource_group, "resource_group"), (_ids.check_scale_set_name, "name"), (_ids.check_fleet_name, "fleet_name"),
])
@pytest.mark.parametrize("value", ["", None, 12, ["rg"]])
def test_empty_or_non_text_names_are_refused_naming_the_field(check, field, value):
    with pytest.raises(ValidationError, match=r"^%s: a non-empty string is required" % field):
        check(value)


@pytest.mark.parametrize("check, field, value", [
    (_ids.check_subscription_id, "subscription_id", SUB + "\n"),
    (_ids.check_resource_group, "resource_group", "rg\n"),
    (_ids.check_scale_set_name, "name", "web\n"),
    (_ids.check_fleet_name, "fleet_name", "fleet\n"),
    (_ids.check_update_run_name, "name", "run-1\n"),
    (_ids.check_api_version, "api_version", "2024-07-01\n"),
])
def test_a_trailing_newline_is_refused_not_sent(check, field, value):
    with pytest.raises(ValidationError, match=r"^%s: " % field):
        check(value)


@pytest.mark.parametrize("value", ["\u0662\u0660\u0662\u0664-\u0660\u0667-\u0660\u0661", "\uff12\uff10\uff12\uff14-07-01", "2024-07-\u0661\u0661"])
def test_api_versions_in_digits_other_than_ascii_are_refused(value):
    with pytest.raises(ValidationError, match=r"^api_version: .* expected YYYY-MM-DD"):
        _ids.check_api_version(value)
