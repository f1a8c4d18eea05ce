# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The normalisers never crash: response bodies generated from the swagger extracts, then bent out of shape.

The generator walks the definitions of ``RollingUpgradeStatusInfo`` (compute
2024-07-01) and ``UpdateRun`` (fleet 2025-03-01) in shared/reference/specs,
resolving ``$ref`` and ``allOf``. Every property may be left out, and every
value may be replaced: by null, by a value of another type, by an enum value
Azure does not send today, by a huge or negative number, by an empty or a
deeply nested list. The definitions the extracts point at but do not copy
(common-types ``Resource``, ``ApiError``, ``ProxyResource``, ``ErrorDetail``;
``RollingUpgradePolicy``; ``AutoUpgradeProfileId``) are written out below from
the public azure-rest-api-specs, and the walker fails on any other reference
it cannot resolve, so a richer extract is noticed.

What is checked is the contract (shared/design/contract.md): every key of an
item is there and of its type, states are lower snake_case or null,
``percent_complete`` is null or within [0, 100], timestamps are normalised,
the input is left as it was, and the item is JSON for Ansible.
"""

import json
import re
from datetime import datetime

import pytest

import reference
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import suite_counts

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import (
    find_group,
    find_stage,
    member_progress,
    update_run_facts,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_vmss import no_rolling_upgrade_facts, rolling_upgrade_facts

COMPUTE = "compute_2024-07-01_virtualMachineScaleSet.EXTRACT.json"
FLEET = "fleet_2025-03-01_fleets.EXTRACT.json"

# Definitions outside the extracts, as azure-rest-api-specs defines them (descriptions left out).
# Keyed by the file the reference names (empty for "#/definitions/...") and the definition.
OUTSIDE = {
    ("common.json", "Resource"): {"properties": {
        "id": {"type": "string", "readOnly": True}, "name": {"type": "string", "readOnly": True},
        "type": {"type": "string", "readOnly": True}, "location": {"type": "string"},
        "tags": {"type": "object", "additionalProperties": {"type": "string"}}}},
    ("common.json", "ApiError"): {"properties": {
        "details": {"type": "array", "items": {"$ref": "#/definitions/ApiErrorBase"}},
        "innererror": {"$ref": "#/definitions/InnerError"},
        "code": {"type": "string"}, "target": {"type": "string"}, "message": {"type": "string"}}},
    ("", "ApiErrorBase"): {"properties": {"code": {"type": "string"}, "target": {"type": "string"}, "message": {"type": "string"}}},
    ("", "InnerError"): {"properties": {"exceptiontype": {"type": "string"}, "errordetail": {"type": "string"}}},
    ("", "RollingUpgradePolicy"): {"properties": {
        "maxBatchInstancePercent": {"type": "integer", "format": "int32", "minimum": 5, "maximum": 100},
        "maxUnhealthyInstancePercent": {"type": "integer", "format": "int32", "minimum": 5, "maximum": 100},
        "maxUnhealthyUpgradedInstancePercent": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 100},
        "pauseTimeBetweenBatches": {"type": "string", "format": "duration"},
        "enableCrossZoneUpgrade": {"type": "boolean"}, "prioritizeUnhealthyInstances": {"type": "boolean"},
        "rollbackFailedInstancesOnPolicyBreach": {"type": "boolean"}, "maxSurge": {"type": "boolean"}}},
    ("", "AutoUpgradeProfileId"): {"type": "string", "format": "arm-id"},
    ("types.json", "ProxyResource"): {"allOf": [{"$ref": "#/definitions/ArmResource"}]},
    ("", "ArmResource"): {"properties": {
        "id": {"type": "string", "format": "arm-id", "readOnly": True}, "name": {"type": "string", "readOnly": True},
        "type": {"type": "string", "readOnly": True}, "systemData": {"$ref": "#/definitions/systemData", "readOnly": True}}},
    ("", "systemData"): {"type": "object", "properties": {
        "createdBy": {"type": "string"}, "createdByType": {"$ref": "#/definitions/createdByType"},
        "createdAt": {"type": "string", "format": "date-time"}, "lastModifiedBy": {"type": "string"},
        "lastModifiedByType": {"$ref": "#/definitions/createdByType"}, "lastModifiedAt": {"type": "string", "format": "date-time"}}},
    ("", "createdByType"): {"type": "string", "enum": ["User", "Application", "ManagedIdentity", "Key"]},
    ("types.json", "ErrorDetail"): {"type": "object", "properties": {
        "code": {"type": "string", "readOnly": True}, "message": {"type": "string", "readOnly": True},
        "target": {"type": "string", "readOnly": True},
        "details": {"type": "array", "items": {"$ref": "#/definitions/ErrorDetail"}, "readOnly": True},
        "additionalInfo": {"type": "array", "items": {"$ref": "#/definitions/ErrorAdditionalInfo"}, "readOnly": True}}},
    ("", "ErrorDetail"): {"$ref": "types.json#/definitions/ErrorDetail"},
    ("", "ErrorAdditionalInfo"): {"type": "object", "properties": {
        "type": {"type": "string", "readOnly": True}, "info": {"type": "object", "readOnly": True}}},
}

BODIES = 500
RECURSION = 1  # how many times a recursive definition (ErrorDetail.details) is entered
DEEPEST = 120  # a JSON document nested deeper than a few hundred levels is not something Azure sends (see the report)
PROPERTY_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=False,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")
VMSS_TERMINAL, FLEET_TERMINAL = {"completed", "cancelled", "faulted"}, {"completed", "failed", "stopped", "skipped"}
FLEET_COUNTS = ("completed", "skipped", "failed", "running", "stopping", "stopped", "pending", "not_started")


def load(name):
    return reference.spec(name)


# ---------------------------------------------------------------------------------------------- the walker


class Swagger:
    """Definitions by name, with the outside ones; resolves $ref (local or to another file) and flattens allOf."""

    def __init__(self, *documents):
        self.definitions = {}
        for document in documents:
            self.definitions.update(document["definitions"])

    def lookup(self, ref):
        where, _hash, pointer = ref.partition("#/definitions/")
        filename = where.rsplit("/", 1)[-1]
        if not filename and pointer in self.definitions:
            return self.definitions[pointer]
        if (filename, pointer) in OUTSIDE:
            return OUTSIDE[(filename, pointer)]
        raise AssertionError("the walker cannot resolve %r: add it to OUTSIDE" % ref)

    def resolve(self, schema):
        """The schema with its $ref followed and allOf merged: {type, enum, format, items, properties}."""
        while "$ref" in schema:
            schema = dict(self.lookup(schema["$ref"]), **{k: v for k, v in schema.items() if k not in ("$ref", "description")})
        properties = {}
        for part in schema.get("allOf", []):
            properties.update(self.resolve(part).get("properties", {}))
        properties.update(schema.get("properties", {}))
        resolved = {key: schema[key] for key in ("type", "enum", "format", "items", "additionalProperties") if key in schema}
        if properties:
            resolved["properties"] = properties
            resolved.setdefault("type", "object")
        return resolved

    def bodies(self, schema, seen=()):
        """Values of ``schema``, bent one time in ten into junk; each property of an object is left out one time in eight.

        ``seen`` is the chain of references followed to get here: a definition met twice in it
        (ErrorDetail.details) ends the recursion; deep nesting comes from the junk instead.
        """
        if "$ref" in schema:
            if seen.count(schema["$ref"]) >= RECURSION:
                return st.one_of(st.just({}), junk())
            seen += (schema["$ref"],)
        resolved = self.resolve(schema)
        kind = resolved.get("type")
        if "enum" in resolved:
            valid = st.one_of(st.sampled_from(resolved["enum"]), st.sampled_from(resolved["enum"]), UNKNOWN_ENUM)
        elif kind == "string":
            valid = TIMESTAMPS if resolved.get("format") == "date-time" else (DURATIONS if resolved.get("format") == "duration" else TEXT)
        elif kind == "integer":
            valid = st.one_of(st.integers(0, 100), st.integers(0, 100), NUMBER_JUNK)
        elif kind == "boolean":
            valid = st.booleans()
        elif kind == "array":
            item = self.bodies(resolved["items"], seen)
            valid = st.sampled_from((0, 1, 2, 3)).flatmap(lambda size: st.lists(item, min_size=size, max_size=size))
        elif "properties" in resolved:
            valid = some_of({name: self.bodies(child, seen) for name, child in resolved["properties"].items()})
        else:  # a free-form object: tags, additionalInfo.info
            valid = st.dictionaries(TEXT, JSON_VALUES, max_size=3)
        return bent(valid)


def bent(valid):
    """``valid`` nine times in ten, junk otherwise."""
    return st.integers(0, 9).flatmap(lambda dice: junk() if dice == 0 else valid)


def some_of(properties):
    """An object with each of ``properties`` present seven times in eight."""
    @st.composite
    def draw_object(draw):
        return {name: draw(value) for name, value in properties.items() if draw(st.integers(0, 7))}
    return draw_object()


# ---------------------------------------------------------------------------------------------- the values

TEXT = st.one_of(st.sampled_from(("", " ", "x", "rg-web", "/subscriptions/s/resourceGroups/rg/providers/X/y/z", "ÄÖÜ ✓", "a" * 300)),
                 st.text(max_size=12))
UNKNOWN_ENUM = st.one_of(
    st.sampled_from(("SomethingNew", "Rolling Forward", "rolling-forward", "ROLLINGFORWARD", "RollingForward2", "HTTPErrorState", "Paused",
                     "", "   ", "_", "Ünïcode", "123", "__x__", "notstarted", "NOT_STARTED")),
    st.text(max_size=12))
TIMESTAMPS = st.one_of(
    st.sampled_from(("2026-11-23T18:30:00Z", "2026-11-23T18:30:00.1234567Z", "2026-11-23T13:30:00-05:00", "2026-11-23T18:30:00+0530",
                     "2026-11-23T18:30:00.123456789+14:00", "2026-11-23 18:30:00", "2026-11-23t18:30:00z", "2026-11-23",
                     "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2023-02-30T00:00:00Z", "2026-11-23T23:59:60Z",
                     "2026-11-23T18:30:00+24:00", "2026-11-23T18:30:00+05:99", "yesterday", "")),
    st.datetimes(min_value=datetime(1000, 1, 1)).map(lambda moment: moment.isoformat()), TEXT)
DURATIONS = st.one_of(st.sampled_from(("PT0S", "PT2S", "PT1M30S", "P1DT2H", "PT0.5S", "PT1,5H", "P1Y", "P0Y", "P", "PT", "-PT5S",
                                       "PT99999999999999999999H", "pt10s", "10 seconds", "")), TEXT)
HUGE = (10 ** 30, -(10 ** 30), 2 ** 63, 2 ** 31, -1, 1e308, -1e308, 1.5, 3.0, 1e-300)
NUMBER_JUNK = st.one_of(st.sampled_from(HUGE + (float("nan"), float("inf"), float("-inf"))), st.floats(), st.integers())
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 20), 10 ** 20), st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
                           max_leaves=8)


def nested_list(depth):
    value = []
    for _level in range(depth):
        value = [value]
    return value


def nested_details(depth):
    """An ErrorDetail whose details nest ``depth`` deep: Azure's shape, absurd depth."""
    error = {"code": "Deepest", "message": "bottom"}
    for level in range(depth):
        error = {"code": "Level%d" % level, "message": "m", "details": [error]}
    return error


