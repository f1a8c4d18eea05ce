# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options of ``fleet_update_run`` and the checks made on them before any request.

Pure: no I/O. ``validate`` raises ValidationError naming the option (with its
position in a list, e.g. ``strategy.stages[1].groups[0].name``) and what is allowed.
"""

import re

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import (
    FLEET_STYLE_RULE,
    check_api_version,
    check_fleet_name,
    check_fleet_style_name,
    check_resource_group,
    check_update_run_name,
    parse_resource_id,
)

DEFAULT_API_VERSION = "2026-06-01"
DEFAULT_TIMEOUT = 600
STATES = ("present", "started", "stopped", "absent")
UPGRADE_TYPES = ("Full", "NodeImageOnly", "ControlPlaneOnly")
NODE_IMAGE_SELECTIONS = ("Latest", "Consistent", "Custom")
SKIP_TYPES = ("Member", "Group", "Stage", "AfterStageWait")
GATE_TYPES = ("Approval",)
# Stage and group names: the swagger's pattern and length (UpdateStage.name, UpdateGroup.name).
NAME_MAX_LENGTH = 50
# UpdateStage.maxConcurrency / UpdateGroup.maxConcurrency: a count from 1, or a percentage from 1% to 100%.
_MAX_CONCURRENCY = re.compile(r"^(?:([1-9]\d*)|([1-9]\d?|100)%)$")
_KUBERNETES_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
GATE_DISPLAY_NAME_MAX = 100
# The first API versions (by date) with approval gates and with maxConcurrency: 2025-03-01 has neither,
# 2025-04-01-preview has gates only, 2026-06-01 and 2026-06-02-preview have both.
GATES_SINCE = "2025-04-01"
MAX_CONCURRENCY_SINCE = "2026-06-01"

_GATE = dict(
    display_name=dict(type="str"),
    type=dict(type="str", default="Approval", choices=list(GATE_TYPES)),
)
_GROUP = dict(
    name=dict(type="str", required=True),
    before_gates=dict(type="list", elements="dict", options=_GATE),
    after_gates=dict(type="list", elements="dict", options=_GATE),
    max_concurrency=dict(type="str"),
)
_STAGE = dict(
    name=dict(type="str", required=True),
    groups=dict(type="list", elements="dict", required=True, options=_GROUP),
    after_stage_wait_seconds=dict(type="int"),
    before_gates=dict(type="list", elements="dict", options=_GATE),
    after_gates=dict(type="list", elements="dict", options=_GATE),
    max_concurrency=dict(type="str"),
)
RUN_OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str", required=True),
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=list(STATES)),
    update_strategy_id=dict(type="str"),
    strategy=dict(type="dict", options=dict(stages=dict(type="list", elements="dict", required=True, options=_STAGE))),
    upgrade_type=dict(type="str", choices=list(UPGRADE_TYPES)),
    kubernetes_version=dict(type="str"),
    node_image_selection=dict(type="str", choices=list(NODE_IMAGE_SELECTIONS)),
    custom_node_image_versions=dict(type="list", elements="str"),
    skip=dict(type="list", elements="dict", options=dict(
        type=dict(type="str", required=True, choices=list(SKIP_TYPES)),
        name=dict(type="str", required=True),
    )),
    timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    api_version=dict(type="str", default=DEFAULT_API_VERSION),
)
RUN_RULES = dict(mutually_exclusive=[["strategy", "update_strategy_id"]])
# The options that define the run (its body); the others say what to do with it.
DEFINITION_OPTIONS = ("update_strategy_id", "strategy", "upgrade_type", "kubernetes_version", "node_image_selection",
                      "custom_node_image_versions")


def _version_date(api_version):
    return api_version[:10]


def has_gates(api_version):
    return _version_date(api_version) >= GATES_SINCE


def has_max_concurrency(api_version):
    return _version_date(api_version) >= MAX_CONCURRENCY_SINCE


def defines_run(params):
    """True when any option that defines the run's body is given."""
    return any(params.get(option) not in (None, []) for option in DEFINITION_OPTIONS)


def validate(params):
    """Every check that needs no request; raises ValidationError."""
    check_resource_group(params["resource_group"])
    check_fleet_name(params["fleet_name"])
    check_update_run_name(params["name"])
    check_api_version(params["api_version"])
    if params.get("timeout") is None or params["timeout"] <= 0:
        raise ValidationError("timeout", "must be a number of seconds greater than 0, got %r" % (params.get("timeout"),))
    _check_upgrade(params)
    _check_node_image(params)
    if params.get("update_strategy_id") is not None:
        _check_strategy_id(params["update_strategy_id"], params["fleet_name"])
    if params.get("strategy") is not None:
        _check_strategy(params["strategy"], params["api_version"])
    _check_skip(params)


def _check_upgrade(params):
    upgrade_type, version = params.get("upgrade_type"), params.get("kubernetes_version")
    if version is not None and upgrade_type is None:
        raise ValidationError("kubernetes_version", "needs upgrade_type (Full or ControlPlaneOnly)")
    if upgrade_type in ("Full", "ControlPlaneOnly") and not version:
        raise ValidationError("kubernetes_version", "required with upgrade_type=%s (for example '1.30.1')" % upgrade_type)
    if upgrade_type == "NodeImageOnly" and version is not None:
        raise ValidationError("kubernetes_version", "not allowed with upgrade_type=NodeImageOnly (only node images are upgraded)")
    if version is not None and not _KUBERNETES_VERSION.match(version):
        raise ValidationError("kubernetes_version", "%r is not a Kubernetes version; expected MAJOR.MINOR or MAJOR.MINOR.PATCH, "
                                                    "such as '1.30' or '1.30.1'" % version)
    if upgrade_type is None and defines_run(params):
        raise ValidationError("upgrade_type", "required with the options that define the run (%s)"
                              % ", ".join(option for option in DEFINITION_OPTIONS if params.get(option) not in (None, [])))


