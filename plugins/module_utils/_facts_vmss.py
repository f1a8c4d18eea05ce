# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure normaliser: a scale set's latest rolling upgrade -> the item of ``vmss_rolling_upgrade_info``.

The input is a response body of ``.../virtualMachineScaleSets/{name}/rollingUpgrades/latest``
(``RollingUpgradeStatusInfo``), or the scale set itself when it never had a
rolling upgrade. Any field may be missing or of the wrong type: every key of
the contract is still produced. The input is never modified; ``raw`` is a
deep copy.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._states import VMSS, is_success, is_terminal, snake_case
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import resource_id
from ansible_collections.upgradegate.azure.plugins.module_utils._shape import as_bool, as_count, as_dict, as_int, as_str, copied, dict_items, percent
from ansible_collections.upgradegate.azure.plugins.module_utils._timeutil import parse_duration, parse_timestamp

_LATEST = "/rollingUpgrades/latest"
_POLICY_KEYS = (
    ("max_batch_instance_percent", "maxBatchInstancePercent", as_int),
    ("max_unhealthy_instance_percent", "maxUnhealthyInstancePercent", as_int),
    ("max_unhealthy_upgraded_instance_percent", "maxUnhealthyUpgradedInstancePercent", as_int),
    ("pause_time_between_batches", "pauseTimeBetweenBatches", as_str),
    ("enable_cross_zone_upgrade", "enableCrossZoneUpgrade", as_bool),
    ("prioritize_unhealthy_instances", "prioritizeUnhealthyInstances", as_bool),
    ("rollback_failed_instances_on_policy_breach", "rollbackFailedInstancesOnPolicyBreach", as_bool),
    ("max_surge", "maxSurge", as_bool),
)
_IMAGE_KEYS = ("publisher", "offer", "sku", "version", "id")
_PROGRESS_KEYS = (
    ("successful", "successfulInstanceCount"),
    ("failed", "failedInstanceCount"),
    ("in_progress", "inProgressInstanceCount"),
    ("pending", "pendingInstanceCount"),
)


def rolling_upgrade_facts(body, subscription_id, resource_group, scale_set_name, include_raw=False):
    """The contract's item for a 200 body of ``rollingUpgrades/latest``.

    ``exists`` is true (the body is there). ``id`` is the body's when it has a
    string one, else built from the request. ``scale_set_id`` is the body's
    ``id`` without ``/rollingUpgrades/latest`` when it ends so (Azure's
    spelling), else built from the request. ``state`` is ``runningStatus.code``
    in snake_case and ``status_code`` Azure's value as given; ``last_action``
    is ``start``/``cancel`` (snake_case, like states). ``location`` and ``tags``
    are the body's. A body without ``runningStatus`` gives ``state: null``.
    """
    data = as_dict(body)
    props = as_dict(data.get("properties"))
    running = as_dict(props.get("runningStatus"))
    state = snake_case(running.get("code"))
    facts = _identity(subscription_id, resource_group, scale_set_name, as_str(data.get("id")), None)
    facts.update(
        location=as_str(data.get("location")),
        exists=True,
        state=state,
        status_code=as_str(running.get("code")),
        is_terminal=is_terminal(VMSS, state),
        succeeded=is_success(VMSS, state),
        last_action=snake_case(running.get("lastAction")),
        started_at=parse_timestamp(running.get("startTime")),
        last_action_at=parse_timestamp(running.get("lastActionTime")),
        progress=_progress(props.get("progress")),
        policy=_policy(props.get("policy")),
        error=_api_error(props.get("error")),
        tags=copied(as_dict(data.get("tags"))) or {},
    )
    if include_raw:
        facts["raw"] = copied(body)
    return facts


def no_rolling_upgrade_facts(subscription_id, resource_group, scale_set_name, scale_set_body=None, include_raw=False):
    """The contract's item for a scale set that exists but never had a rolling upgrade.

    ``exists: false``, ``state: null``, counts 0 and ``percent_complete: null``,
    no error. ``policy`` comes from the scale set's
    ``properties.upgradePolicy.rollingUpgradePolicy`` when ``scale_set_body``
    is given (every key null otherwise); ``location``, ``tags`` and
    ``scale_set_id`` come from it too. With ``include_raw`` the item carries
    ``raw: null``: there is no rolling-upgrade body to show, and the scale set
    body is a different resource.
    """
    data = as_dict(scale_set_body)
    upgrade_policy = as_dict(as_dict(data.get("properties")).get("upgradePolicy"))
    facts = _identity(subscription_id, resource_group, scale_set_name, None, as_str(data.get("id")))
    facts.update(
        location=as_str(data.get("location")),
        exists=False,
        state=None,
        status_code=None,
        is_terminal=False,
        succeeded=False,
        last_action=None,
        started_at=None,
        last_action_at=None,
        progress=_progress(None),
        policy=_policy(upgrade_policy.get("rollingUpgradePolicy")),
        error=None,
        tags=copied(as_dict(data.get("tags"))) or {},
    )
    if include_raw:
        facts["raw"] = None
    return facts


