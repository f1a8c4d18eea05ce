# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load a scenario file (YAML or JSON), check its keys, fill defaults, expand `count`.

The result is a plain dict tree; docs/emulator.md documents every key.
"""

import copy
import json
import os

import yaml

from .util import stable_uuid

DEFAULT_TENANT = "11111111-1111-4111-8111-111111111111"
DEFAULT_CLIENT = "22222222-2222-4222-8222-222222222222"
DEFAULT_SECRET = "emulator-client-secret"
DEFAULT_SUBSCRIPTION = "33333333-3333-4333-8333-333333333333"
DEFAULT_API_VERSIONS = {
    "compute": ["2025-11-01", "2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01", "2023-09-01", "2023-07-01", "2023-03-01", "2022-11-01"],
    "resources": ["2022-12-01", "2021-01-01", "2020-01-01"],
    "fleet": ["2026-06-01", "2026-06-02-preview", "2025-04-01-preview", "2025-03-01", "2024-04-01", "2023-10-15"],
}
DEFAULT_POLICY = {
    "maxBatchInstancePercent": 20,
    "maxUnhealthyInstancePercent": 20,
    "maxUnhealthyUpgradedInstancePercent": 20,
    "pauseTimeBetweenBatches": "PT0S",
    "maxSurge": False,
    "rollbackFailedInstancesOnPolicyBreach": False,
}
DEFAULT_CLUSTER_UPDATE = {"upgrade": {"type": "Full", "kubernetesVersion": "1.30.1"}, "nodeImageSelection": {"type": "Latest"}}

KEYS = {
    "root": {"name", "description", "time_scale", "token_lifetime", "accepted_audiences", "token_resources", "page_size", "page_sizes",
             "api_versions", "tenants", "subscriptions", "faults", "identity_header", "rate_limit"},
    "tenant": {"id", "domains", "clients", "managed_identities"},
    "client": {"client_id", "object_id", "display_name", "secret", "certificate", "federated_token", "permissions",
               "token_lifetime", "count"},
    "identity": {"client_id", "object_id", "resource_id", "system", "permissions", "token_lifetime"},
    "permission": {"actions", "scope", "scopes"},
    "subscription": {"id", "tenant", "display_name", "state", "resource_groups"},
    "resource_group": {"name", "location", "tags", "scale_sets", "fleets", "count"},
    "scale_set": {"name", "location", "tags", "sku", "zones", "upgrade_policy", "properties", "rolling_upgrade",
                  "on_start", "count", "os_upgrade_history", "history_page_size"},
    "rolling_upgrade": {"start", "by", "poll_seconds", "instances", "duration", "outcome", "failed_instances", "fault_after",
                        "cancel_after", "error", "timeline", "body", "last_action", "rollback_seconds", "started_by",
                        "target_image"},
    "timeline_point": {"at", "code", "progress", "error", "last_action", "last_action_at"},
    "fleet": {"name", "location", "tags", "members", "update_strategies", "auto_upgrade_profiles", "update_runs",
              "static_list", "simulate", "writes", "gates", "static_gate_list"},
    "member": {"name", "group", "cluster_resource_id", "count"},
    "strategy": {"name", "stages", "body"},
    "stage": {"name", "groups", "after_stage_wait_seconds", "afterStageWaitInSeconds", "before_gates", "after_gates"},
    "group": {"name", "before_gates", "after_gates"},
    "gate": {"display_name", "type"},
    "static_gate": {"name", "body", "responses"},
    "profile": {"name", "body", "channel", "node_image_selection", "disabled", "update_strategy"},
    "update_run": {"name", "strategy", "stages", "update_strategy", "managed_cluster_update", "kubernetes_version",
                   "upgrade_type", "node_image_selection", "start", "by", "poll_seconds", "simulate", "body", "responses",
                   "auto_upgrade_profile", "created_at", "created_by", "count"},
    "simulate": {"member_seconds", "members", "members_in_parallel", "stop_seconds", "gate_approval"},
    "member_sim": {"seconds", "fail_after", "error", "message"},
    "write": {"mode", "status", "polls", "retry_after", "error", "http_status"},
}
WRITE_VERBS = ("default", "put", "start", "stop", "skip", "delete")
WRITE_MODES = ("sync", "async", "location")
WRITE_STATUSES = ("Succeeded", "Failed", "Canceled")
OUTCOMES = ("Completed", "Faulted", "Cancelled")
SUBSCRIPTION_STATES = ("Enabled", "Disabled", "Warned", "PastDue", "Deleted")
RATE_LIMIT_KEYS = {"mode", "reads", "writes", "reads_per_second", "writes_per_second", "compute"}
# Resource Manager's token buckets since 2024 (per subscription, identity and region), and Compute's counters for
# scale set reads (the emulator's figures: large enough not to bind before Resource Manager's bucket does).
BUCKET_DEFAULTS = {"reads": 250, "writes": 200, "reads_per_second": 25, "writes_per_second": 10,
                   "compute": [{"name": "GetVMScaleSet3Min", "limit": 5000, "seconds": 180},
                               {"name": "GetVMScaleSet30Min", "limit": 50000, "seconds": 1800}]}


class ScenarioError(ValueError):
    """The scenario file is not valid; the message names the place."""


def _check(obj, kind, where):
    if not isinstance(obj, dict):
        raise ScenarioError("%s: expected a mapping, got %r" % (where, type(obj).__name__))
    unknown = sorted(set(obj) - KEYS[kind])
    if unknown:
        raise ScenarioError("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(sorted(KEYS[kind]))))
    return obj


def _format_names(item, index):
    """Substitute {i} in the name-like strings of an item declared with `count`."""
    out = copy.deepcopy(item)
    out.pop("count", None)
    for key in ("name", "group", "cluster_resource_id", "client_id", "id"):
        if isinstance(out.get(key), str):
            out[key] = out[key].format(i=index)
    if isinstance(out.get("tags"), dict):
        out["tags"] = {k: v.format(i=index) if isinstance(v, str) else v for k, v in out["tags"].items()}
    return out


def expand(items, where):
    """Expand items that carry `count: N` into N items named from a pattern such as 'web-{i:03d}'."""
    result = []
    for position, item in enumerate(items or []):
        if not isinstance(item, dict):
            raise ScenarioError("%s[%d]: expected a mapping" % (where, position))
        count = item.get("count")
        if count is None:
            result.append(item)
            continue
        if not isinstance(count, int) or count < 0:
            raise ScenarioError("%s[%d].count: expected a non-negative integer" % (where, position))
        result.extend(_format_names(item, index) for index in range(count))
    return result


def _permissions(value, where):
    if value is None:
        return None
    out = []
    for position, perm in enumerate(value):
        _check(perm, "permission", "%s[%d]" % (where, position))
        scopes = perm.get("scopes") or [perm.get("scope", "/")]
        out.append({"actions": list(perm.get("actions") or ["*"]), "scopes": scopes})
    return out


def _client(raw, tenant_id, where):
    _check(raw, "client", where)
    client = dict(raw)
    if not client.get("client_id"):
        raise ScenarioError("%s.client_id: required" % where)
    client_id = str(client["client_id"])
    client["client_id"] = client_id
    client.setdefault("object_id", stable_uuid("oid", tenant_id, client_id))
    client.setdefault("display_name", "app-%s" % client_id[:8])
    cert = client.get("certificate")
    if isinstance(cert, str):
        cert = {"path": cert}
    if cert is not None and not (isinstance(cert, dict) and (cert.get("path") or cert.get("generate"))):
        raise ScenarioError("%s.certificate: give a path to a PEM certificate or generate: true" % where)
    client["certificate"] = cert
    token = client.get("federated_token")
    if isinstance(token, dict):
        token = token.get("value") or "federated-%s" % stable_uuid("federated", tenant_id, client_id)
    client["federated_token"] = token
    client["permissions"] = _permissions(client.get("permissions"), where + ".permissions")
    return client


def _identity(raw, tenant_id, where, position):
    _check(raw, "identity", where)
    ident = dict(raw)
    ident.setdefault("client_id", stable_uuid("mi-client", tenant_id, position))
    ident["client_id"] = str(ident["client_id"])
    ident.setdefault("object_id", stable_uuid("mi-oid", tenant_id, ident["client_id"]))
    ident.setdefault("system", position == 0)
    ident["permissions"] = _permissions(ident.get("permissions"), where + ".permissions")
    return ident


def _tenant(raw, where):
    _check(raw, "tenant", where)
    tenant_id = str(raw.get("id") or DEFAULT_TENANT)
    clients = [_client(c, tenant_id, "%s.clients[%d]" % (where, i))
               for i, c in enumerate(expand(raw.get("clients"), where + ".clients"))]
    identities = [_identity(m, tenant_id, "%s.managed_identities[%d]" % (where, i), i)
                  for i, m in enumerate(raw.get("managed_identities") or [])]
    return {"id": tenant_id, "domains": list(raw.get("domains") or []), "clients": clients, "managed_identities": identities}


def _rolling_upgrade(raw, where):
    if raw is None:
        return None
    _check(raw, "rolling_upgrade", where)
    spec = dict(raw)
    spec.setdefault("start", 0)
    spec.setdefault("by", "time")
    spec.setdefault("poll_seconds", 1)
    spec.setdefault("duration", 30)
    spec.setdefault("outcome", "Completed")
    if spec["by"] not in ("time", "polls", "first_poll"):
        raise ScenarioError("%s.by: expected time, polls or first_poll" % where)
    if float(spec.get("rollback_seconds") or 0) < 0:
        raise ScenarioError("%s.rollback_seconds: expected a number of seconds >= 0" % where)
    if spec["outcome"] not in OUTCOMES:
        raise ScenarioError("%s.outcome: expected one of %s" % (where, ", ".join(OUTCOMES)))
    for position, point in enumerate(spec.get("timeline") or []):
        _check(point, "timeline_point", "%s.timeline[%d]" % (where, position))
        if "at" not in point or "code" not in point:
            raise ScenarioError("%s.timeline[%d]: needs at and code" % (where, position))
    return spec


def _scale_set(raw, rg, where):
    _check(raw, "scale_set", where)
    vmss = dict(raw)
    if not vmss.get("name"):
        raise ScenarioError("%s.name: required" % where)
    vmss.setdefault("location", rg["location"])
    vmss.setdefault("tags", {})
    vmss.setdefault("sku", {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": 5})
    policy = dict(vmss.get("upgrade_policy") or {})
    policy.setdefault("mode", "Rolling")
    rolling = dict(DEFAULT_POLICY)
    rolling.update(policy.get("rollingUpgradePolicy") or policy.pop("rolling_upgrade_policy", None) or {})
    policy["rollingUpgradePolicy"] = rolling
    vmss["upgrade_policy"] = policy
    vmss["rolling_upgrade"] = _rolling_upgrade(vmss.get("rolling_upgrade"), where + ".rolling_upgrade")
    template = dict(vmss.get("on_start") or {})
    template.pop("start", None)
    template.pop("body", None)
    vmss["on_start"] = _rolling_upgrade(template, where + ".on_start")
    history = vmss.get("os_upgrade_history")
    if history is not None and not isinstance(history, (list, dict)):
        raise ScenarioError("%s.os_upgrade_history: expected a list of history entries (or a whole list body)" % where)
    return vmss


def _gate_configs(raw, where):
    """before_gates / after_gates: a list of display names or {display_name, type} (type Approval by default)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScenarioError("%s: expected a list of gates" % where)
    configs = []
    for position, gate in enumerate(raw):
        if isinstance(gate, str):
            gate = {"display_name": gate}
        _check(gate, "gate", "%s[%d]" % (where, position))
        configs.append({"displayName": gate.get("display_name") or "gate %d" % (position + 1), "type": gate.get("type", "Approval")})
    return configs


