# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared bits of the emulator tests: reference paths, a swagger -> JSON Schema converter, scenarios."""

import copy

import jsonschema

import reference

COMPUTE_API = "2024-07-01"
FLEET_API = "2025-03-01"


# common-types definitions the extracts point to but do not contain (from common-types v1 / v5).
API_ERROR_BASE = {"type": "object", "additionalProperties": False,
                  "properties": {"code": {"type": "string"}, "target": {"type": "string"}, "message": {"type": "string"}}}
API_ERROR = {"type": "object", "additionalProperties": False, "properties": {
    "details": {"type": "array", "items": API_ERROR_BASE},
    "innererror": {"type": "object", "additionalProperties": False,
                   "properties": {"exceptiontype": {"type": "string"}, "errordetail": {"type": "string"}}},
    "code": {"type": "string"}, "target": {"type": "string"}, "message": {"type": "string"}}}
ERROR_DETAIL = {"type": "object", "additionalProperties": False, "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "target": {"type": "string"},
    "details": {"type": "array", "items": {"$ref": "#/definitions/_ErrorDetail"}},
    "additionalInfo": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                                  "properties": {"type": {"type": "string"}, "info": {"type": "object"}}}}}}
SYSTEM_DATA = {"type": "object", "additionalProperties": False, "properties": {
    k: {"type": "string"} for k in ("createdBy", "createdByType", "createdAt", "lastModifiedBy", "lastModifiedByType",
                                    "lastModifiedAt")}}
RESOURCE_PROPERTIES = {"id": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"},
                       "location": {"type": "string"}, "tags": {"type": "object"}, "systemData": SYSTEM_DATA}
EXTERNAL = {"ApiError": API_ERROR, "ErrorDetail": {"$ref": "#/definitions/_ErrorDetail"}}


def _convert(node, local):
    """Swagger 2.0 schema -> draft-4 JSON Schema: external refs inlined, x-ms-* dropped, objects closed."""
    if isinstance(node, list):
        return [_convert(n, local) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("x-ms-") or key in ("description", "readOnly", "discriminator"):
            continue
        if key == "$ref":
            name = value.rsplit("/", 1)[-1]
            if value.startswith("#/definitions/") and name in local:
                out["$ref"] = value
            else:
                out.update(copy.deepcopy(EXTERNAL.get(name, {})))
            continue
        if key == "allOf":
            # allOf: [Resource / ProxyResource] from common-types: allow the resource envelope keys.
            out.setdefault("properties", {}).update(copy.deepcopy(RESOURCE_PROPERTIES))
            continue
        out[key] = _convert(value, local)
    if "properties" in node or "allOf" in node:
        out["type"] = "object"
        out["additionalProperties"] = False
        props = dict(_convert(node.get("properties", {}), local))
        if "allOf" in node:
            props.update(copy.deepcopy(RESOURCE_PROPERTIES))
        out["properties"] = props
    return out


def swagger_validator(spec_file, definition):
    swagger = reference.spec(spec_file)
    local = swagger["definitions"]
    definitions = {name: _convert(schema, local) for name, schema in local.items()}
    definitions["_ErrorDetail"] = ERROR_DETAIL
    schema = {"$ref": "#/definitions/%s" % definition, "definitions": definitions}
    return jsonschema.Draft4Validator(schema)


def rolling_upgrade_validator():
    return swagger_validator("compute_2024-07-01_virtualMachineScaleSet.EXTRACT.json", "RollingUpgradeStatusInfo")


def update_run_validator():
    return swagger_validator("fleet_2025-03-01_fleets.EXTRACT.json", "UpdateRun")


def load_example(relative):
    return reference.example(relative)


def vmss_url(emu, name, suffix="", rg="rg-demo", sub=None, api=COMPUTE_API):
    return "%s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachineScaleSets/%s%s?api-version=%s" % (
        emu.base_url, sub or emu.subscription_id, rg, name, suffix, api)


def run_url(emu, run, suffix="", fleet="fleet-demo", rg="rg-demo", sub=None, api=FLEET_API):
    return "%s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/fleets/%s/updateRuns/%s%s?api-version=%s" % (
        emu.base_url, sub or emu.subscription_id, rg, fleet, run, suffix, api)


def bearer(token):
    return {"Authorization": "Bearer %s" % token}


TENANT = "11111111-1111-4111-8111-111111111111"
CLIENT = "22222222-2222-4222-8222-222222222222"
SUBSCRIPTION = "33333333-3333-4333-8333-333333333333"


def small_scenario(**overrides):
    """A compact scenario for focused tests; keyword arguments replace top-level keys."""
    scenario = {
        "name": "small",
        "tenants": [{"id": TENANT, "clients": [{"client_id": CLIENT, "secret": "s3cret-value"}]}],
        "subscriptions": [{"id": SUBSCRIPTION, "resource_groups": [{
            "name": "rg-demo", "location": "westeurope",
            "scale_sets": [
                {"name": "vmss-web", "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": 10},
                 "rolling_upgrade": {"start": 0, "duration": 100, "outcome": "Completed"}},
                {"name": "vmss-idle"},
            ],
            "fleets": [{
                "name": "fleet-demo",
                "members": [{"name": "canary-1", "group": "canary"}, {"name": "prod-1", "group": "prod"},
                            {"name": "prod-2", "group": "prod"}],
                "update_strategies": [{"name": "safe", "stages": [
                    {"name": "canary", "groups": ["canary"], "after_stage_wait_seconds": 10},
                    {"name": "production", "groups": ["prod"]}]}],
                "simulate": {"member_seconds": 10},
                "update_runs": [{"name": "run-1", "strategy": "safe", "start": 0},
                                {"name": "run-2", "strategy": "safe"}],
            }],
        }]}],
    }
    scenario.update(overrides)
    return scenario