def history_entry_facts(body):
    """One entry of ``osUpgradeHistory`` (UpgradeOperationHistoricalStatusInfo) as the contract's ``history`` item.

    ``state`` is ``runningStatus.code`` in snake_case; ``started_by`` Azure's value; ``target_image`` the
    image reference's publisher, offer, sku, version and id (null when absent); ``rollback`` the
    rollback counters and error (null when Azure gives no rollback info).
    """
    props = as_dict(as_dict(body).get("properties"))
    running = as_dict(props.get("runningStatus"))
    image = as_dict(props.get("targetImageReference"))
    rollback = as_dict(props.get("rollbackInfo"))
    return {
        "state": snake_case(running.get("code")),
        "status_code": as_str(running.get("code")),
        "started_at": parse_timestamp(running.get("startTime")),
        "ended_at": parse_timestamp(running.get("endTime")),
        "started_by": as_str(props.get("startedBy")),
        "target_image": dict((key, as_str(image.get(key))) for key in _IMAGE_KEYS) if image else None,
        "progress": _progress(props.get("progress")),
        "error": _api_error(props.get("error")),
        "rollback": {
            "successfully_rolled_back": as_count(rollback.get("successfullyRolledbackInstanceCount")),
            "failed_to_roll_back": as_count(rollback.get("failedRolledbackInstanceCount")),
            "error": _api_error(rollback.get("rollbackError")),
        } if rollback else None,
    }


def newest_first(entries, limit):
    """History items sorted newest first by start time (entries without one last, in Azure's order), at most ``limit``."""
    dated = sorted((entry for entry in entries if entry["started_at"]), key=lambda entry: _sortable(entry["started_at"]), reverse=True)
    undated = [entry for entry in entries if not entry["started_at"]]
    return (dated + undated)[:max(0, limit)]


def _sortable(timestamp):
    """A normalised UTC timestamp with its fraction always written out, so that text order is time order."""
    return timestamp[:19] + (timestamp[19:-1] or ".000000")


def _identity(subscription_id, resource_group, scale_set_name, upgrade_id, scale_set_id):
    """The id keys, in the contract's order; missing ids are built from the request."""
    if scale_set_id is None and upgrade_id is not None and upgrade_id.lower().endswith(_LATEST.lower()):
        scale_set_id = upgrade_id[:-len(_LATEST)]
    built = resource_id(subscription_id, resource_group, "Microsoft.Compute", "virtualMachineScaleSets", scale_set_name)
    return {
        "id": upgrade_id or built + _LATEST,
        "scale_set_id": scale_set_id or built,
        "scale_set_name": scale_set_name,
        "resource_group": resource_group,
        "subscription_id": subscription_id,
    }


def _progress(value):
    """Instance counts; a missing or non-integer count is 0; percent of successful instances."""
    data = as_dict(value)
    result = dict((key, as_count(data.get(azure_key))) for key, azure_key in _PROGRESS_KEYS)
    result["total"] = sum(result.values())
    result["percent_complete"] = percent(result["successful"], result["total"])
    return result


def _policy(value):
    """The rolling upgrade policy; a value of the wrong type is null; the pause also in seconds."""
    data = as_dict(value)
    result = dict((key, convert(data.get(azure_key))) for key, azure_key, convert in _POLICY_KEYS)
    result["pause_time_between_batches_seconds"] = parse_duration(result["pause_time_between_batches"])
    return result


def _api_error(value):
    """Compute's ApiError, or None when there is none (absent, not an object, or empty)."""
    data = as_dict(value)
    inner = as_dict(data.get("innererror"))
    error = {
        "code": as_str(data.get("code")),
        "message": as_str(data.get("message")),
        "target": as_str(data.get("target")),
        "details": [_error_base(item) for item in dict_items(data.get("details"))],
        "inner_error": None,
    }
    if inner:
        error["inner_error"] = {
            "exception_type": as_str(inner.get("exceptiontype")),
            "error_detail": as_str(inner.get("errordetail")),
        }
    return error if any(error.values()) else None


def _error_base(value):
    return {
        "code": as_str(value.get("code")),
        "message": as_str(value.get("message")),
        "target": as_str(value.get("target")),
    }