def _check_node_image(params):
    selection, versions = params.get("node_image_selection"), params.get("custom_node_image_versions")
    if selection == "Custom" and not versions:
        raise ValidationError("custom_node_image_versions", "required (a non-empty list) with node_image_selection=Custom")
    if versions is not None and selection != "Custom":
        raise ValidationError("custom_node_image_versions", "only allowed with node_image_selection=Custom, got node_image_selection=%s"
                              % (selection,))
    for index, version in enumerate(versions or []):
        if not version:
            raise ValidationError("custom_node_image_versions[%d]" % index,
                                  "a node image version is required, such as 'AKSUbuntu-2204gen2containerd-202502.03.0'")


def _check_strategy_id(value, fleet_name):
    parsed = parse_resource_id(value) or {}
    resources = parsed.get("resources") or []
    shaped = (parsed.get("resource_group") and (parsed.get("provider") or "").lower() == "microsoft.containerservice"
              and len(resources) == 2 and resources[0][0].lower() == "fleets" and resources[1][0].lower() == "updatestrategies")
    if not shaped:
        raise ValidationError("update_strategy_id", "%r is not the ARM id of an update strategy; expected /subscriptions/SUB/"
                                                    "resourceGroups/RG/providers/Microsoft.ContainerService/fleets/FLEET/"
                                                    "updateStrategies/NAME" % value)
    if resources[0][1].lower() != fleet_name.lower():
        raise ValidationError("update_strategy_id", "the strategy belongs to fleet %r, not to fleet_name %r" % (resources[0][1], fleet_name))


def _check_name(value, field):
    if not isinstance(value, str) or len(value) > NAME_MAX_LENGTH:
        raise ValidationError(field, "%r is not a valid name: 1 to %d %s" % (value, NAME_MAX_LENGTH, FLEET_STYLE_RULE))
    check_fleet_style_name(value, field, NAME_MAX_LENGTH)


def _check_level(item, field, api_version):
    """Gates and maxConcurrency of a stage or group."""
    for timing in ("before_gates", "after_gates"):
        gates = item.get(timing) or []
        if gates and not has_gates(api_version):
            raise ValidationError("%s.%s" % (field, timing), "approval gates need an api_version that has them (2025-04-01-preview, "
                                                             "2026-06-01 or later), got %s" % api_version)
        for index, gate in enumerate(gates):
            shown = gate.get("display_name")
            if shown is not None and not 1 <= len(shown) <= GATE_DISPLAY_NAME_MAX:
                raise ValidationError("%s.%s[%d].display_name" % (field, timing, index),
                                      "1 to %d characters, got %d" % (GATE_DISPLAY_NAME_MAX, len(shown)))
    concurrency = item.get("max_concurrency")
    if concurrency is not None:
        if not has_max_concurrency(api_version):
            raise ValidationError(field + ".max_concurrency", "needs an api_version that has it (2026-06-01, 2026-06-02-preview or "
                                                              "later), got %s" % api_version)
        if not _MAX_CONCURRENCY.match(concurrency):
            raise ValidationError(field + ".max_concurrency", "%r is neither a count from 1 (such as '2') nor a percentage from 1%% "
                                                              "to 100%% (such as '25%%')" % concurrency)


def _check_strategy(strategy, api_version):
    stages = strategy.get("stages") or []
    if not stages:
        raise ValidationError("strategy.stages", "at least one stage is required")
    stage_names, group_names = set(), {}
    for s_index, stage in enumerate(stages):
        field = "strategy.stages[%d]" % s_index
        _check_name(stage.get("name"), field + ".name")
        if stage["name"] in stage_names:
            raise ValidationError(field + ".name", "stage %r is listed twice; stage names are unique within a run" % stage["name"])
        stage_names.add(stage["name"])
        wait = stage.get("after_stage_wait_seconds")
        if wait is not None and wait < 0:
            raise ValidationError(field + ".after_stage_wait_seconds", "must be 0 or more seconds, got %d" % wait)
        _check_level(stage, field, api_version)
        if not stage.get("groups"):
            raise ValidationError(field + ".groups", "at least one group is required")
        for g_index, group in enumerate(stage["groups"]):
            g_field = "%s.groups[%d]" % (field, g_index)
            _check_name(group.get("name"), g_field + ".name")
            if group["name"] in group_names:
                raise ValidationError(g_field + ".name", "group %r is already in stage %r; group names are unique within a run"
                                      % (group["name"], group_names[group["name"]]))
            group_names[group["name"]] = stage["name"]
            _check_level(group, g_field, api_version)


def _check_skip(params):
    targets = params.get("skip")
    if targets is None:
        return
    if params["state"] == "absent":
        raise ValidationError("skip", "cannot be combined with state=absent (the run is deleted)")
    if not targets:
        raise ValidationError("skip", "give at least one target, or leave skip out")
    for index, target in enumerate(targets):
        if not target.get("name"):
            raise ValidationError("skip[%d].name" % index, "the name of the %s to skip is required" % target.get("type"))
