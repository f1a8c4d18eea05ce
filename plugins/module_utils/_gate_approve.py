# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The work of fleet_gate: find the one gate the options name, decide, and approve it (PATCH with If-Match, then follow).

Read, decide, write only the difference: a completed gate is left alone
(no write), a skipped one cannot be approved, a pending one is approved;
check mode stops after the decision. The decision is a pure function
(``decide``) with its own unit tests.
"""

import time

from ansible_collections.upgradegate.azure.plugins.module_utils import _gates
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError, ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_gate import describe, gate_facts
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import (
    check_api_version,
    check_fleet_name,
    check_fleet_style_name,
    check_resource_group,
    check_update_run_name,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._lro import follow

APPROVE_OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str", required=True),
    name=dict(type="str"),
    update_run=dict(type="str"),
    stage=dict(type="str"),
    group=dict(type="str"),
    timing=dict(type="str", choices=["before", "after"]),
    state=dict(type="str", default="completed", choices=["completed"]),
    timeout=dict(type="float", default=600.0),
    api_version=dict(type="str", default=_gates.GATES_API_VERSION),
)
APPROVE_RULES = dict(
    mutually_exclusive=[["name", "update_run"], ["name", "stage"], ["name", "group"], ["name", "timing"]],
    required_one_of=[["name", "update_run"]],
    required_together=[["update_run", "stage", "timing"]],
    required_by={"group": ["update_run"]},
)
EMPTY_APPROVAL = {"changed": False, "gate": None}
APPROVE = "approve"
KEEP = "keep"


def validate_approval(params):
    check_resource_group(params["resource_group"])
    check_fleet_name(params["fleet_name"])
    if params.get("name") is not None:
        _gates.check_gate_name(params["name"])
    else:
        check_update_run_name(params.get("update_run"), "update_run")
        check_fleet_style_name(params.get("stage"), "stage", 50)
        _gates.check_timing(params.get("timing"))
        if params.get("group") is not None:
            check_fleet_style_name(params["group"], "group", 50)
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise ValidationError("timeout", "must be a number of seconds greater than 0, got %r" % params["timeout"])
    check_api_version(params["api_version"])
    _gates.check_gates_version(params["api_version"])


def wanted(params):
    """What the options ask for, in words: for messages."""
    if params.get("name"):
        return "gate %s" % params["name"]
    place = "stage %s" % params["stage"] if not params.get("group") else "group %s of stage %s" % (params["group"], params["stage"])
    return "the gate %s %s of update run %s" % (params["timing"], place, params["update_run"])


def choose(gates, params):
    """The one gate of ``gates`` (the fleet's) the options name; ValueError listing the run's gates when none or several match."""
    if params.get("name"):
        found = _gates.select(gates, name=params["name"])
        scope = gates
        owner = "fleet %s" % params["fleet_name"]
    else:
        scope = _gates.select(gates, update_run=params["update_run"])
        found = [gate for gate in _gates.select(scope, stage=params["stage"], timing=params["timing"])
                 if (gate.get("group") or "").lower() == (params.get("group") or "").lower()]
        owner = "update run %s" % params["update_run"]
    if len(found) == 1:
        return found[0]
    problem = "no gate matches" if not found else "%d gates match" % len(found)
    raise ValueError("%s: %s; %s %s" % (wanted(params), problem, owner, _gates.listing(scope)))


def decide(gate):
    """``approve`` for a pending gate, ``keep`` for a completed one; ValueError for a skipped one or any other state."""
    state = gate.get("state")
    if state == "completed":
        return KEEP
    if state == "pending":
        return APPROVE
    if state == "skipped":
        raise ValueError("gate %s was skipped with its stage or group: there is nothing to approve" % describe(gate))
    raise ValueError("gate %s cannot be approved in state %s (only a pending gate can)" % (describe(gate), state))


def _fail(message, gate=None, reason="not_found"):
    return {"failed": True, "changed": False, "gate": gate, "msg": message, "reason": reason}


def approve(connection, params, clock=time.monotonic, sleep=time.sleep, check_mode=False, diff=False):
    """The module result: ``changed``, ``gate`` (facts after the change), and ``diff`` when asked."""
    client, subscription = connection.client, connection.subscription_id
    group, fleet, version = params["resource_group"], params["fleet_name"], params["api_version"]
    deadline = clock() + params["timeout"]
    try:
        if params.get("name"):
            gate = _gates.read_gate(client, subscription, group, fleet, params["name"], version, deadline=deadline)
        else:
            gate = choose(_gates.list_gates(client, subscription, group, fleet, version, deadline=deadline), params)
    except ArmError as exc:
        if exc.kind != "not_found":
            raise
        gates = _fleet_gates_or_none(client, subscription, group, fleet, version, deadline)
        if gates is None:
            return _fail("%s: fleet %s in resource group %s was not found" % (wanted(params), fleet, group))
        return _fail("%s: no gate matches; fleet %s %s" % (wanted(params), fleet, _gates.listing(gates)))
    except ValueError as exc:
        return _fail(str(exc))
    try:
        action = decide(gate)
    except ValueError as exc:
        return _fail(str(exc), gate, "not_approvable")
    result = {"changed": action == APPROVE, "gate": gate}
    if action == APPROVE and not check_mode:
        try:
            result["gate"] = _write(client, subscription, group, fleet, gate, version, deadline, clock, sleep)
        except ArmError as exc:
            if exc.status != 412:
                raise
            # Someone else changed the gate between our read and our write: approved is what we wanted.
            again = _gates.read_gate(client, subscription, group, fleet, gate["name"], version, deadline=deadline)
            if again.get("state") != "completed":
                raise
            result.update(changed=False, gate=again)
    elif action == APPROVE:
        result["gate"] = dict(gate, state="completed")
    if diff:
        result["diff"] = {"before": {"state": gate.get("state")}, "after": {"state": result["gate"].get("state")}}
    return result


def _fleet_gates_or_none(client, subscription, group, fleet, version, deadline):
    try:
        return _gates.list_gates(client, subscription, group, fleet, version, deadline=deadline)
    except ArmError as exc:
        if exc.kind == "not_found":
            return None
        raise


def _write(client, subscription, group, fleet, gate, version, deadline, clock, sleep):
    """PATCH the gate to Completed with If-Match, follow the operation, and read the gate again unless Azure answered with it."""
    path = _gates.gates_path(subscription, group, fleet, gate["name"])
    what = "approving gate %s of fleet %r in resource group %r" % (gate["name"], fleet, group)
    headers = {"If-Match": gate["etag"]} if gate.get("etag") else None
    try:
        response = client.send("PATCH", path, version, body={"properties": {"state": "Completed"}}, headers=headers, deadline=deadline)
        final = follow(client, response, "PATCH " + path, deadline, clock, sleep)
    except ArmError as exc:
        raise _explain_write(exc, what, gate) from None
    if final is response and isinstance(response.body, dict) and response.body.get("properties"):
        facts = gate_facts(response.body)
        if facts["etag"] is None:
            facts["etag"] = response.headers.get("ETag")
        return facts
    return _gates.read_gate(client, subscription, group, fleet, gate["name"], version, deadline=deadline)


def _explain_write(error, what, gate):
    if error.status == 403:
        hint = ("the identity may lack the permission %s on the fleet; grant it a role that includes it "
                "(for example Azure Kubernetes Fleet Manager Contributor Role)" % _gates.GATE_WRITE)
    elif error.status == 412:
        hint = "the gate changed since it was read (ETag %s): someone else approved or changed it; read it again" % gate.get("etag")
    else:
        hint = None
    error.args = ("%s: %s%s" % (what, error, "; " + hint if hint else ""),)
    return error
