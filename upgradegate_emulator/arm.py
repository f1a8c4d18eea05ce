# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every Resource Manager route shares: bearer-token checks, api-version, subscriptions,
RBAC, paging, rate-limit headers, long-running operations and the error body."""

import datetime
import fnmatch
import math
import threading

from .messages import Response
from .tokens import TokenError
from .util import first, iso, new_uuid

NOT_FOUND_FIX = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
DEFAULT_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")


class ArmError(Exception):
    """An ARM error response: status, code, message (+ optional target/details/headers)."""

    def __init__(self, status, code, message, headers=None, target=None, details=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.target, self.details = target, details

    def response(self):
        error = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        if self.details:
            error["details"] = self.details
        return Response.json(self.status, {"error": error}, self.headers)


def not_found(resource_type, name, resource_group):
    return ArmError(404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. %s"
                    % (resource_type, name, resource_group, NOT_FOUND_FIX))


def conflict(code, message):
    return ArmError(409, code, message)


def accepted_audiences(base_url, extra):
    audiences = set()
    for aud in (base_url,) + DEFAULT_AUDIENCES + tuple(extra or ()):
        audiences.add(aud.rstrip("/"))
        audiences.add(aud.rstrip("/") + "/")
    return audiences


def _arm_time(epoch):
    stamp = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    hour = stamp.hour % 12 or 12
    return "%d/%d/%d %d:%02d:%02d %s" % (stamp.month, stamp.day, stamp.year, hour, stamp.minute, stamp.second,
                                         "AM" if stamp.hour < 12 else "PM")


def action_allowed(permissions, action, scope):
    """RBAC check: no permissions list means full access; otherwise an action glob must match under a scope prefix."""
    if permissions is None:
        return True
    scope_l = scope.lower().rstrip("/") + "/"
    for perm in permissions:
        in_scope = any(scope_l.startswith(s.lower().rstrip("/") + "/") for s in perm["scopes"])
        if in_scope and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in perm["actions"]):
            return True
    return False


THROTTLED = ("Number of '%s' requests for subscription '%s' actor '%s' exceeded. Please try again after '%d' seconds after "
             "additional tokens are available. Refer to https://aka.ms/throttling for more information.")
COMPUTE_THROTTLED = ("The server rejected the request because too many requests have been received for this subscription. "
                     "Counter %s: retry after %d seconds.")


class RateLimits:
    """Resource Manager's read and write budgets, and Compute's per-resource counters.

    ``mode: hourly`` (the default) only counts: a budget per subscription
    (or tenant) and emulated hour behind the remaining-budget headers, never
    a 429. ``mode: bucket`` is Resource Manager's throttling since 2024: a
    token bucket per subscription (or tenant), identity and kind (reads,
    writes), ``reads``/``writes`` tokens, refilled at
    ``reads_per_second``/``writes_per_second``; an empty bucket answers 429
    with Retry-After. In bucket mode Compute GETs also count against the
    ``compute`` counters (fixed windows of ``seconds``) reported in
    ``x-ms-ratelimit-remaining-resource``. Time is the emulator's clock.
    """

    def __init__(self, clock, spec):
        self.clock = clock
        self.mode = spec.get("mode", "hourly")
        self.budget = {"reads": int(spec["reads"]), "writes": int(spec["writes"])}
        self.refill = {"reads": float(spec.get("reads_per_second", 0)), "writes": float(spec.get("writes_per_second", 0))}
        self.compute = [dict(counter) for counter in spec.get("compute") or []]
        self._lock = threading.Lock()
        self._used = {}
        self._buckets = {}
        self._windows = {}

    def reset(self):
        """Every bucket full and every counter at zero again (benchmarks between runs)."""
        with self._lock:
            self._used, self._buckets, self._windows = {}, {}, {}

    def take(self, scope, principal, kind, compute=False):
        """(headers, throttled error or None) for one request of ``kind`` in ``scope`` (``subscription:<id>`` or ``tenant:<id>``)."""
        level, name = scope.split(":", 1)
        header = "x-ms-ratelimit-remaining-%s-%s" % (level, kind)
        if self.mode != "bucket":
            hour = int(self.clock.elapsed() // 3600)
            with self._lock:
                key = (scope.lower(), kind, hour)
                self._used[key] = self._used.get(key, 0) + 1
                return {header: str(max(0, self.budget[kind] - self._used[key]))}, None
        now = self.clock.elapsed()
        with self._lock:
            key = (scope.lower(), (principal or "").lower(), kind)
            tokens, stamp = self._buckets.get(key, (float(self.budget[kind]), now))
            tokens = min(float(self.budget[kind]), tokens + (now - stamp) * self.refill[kind])
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.refill[kind] if self.refill[kind] > 0 else 3600.0
                seconds = max(1, int(math.ceil(wait)))
                headers = {header: "0", "Retry-After": str(seconds)}
                message = THROTTLED % ("read" if kind == "reads" else "write", name, principal, seconds)
                return headers, ArmError(429, "SubscriptionRequestsThrottled" if level == "subscription" else "TenantRequestsThrottled",
                                         message, headers)
            tokens -= 1.0
            self._buckets[key] = (tokens, now)
            headers = {header: str(int(tokens))}
            if compute and kind == "reads" and self.compute:
                throttled = self._compute_counters(scope.lower(), (principal or "").lower(), now, headers)
                if throttled is not None:
                    self._buckets[key] = (tokens + 1.0, now)  # Compute refused it: Resource Manager's token is given back
                    headers[header] = throttled.headers[header] = str(int(tokens + 1.0))
                    return headers, throttled
            return headers, None

    def _compute_counters(self, scope, principal, now, headers):
        """Count one Compute read in every window; headers get x-ms-ratelimit-remaining-resource (lock held)."""
        parts, refused = [], None
        for counter in self.compute:
            seconds = float(counter["seconds"])
            window = int(now // seconds)
            key = (scope, principal, counter["name"], window)
            used = self._windows.get(key, 0)
            if used >= int(counter["limit"]) and refused is None:
                refused = (counter["name"], max(1, int(math.ceil((window + 1) * seconds - now))))
        for counter in self.compute:
            window = int(now // float(counter["seconds"]))
            key = (scope, principal, counter["name"], window)
            if refused is None:
                self._windows[key] = self._windows.get(key, 0) + 1
            parts.append("Microsoft.Compute/%s;%d" % (counter["name"], max(0, int(counter["limit"]) - self._windows.get(key, 0))))
        headers["x-ms-ratelimit-remaining-resource"] = ",".join(parts)
        if refused is None:
            return None
        headers["Retry-After"] = str(refused[1])
        return ArmError(429, "OperationNotAllowed", COMPUTE_THROTTLED % refused, dict(headers))


class Operations:
    """Long-running operations: Azure-AsyncOperation and Location URLs, and their status."""

    def __init__(self, clock):
        self.clock = clock
        self._ops = {}
        self._lock = threading.Lock()

    def add(self, status_fn, retry_after=5):
        """status_fn() -> (status, error) with status InProgress, Succeeded, Failed or Canceled; called once per poll."""
        op_id = new_uuid()
        with self._lock:
            self._ops[op_id] = {"start": self.clock.now(), "status_fn": status_fn, "end": None, "retry_after": retry_after}
        return op_id

    def running(self, op_id):
        """True while the operation has not been seen to end (it ends when a poll finds it ended)."""
        with self._lock:
            op = self._ops.get(op_id)
        return op is not None and op["end"] is None

    def status(self, op_id):
        with self._lock:
            op = self._ops.get(op_id)
        if op is None:
            return None
        status, error = op["status_fn"]()
        if status != "InProgress" and op["end"] is None:
            op["end"] = self.clock.now()
        body = {"startTime": iso(op["start"]), "status": status, "name": op_id}
        if op["end"] is not None:
            body["endTime"] = iso(op["end"])
        if error:
            body["error"] = error
        return body

    def response(self, op_id, monitor):
        body = self.status(op_id)
        if body is None:
            raise ArmError(404, "NotFound", "The operation '%s' was not found." % op_id)
        retry = {"Retry-After": str(self._ops[op_id]["retry_after"])}
        if not monitor:
            return Response.json(200, body, retry if body["status"] == "InProgress" else {})
        if body["status"] == "InProgress":
            return Response.empty(202, retry)
        if body.get("error"):
            return Response.json(400 if body["status"] == "Failed" else 409, {"error": body["error"]})
        return Response.empty(200)


class Arm:
    """Checks shared by every ARM route, in ARM's order: token, api-version, subscription, RBAC."""

    def __init__(self, base_url, clock, tokens, audiences, subscriptions, api_versions, principals, rate_limits):
        self.base_url = base_url
        self.clock = clock
        self.tokens = tokens
        self.audiences = audiences
        self.subscriptions = {s["id"].lower(): s for s in subscriptions}
        self.api_versions = api_versions
        self.principals = principals  # appid (lower) -> permissions list or None
        self.rate_limits = rate_limits

    def _unauthorized(self, code, message, tenant="common"):
        header = 'Bearer authorization_uri="%s/%s", error="invalid_token", error_description="%s"' % (
            self.base_url, tenant, message)
        return ArmError(401, code, message, {"WWW-Authenticate": header})

    def authenticate(self, req):
        auth = req.header("authorization")
        if not auth:
            raise self._unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        scheme, _sep, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise self._unauthorized("AuthenticationFailed",
                                     "Authentication failed. The 'Authorization' header is provided in an invalid format.")
        now = self.clock.now()
        try:
            claims = self.tokens.validate(token.strip(), now)
        except TokenError as exc:
            req.context.update(token_id=exc.claims.get("jti"), principal=exc.claims.get("appid"))
            if exc.kind == "expired":
                raise self._unauthorized("ExpiredAuthenticationToken", (
                    "The access token expiry UTC time '%s' is earlier than current UTC time '%s'."
                    % (_arm_time(exc.claims["exp"]), _arm_time(now))), exc.claims.get("tid", "common")) from exc
            raise self._unauthorized("InvalidAuthenticationToken", "The access token is invalid.") from exc
        req.context.update(token_id=claims.get("jti"), principal=claims.get("appid"))
        if claims.get("aud") not in self.audiences:
            allowed = ",".join("'%s'" % a for a in sorted(self.audiences))
            raise self._unauthorized("InvalidAuthenticationTokenAudience", (
                "The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one "
                "of the allowed audiences %s." % (claims.get("aud"), allowed)), claims.get("tid", "common"))
        return claims

    def check_api_version(self, req, provider):
        version = req.query.get("api-version")
        if not version:
            raise ArmError(400, "MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all requests.")
        supported = self.api_versions[provider]
        if version not in supported:
            raise ArmError(400, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are '%s'."
                           % (version, ",".join(supported)))
        return version

    def subscription(self, sub_id, claims):
        sub = self.subscriptions.get(sub_id.lower())
        if sub is None:
            raise ArmError(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % sub_id)
        if claims.get("tid", "").lower() != sub["tenant"].lower():
            raise self._unauthorized("InvalidAuthenticationTokenTenant", (
                "The access token is from the wrong issuer '%s'. It must match the tenant '%s/%s/' associated with this "
                "subscription. Please use the authority (URL) '%s/%s' to get the token."
                % (claims.get("iss"), self.base_url, sub["tenant"], self.base_url, sub["tenant"])), sub["tenant"])
        return sub

    def authorize(self, claims, action, scope):
        permissions = self.principals.get((claims.get("appid") or "").lower())
        if not action_allowed(permissions, action, scope):
            raise ArmError(403, "AuthorizationFailed", (
                "The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' "
                "or the scope is invalid. If access was recently granted, please refresh your credentials."
                % (claims.get("appid"), claims.get("oid"), action, scope)))

    @staticmethod
    def resource_group(sub, name):
        rg = first(sub["resource_groups"], lambda r: r["name"].lower() == name.lower())
        if rg is None:
            raise ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % name)
        return rg

    def begin(self, req, provider, action, scope, sub_id):
        """Run the shared checks; return (claims, subscription)."""
        claims = self.authenticate(req)
        self.throttle(req, "subscription:" + sub_id, claims, compute=provider == "compute")
        self.check_api_version(req, provider)
        sub = self.subscription(sub_id, claims)
        self.authorize(claims, action, scope)
        req.context["claims"] = claims
        return claims, sub

    def page(self, req, items, page_size):
        """One page of a list and its absolute nextLink on the emulator."""
        try:
            offset = max(0, int(req.query.get("$skiptoken", "0")))
        except ValueError as exc:
            raise ArmError(400, "InvalidSkipToken", "The skip token is not valid.") from exc
        body = {"value": items[offset:offset + page_size]}
        if offset + page_size < len(items):
            body["nextLink"] = "%s%s?api-version=%s&$skiptoken=%d" % (
                self.base_url, req.raw_path, req.query.get("api-version"), offset + page_size)
        return body

    def throttle(self, req, scope, claims, compute=False):
        """Take one token of the caller's budget; its headers go on the response whatever it is (app._dispatch)."""
        kind = "reads" if req.method == "GET" else "writes"
        headers, throttled = self.rate_limits.take(scope, claims.get("appid"), kind, compute=compute)
        req.context["rate_headers"] = headers
        if throttled is not None:
            raise throttled

    @staticmethod
    def rate_headers(req, _sub_id=None):
        """The remaining-budget headers of this request (taken by ``throttle``)."""
        return dict(req.context.get("rate_headers") or {})

    @staticmethod
    def lro_headers(base_url, prefix, op_id, api_version):
        """Azure-AsyncOperation (status JSON) and Location (202 until done) URLs."""
        status_url = "%s%s/operations/%s?api-version=%s" % (base_url, prefix, op_id, api_version)
        return {"Azure-AsyncOperation": status_url,
                "Location": "%s%s/operations/%s?monitor=true&api-version=%s" % (base_url, prefix, op_id, api_version)}
