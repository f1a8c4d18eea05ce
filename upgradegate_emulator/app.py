# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator application: routing, faults, the request log.  Transport-free (see server.py)."""

import collections
import os
import re
import secrets
import threading
import time

from .arm import Arm, ArmError, Operations, RateLimits, accepted_audiences
from .arm_compute import Compute
from .arm_fleet import FleetService
from .fleet_gates import GateService
from .arm_resources import Resources
from .clock import Clock
from .entra import Directory, Entra
from .faults import Faults, after_response, before_response
from .inspection import PREFIX, Inspection
from .messages import Response
from .msi import ManagedIdentityEndpoint
from .tls import load_certificate, load_or_create_client_cert
from .tokens import TokenService, load_or_create_key
from .util import new_uuid

TOKEN_KINDS = ("entra_token", "msi_token")


class RequestLog:
    """The request log (bounded) and per-route / status counters."""

    def __init__(self, clock, limit=100000):
        self.clock = clock
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=limit)
        self._counters = {}
        self._seq = 0

    def add(self, entry):
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            by_status = self._counters.setdefault(entry["route"], {})
            key = str(entry["status"])
            by_status[key] = by_status.get(key, 0) + 1

    def entries(self, since=0):
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > since]

    def counters(self):
        with self._lock:
            routes = {route: dict(statuses) for route, statuses in self._counters.items()}
        total = sum(sum(s.values()) for s in routes.values())
        return {"total": total, "routes": routes}

    def reset(self):
        with self._lock:
            self._entries.clear()
            self._counters = {}


def _remaining(headers):
    """The Resource Manager budget left after this request, as the response says (None when it says nothing)."""
    for name, value in headers.items():
        if name.lower().startswith("x-ms-ratelimit-remaining-") and name.lower() != "x-ms-ratelimit-remaining-resource":
            return int(value)
    return None


def _principals(tenants):
    out = {}
    for tenant in tenants:
        for principal in tenant["clients"] + tenant["managed_identities"]:
            out[principal["client_id"].lower()] = principal.get("permissions")
    return out


