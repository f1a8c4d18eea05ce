# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft.ContainerService fleet routes: update runs (get, list, put, delete, start, stop, skip),
update strategies, auto-upgrade profiles."""

import copy
import threading

from .arm import Arm, ArmError, conflict, not_found
from .fleet_gates import gate_id_of, strategy_gates, without_gates
from .fleet_timeline import implicit_stages, run_state, run_status, schedule
from .messages import Response
from .util import etag_of, first, iso, stable_uuid

PROVIDER = "Microsoft.ContainerService"
FLEET_TYPE = PROVIDER + "/fleets"
RUN_TYPE = FLEET_TYPE + "/updateRuns"
RG = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
FLEET = RG + r"/providers/Microsoft\.ContainerService/fleets/(?P<fleet>[^/]+)"
RUN = FLEET + r"/updateRuns/(?P<run>[^/]+)"
SKIP_TYPES = ("Member", "Group", "Stage", "AfterStageWait")
TERMINAL = ("Completed", "Failed", "Skipped", "Stopped")
# How each write is answered unless the fleet's ``writes`` says otherwise: at once, but a delete hands out an operation.
WRITE_DEFAULTS = {"put": {"mode": "sync"}, "start": {"mode": "sync"}, "stop": {"mode": "sync"}, "skip": {"mode": "sync"},
                  "delete": {"mode": "async", "polls": 0}}
WRITE_ERROR = {"code": "UpdateRunOperationFailed", "message": "The operation on update run '%s' failed."}


def stages_body(stages):
    out = []
    for stage in stages:
        item = {"name": stage["name"], "groups": [{"name": g} for g in stage["groups"]]}
        if stage["after_stage_wait_seconds"] is not None:
            item["afterStageWaitInSeconds"] = stage["after_stage_wait_seconds"]
        strategy_gates(item, stage)
        out.append(item)
    return out


def stages_from_body(stages):
    return [{"name": s["name"], "groups": [g["name"] for g in s.get("groups") or []],
             "after_stage_wait_seconds": s.get("afterStageWaitInSeconds")} for s in stages]


def system_data(created_by, created_at, modified_at=None):
    return {"createdBy": created_by, "createdByType": "Application", "createdAt": iso(created_at),
            "lastModifiedBy": created_by, "lastModifiedByType": "Application", "lastModifiedAt": iso(modified_at or created_at)}


class Run:
    """One update run: its plan and where it stands on its own clock."""

    def __init__(self, fleet, spec, clock, created_at):
        self.fleet, self.spec, self.clock = fleet, spec, clock
        self.name = spec["name"]
        self.id = "%s/updateRuns/%s" % (fleet.id, self.name)
        self.static_body = copy.deepcopy(spec.get("body"))
        self.strategy_body = copy.deepcopy(spec.get("strategy_body"))
        self.operation = None
        self.stages = spec.get("stages")
        self.strategy_id = None
        if spec.get("update_strategy"):
            strategy = fleet.strategy(spec["update_strategy"])
            self.strategy_id = "%s/updateStrategies/%s" % (fleet.id, spec["update_strategy"])
            if self.stages is None and strategy is not None:
                self.stages = copy.deepcopy(strategy["stages"])
        self.created_by = spec.get("created_by", "upgradegate-emulator")
        self.created_at = created_at
        self.modified_at = created_at
        self.start_elapsed = self.start_epoch = None
        self.polls = 0
        self.pauses = []
        self.skips = {}
        self.approvals = {}
        self._plan = None
        if spec.get("start") is not None:
            self.start_elapsed = float(spec["start"])
            self.start_epoch = clock.start_epoch + self.start_elapsed

    # -- the run's clock ----------------------------------------------------------------------

    def tau(self, elapsed):
        if self.start_elapsed is None:
            return None
        if self.spec.get("by") == "polls":
            return self.polls * float(self.spec.get("poll_seconds", 1))
        return max(0.0, elapsed - self.start_elapsed)

    def run_time(self, tau):
        if tau is None:
            return None
        paused = sum((p["resume"] if p["resume"] is not None else tau) - p["stop"] for p in self.pauses)
        return tau - paused

    def stop_state(self, tau):
        open_pause = first(self.pauses, lambda p: p["resume"] is None)
        if open_pause is None or tau is None:
            return None
        return "Stopping" if tau - open_pause["stop"] < float(self.spec["simulate"]["stop_seconds"]) else "Stopped"

    def to_wall(self, rc):
        shift = sum(p["resume"] - p["stop"] for p in self.pauses if p["resume"] is not None and p["rc"] <= rc)
        return iso(self.start_epoch + rc + shift)

    # -- derived status -----------------------------------------------------------------------

    def effective_stages(self):
        return self.stages if self.stages is not None else implicit_stages()

    def plan(self):
        if self._plan is None:
            sim = dict(self.spec["simulate"])
            if self.stages is None:
                groups, sim["members_in_parallel"] = {"default": self.fleet.members}, False
            else:
                groups = self.fleet.members_by_group()
            self._plan = schedule(self.effective_stages(), groups, sim, self.skips, self.approvals)
        return self._plan

    def state(self, elapsed):
        if self.static_body is not None:
            return ((self.static_body.get("properties") or {}).get("status") or {}).get("status", {}).get("state")
        tau = self.tau(elapsed)
        return run_state(self.plan(), self.run_time(tau), self.stop_state(tau))

    def body(self, elapsed):
        if self.static_body is not None:
            return self.static_body
        tau = self.tau(elapsed)
        status = run_status(self.plan(), self.run_time(tau), self.to_wall, self.name, self.stop_state(tau),
                            lambda member: stable_uuid("operation", self.id, member, self.start_epoch),
                            lambda key: gate_id_of(self, key))
        selection = self.spec["managed_cluster_update"].get("nodeImageSelection") or {}
        if selection.get("type") == "Consistent":
            status["nodeImageSelection"] = {"selectedNodeImageVersions": [{"version": "AKSUbuntu-2204gen2containerd-202502.03.0"}]}
        properties = {"provisioningState": "Succeeded"}
        if self.strategy_id:
            properties["updateStrategyId"] = self.strategy_id
        if self.strategy_body is not None:
            properties["strategy"] = copy.deepcopy(self.strategy_body)
        elif self.stages is not None:
            properties["strategy"] = {"stages": stages_body(self.stages)}
        properties["managedClusterUpdate"] = self.spec["managed_cluster_update"]
        properties["status"] = status
        if self.spec.get("auto_upgrade_profile"):
            properties["autoUpgradeProfileId"] = "%s/autoUpgradeProfiles/%s" % (self.fleet.id, self.spec["auto_upgrade_profile"])
        return {"id": self.id, "name": self.name, "type": RUN_TYPE,
                "systemData": system_data(self.created_by, self.created_at, self.modified_at),
                "properties": properties, "eTag": etag_of(properties)}

    # -- actions ------------------------------------------------------------------------------

    def start(self, elapsed, now):
        if self.start_elapsed is None:
            self.start_elapsed, self.start_epoch = elapsed, now
            return
        tau = self.tau(elapsed)
        open_pause = first(self.pauses, lambda p: p["resume"] is None)
        if open_pause is None:
            raise conflict("Conflict", "The update run '%s' is in state '%s' and cannot be started."
                           % (self.name, self.state(elapsed)))
        open_pause["resume"] = tau

    def stop(self, elapsed):
        state = self.state(elapsed)
        if state != "Running":
            raise conflict("Conflict", "The update run '%s' is in state '%s' and cannot be stopped." % (self.name, state))
        tau = self.tau(elapsed)
        self.pauses.append({"stop": tau, "rc": self.run_time(tau), "resume": None})

    def skip(self, targets, elapsed):
        known = self._names()
        for target in targets:
            if target.get("type") not in SKIP_TYPES or target.get("name") not in known.get(target.get("type"), ()):
                raise ArmError(400, "InvalidSkipTarget", "The skip target %s '%s' does not exist in update run '%s'."
                               % (target.get("type"), target.get("name"), self.name))
        rc = self.run_time(self.tau(elapsed)) or 0.0
        for target in targets:
            self.skips.setdefault((target["type"], target["name"]), rc)
        self._plan = None

    def _names(self):
        stages = self.effective_stages()
        groups = [g for s in stages for g in s["groups"]]
        members = self.fleet.members if self.stages is None else [m for m in self.fleet.members if m.get("group") in groups]
        return {"Stage": [s["name"] for s in stages], "Group": groups, "Member": [m["name"] for m in members],
                "AfterStageWait": [s["name"] for s in stages if s["after_stage_wait_seconds"] is not None]}


class Fleet:
    def __init__(self, sub_id, rg, spec, clock):
        self.sub_id, self.rg, self.spec = sub_id, rg, spec
        self.name = spec["name"]
        self.id = "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub_id, rg["name"], FLEET_TYPE, self.name)
        self.members = []
        for member in spec["members"]:
            member = dict(member)
            member.setdefault("cluster_resource_id", "/subscriptions/%s/resourceGroups/%s/providers/%s/managedClusters/%s"
                              % (sub_id, rg["name"], PROVIDER, member["name"]))
            self.members.append(member)
        self.created_at = clock.start_epoch - 86400
        self.runs = [Run(self, run, clock, clock.start_epoch + float(run.get("created_at", -600))) for run in spec["update_runs"]]

    def members_by_group(self):
        groups = {}
        for member in self.members:
            groups.setdefault(member.get("group"), []).append(member)
        return groups

    def strategy(self, name):
        return first(self.spec["update_strategies"], lambda s: s["name"].lower() == name.lower())

    def run(self, name):
        return first(self.runs, lambda r: r.name.lower() == name.lower())

    def body(self):
        properties = {"provisioningState": "Succeeded"}
        return {"id": self.id, "name": self.name, "type": FLEET_TYPE, "location": self.spec["location"],
                "tags": self.spec.get("tags") or {}, "systemData": system_data("upgradegate-emulator", self.created_at),
                "properties": properties, "eTag": etag_of([self.id])}

    def strategy_body(self, strategy):
        if strategy.get("body") is not None:
            return strategy["body"]
        properties = {"provisioningState": "Succeeded", "strategy": {"stages": stages_body(strategy["stages"])}}
        return {"id": "%s/updateStrategies/%s" % (self.id, strategy["name"]), "name": strategy["name"],
                "type": FLEET_TYPE + "/updateStrategies", "systemData": system_data("upgradegate-emulator", self.created_at),
                "properties": properties, "eTag": etag_of(properties)}

    def profile_body(self, profile):
        if profile.get("body") is not None:
            return profile["body"]
        properties = {"provisioningState": "Succeeded", "channel": profile.get("channel", "Stable")}
        if profile.get("update_strategy"):
            properties["updateStrategyId"] = "%s/updateStrategies/%s" % (self.id, profile["update_strategy"])
        if profile.get("node_image_selection"):
            properties["nodeImageSelection"] = profile["node_image_selection"]
        if profile.get("disabled") is not None:
            properties["disabled"] = bool(profile["disabled"])
        return {"id": "%s/autoUpgradeProfiles/%s" % (self.id, profile["name"]), "name": profile["name"],
                "type": FLEET_TYPE + "/autoUpgradeProfiles", "systemData": system_data("upgradegate-emulator", self.created_at),
                "properties": properties, "eTag": etag_of(properties)}


def _with_etag(status, body, headers):
    headers = dict(headers)
    if isinstance(body, dict) and body.get("eTag"):
        headers["ETag"] = body["eTag"]
    return Response.json(status, body, headers)


class FleetService:
    """State and handlers for the fleet routes."""

    def __init__(self, arm, operations, scenario, clock):
        self.arm, self.operations, self.clock = arm, operations, clock
        self.page_size = int(scenario["page_sizes"]["update_runs"])
        self._lock = threading.RLock()
        self.fleets = []
        for sub in scenario["subscriptions"]:
            for rg in sub["resource_groups"]:
                self.fleets.extend(Fleet(sub["id"], rg, spec, clock) for spec in rg["fleets"])

    def routes(self):
        return [
            ("GET", FLEET, self.get_fleet, "fleet.get"),
            ("GET", FLEET + r"/updateRuns", self.list_runs, "fleet.update_runs_list"),
            ("GET", RUN, self.get_run, "fleet.update_run_get"),
            ("PUT", RUN, self.put_run, "fleet.update_run_put"),
            ("DELETE", RUN, self.delete_run, "fleet.update_run_delete"),
            ("POST", RUN + r"/start", self.start_run, "fleet.update_run_start"),
            ("POST", RUN + r"/stop", self.stop_run, "fleet.update_run_stop"),
            ("POST", RUN + r"/skip", self.skip_run, "fleet.update_run_skip"),
            ("GET", FLEET + r"/updateStrategies", self.list_strategies, "fleet.update_strategies_list"),
            ("GET", FLEET + r"/updateStrategies/(?P<name>[^/]+)", self.get_strategy, "fleet.update_strategy_get"),
            ("GET", FLEET + r"/autoUpgradeProfiles/(?P<name>[^/]+)", self.get_profile, "fleet.auto_upgrade_profile_get"),
            ("GET", RG + r"/providers/Microsoft\.ContainerService/locations/(?P<loc>[^/]+)/(?:operations|operationResults)/(?P<op>[^/]+)",
             self.operation, "fleet.operation"),
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _begin(self, req, groups, action):
        scope = req.path
        for suffix in ("/start", "/stop", "/skip", "/updateRuns", "/updateStrategies"):
            if scope.endswith(suffix) and (req.method == "GET") == (suffix in ("/updateRuns", "/updateStrategies")):
                scope = scope[:-len(suffix)]
        self.arm.begin(req, "fleet", action, scope, groups["sub"])
        return self.arm.rate_headers(req, groups["sub"])

    def _fleet(self, groups, child=None):
        sub = self.arm.subscriptions[groups["sub"].lower()]
        rg = Arm.resource_group(sub, groups["rg"])
        fleet = first(self.fleets, lambda f: f.sub_id.lower() == groups["sub"].lower() and f.rg is rg
                      and f.name.lower() == groups["fleet"].lower())
        if fleet is None and child:
            raise ArmError(404, "ParentResourceNotFound", "Can not perform requested operation on nested resource. Parent "
                           "resource '%s' not found." % groups["fleet"])
        if fleet is None:
            raise not_found(FLEET_TYPE, groups["fleet"], groups["rg"])
        return fleet

    def _run(self, groups):
        fleet = self._fleet(groups, child=True)
        run = fleet.run(groups["run"])
        if run is None:
            raise not_found(RUN_TYPE, "%s/%s" % (fleet.name, groups["run"]), groups["rg"])
        return fleet, run

    def _check_if_match(self, req, run):
        wanted = req.header("if-match")
        if wanted and wanted != "*" and wanted != run.body(self.clock.elapsed()).get("eTag"):
            raise ArmError(412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.")

    # -- handlers -----------------------------------------------------------------------------

    def get_fleet(self, req, groups):
        headers = self._begin(req, groups, FLEET_TYPE + "/read")
        return _with_etag(200, self._fleet(groups).body(), headers)

    def list_runs(self, req, groups):
        headers = self._begin(req, groups, RUN_TYPE + "/read")
        with self._lock:
            fleet = self._fleet(groups, child=True)
            if fleet.spec.get("static_list") is not None:
                return Response.json(200, fleet.spec["static_list"], headers)
            elapsed = self.clock.elapsed()
            items = [without_gates(run.body(elapsed), req.query.get("api-version")) for run in fleet.runs]
        return Response.json(200, self.arm.page(req, items, self.page_size), headers)

    def get_run(self, req, groups):
        headers = self._begin(req, groups, RUN_TYPE + "/read")
        with self._lock:
            _fleet, run = self._run(groups)
            body = without_gates(run.body(self.clock.elapsed()), req.query.get("api-version"))
            if run.start_elapsed is not None:
                run.polls += 1
        return _with_etag(200, body, headers)

    def _action(self, req, groups, verb, apply):
        headers = self._begin(req, groups, "%s/%s/action" % (RUN_TYPE, verb))
        with self._lock:
            _fleet, run = self._run(groups)
            self._check_if_match(req, run)
            static = run.spec["responses"].get(verb)
            if static is not None:
                run.static_body = copy.deepcopy(static)
            elif run.static_body is None:
                knob = self._knob(_fleet, verb)
                self._check_busy(run)
                if knob["mode"] != "sync":
                    return self._accepted(req, groups, _fleet, run, knob, lambda: self._applied(run, apply), headers)
                self._refuse_if_failing(knob, run)
                self._applied(run, apply)
            body = run.body(self.clock.elapsed())
        return _with_etag(200, body, headers)

    def _applied(self, run, apply):
        apply(run)
        run.modified_at = self.clock.now()

    # -- how writes are answered: at once, or through a long-running operation ---------------------

    @staticmethod
    def _knob(fleet, verb):
        knobs = fleet.spec.get("writes") or {}
        knob = {"mode": "sync", "status": "Succeeded", "polls": 1, "retry_after": 1, "error": None, "http_status": 409}
        knob.update(WRITE_DEFAULTS[verb])
        knob.update(knobs.get("default") or {})
        knob.update(knobs.get(verb) or {})
        return knob

    def _check_busy(self, run):
        if run is not None and run.operation is not None and self.operations.running(run.operation):
            raise conflict("OperationNotAllowed", "Another operation is in progress on update run '%s' (operation %s). Please wait for "
                                                  "it to complete before starting a new operation." % (run.name, run.operation))

    @staticmethod
    def _failure(knob, run_name):
        error = dict(knob.get("error") or {})
        error.setdefault("code", WRITE_ERROR["code"])
        error.setdefault("message", WRITE_ERROR["message"] % run_name)
        return error

    def _refuse_if_failing(self, knob, run):
        if knob["status"] != "Succeeded":
            error = self._failure(knob, run.name)
            raise ArmError(int(knob["http_status"]), error["code"], error["message"])

    def _accepted(self, req, groups, fleet, run, knob, apply, headers, status=202, body=None):
        """Hand out an operation that ends after ``polls`` polls: the change is made now when it will succeed."""
        ends_well = knob["status"] == "Succeeded"
        if ends_well:
            apply()
        seen = {"polls": 0}
        failure = None if ends_well else self._failure(knob, run.name)

        def status_fn():
            seen["polls"] += 1
            if seen["polls"] <= int(knob["polls"]):
                return "InProgress", None
            return knob["status"], failure

        op_id = self.operations.add(status_fn, retry_after=knob["retry_after"])
        run.operation = op_id
        monitors = Arm.lro_headers(self.arm.base_url, "/subscriptions/%s/resourceGroups/%s/providers/%s/locations/%s"
                                   % (groups["sub"], groups["rg"], PROVIDER, fleet.spec["location"]), op_id, req.query["api-version"])
        headers = dict(headers, **{"Retry-After": str(knob["retry_after"])})
        if knob["mode"] == "location":
            headers["Location"] = monitors["Location"]
        elif body is not None:
            headers["Azure-AsyncOperation"] = monitors["Azure-AsyncOperation"]
        else:
            headers.update(monitors)
        if body is not None and ends_well:
            return _with_etag(status, body, headers)
        return Response.empty(202, headers)

    def start_run(self, req, groups):
        return self._action(req, groups, "start", lambda run: run.start(self.clock.elapsed(), self.clock.now()))

    def stop_run(self, req, groups):
        return self._action(req, groups, "stop", lambda run: run.stop(self.clock.elapsed()))

    def skip_run(self, req, groups):
        try:
            payload = req.json() or {}
        except ValueError as exc:
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.") from exc
        targets = payload.get("targets") if isinstance(payload, dict) else None
        if not isinstance(targets, list) or not targets:
            raise ArmError(400, "InvalidRequestContent", "The request body must contain a non-empty 'targets' array.")
        return self._action(req, groups, "skip", lambda run: run.skip(targets, self.clock.elapsed()))

    def put_run(self, req, groups):
        headers = self._begin(req, groups, RUN_TYPE + "/write")
        claims = req.context["claims"]
        try:
            payload = req.json() or {}
        except ValueError as exc:
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.") from exc
        properties = payload.get("properties") if isinstance(payload, dict) else None
        if not isinstance(properties, dict) or not isinstance(properties.get("managedClusterUpdate"), dict):
            raise ArmError(400, "InvalidRequestContent", "The property 'properties.managedClusterUpdate' is required.")
        with self._lock:
            fleet = self._fleet(groups, child=True)
            existing = fleet.run(groups["run"])
            if existing is not None and existing.spec["responses"].get("put") is not None:
                existing.static_body = copy.deepcopy(existing.spec["responses"]["put"])
                return _with_etag(200, existing.static_body, headers)
            if existing is not None:
                self._check_if_match(req, existing)
                if req.header("if-none-match") == "*":
                    raise ArmError(412, "PreconditionFailed", "The update run '%s' already exists." % existing.name)
                self._check_busy(existing)
                if existing.state(self.clock.elapsed()) != "NotStarted":
                    raise conflict("Conflict", "The update run '%s' has started and can no longer be modified." % existing.name)
            run = Run(fleet, self._spec_from_body(fleet, groups["run"], properties, claims), self.clock, self.clock.now())
            if run.stages is None and properties.get("updateStrategyId") and run.strategy_id is None:
                raise ArmError(400, "BadRequest", "The update strategy '%s' was not found." % properties["updateStrategyId"])

            def store():
                if existing is not None:
                    run.created_at, run.created_by = existing.created_at, existing.created_by
                    fleet.runs[fleet.runs.index(existing)] = run
                else:
                    fleet.runs.append(run)

            knob = self._knob(fleet, "put")
            status = 200 if existing is not None else 201
            if knob["mode"] != "sync":
                response = self._accepted(req, groups, fleet, run, knob, store, headers, status, run.body(self.clock.elapsed()))
                if existing is not None and knob["status"] != "Succeeded":
                    existing.operation = run.operation
                return response
            self._refuse_if_failing(knob, run)
            store()
            body = run.body(self.clock.elapsed())
        return _with_etag(status, body, headers)

    @staticmethod
    def _spec_from_body(fleet, name, properties, claims):
        strategy_name = (properties.get("updateStrategyId") or "").rstrip("/").split("/")[-1] or None
        if strategy_name and fleet.strategy(strategy_name) is None:
            strategy_name = None
        stages = (properties.get("strategy") or {}).get("stages")
        return {"name": name, "stages": stages_from_body(stages) if stages else None, "update_strategy": strategy_name,
                "strategy_body": copy.deepcopy(properties["strategy"]) if stages else None,
                "managed_cluster_update": properties["managedClusterUpdate"], "start": None, "by": "time",
                "poll_seconds": 1, "simulate": fleet.spec["simulate"], "responses": {}, "body": None,
                "created_by": claims.get("appid", "upgradegate-emulator")}

    def delete_run(self, req, groups):
        headers = self._begin(req, groups, RUN_TYPE + "/delete")
        with self._lock:
            fleet = self._fleet(groups, child=True)
            run = fleet.run(groups["run"])
            if run is None:
                return Response.empty(204, headers)
            self._check_if_match(req, run)
            self._check_busy(run)
            knob = self._knob(fleet, "delete")
            if knob["mode"] != "sync":
                return self._accepted(req, groups, fleet, run, knob, lambda: fleet.runs.remove(run), headers)
            self._refuse_if_failing(knob, run)
            fleet.runs.remove(run)
        return Response.empty(200, headers)

    def list_strategies(self, req, groups):
        headers = self._begin(req, groups, FLEET_TYPE + "/updateStrategies/read")
        fleet = self._fleet(groups, child=True)
        items = [fleet.strategy_body(s) for s in fleet.spec["update_strategies"]]
        return Response.json(200, self.arm.page(req, items, self.page_size), headers)

    def get_strategy(self, req, groups):
        headers = self._begin(req, groups, FLEET_TYPE + "/updateStrategies/read")
        fleet = self._fleet(groups, child=True)
        strategy = fleet.strategy(groups["name"])
        if strategy is None:
            raise not_found(FLEET_TYPE + "/updateStrategies", "%s/%s" % (fleet.name, groups["name"]), groups["rg"])
        return _with_etag(200, fleet.strategy_body(strategy), headers)

    def get_profile(self, req, groups):
        headers = self._begin(req, groups, FLEET_TYPE + "/autoUpgradeProfiles/read")
        fleet = self._fleet(groups, child=True)
        profile = first(fleet.spec["auto_upgrade_profiles"], lambda p: p["name"].lower() == groups["name"].lower())
        if profile is None:
            raise not_found(FLEET_TYPE + "/autoUpgradeProfiles", "%s/%s" % (fleet.name, groups["name"]), groups["rg"])
        return _with_etag(200, fleet.profile_body(profile), headers)

    def operation(self, req, groups):
        headers = self._begin(req, groups, PROVIDER + "/locations/operations/read")
        resp = self.operations.response(groups["op"], req.query.get("monitor") == "true")
        resp.headers.update(headers)
        return resp

    def state(self):
        elapsed = self.clock.elapsed()
        with self._lock:
            return [{"id": f.id, "update_runs": [{"name": r.name, "state": r.state(elapsed), "polls": r.polls}
                                                 for r in f.runs]} for f in self.fleets]
