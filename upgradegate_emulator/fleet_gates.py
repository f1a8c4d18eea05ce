# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft.ContainerService fleet approval gates: the `gates` resource (list, get, PATCH to approve), as Azure has them.

A run creates a gate when it reaches it (Pending); the gate holds the run
until it is approved (PATCH `{"properties": {"state": "Completed"}}`, or the
inspection API standing in for a person in the portal) or skipped with its
stage or group. API versions before 2025-04-01(-preview) know no gates: their
run bodies show `Pending` without gate details, and the gates routes answer
400 as Resource Manager does for a resource type a version does not have.
"""

import copy
import re

from .arm import Arm, ArmError, not_found
from .fleet_timeline import TIMINGS, plan_gates, gate_state, stage_gates
from .messages import Response
from .util import etag_of, first, stable_uuid

GATE_TYPE = "Microsoft.ContainerService/fleets/gates"
FIRST_VERSION_WITH_GATES = "2025-04-01"
GATE_NAME = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def has_gates(api_version):
    """True for the Fleet API versions that have approval gates (2025-04-01-preview, 2026-06-01 and later)."""
    return isinstance(api_version, str) and api_version[:10] >= FIRST_VERSION_WITH_GATES


def gate_id_of(run, key):
    """The ARM id of the gate with this key in this run (stable across restarts of the emulator)."""
    return "%s/gates/%s" % (run.fleet.id, stable_uuid("gate", run.id, key))


def strategy_gates(item, stage):
    """Add the strategy's beforeGates/afterGates to a stage body `item` and to its groups, as the scenario declares them."""
    own = stage_gates(stage)
    for group in item.get("groups") or []:
        gates = stage_gates(stage, group["name"])
        for timing in TIMINGS:
            if gates[timing]:
                group[timing + "Gates"] = copy.deepcopy(gates[timing])
    for timing in TIMINGS:
        if own[timing]:
            item[timing + "Gates"] = copy.deepcopy(own[timing])
    return item


def without_gates(body, api_version):
    """The run body as a version without gates shows it: no beforeGates/afterGates anywhere (a copy); others unchanged."""
    if has_gates(api_version) or not isinstance(body, dict):
        return body
    body = copy.deepcopy(body)
    properties = body.get("properties") or {}
    for container in ((properties.get("strategy") or {}).get("stages") or [], (properties.get("status") or {}).get("stages") or []):
        for stage in container:
            for node in [stage] + list(stage.get("groups") or []):
                node.pop("beforeGates", None)
                node.pop("afterGates", None)
    return body


def _system_data(run, gate):
    return {"createdBy": "AzureFleetManager", "createdByType": "Application", "createdAt": run.to_wall(gate["start"]),
            "lastModifiedBy": "AzureFleetManager", "lastModifiedByType": "Application",
            "lastModifiedAt": run.to_wall(gate["end"] if gate["end"] != float("inf") else gate["start"])}


class Gate:
    """One gate a run has reached: where it stands and its state now."""

    def __init__(self, run, stage, group, timing, item, rc):
        self.run, self.stage, self.group, self.timing, self.item = run, stage, group, timing, item
        self.id = gate_id_of(run, item["key"])
        self.name = self.id.rsplit("/", 1)[-1]
        self.state = gate_state(item, rc)

    def body(self):
        place = {"name": self.run.name, "stage": self.stage}
        if self.group is not None:
            place["group"] = self.group
        place["timing"] = self.timing.capitalize()
        properties = {"provisioningState": "Succeeded", "displayName": self.item["config"].get("displayName"),
                      "target": {"id": self.run.id, "updateRunProperties": place},
                      "gateType": self.item["config"].get("type", "Approval"), "state": self.state}
        body = {"id": self.id, "name": self.name, "type": GATE_TYPE, "systemData": _system_data(self.run, self.item),
                "properties": properties}
        body["eTag"] = etag_of(body)
        return body


