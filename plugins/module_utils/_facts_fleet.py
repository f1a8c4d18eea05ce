# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure normaliser: an AKS Fleet Manager UpdateRun body -> the item of ``fleet_update_run_info``.

Also the lookups the gate needs to wait on one stage or group of a run
(``find_stage``, ``find_group``) and the member counts that give a run, a
stage or a group its ``percent_complete`` (``members_of``, ``member_progress``).
Any field of the body may be missing or of the wrong type: every key of the
contract is still produced. The input is never modified; ``raw`` is a deep copy.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_run_gates import merged_gates, pending_gates
from ansible_collections.upgradegate.azure.plugins.module_utils._states import FLEET, is_success, is_terminal, snake_case
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import resource_id
from ansible_collections.upgradegate.azure.plugins.module_utils._shape import as_dict, as_int, as_str, copied, dict_items, percent
from ansible_collections.upgradegate.azure.plugins.module_utils._timeutil import parse_timestamp, seconds_between

_COUNTED_STATES = ("completed", "skipped", "failed", "running", "stopping", "stopped", "pending", "not_started")
_CURRENT_STATES = ("running", "stopping")
# Group and stage names match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, so this path segment never collides with one.
_WAIT_SEGMENT = "after_stage_wait"
# Error details nest; deeper levels than this are dropped (they stay visible in raw).
_MAX_ERROR_DEPTH = 16


def update_run_facts(body, subscription_id, resource_group, fleet_name, name=None, include_raw=False):
    """The contract's item for an UpdateRun body (GET, list item, or the body of create/start/stop/skip).

    ``name`` is the body's, else the ``name`` argument; ``id`` the body's, else
    built from the request (null when no name is known either). ``fleet_name``,
    ``resource_group`` and ``subscription_id`` are the request's.

    ``stages`` come from ``properties.status.stages`` when Azure reports any.
    Until then (a run without status) they come from ``properties.strategy``:
    the planned stages and groups, with ``state`` and times null (Azure has
    reported nothing yet, and inventing ``not_started`` would hide that) and no
    members (Azure resolves the members of a group only when it reports
    status). A run created without a strategy and without status stages has
    no stages at all: the name of Azure's implicit stage is not part of the
    API, so none is invented. ``after_stage_wait_seconds`` is the strategy
    stage's ``afterStageWaitInSeconds`` (strategy and status stages matched by
    name), else the wait status's ``waitDurationInSeconds``, else null.

    ``errors`` lists the error of the run, then of each stage in order: the
    stage, its groups (each group, then its members), then its after-stage
    wait, whose error appears with scope ``stage`` and path
    ``<stage>/after_stage_wait``. The run's own error has the path ``""``; a
    missing name leaves an empty path segment.
    """
    data = as_dict(body)
    props = as_dict(data.get("properties"))
    status = as_dict(props.get("status"))
    run_status = as_dict(status.get("status"))
    update = as_dict(props.get("managedClusterUpdate"))
    run_name = as_str(data.get("name")) or name
    state = snake_case(run_status.get("state"))
    started_at = parse_timestamp(run_status.get("startTime"))
    completed_at = parse_timestamp(run_status.get("completedTime"))
    error = _error(run_status.get("error"))
    errors = []
    _collect(errors, "run", [], error)
    stages = _stages(status.get("stages"), as_dict(props.get("strategy")).get("stages"), errors)
    facts = {
        "id": as_str(data.get("id")) or _run_id(subscription_id, resource_group, fleet_name, run_name),
        "name": run_name,
        "fleet_name": fleet_name,
        "resource_group": resource_group,
        "subscription_id": subscription_id,
        "etag": as_str(data.get("eTag")) or as_str(data.get("etag")),
        "provisioning_state": as_str(props.get("provisioningState")),
        "state": state,
        "is_terminal": is_terminal(FLEET, state),
        "succeeded": is_success(FLEET, state),
        "started_at": started_at,
        "completed_at": completed_at,
        "duration_seconds": seconds_between(started_at, completed_at),
        "update_strategy_id": as_str(props.get("updateStrategyId")),
        "auto_upgrade_profile_id": as_str(props.get("autoUpgradeProfileId")),
        "upgrade": _upgrade(update.get("upgrade")),
        "node_image_selection": _node_image_selection(update.get("nodeImageSelection"), status.get("nodeImageSelection")),
        "current_stage": next((stage["name"] for stage in stages if stage["state"] in _CURRENT_STATES), None),
        "progress": member_progress(members_of({"stages": stages})),
        "stages": stages,
        "failure_count": as_int(status.get("failureCount")),
        "pending_gates": pending_gates(stages),
        "error": error,
        "errors": errors,
        "system_data": _system_data(data.get("systemData")),
    }
    if include_raw:
        facts["raw"] = copied(body)
    return facts