def _stage_gates(stage, where):
    gates = {timing: _gate_configs(stage.get(timing + "_gates"), "%s.%s_gates" % (where, timing)) for timing in ("before", "after")}
    gates["groups"] = {}
    for position, group in enumerate(stage.get("groups") or []):
        if isinstance(group, dict):
            _check(group, "group", "%s.groups[%d]" % (where, position))
            place = "%s.groups[%d]" % (where, position)
            gates["groups"][group.get("name")] = {timing: _gate_configs(group.get(timing + "_gates"), "%s.%s_gates" % (place, timing))
                                                  for timing in ("before", "after")}
    return gates


def _stages(raw_stages, where):
    stages = []
    for position, stage in enumerate(raw_stages or []):
        _check(stage, "stage", "%s[%d]" % (where, position))
        groups = [g if isinstance(g, str) else g.get("name") for g in stage.get("groups") or []]
        wait = stage.get("after_stage_wait_seconds", stage.get("afterStageWaitInSeconds"))
        stages.append({"name": stage["name"], "groups": groups, "after_stage_wait_seconds": wait,
                       "gates": _stage_gates(stage, "%s[%d]" % (where, position))})
    return stages


def _simulate(raw, defaults, where):
    sim = dict(defaults or {})
    if raw:
        _check(raw, "simulate", where)
        sim.update(raw)
    sim.setdefault("member_seconds", 5)
    sim.setdefault("members", {})
    sim.setdefault("members_in_parallel", False)
    sim.setdefault("stop_seconds", 2)
    for name, member in sim["members"].items():
        _check(member, "member_sim", "%s.members.%s" % (where, name))
    return sim


