# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The work of the two info modules: check their options beyond the argument spec, read, and shape the result.

The argument specs live in the modules, beside their documentation.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils import _pacing, _readers
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError, ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import (
    check_api_version,
    check_fleet_name,
    check_resource_group,
    check_scale_set_name,
    check_subscription_id,
    check_update_run_name,
)

VMSS_EXCLUSIVE = [["subscriptions", "resource_group"], ["subscriptions", "name"]]
ALL_SUBSCRIPTIONS = "all"


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
    if params.get("history_limit") is not None and params["history_limit"] < 1:
        raise ValidationError("history_limit", "must be 1 or more, got %r" % params["history_limit"])
    check_subscriptions(params.get("subscriptions"))
    check_api_version(params["api_version"])


def check_subscriptions(subscriptions):
    if subscriptions is None:
        return
    if not subscriptions:
        raise ValidationError("subscriptions", "give at least one subscription id, or all")
    if ALL_SUBSCRIPTIONS in subscriptions and len(subscriptions) > 1:
        raise ValidationError("subscriptions", "all stands alone: give all, or a list of subscription ids, not both")
    for index, subscription in enumerate(subscriptions):
        if subscription != ALL_SUBSCRIPTIONS:
            check_subscription_id(subscription, "subscriptions[%d]" % index)


def vmss_pool_size(params):
    """Connections for the fan-out: one per read in flight, for every subscription read side by side."""
    subscriptions = params.get("subscriptions")
    if not subscriptions:
        return _pacing.pool_size(1)
    return _pacing.pool_size(None if subscriptions == [ALL_SUBSCRIPTIONS] else len(subscriptions))


def _subscriptions(client, wanted):
    """The subscription ids to read, each once (case aside), in the order given; ``all``: every Enabled one."""
    if wanted == [ALL_SUBSCRIPTIONS]:
        wanted = _readers.enabled_subscriptions(client)
    seen, ids = set(), []
    for subscription in wanted:
        if subscription.lower() not in seen:
            seen.add(subscription.lower())
            ids.append(subscription)
    return ids


def vmss_rolling_upgrades(connection, params):
    client, subscription = connection.client, connection.subscription_id
    if params.get("subscriptions"):
        return {"rolling_upgrades": _readers.subscriptions_rolling_upgrades(
            client, _subscriptions(client, params["subscriptions"]), params.get("tags"), params["api_version"], params["include_raw"])}
    if params.get("name"):
        try:
            return {"rolling_upgrades": _one_scale_set(client, subscription, params)}
        except ArmError as exc:
            if _readers.missing_is_empty(exc):
                return {"rolling_upgrades": []}
            raise
    warnings = []
    result = {"rolling_upgrades": _readers.rolling_upgrades(client, subscription, params.get("resource_group"), params.get("tags"),
                                                            params["api_version"], params["include_raw"], warnings=warnings,
                                                            history_limit=_history_limit(params))}
    if warnings:
        result["warnings"] = warnings
    return result


def _history_limit(params):
    """How many history entries to read per scale set, or None when the history is not asked for."""
    return params["history_limit"] if params.get("include_history") else None


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
    if _history_limit(params) is not None:
        _readers.with_history(facts, client, _history_limit(params), version)
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