def member_progress(members):
    """Counts of ``members`` (member fact dicts) by state, and ``percent_complete``.

    ``{total, completed, skipped, failed, running, stopping, stopped, pending,
    not_started, percent_complete}``. ``total`` counts every member; one with
    an unknown or missing state counts in ``total`` only. ``percent_complete``
    is ``100 * (completed + skipped) / total`` with one decimal (see
    ``_shape.percent``), null when there are no members.
    """
    members = dict_items(members)
    counts = dict.fromkeys(_COUNTED_STATES, 0)
    for member in members:
        state = member.get("state")
        if isinstance(state, str) and state in counts:
            counts[state] += 1
    result = {"total": len(members)}
    result.update(counts)
    result["percent_complete"] = percent(counts["completed"] + counts["skipped"], len(members))
    return result


def members_of(node):
    """The member fact dicts of a run, stage or group fact dict, in order (``[]`` for anything else)."""
    data = as_dict(node)
    if "members" in data:
        return dict_items(data["members"])
    if "groups" in data:
        return [member for group in dict_items(data["groups"]) for member in members_of(group)]
    return [member for stage in dict_items(data.get("stages")) for member in members_of(stage)]


def find_stage(facts, stage_name):
    """The stage fact dict named ``stage_name`` (exact match) in run ``facts``, or None.

    Returns the dict inside ``facts`` itself, not a copy. Stage names are
    unique within a run; should Azure ever repeat one, the first wins.
    """
    return _named(as_dict(facts).get("stages"), stage_name)


def find_group(facts, group_name, stage_name=None):
    """The group fact dict named ``group_name`` (exact match) in run ``facts``, or None.

    With ``stage_name`` only that stage is searched (None when it does not
    exist). Without it every stage is searched in order and the first group of
    that name wins: Azure rejects a strategy that repeats a group within or
    across stages, so a repeat can only come from malformed data.
    Returns the dict inside ``facts`` itself, not a copy.
    """
    stages = dict_items(as_dict(facts).get("stages"))
    if stage_name is not None:
        stage = _named(stages, stage_name)
        stages = [stage] if stage is not None else []
    return _named([group for stage in stages for group in dict_items(stage.get("groups"))], group_name)


def locate(facts, stage_name=None, group_name=None):
    """``(node, stage, group, missing)``: what a target on run ``facts`` (or one stage or group of it) looks at.

    Without names ``node`` is ``facts`` itself. With them it is the group
    named (within the stage, when both are given), else the stage; ``stage``
    and ``group`` are the dicts found (or None). When the run has no such
    stage or group, ``node`` is None and ``missing`` says which one is not
    part of the run, naming the stages it has. A run that has no stages yet
    and has not ended may still get them: then ``node`` and ``missing`` are
    both None.
    """
    if not stage_name and not group_name:
        return facts, None, None, None
    stage = find_stage(facts, stage_name) if stage_name else None
    group = find_group(facts, group_name, stage_name) if group_name else None
    node = group if group_name else stage
    if node is not None and not (stage_name and stage is None):
        return node, stage, group, None
    data = as_dict(facts)
    if not data.get("stages") and not data.get("is_terminal"):
        return None, stage, group, None
    what = "stage %r" % stage_name if stage_name and stage is None else "group %r" % group_name
    names = ", ".join(as_str(item.get("name")) or "?" for item in dict_items(data.get("stages"))) or "none"
    return None, stage, group, "%s is not part of the run (stages: %s)" % (what, names)


def _named(items, name):
    if not isinstance(name, str):
        return None
    return next((item for item in dict_items(items) if item.get("name") == name), None)


def _run_id(subscription_id, resource_group, fleet_name, run_name):
    if run_name is None:
        return None
    return resource_id(subscription_id, resource_group, "Microsoft.ContainerService", "fleets", fleet_name, "updateRuns", run_name)


def _stages(status_stages, strategy_stages, errors):
    planned = dict_items(strategy_stages)
    waits, plans = {}, {}
    for stage in planned:
        waits.setdefault(as_str(stage.get("name")), as_int(stage.get("afterStageWaitInSeconds")))
        plans.setdefault(as_str(stage.get("name")), stage)
    return [_stage(item, waits, plans, errors) for item in dict_items(status_stages) or planned]