def junk():
    """Anything but the right thing: null, other types, huge numbers, empty or deeply nested lists and objects."""
    return st.one_of(
        st.none(), st.booleans(), st.sampled_from(HUGE), TEXT, st.just([]), st.just({}),
        st.lists(JSON_SCALARS, min_size=1, max_size=3),
        st.integers(1, DEEPEST).map(nested_list),
        st.integers(1, DEEPEST).map(nested_details),
        st.dictionaries(TEXT, JSON_VALUES, min_size=1, max_size=3),
    )


SWAGGER = Swagger(load(COMPUTE), load(FLEET))
ROLLING_UPGRADES = SWAGGER.bodies({"$ref": "#/definitions/RollingUpgradeStatusInfo"})
UPDATE_RUNS = SWAGGER.bodies({"$ref": "#/definitions/UpdateRun"})
# The scale set itself (for a scale set that never upgraded): only what no_rolling_upgrade_facts reads of it.
SCALE_SETS = st.one_of(st.none(), junk(), SWAGGER.bodies({"properties": {
    "id": {"type": "string"}, "location": {"type": "string"}, "tags": {"type": "object"},
    "properties": {"properties": {"upgradePolicy": {"properties": {
        "mode": {"type": "string", "enum": ["Automatic", "Manual", "Rolling"]},
        "rollingUpgradePolicy": {"$ref": "#/definitions/RollingUpgradePolicy"}}}}}}}))