class Emulator:
    """Everything but the sockets.  `handle(request) -> Response`."""

    def __init__(self, scenario, base_url, state_dir):
        self.scenario = scenario
        self.base_url = base_url
        self.state_dir = state_dir
        self.clock = Clock(scenario["time_scale"])
        self.tokens = TokenService(load_or_create_key(state_dir), base_url)
        self.audiences = accepted_audiences(base_url, scenario["accepted_audiences"])
        self.directory = Directory(scenario["tenants"])
        self.client_certificates, certificates = self._client_certificates()
        self.federated_token_files = self._federated_token_files()
        self.identity_secret = scenario.get("identity_header") or secrets.token_urlsafe(24)
        lifetime = scenario["token_lifetime"]
        resources = self.audiences | accepted_audiences(base_url, scenario["token_resources"])
        self.entra = Entra(base_url, self.directory, self.tokens, self.clock, resources, lifetime, certificates)
        self.msi = ManagedIdentityEndpoint(self.directory, self.tokens, self.clock, resources, lifetime, self.identity_secret)
        self.operations = Operations(self.clock)
        self.rate_limits = rate = RateLimits(self.clock, scenario["rate_limit"])
        self.arm = Arm(base_url, self.clock, self.tokens, self.audiences, scenario["subscriptions"], scenario["api_versions"],
                       _principals(scenario["tenants"]), rate)
        self.compute = Compute(self.arm, self.operations, scenario, self.clock)
        self.fleet = FleetService(self.arm, self.operations, scenario, self.clock)
        self.gates = GateService(self.fleet, self.operations)
        self.resources = Resources(self.arm, scenario)
        self.faults = Faults(scenario["faults"])
        self.log = RequestLog(self.clock)
        self.inspection = Inspection(self)
        self.routes = self._routes()

    # -- set-up -------------------------------------------------------------------------------

    def _client_certificates(self):
        """Load declared client certificates; write generated ones.  Returns (paths by client, certs by client)."""
        paths, certs = {}, {}
        for tenant in self.scenario["tenants"]:
            for client in tenant["clients"]:
                spec = client.get("certificate")
                if not spec:
                    continue
                if spec.get("generate"):
                    path = os.path.join(self.state_dir, "client-%s.pem" % client["client_id"])
                    certs[client["client_id"]] = load_or_create_client_cert(path, client["client_id"])
                else:
                    path = spec["path"]
                    certs[client["client_id"]] = load_certificate(path)
                paths[client["client_id"]] = path
        return paths, certs

    def _federated_token_files(self):
        files = {}
        for tenant in self.scenario["tenants"]:
            for client in tenant["clients"]:
                if client.get("federated_token"):
                    path = os.path.join(self.state_dir, "federated-%s.token" % client["client_id"])
                    with open(path, "w", encoding="utf-8") as handle:
                        handle.write(client["federated_token"])
                    files[client["client_id"]] = path
        return files

    def _routes(self):
        table = [
            ("GET", r"/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration",
             lambda r, g: self.entra.openid_configuration(r, g["tenant"]), "entra_openid", "entra"),
            ("GET", r"/(?P<tenant>[^/]+)/\.well-known/openid-configuration",
             lambda r, g: self.entra.openid_configuration(r, g["tenant"]), "entra_openid", "entra"),
            ("POST", r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token", self._entra_token, "entra_token", "entra"),
            ("GET", r"/common/discovery/instance", lambda r, g: self.entra.instance_discovery(r), "entra_discovery", "entra"),
            ("GET", r"/msi/token", self._msi_token, "msi_token", "msi"),
        ]
        table += [(m, p, h, n, "arm") for m, p, h, n in self.compute.routes() + self.fleet.routes() + self.gates.routes()
                  + self.resources.routes()]
        return [(m, re.compile(p, re.IGNORECASE), h, n, k) for m, p, h, n, k in table]

    def _entra_token(self, req, groups):
        return self.entra.token(req, groups["tenant"], self.faults.token_lifetime(req.method, req.path))

    def _msi_token(self, req, _groups):
        return self.msi.token(req, self.faults.token_lifetime(req.method, req.path))

    # -- handling -----------------------------------------------------------------------------

    def match(self, req):
        for method, pattern, handler, name, kind in self.routes:
            found = pattern.fullmatch(req.path)
            if found and method == req.method:
                return handler, found.groupdict(), name, kind
        return None, {}, "unmatched", "unmatched"

    def handle(self, req, msi_only=False):
        """Answer one request (faults, routing, log, common headers)."""
        if req.path.startswith(PREFIX + "/") or req.path == PREFIX:
            return self._finish(req, self.inspection.handle(req), log=False)
        started = time.time()
        handler, groups, name, kind = self.match(req)
        if msi_only and kind != "msi":
            handler, name, kind = None, "unmatched", "unmatched"
        req.context.update(route=name, kind=kind)
        delay = self.faults.latency(req.method, req.path)
        if delay:
            time.sleep(delay)
        rule = self.faults.before(req.method, req.path)
        if rule is not None:
            req.context["fault"] = "%s:%s" % (rule.kind, rule.id)
            resp = before_response(rule, self.base_url, time.time(), groups.get("sub", ""), "")
        else:
            resp = self._dispatch(req, handler, groups)
            rule = self.faults.after(req.method, req.path)
            if rule is not None:
                req.context["fault"] = "%s:%s" % (rule.kind, rule.id)
                resp = after_response(rule, resp)
        return self._finish(req, resp, log=True, started=started)

    def _dispatch(self, req, handler, groups):
        if handler is None:
            return self._no_route(req)
        try:
            resp = handler(req, groups)
        except ArmError as exc:
            resp = exc.response()
        for name, value in (req.context.get("rate_headers") or {}).items():
            resp.headers.setdefault(name, value)
        return resp

    @staticmethod
    def _no_route(req):
        if req.path.lower().startswith("/subscriptions/"):
            return Response.json(404, {"error": {"code": "InvalidResourceType", "message": (
                "The resource type could not be found for the request %s %s." % (req.method, req.path))}})
        return Response.json(404, {"error": {"code": "NotFound", "message": "No route for %s %s" % (req.method, req.path)}})

    def _finish(self, req, resp, log, started=None):
        client_request_id = req.header("x-ms-client-request-id") or req.header("client-request-id")
        correlation = req.header("x-ms-correlation-request-id") or client_request_id or new_uuid()
        request_id = new_uuid()
        resp.headers.setdefault("x-ms-request-id", request_id)
        resp.headers["x-ms-correlation-request-id"] = correlation
        if client_request_id:
            resp.headers["x-ms-client-request-id"] = client_request_id
        if log:
            now = time.time()
            self.log.add({
                "time": now, "offset": now - self.clock.start_epoch, "elapsed": self.clock.elapsed(),
                "duration_ms": round((now - (started or now)) * 1000.0, 3),
                "method": req.method, "path": req.path, "query": req.query_string, "scheme": req.scheme,
                "route": req.context.get("route", "unmatched"), "kind": req.context.get("kind"),
                "status": 0 if resp.drop else resp.status, "dropped": resp.drop,
                "token_id": req.context.get("token_id"), "principal": req.context.get("principal"),
                "client_request_id": client_request_id, "correlation_id": correlation, "request_id": request_id,
                "fault": req.context.get("fault"), "client_port": req.client_port, "if_match": req.header("if-match"),
                "ratelimit_remaining": _remaining(resp.headers), "ratelimit_resource": resp.headers.get("x-ms-ratelimit-remaining-resource"),
            })
        return resp
