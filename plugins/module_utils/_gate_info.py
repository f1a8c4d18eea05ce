# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The work of fleet_gate_info: check its options, read the fleet's gates, filter them."""

from ansible_collections.upgradegate.azure.plugins.module_utils import _gates
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import check_fleet_name, check_fleet_style_name, check_resource_group
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import check_update_run_name, check_api_version
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import missing_is_empty
from ansible_collections.upgradegate.azure.plugins.module_utils._states import GATE_STATES

GATE_INFO_OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str", required=True),
    name=dict(type="str"),
    update_run=dict(type="str"),
    stage=dict(type="str"),
    group=dict(type="str"),
    timing=dict(type="str", choices=["before", "after"]),
    state=dict(type="list", elements="str", choices=list(GATE_STATES)),
    include_raw=dict(type="bool", default=False),
    api_version=dict(type="str", default=_gates.GATES_API_VERSION),
)


def validate_gate_info(params):
    check_resource_group(params["resource_group"])
    check_fleet_name(params["fleet_name"])
    if params.get("name") is not None:
        _gates.check_gate_name(params["name"])
    if params.get("update_run") is not None:
        check_update_run_name(params["update_run"], "update_run")
    for key in ("stage", "group"):
        if params.get(key) is not None:
            check_fleet_style_name(params[key], key, 50)
    if params.get("timing") is not None:
        _gates.check_timing(params["timing"])
    check_api_version(params["api_version"])
    _gates.check_gates_version(params["api_version"])


def fleet_gates(connection, params):
    """``{"gates": [...]}``: one GET for ``name``, else the fleet's paged list; then the filters."""
    client, subscription = connection.client, connection.subscription_id
    group, fleet, version = params["resource_group"], params["fleet_name"], params["api_version"]
    try:
        if params.get("name"):
            found = [_gates.read_gate(client, subscription, group, fleet, params["name"], version, params["include_raw"])]
        else:
            found = _gates.list_gates(client, subscription, group, fleet, version, params["include_raw"])
    except ArmError as exc:
        if missing_is_empty(exc):
            return {"gates": []}
        raise
    return {"gates": _gates.select(found, update_run=params.get("update_run"), stage=params.get("stage"), group=params.get("group"),
                                   timing=params.get("timing"), states=params.get("state"))}