NAMES = st.one_of(st.none(), st.sampled_from(("stage1", "group-a", "canary", "")), TEXT, st.integers(), st.just(["stage1"]))
REQUEST = st.tuples(st.sampled_from(("00000000-0000-0000-0000-000000000000", "sub")), st.sampled_from(("rg1", "rg-web")),
                    st.sampled_from(("vmss1", "fleet-1", "x" * 64)))


# ---------------------------------------------------------------------------------------------- the checks


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def optional(value, *types):
    return value is None or (isinstance(value, types) and not isinstance(value, bool))


def check_state(state):
    assert state is None or (isinstance(state, str) and SNAKE.match(state)), state


def check_time(value):
    assert value is None or (isinstance(value, str) and TIMESTAMP.match(value)), value


def check_percent(progress, part_keys):
    total = progress["total"]
    percent = progress["percent_complete"]
    if total == 0:
        assert percent is None
    else:
        assert isinstance(percent, float) and 0.0 <= percent <= 100.0, percent
        assert (percent == 100.0) == (sum(progress[key] for key in part_keys) == total), progress


def check_vmss_item(item, include_raw):
    assert set(item) == VMSS_KEYS | ({"raw"} if include_raw else set())
    for key in ("id", "scale_set_id", "scale_set_name", "resource_group", "subscription_id"):
        assert isinstance(item[key], str), key
    assert optional(item["location"], str) and optional(item["status_code"], str)
    assert all(isinstance(item[key], bool) for key in ("exists", "is_terminal", "succeeded"))
    check_state(item["state"])
    check_state(item["last_action"])
    assert item["is_terminal"] == (item["state"] in VMSS_TERMINAL) and item["succeeded"] == (item["state"] == "completed")
    check_time(item["started_at"])
    check_time(item["last_action_at"])
    progress = item["progress"]
    assert set(progress) == {"successful", "failed", "in_progress", "pending", "total", "percent_complete"}
    counts = [progress[key] for key in ("successful", "failed", "in_progress", "pending")]
    assert all(is_int(count) and count >= 0 for count in counts) and progress["total"] == sum(counts)
    check_percent(progress, ("successful",))
    policy = item["policy"]
    assert set(policy) == POLICY_KEYS
    for key in ("max_batch_instance_percent", "max_unhealthy_instance_percent", "max_unhealthy_upgraded_instance_percent",
                "pause_time_between_batches_seconds"):
        assert optional(policy[key], int), key
    assert optional(policy["pause_time_between_batches"], str)
    for key in ("enable_cross_zone_upgrade", "prioritize_unhealthy_instances", "rollback_failed_instances_on_policy_breach", "max_surge"):
        assert policy[key] is None or isinstance(policy[key], bool), key
    error = item["error"]
    if error is not None:
        assert set(error) == {"code", "message", "target", "details", "inner_error"}
        assert all(optional(error[key], str) for key in ("code", "message", "target"))
        assert isinstance(error["details"], list)
        for detail in error["details"]:
            assert set(detail) == {"code", "message", "target"} and all(optional(value, str) for value in detail.values())
        inner = error["inner_error"]
        assert inner is None or (set(inner) == {"exception_type", "error_detail"} and all(optional(v, str) for v in inner.values()))
    assert isinstance(item["tags"], dict)