def _update_run(raw, fleet, where):
    _check(raw, "update_run", where)
    run = dict(raw)
    if not run.get("name"):
        raise ScenarioError("%s.name: required" % where)
    update = copy.deepcopy(run.get("managed_cluster_update") or DEFAULT_CLUSTER_UPDATE)
    if run.get("kubernetes_version"):
        update.setdefault("upgrade", {})["kubernetesVersion"] = run["kubernetes_version"]
    if run.get("upgrade_type"):
        update.setdefault("upgrade", {})["type"] = run["upgrade_type"]
    if run.get("node_image_selection"):
        update["nodeImageSelection"] = run["node_image_selection"]
    run["managed_cluster_update"] = update
    strategy = run.get("strategy")
    if isinstance(strategy, str):
        run["update_strategy"], strategy = strategy, None
    if isinstance(strategy, dict):
        strategy = strategy.get("stages")
    run["stages"] = _stages(strategy or run.get("stages"), where + ".stages") if (strategy or run.get("stages")) else None
    run.setdefault("start", None)
    run.setdefault("by", "time")
    run.setdefault("poll_seconds", 1)
    run["simulate"] = _simulate(run.get("simulate"), fleet.get("simulate"), where + ".simulate")
    run.setdefault("responses", {})
    return run


def _writes(raw, where):
    """How the fleet answers update-run writes, per verb (default, put, start, stop, skip, delete)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ScenarioError("%s: expected a mapping of %s" % (where, ", ".join(WRITE_VERBS)))
    out = {}
    for verb, knob in raw.items():
        if verb not in WRITE_VERBS:
            raise ScenarioError("%s: unknown verb %r (known: %s)" % (where, verb, ", ".join(WRITE_VERBS)))
        _check(knob, "write", "%s.%s" % (where, verb))
        if knob.get("mode", "sync") not in WRITE_MODES:
            raise ScenarioError("%s.%s.mode: %r is not one of %s" % (where, verb, knob.get("mode"), ", ".join(WRITE_MODES)))
        if knob.get("status", "Succeeded") not in WRITE_STATUSES:
            raise ScenarioError("%s.%s.status: %r is not one of %s" % (where, verb, knob.get("status"), ", ".join(WRITE_STATUSES)))
        out[verb] = dict(knob)
    return out


def _fleet(raw, rg, where):
    _check(raw, "fleet", where)
    fleet = dict(raw)
    fleet.setdefault("location", rg["location"])
    members = []
    for position, member in enumerate(expand(fleet.get("members"), where + ".members")):
        _check(member, "member", "%s.members[%d]" % (where, position))
        members.append(dict(member))
    fleet["members"] = members
    fleet["simulate"] = _simulate(fleet.get("simulate"), None, where + ".simulate")
    strategies = []
    for position, strategy in enumerate(fleet.get("update_strategies") or []):
        _check(strategy, "strategy", "%s.update_strategies[%d]" % (where, position))
        strategies.append({"name": strategy["name"], "body": strategy.get("body"),
                           "stages": _stages(strategy.get("stages"), "%s.update_strategies[%d].stages" % (where, position))})
    fleet["update_strategies"] = strategies
    profiles = []
    for position, profile in enumerate(fleet.get("auto_upgrade_profiles") or []):
        profiles.append(dict(_check(profile, "profile", "%s.auto_upgrade_profiles[%d]" % (where, position))))
    fleet["auto_upgrade_profiles"] = profiles
    fleet["writes"] = _writes(fleet.get("writes"), where + ".writes")
    for position, gate in enumerate(fleet.get("gates") or []):
        _check(gate, "static_gate", "%s.gates[%d]" % (where, position))
    fleet["gates"] = [dict(gate, responses=gate.get("responses") or {}) for gate in fleet.get("gates") or []]
    fleet["update_runs"] = [_update_run(run, fleet, "%s.update_runs[%d]" % (where, i))
                            for i, run in enumerate(expand(fleet.get("update_runs"), where + ".update_runs"))]
    return fleet


def _resource_group(raw, where):
    _check(raw, "resource_group", where)
    rg = {"name": raw["name"], "location": raw.get("location", "westeurope"), "tags": raw.get("tags") or {}}
    rg["scale_sets"] = [_scale_set(v, rg, "%s.scale_sets[%d]" % (where, i))
                        for i, v in enumerate(expand(raw.get("scale_sets"), where + ".scale_sets"))]
    rg["fleets"] = [_fleet(f, rg, "%s.fleets[%d]" % (where, i)) for i, f in enumerate(raw.get("fleets") or [])]
    return rg


def _subscription(raw, default_tenant, where):
    _check(raw, "subscription", where)
    sub = {"id": str(raw.get("id") or DEFAULT_SUBSCRIPTION), "tenant": str(raw.get("tenant") or default_tenant),
           "display_name": raw.get("display_name", "emulated subscription"), "state": raw.get("state", "Enabled")}
    if sub["state"] not in SUBSCRIPTION_STATES:
        raise ScenarioError("%s.state: expected one of %s" % (where, ", ".join(SUBSCRIPTION_STATES)))
    sub["resource_groups"] = [_resource_group(rg, "%s.resource_groups[%d]" % (where, i))
                              for i, rg in enumerate(expand(raw.get("resource_groups"), where + ".resource_groups"))]
    return sub


def _rate_limit(raw):
    """`rate_limit`: hourly counters (the default, never a 429) or Resource Manager's token buckets (`mode: bucket`)."""
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - RATE_LIMIT_KEYS:
        raise ScenarioError("rate_limit: expected a mapping with keys among %s" % ", ".join(sorted(RATE_LIMIT_KEYS)))
    mode = raw.get("mode", "hourly")
    if mode not in ("hourly", "bucket"):
        raise ScenarioError("rate_limit.mode: expected hourly or bucket, got %r" % (mode,))
    spec = copy.deepcopy(BUCKET_DEFAULTS) if mode == "bucket" else {"reads": 12000, "writes": 1200, "compute": []}
    spec.update(raw)
    spec["mode"] = mode
    for key in ("reads", "writes", "reads_per_second", "writes_per_second"):
        if key in spec and (not isinstance(spec[key], (int, float)) or isinstance(spec[key], bool) or spec[key] < 0):
            raise ScenarioError("rate_limit.%s: expected a number of at least 0, got %r" % (key, spec[key]))
    for position, counter in enumerate(spec["compute"] or []):
        if not isinstance(counter, dict) or set(counter) != {"name", "limit", "seconds"}:
            raise ScenarioError("rate_limit.compute[%d]: expected {name, limit, seconds}" % position)
    return spec