def _stage(item, waits, plans, errors):
    name = as_str(item.get("name"))
    stage = _status_node(name, item.get("status"))
    _collect(errors, "stage", [name], stage["error"])
    plan = plans.get(name, {}) if name is not None else {}
    group_plans = {}
    for group in dict_items(plan.get("groups")):
        group_plans.setdefault(as_str(group.get("name")), group)
    groups = [_group(group, name, group_plans, errors) for group in dict_items(item.get("groups"))]
    wait = item.get("afterStageWaitStatus")
    wait_status = as_dict(as_dict(wait).get("status"))
    _collect(errors, "stage", [name, _WAIT_SEGMENT], _error(wait_status.get("error")))
    seconds = waits.get(name) if name is not None else None
    if seconds is None:
        seconds = as_int(as_dict(wait).get("waitDurationInSeconds"))
    stage["after_stage_wait_seconds"] = seconds
    stage["after_stage_wait"] = _wait(wait) if as_dict(wait) else None
    stage.update(_limits_and_gates(plan, item))
    stage["groups"] = groups
    return stage


def _limits_and_gates(plan, item):
    """``before_gates``, ``after_gates``, and the strategy's concurrency and failure limits with the status's failure count."""
    return {
        "before_gates": merged_gates(plan.get("beforeGates"), item.get("beforeGates")),
        "after_gates": merged_gates(plan.get("afterGates"), item.get("afterGates")),
        "max_concurrency": as_str(plan.get("maxConcurrency")),
        "max_allowed_failures": as_str(plan.get("maxAllowedFailures")),
        "failure_count": as_int(item.get("failureCount")),
    }


def _group(item, stage_name, plans, errors):
    name = as_str(item.get("name"))
    group = _status_node(name, item.get("status"))
    _collect(errors, "group", [stage_name, name], group["error"])
    plan = plans.get(name, {}) if name is not None else {}
    group.update(_limits_and_gates(plan, item))
    group["members"] = [_member(member, [stage_name, name], errors) for member in dict_items(item.get("members"))]
    return group


def _member(item, parent_path, errors):
    node = _status_node(as_str(item.get("name")), item.get("status"))
    _collect(errors, "member", parent_path + [node["name"]], node["error"])
    return {
        "name": node["name"],
        "cluster_resource_id": as_str(item.get("clusterResourceId")),
        "state": node["state"],
        "started_at": node["started_at"],
        "completed_at": node["completed_at"],
        "operation_id": as_str(item.get("operationId")),
        "message": as_str(item.get("message")),
        "error": node["error"],
    }


def _status_node(name, status):
    """``name``, and ``state``, times and error of an UpdateStatus."""
    data = as_dict(status)
    return {
        "name": name,
        "state": snake_case(data.get("state")),
        "started_at": parse_timestamp(data.get("startTime")),
        "completed_at": parse_timestamp(data.get("completedTime")),
        "error": _error(data.get("error")),
    }


def _wait(value):
    node = _status_node(None, as_dict(value).get("status"))
    return {
        "state": node["state"],
        "started_at": node["started_at"],
        "completed_at": node["completed_at"],
        "duration_seconds": seconds_between(node["started_at"], node["completed_at"]),
    }


def _error(value, depth=0):
    """An ARM ErrorDetail, details included, or None when there is none (absent, not an object, or empty)."""
    data = as_dict(value)
    details = [_error(item, depth + 1) for item in dict_items(data.get("details"))] if depth < _MAX_ERROR_DEPTH else []
    error = {
        "code": as_str(data.get("code")),
        "message": as_str(data.get("message")),
        "target": as_str(data.get("target")),
        "details": [detail for detail in details if detail is not None],
        "additional_info": [
            {"type": as_str(info.get("type")), "info": copied(info.get("info"))}
            for info in dict_items(data.get("additionalInfo"))
        ],
    }
    return error if any(error.values()) else None


def _collect(errors, scope, segments, error):
    if error is not None:
        path = "/".join(segment or "" for segment in segments)
        errors.append({"scope": scope, "path": path, "code": error["code"], "message": error["message"]})


def _upgrade(value):
    data = as_dict(value)
    return {"type": as_str(data.get("type")), "kubernetes_version": as_str(data.get("kubernetesVersion"))}


def _node_image_selection(selection, status_selection):
    data = as_dict(selection)
    return {
        "type": as_str(data.get("type")),
        "custom_versions": _versions(data.get("customNodeImageVersions")),
        "selected_versions": _versions(as_dict(status_selection).get("selectedNodeImageVersions")),
    }


def _versions(value):
    """The ``version`` strings of a list of NodeImageVersion objects; other elements are skipped."""
    versions = [as_str(item.get("version")) for item in dict_items(value)]
    return [version for version in versions if version is not None]


def _system_data(value):
    data = as_dict(value)
    return {
        "created_by": as_str(data.get("createdBy")),
        "created_by_type": as_str(data.get("createdByType")),
        "created_at": parse_timestamp(data.get("createdAt")),
        "last_modified_by": as_str(data.get("lastModifiedBy")),
        "last_modified_by_type": as_str(data.get("lastModifiedByType")),
        "last_modified_at": parse_timestamp(data.get("lastModifiedAt")),
    }