def check_fleet_error(error):
    if error is None:
        return
    assert set(error) == {"code", "message", "target", "details", "additional_info"}
    assert all(optional(error[key], str) for key in ("code", "message", "target"))
    assert isinstance(error["details"], list) and isinstance(error["additional_info"], list)
    for detail in error["details"]:
        check_fleet_error(detail)
    for info in error["additional_info"]:
        assert set(info) == {"type", "info"} and optional(info["type"], str)


def check_status_node(node, keys):
    assert set(node) == keys
    assert optional(node["name"], str)
    check_state(node["state"])
    check_time(node["started_at"])
    check_time(node["completed_at"])
    check_fleet_error(node["error"])
    if "before_gates" in node:
        check_gates_and_limits(node)


def check_gates_and_limits(node):
    for gate in node["before_gates"] + node["after_gates"]:
        assert set(gate) == {"name", "id", "display_name", "gate_type", "state"}
        assert all(optional(gate[key], str) for key in gate)
    assert optional(node["max_concurrency"], str) and optional(node["max_allowed_failures"], str)
    assert optional(node["failure_count"], int)


def check_member_progress(progress):
    assert set(progress) == {"total", "percent_complete"} | set(FLEET_COUNTS)
    assert all(is_int(progress[key]) and progress[key] >= 0 for key in ("total",) + FLEET_COUNTS)
    assert sum(progress[key] for key in FLEET_COUNTS) <= progress["total"]
    check_percent(progress, ("completed", "skipped"))