def normalise(raw):
    """Check a parsed scenario and return it with every default filled in."""
    raw = _check(raw or {}, "root", "scenario")
    tenants_raw = raw.get("tenants") or [{"id": DEFAULT_TENANT, "clients": [{"client_id": DEFAULT_CLIENT, "secret": DEFAULT_SECRET}]}]
    tenants = [_tenant(t, "tenants[%d]" % i) for i, t in enumerate(tenants_raw)]
    subs_raw = raw.get("subscriptions") or [{"id": DEFAULT_SUBSCRIPTION}]
    subscriptions = [_subscription(s, tenants[0]["id"], "subscriptions[%d]" % i) for i, s in enumerate(subs_raw)]
    api_versions = copy.deepcopy(DEFAULT_API_VERSIONS)
    api_versions.update(raw.get("api_versions") or {})
    page_sizes = {"scale_sets": raw.get("page_size", 100), "update_runs": raw.get("page_size", 100), "subscriptions": raw.get("page_size", 100)}
    page_sizes.update(raw.get("page_sizes") or {})
    rate_limit = _rate_limit(raw.get("rate_limit"))
    return {
        "name": raw.get("name", "scenario"),
        "description": raw.get("description", ""),
        "time_scale": float(raw.get("time_scale", 1.0)),
        "token_lifetime": int(raw.get("token_lifetime", 3600)),
        "accepted_audiences": list(raw.get("accepted_audiences") or []),
        "token_resources": list(raw.get("token_resources") or []),
        "page_sizes": page_sizes,
        "api_versions": api_versions,
        "tenants": tenants,
        "subscriptions": subscriptions,
        "faults": list(raw.get("faults") or []),
        "identity_header": raw.get("identity_header"),
        "rate_limit": rate_limit,
    }


def load(path):
    """Read a .yaml/.yml/.json scenario file and normalise it."""
    with open(path, "r", encoding="utf-8") as handle:
        text = handle.read()
    try:
        raw = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ScenarioError("%s: cannot parse: %s" % (os.path.basename(path), exc)) from exc
    return normalise(raw)