class GateService:
    """Handlers for the gates routes, over the fleets and runs of the FleetService."""

    def __init__(self, fleets, operations):
        self.fleets, self.operations = fleets, operations

    def routes(self):
        from .arm_fleet import FLEET
        gate = FLEET + r"/gates/(?P<gate>[^/]+)"
        return [
            ("GET", FLEET + r"/gates", self.list_gates, "fleet.gates_list"),
            ("GET", gate, self.get_gate, "fleet.gate_get"),
            ("PATCH", gate, self.patch_gate, "fleet.gate_patch"),
        ]

    # -- the gates a fleet has now ------------------------------------------------------------

    def gates(self, fleet):
        """Every gate the fleet's runs have reached so far, in the runs' order."""
        elapsed = self.fleets.clock.elapsed()
        found = []
        for run in fleet.runs:
            if run.static_body is not None or run.start_elapsed is None:
                continue
            rc = run.run_time(run.tau(elapsed))
            for stage, group, timing, item in plan_gates(run.plan()):
                if item["start"] is not None and rc >= item["start"]:
                    found.append(Gate(run, stage, group, timing, item, rc))
        return found

    def find(self, fleet, name):
        return first(self.gates(fleet), lambda gate: gate.name.lower() == name.lower())

    def approve(self, gate, state="Completed"):
        """A person or a pipeline approves the gate: it lets the run go on from now."""
        if state != "Completed":
            raise ArmError(400, "InvalidGateState", "A gate can only be set to 'Completed', not '%s'." % state)
        if gate.state == "Pending":
            run = gate.run
            run.approvals[gate.item["key"]] = run.run_time(run.tau(self.fleets.clock.elapsed()))
            run._plan = None
            run.modified_at = self.fleets.clock.now()
        elif gate.state == "Skipped":
            raise ArmError(409, "Conflict", "The gate '%s' was skipped and cannot be approved." % gate.name)
        return self.find(gate.run.fleet, gate.name)

    # -- handlers -----------------------------------------------------------------------------

    def _begin(self, req, groups, action):
        headers = self.fleets._begin(req, groups, action)
        if not has_gates(req.query.get("api-version")):
            location = self.fleets._fleet(groups, child=True).spec["location"]
            raise ArmError(400, "NoRegisteredProviderFound", "No registered resource provider found for location '%s' and API version "
                           "'%s' for type 'fleets/gates'." % (location, req.query.get("api-version")))
        return headers

    def _static(self, fleet, name):
        return first(fleet.spec.get("gates") or [], lambda gate: gate["name"].lower() == name.lower())

    def list_gates(self, req, groups):
        headers = self._begin(req, groups, GATE_TYPE + "/read")
        with self.fleets._lock:
            fleet = self.fleets._fleet(groups, child=True)
            if fleet.spec.get("static_gate_list") is not None:
                return Response.json(200, fleet.spec["static_gate_list"], headers)
            items = [gate["body"] for gate in fleet.spec.get("gates") or []] + [gate.body() for gate in self.gates(fleet)]
        return Response.json(200, self.fleets.arm.page(req, items, self.fleets.page_size), headers)

    def get_gate(self, req, groups):
        headers = self._begin(req, groups, GATE_TYPE + "/read")
        with self.fleets._lock:
            fleet = self.fleets._fleet(groups, child=True)
            static = self._static(fleet, groups["gate"])
            if static is not None:
                return _json_with_etag(200, static["body"], headers)
            gate = self._gate(fleet, groups)
            body = gate.body()
        return _json_with_etag(200, body, headers)

    def _gate(self, fleet, groups):
        if not GATE_NAME.match(groups["gate"]):
            raise ArmError(400, "InvalidParameter", "The gate name '%s' is not a valid GUID." % groups["gate"])
        gate = self.find(fleet, groups["gate"])
        if gate is None:
            raise not_found(GATE_TYPE, "%s/%s" % (fleet.name, groups["gate"]), groups["rg"])
        return gate

    def patch_gate(self, req, groups):
        headers = self._begin(req, groups, GATE_TYPE + "/write")
        try:
            payload = req.json() or {}
        except ValueError as exc:
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.") from exc
        with self.fleets._lock:
            fleet = self.fleets._fleet(groups, child=True)
            static = self._static(fleet, groups["gate"])
            if static is not None:
                return _json_with_etag(200, static["responses"].get("patch") or static["body"], headers)
            state = ((payload.get("properties") or {}) if isinstance(payload, dict) else {}).get("state")
            if state is None:
                raise ArmError(400, "InvalidRequestContent", "The property 'properties.state' is required.")
            gate = self._gate(fleet, groups)
            wanted = req.header("if-match")
            if wanted and wanted != "*" and wanted != gate.body()["eTag"]:
                raise ArmError(412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.")
            gate = self.approve(gate, state)
            body = gate.body()
            if fleet.spec["simulate"].get("gate_approval", "async") == "sync":
                return _json_with_etag(200, body, headers)
        op_id = self.operations.add(lambda: ("Succeeded", None))
        prefix = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/locations/%s" % (
            groups["sub"], groups["rg"], fleet.spec["location"])
        headers.update(Arm.lro_headers(self.fleets.arm.base_url, prefix, op_id, req.query["api-version"]))
        headers["Retry-After"] = "1"
        return Response.empty(202, headers)

    # -- for the inspection API ---------------------------------------------------------------

    def state(self):
        with self.fleets._lock:
            return [{"fleet": fleet.id, "gates": [dict(gate.body(), update_run=gate.run.name) for gate in self.gates(fleet)]}
                    for fleet in self.fleets.fleets]

    def approve_by_name(self, name):
        with self.fleets._lock:
            for fleet in self.fleets.fleets:
                gate = self.find(fleet, name)
                if gate is not None:
                    return self.approve(gate).body()
        return None


def _json_with_etag(status, body, headers):
    headers = dict(headers)
    if isinstance(body, dict) and body.get("eTag"):
        headers["ETag"] = body["eTag"]
    return Response.json(status, body, headers)