def check_fleet_item(item, include_raw):
    assert set(item) == FLEET_KEYS | ({"raw"} if include_raw else set())
    for key in ("id", "name", "etag", "provisioning_state", "update_strategy_id", "auto_upgrade_profile_id", "current_stage"):
        assert optional(item[key], str), key
    for key in ("fleet_name", "resource_group", "subscription_id"):
        assert isinstance(item[key], str), key
    check_state(item["state"])
    assert item["is_terminal"] is (item["state"] in FLEET_TERMINAL) and item["succeeded"] is (item["state"] == "completed")
    check_time(item["started_at"])
    check_time(item["completed_at"])
    assert optional(item["duration_seconds"], float)
    assert (item["duration_seconds"] is None) == (item["started_at"] is None or item["completed_at"] is None)
    assert set(item["upgrade"]) == {"type", "kubernetes_version"} and all(optional(v, str) for v in item["upgrade"].values())
    images = item["node_image_selection"]
    assert set(images) == {"type", "custom_versions", "selected_versions"} and optional(images["type"], str)
    assert all(isinstance(v, str) for v in images["custom_versions"] + images["selected_versions"])
    check_member_progress(item["progress"])
    members = 0
    for stage in item["stages"]:
        check_status_node(stage, STAGE_KEYS)
        assert optional(stage["after_stage_wait_seconds"], int)
        wait = stage["after_stage_wait"]
        if wait is not None:
            assert set(wait) == {"state", "started_at", "completed_at", "duration_seconds"} and optional(wait["duration_seconds"], float)
            check_state(wait["state"])
            check_time(wait["started_at"])
            check_time(wait["completed_at"])
        for group in stage["groups"]:
            check_status_node(group, GROUP_KEYS)
            for member in group["members"]:
                check_status_node(member, MEMBER_KEYS)
                assert optional(member["cluster_resource_id"], str) and optional(member["operation_id"], str)
                assert optional(member["message"], str)
                members += 1
    assert item["progress"]["total"] == members
    running = [stage["name"] for stage in item["stages"] if stage["state"] in ("running", "stopping")]
    assert item["current_stage"] == (running[0] if running else None)
    check_fleet_error(item["error"])
    for entry in item["errors"]:
        assert set(entry) == {"scope", "path", "code", "message"} and entry["scope"] in ("run", "stage", "group", "member")
        assert isinstance(entry["path"], str) and optional(entry["code"], str) and optional(entry["message"], str)
    assert set(item["system_data"]) == SYSTEM_DATA_KEYS
    for key in ("created_at", "last_modified_at"):
        check_time(item["system_data"][key])


def _same(left, right):
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def check_json(item, include_raw):
    """Ansible returns the item as JSON: it must dump, and nothing but raw may carry NaN or infinity."""
    json.dumps(item)
    json.dumps({key: value for key, value in item.items() if key != "raw"}, allow_nan=False)
    if include_raw:
        json.dumps(item["raw"])


