# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure: the UpdateRun body ``fleet_update_run`` sends, and how it compares with the run Azure has.

``request_body`` builds the PUT body from the options with Azure's names.
``view_of_body`` and ``view_of_options`` put Azure's body and the options in
one shape (the options' names and nesting), so ``differences`` can name what
differs as the user wrote it, e.g. ``strategy.stages[0].groups[1].max_concurrency``.
Only the options that are given are compared: a run created elsewhere (Terraform,
the portal) can be started or stopped by name alone.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._shape import as_dict, dict_items

DEFAULT_NODE_IMAGE_SELECTION = "Latest"
DEFAULT_GATE_TYPE = "Approval"


def _gates_body(gates):
    out = []
    for gate in gates or []:
        item = {}
        if gate.get("display_name") is not None:
            item["displayName"] = gate["display_name"]
        item["type"] = gate.get("type") or DEFAULT_GATE_TYPE
        out.append(item)
    return out


def _level_body(item, body):
    """beforeGates, afterGates and maxConcurrency of a stage or group, only those given."""
    if item.get("max_concurrency") is not None:
        body["maxConcurrency"] = item["max_concurrency"]
    for option, key in (("before_gates", "beforeGates"), ("after_gates", "afterGates")):
        if item.get(option):
            body[key] = _gates_body(item[option])
    return body


def strategy_body(strategy):
    stages = []
    for stage in strategy.get("stages") or []:
        body = {"name": stage["name"], "groups": [_level_body(group, {"name": group["name"]}) for group in stage.get("groups") or []]}
        if stage.get("after_stage_wait_seconds") is not None:
            body["afterStageWaitInSeconds"] = stage["after_stage_wait_seconds"]
        stages.append(_level_body(stage, body))
    return {"stages": stages}


def request_body(params):
    """The PUT body for the options (upgrade_type must be given)."""
    properties = {}
    if params.get("update_strategy_id"):
        properties["updateStrategyId"] = params["update_strategy_id"]
    if params.get("strategy"):
        properties["strategy"] = strategy_body(params["strategy"])
    upgrade = {"type": params["upgrade_type"]}
    if params.get("kubernetes_version"):
        upgrade["kubernetesVersion"] = params["kubernetes_version"]
    selection = {"type": params.get("node_image_selection") or DEFAULT_NODE_IMAGE_SELECTION}
    if params.get("custom_node_image_versions"):
        selection["customNodeImageVersions"] = [{"version": version} for version in params["custom_node_image_versions"]]
    properties["managedClusterUpdate"] = {"upgrade": upgrade, "nodeImageSelection": selection}
    return {"properties": properties}


def _listed(value):
    """Gates as a list: the swagger says a list, the official examples sometimes show one object."""
    if isinstance(value, dict):
        return [value]
    return dict_items(value)


def _gates_view(gates):
    return [{"display_name": gate.get("displayName"), "type": gate.get("type") or DEFAULT_GATE_TYPE} for gate in _listed(gates)]


def _level_view(item, view):
    view["before_gates"] = _gates_view(item.get("beforeGates"))
    view["after_gates"] = _gates_view(item.get("afterGates"))
    concurrency = item.get("maxConcurrency")
    view["max_concurrency"] = None if concurrency is None else str(concurrency)
    return view


def _strategy_view(strategy):
    stages = []
    for stage in dict_items(as_dict(strategy).get("stages")):
        view = {"name": stage.get("name"),
                "groups": [_level_view(group, {"name": group.get("name")}) for group in dict_items(stage.get("groups"))],
                "after_stage_wait_seconds": stage.get("afterStageWaitInSeconds")}
        stages.append(_level_view(stage, view))
    return {"stages": stages}


def view_of_body(body):
    """What Azure has, in the options' shape (every definition option, null when Azure has none)."""
    properties = as_dict(as_dict(body).get("properties"))
    update = as_dict(properties.get("managedClusterUpdate"))
    upgrade = as_dict(update.get("upgrade"))
    selection = as_dict(update.get("nodeImageSelection"))
    strategy = properties.get("strategy")
    return {
        "update_strategy_id": properties.get("updateStrategyId"),
        "strategy": _strategy_view(strategy) if dict_items(as_dict(strategy).get("stages")) else None,
        "upgrade_type": upgrade.get("type"),
        "kubernetes_version": upgrade.get("kubernetesVersion"),
        "node_image_selection": selection.get("type"),
        "custom_node_image_versions": [as_dict(item).get("version") for item in dict_items(selection.get("customNodeImageVersions"))],
    }


def view_of_options(params):
    """What the options ask for, in the same shape, holding only what is compared.

    ``upgrade_type`` brings ``kubernetes_version`` along (NodeImageOnly has none);
    ``node_image_selection`` brings ``custom_node_image_versions`` along.
    """
    wanted = {}
    if params.get("update_strategy_id"):
        wanted["update_strategy_id"] = params["update_strategy_id"]
    if params.get("strategy"):
        wanted["strategy"] = _strategy_view(strategy_body(params["strategy"]))
    if params.get("upgrade_type"):
        wanted["upgrade_type"] = params["upgrade_type"]
        wanted["kubernetes_version"] = params.get("kubernetes_version")
    if params.get("node_image_selection"):
        wanted["node_image_selection"] = params["node_image_selection"]
        wanted["custom_node_image_versions"] = list(params.get("custom_node_image_versions") or [])
    return wanted


def _same(key, wanted, actual):
    if key == "update_strategy_id" and isinstance(wanted, str) and isinstance(actual, str):
        return wanted.rstrip("/").lower() == actual.rstrip("/").lower()
    return wanted == actual


def _walk(path, wanted, actual):
    """Paths (as the options name them) where ``wanted`` and ``actual`` differ."""
    if isinstance(wanted, dict) and isinstance(actual, dict):
        for key in wanted:
            yield from _walk("%s.%s" % (path, key) if path else key, wanted[key], actual.get(key))
    elif isinstance(wanted, list) and isinstance(actual, list) and len(wanted) == len(actual) and all(
            isinstance(item, dict) for item in wanted + actual):
        for index, (left, right) in enumerate(zip(wanted, actual)):
            yield from _walk("%s[%d]" % (path, index), left, right)
    elif wanted != actual:
        yield path


def differences(wanted, actual):
    """The option paths whose wanted value differs from Azure's, in option order; empty when the run matches."""
    found = []
    for key, value in wanted.items():
        if not _same(key, value, actual.get(key)):
            found.extend(_walk(key, value, actual.get(key)))
    return found


def diff_view(view, keys):
    """The part of a view shown in diff mode: the compared options only."""
    return {key: view.get(key) for key in keys}
