# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The work of the two info modules: check their options, read, and shape the result."""

from ansible_collections.upgradegate.azure.plugins.module_utils import _readers
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import (
    ValidationError,
    check_api_version,
    check_fleet_name,
    check_resource_group,
    check_scale_set_name,
    check_update_run_name,
)

VMSS_OPTIONS = dict(
    resource_group=dict(type="str"),
    name=dict(type="str"),
    tags=dict(type="list", elements="str"),
    include_raw=dict(type="bool", default=False),
    api_version=dict(type="str", default=_readers.VMSS_API_VERSION),
)
FLEET_OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str", required=True),
    name=dict(type="str"),
    include_raw=dict(type="bool", default=False),
    api_version=dict(type="str", default=_readers.FLEET_API_VERSION),
)


def check_tags(tags):
    for entry in tags or []:
        if not isinstance(entry, str) or not entry.partition(":")[0]:
            raise ValidationError("tags", "%r is not a tag filter; use 'key' or 'key:value'" % (entry,))


def validate_vmss(params):
    if params.get("resource_group") is not None:
        check_resource_group(params["resource_group"])
    if params.get("name") is not None:
        check_scale_set_name(params["name"])
    check_tags(params.get("tags"))
    check_api_version(params["api_version"])


def vmss_rolling_upgrades(connection, params):
    client, subscription = connection.client, connection.subscription_id
    if params.get("name"):
        try:
            return {"rolling_upgrades": _one_scale_set(client, subscription, params)}
        except ArmError as exc:
            if _readers.missing_is_empty(exc):
                return {"rolling_upgrades": []}
            raise
    warnings = []
    result = {"rolling_upgrades": _readers.rolling_upgrades(client, subscription, params.get("resource_group"), params.get("tags"),
                                                            params["api_version"], params["include_raw"], warnings=warnings)}
    if warnings:
        result["warnings"] = warnings
    return result


def _one_scale_set(client, subscription, params):
    """One scale set: one request, or two when a tag filter needs the scale set's own tags."""
    group, name, version = params["resource_group"], params["name"], params["api_version"]
    scale_set = None
    if params.get("tags"):
        scale_set = _readers.read_scale_set(client, subscription, group, name, version)
        if not _readers.has_tags(scale_set, params["tags"]):
            return []
    facts, _retry_after = _readers.latest_rolling_upgrade(client, subscription, group, name, version, params["include_raw"],
                                                          scale_set=scale_set)
    if scale_set is not None:
        facts["tags"] = dict(scale_set.get("tags") or {})
    return [facts]


def validate_fleet(params):
    check_resource_group(params["resource_group"])
    check_fleet_name(params["fleet_name"])
    if params.get("name") is not None:
        check_update_run_name(params["name"])
    check_api_version(params["api_version"])


def fleet_update_runs(connection, params):
    client, subscription = connection.client, connection.subscription_id
    try:
        if params.get("name"):
            facts, _retry_after = _readers.update_run(client, subscription, params["resource_group"], params["fleet_name"],
                                                      params["name"], params["api_version"], params["include_raw"])
            return {"update_runs": [facts]}
        return {"update_runs": _readers.update_runs(client, subscription, params["resource_group"], params["fleet_name"],
                                                    params["api_version"], params["include_raw"])}
    except ArmError as exc:
        if _readers.missing_is_empty(exc):
            return {"update_runs": []}
        raise