VMSS_KEYS = {"id", "scale_set_id", "scale_set_name", "resource_group", "subscription_id", "location", "exists", "state", "status_code",
             "is_terminal", "succeeded", "last_action", "started_at", "last_action_at", "progress", "policy", "error", "tags"}
POLICY_KEYS = {"max_batch_instance_percent", "max_unhealthy_instance_percent", "max_unhealthy_upgraded_instance_percent",
               "pause_time_between_batches", "pause_time_between_batches_seconds", "enable_cross_zone_upgrade",
               "prioritize_unhealthy_instances", "rollback_failed_instances_on_policy_breach", "max_surge"}
FLEET_KEYS = {"id", "name", "fleet_name", "resource_group", "subscription_id", "etag", "provisioning_state", "state", "is_terminal",
              "succeeded", "started_at", "completed_at", "duration_seconds", "update_strategy_id", "auto_upgrade_profile_id", "upgrade",
              "node_image_selection", "current_stage", "progress", "stages", "error", "errors", "system_data",
              "failure_count", "pending_gates"}
GATE_AND_LIMIT_KEYS = {"before_gates", "after_gates", "max_concurrency", "max_allowed_failures", "failure_count"}
STAGE_KEYS = {"name", "state", "started_at", "completed_at", "error", "after_stage_wait_seconds", "after_stage_wait", "groups"} | GATE_AND_LIMIT_KEYS
GROUP_KEYS = {"name", "state", "started_at", "completed_at", "error", "members"} | GATE_AND_LIMIT_KEYS
MEMBER_KEYS = {"name", "cluster_resource_id", "state", "started_at", "completed_at", "operation_id", "message", "error"}
SYSTEM_DATA_KEYS = {"created_by", "created_by_type", "created_at", "last_modified_by", "last_modified_by_type", "last_modified_at"}


# ---------------------------------------------------------------------------------------------- the properties


def run_property(strategy, check, examples=BODIES):
    """Run ``check`` on ``examples`` generated values; returns how many passed."""
    checked = [0]

    @settings(max_examples=examples, **PROPERTY_SETTINGS)
    @given(strategy)
    def run(case):
        before = json.dumps(case, sort_keys=True)
        note("input: %s" % before[:4000])
        check(*case)
        assert json.dumps(case, sort_keys=True) == before, "the input was modified"
        checked[0] += 1

    run()
    return checked[0]


def rolling_upgrade_case(body, request, include_raw):
    item = rolling_upgrade_facts(body, *request, include_raw=include_raw)
    check_vmss_item(item, include_raw)
    assert item["exists"] is True
    check_json(item, include_raw)
    if include_raw:
        assert _same(item["raw"], body) and (item["raw"] is not body or not isinstance(body, (dict, list)))


def no_rolling_upgrade_case(scale_set, request, include_raw):
    item = no_rolling_upgrade_facts(*request, scale_set_body=scale_set, include_raw=include_raw)
    check_vmss_item(item, include_raw)
    assert (item["exists"], item["state"], item["error"], item["progress"]["total"]) == (False, None, None, 0)
    if include_raw:
        assert item["raw"] is None
    check_json(item, include_raw)


def update_run_case(body, request, name, include_raw, stage_name, group_name, stage_filter):
    item = update_run_facts(body, *request, name=name, include_raw=include_raw)
    check_fleet_item(item, include_raw)
    check_json(item, include_raw)
    if include_raw:
        assert _same(item["raw"], body) and (item["raw"] is not body or not isinstance(body, (dict, list)))
    stage = find_stage(item, stage_name)
    assert stage is None or (any(stage is s for s in item["stages"]) and stage["name"] == stage_name)
    group = find_group(item, group_name, stage_filter)
    if group is not None:
        searched = [s for s in item["stages"] if stage_filter is None or s["name"] == stage_filter][:1 if stage_filter is not None else None]
        assert any(group is g for s in searched for g in s["groups"]) and group["name"] == group_name
    every_member = [m for s in item["stages"] for g in s["groups"] for m in g["members"]]
    assert member_progress(every_member) == item["progress"]


