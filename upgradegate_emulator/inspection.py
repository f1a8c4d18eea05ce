# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inspection API under /_emulator/: request log, counters, faults, clock, state, health.

No authentication, never logged, never faulted.
"""

import os
import re

from .arm import ArmError
from .faults import FaultError
from .messages import Response

PREFIX = "/_emulator"


class Inspection:
    def __init__(self, app):
        self.app = app

    def routes(self):
        return [
            ("GET", r"/health", self.health),
            ("GET", r"/requests", self.requests),
            ("DELETE", r"/requests", self.reset_requests),
            ("GET", r"/counters", self.counters),
            ("GET", r"/faults", self.list_faults),
            ("POST", r"/faults", self.add_faults),
            ("DELETE", r"/faults", self.clear_faults),
            ("DELETE", r"/faults/(?P<id>[^/]+)", self.remove_fault),
            ("GET", r"/clock", self.get_clock),
            ("POST", r"/clock", self.set_clock),
            ("GET", r"/state", self.state),
            ("GET", r"/gates", self.list_gates),
            ("POST", r"/gates/(?P<name>[^/]+)/approve", self.approve_gate),
            ("DELETE", r"/rate_limits", self.reset_rate_limits),
        ]

    def handle(self, req):
        sub_path = req.path[len(PREFIX):] or "/"
        for method, pattern, handler in self.routes():
            match = re.fullmatch(pattern, sub_path.rstrip("/") or "/")
            if match and method == req.method:
                try:
                    return handler(req, match.groupdict())
                except (ValueError, FaultError) as exc:
                    return Response.json(400, {"error": {"code": "BadRequest", "message": str(exc)}})
        return Response.json(404, {"error": {"code": "NotFound", "message": "No inspection route %s %s" % (req.method, req.path)}})

    def health(self, _req, _groups):
        return Response.json(200, {"status": "ok", "pid": os.getpid(), "scenario": self.app.scenario["name"],
                                   "clock": self.app.clock.describe()})

    def requests(self, req, _groups):
        since = int(req.query.get("since", 0))
        pattern = re.compile(req.query["path"], re.IGNORECASE) if req.query.get("path") else None
        entries = [e for e in self.app.log.entries(since) if pattern is None or pattern.search(e["path"])]
        return Response.json(200, {"requests": entries, "count": len(entries)})

    def reset_requests(self, _req, _groups):
        self.app.log.reset()
        return Response.json(200, {"reset": True})

    def counters(self, _req, _groups):
        return Response.json(200, self.app.log.counters())

    def list_faults(self, _req, _groups):
        return Response.json(200, {"faults": self.app.faults.list()})

    def add_faults(self, req, _groups):
        payload = req.json()
        specs = payload if isinstance(payload, list) else (payload or {}).get("faults", [payload])
        rules = [self.app.faults.add(spec).describe() for spec in specs]
        return Response.json(201, {"faults": rules})

    def clear_faults(self, _req, _groups):
        return Response.json(200, {"removed": self.app.faults.remove()})

    def remove_fault(self, _req, groups):
        removed = self.app.faults.remove(groups["id"])
        return Response.json(200 if removed else 404, {"removed": removed})

    def get_clock(self, _req, _groups):
        return Response.json(200, self.app.clock.describe())

    def set_clock(self, req, _groups):
        payload = req.json() or {}
        clock = self.app.clock
        if payload.get("freeze"):
            clock.freeze()
        if payload.get("resume"):
            clock.resume()
        if payload.get("scale") is not None:
            clock.set_scale(float(payload["scale"]))
        if payload.get("advance"):
            clock.advance(float(payload["advance"]))
        return Response.json(200, clock.describe())

    def state(self, _req, _groups):
        return Response.json(200, {"clock": self.app.clock.describe(), "scale_sets": self.app.compute.state(),
                                   "fleets": self.app.fleet.state()})

    def list_gates(self, _req, _groups):
        """Every gate the fleets' runs have reached, as Azure's gates resource shows them (plus update_run)."""
        return Response.json(200, {"fleets": self.app.gates.state()})

    def approve_gate(self, _req, groups):
        """A person approving the gate in the portal: no token, not logged, and the run goes on from now."""
        try:
            body = self.app.gates.approve_by_name(groups["name"])
        except ArmError as exc:
            return Response.json(exc.status, {"error": {"code": exc.code, "message": exc.message}})
        if body is None:
            return Response.json(404, {"error": {"code": "NotFound", "message": "No gate named %s has been reached" % groups["name"]}})
        return Response.json(200, body)

    def reset_rate_limits(self, _req, _groups):
        self.app.rate_limits.reset()
        return Response.json(200, {"reset": True})
