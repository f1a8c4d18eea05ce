# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every Resource Manager route shares: bearer-token checks, api-version, subscriptions,
RBAC, paging, rate-limit headers, long-running operations and the error body."""

import datetime
import fnmatch
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


class RateLimits:
    """x-ms-ratelimit-remaining-subscription-reads/writes: a budget per subscription and emulated hour."""

    def __init__(self, clock, reads, writes):
        self.clock, self.budget = clock, {"reads": reads, "writes": writes}
        self._lock = threading.Lock()
        self._used = {}

    def take(self, subscription, kind):
        hour = int(self.clock.elapsed() // 3600)
        with self._lock:
            key = (subscription.lower(), kind, hour)
            self._used[key] = self._used.get(key, 0) + 1
            return max(0, self.budget[kind] - self._used[key])


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

    def rate_headers(self, req, sub_id):
        kind = "reads" if req.method == "GET" else "writes"
        return {"x-ms-ratelimit-remaining-subscription-%s" % kind: str(self.rate_limits.take(sub_id, kind))}

    @staticmethod
    def lro_headers(base_url, prefix, op_id, api_version):
        """Azure-AsyncOperation (status JSON) and Location (202 until done) URLs."""
        status_url = "%s%s/operations/%s?api-version=%s" % (base_url, prefix, op_id, api_version)
        return {"Azure-AsyncOperation": status_url,
                "Location": "%s%s/operations/%s?monitor=true&api-version=%s" % (base_url, prefix, op_id, api_version)}