def test_rolling_upgrade_bodies_never_crash_and_keep_every_key():
    checked = run_property(st.tuples(ROLLING_UPGRADES, REQUEST, st.booleans()), rolling_upgrade_case)
    checked += run_property(st.tuples(SCALE_SETS, REQUEST, st.booleans()), no_rolling_upgrade_case, BODIES // 2)
    suite_counts.record("generated bodies checked", checked)
    assert checked >= BODIES


def test_update_run_bodies_never_crash_and_keep_every_key():
    checked = run_property(st.tuples(UPDATE_RUNS, REQUEST, NAMES.filter(lambda n: n is None or isinstance(n, str)), st.booleans(),
                                     NAMES, NAMES, st.one_of(st.none(), st.sampled_from(("stage1", "canary")), TEXT)), update_run_case)
    suite_counts.record("generated bodies checked", checked)
    assert checked >= BODIES // 2


def test_member_progress_takes_any_list_without_crashing():
    member = st.fixed_dictionaries({}, optional={"state": st.one_of(st.sampled_from(FLEET_COUNTS), UNKNOWN_ENUM, junk()), "name": TEXT})
    members = st.one_of(junk(), st.lists(st.one_of(member, member, junk()), max_size=8))

    def check(value):
        check_member_progress(member_progress(value))

    checked = run_property(st.tuples(members), check, BODIES)
    suite_counts.record("generated bodies checked", checked)


def test_the_generator_reaches_the_fields_the_normalisers_read():
    """A generator that never produced a state or a member would prove nothing: look at what it made."""
    seen = {"vmss states": set(), "fleet members": 0, "fleet stages": 0, "fleet errors": 0}

    @settings(max_examples=250, **PROPERTY_SETTINGS)
    @given(ROLLING_UPGRADES, UPDATE_RUNS)
    def look(vmss_body, fleet_body):
        seen["vmss states"].add(rolling_upgrade_facts(vmss_body, "s", "rg", "n")["state"])
        item = update_run_facts(fleet_body, "s", "rg", "f")
        seen["fleet stages"] += len(item["stages"])
        seen["fleet members"] += item["progress"]["total"]
        seen["fleet errors"] += len(item["errors"])

    look()
    known = {"rolling_forward", "completed", "cancelled", "faulted"}
    # Loose bounds on purpose: the draw changes whenever this file does (derandomize keys on the source).
    assert len(known & seen["vmss states"]) >= 2 and None in seen["vmss states"], seen
    assert len(seen["vmss states"] - known) > 3, seen  # unknown future states too
    # Reached at all, many times: the exact counts move with every edit of this file.
    assert min(seen["fleet stages"], seen["fleet members"], seen["fleet errors"]) > 10, seen


def test_the_walker_resolves_both_roots_and_refuses_unknown_references():
    rolling_upgrade = SWAGGER.resolve({"$ref": "#/definitions/RollingUpgradeStatusInfo"})["properties"]
    assert set(rolling_upgrade) >= {"id", "name", "location", "tags", "properties"}
    update_run = SWAGGER.resolve({"$ref": "#/definitions/UpdateRun"})["properties"]
    assert set(update_run) >= {"id", "name", "systemData", "eTag", "properties"}
    with pytest.raises(AssertionError, match="cannot resolve"):
        SWAGGER.resolve({"$ref": "other.json#/definitions/Nowhere"})


# ---------------------------------------------------------------------------------------------- found by the generator, now fixed


@pytest.mark.parametrize("given_time, normalised", [("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
                                                    ("0999-01-01T00:00:00", "0999-01-01T00:00:00Z")])
def test_a_year_before_1000_is_normalised_with_four_digits(given_time, normalised):
    facts = rolling_upgrade_facts({"properties": {"runningStatus": {"code": "RollingForward", "startTime": given_time}}}, "s", "rg", "n")
    assert facts["started_at"] == normalised


def test_a_body_nested_deeper_than_deepcopy_goes_does_not_crash():
    deep = json.loads("[" * 600 + "]" * 600)
    item = rolling_upgrade_facts({"tags": {"k": deep}}, "s", "rg", "n")
    check_vmss_item(item, False)
