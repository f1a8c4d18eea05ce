# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a listed scale set lives, whatever fields its listing left out."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._readers import locate_scale_set

ID = "/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web"


@pytest.mark.parametrize("listed, group, expected", [
    ({"id": ID, "name": "vmss-web"}, None, ("rg-web", "vmss-web")),
    ({"id": ID}, None, ("rg-web", "vmss-web")),  # no name: the id's last segment
    ({"id": ID.replace("resourceGroups", "resourcegroups")}, None, ("rg-web", "vmss-web")),
    ({"name": "vmss-web"}, "rg-listed", ("rg-listed", "vmss-web")),  # no id: the group that was listed
    ({"name": "vmss-web"}, None, None),  # subscription-wide, no id: nowhere to read it
    ({"properties": {}}, "rg-listed", None),
    ({"id": "not an id", "name": ""}, "rg-listed", None),
    ({"id": 42, "name": ["x"]}, "rg-listed", None),
])
def test_a_listed_scale_set_is_located_from_its_id_or_its_name_and_group(listed, group, expected):
    assert locate_scale_set(listed, group) == expected
