# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection: rules matched by method and path regex, each used `count` times or until removed."""

import random
import re
import threading

from .messages import Response
from .util import dumps, http_date, new_uuid

LATENCY = "latency"
SHORT_TOKEN = "short_token"
BEFORE = ("throttle", "error", "drop", "html_error", "unauthorized")
AFTER = ("slow_body", "malformed_json", "empty_body", "truncated_body", "reset_mid_body", "bad_gzip", "deep_json", "replace_body")
KINDS = (LATENCY, SHORT_TOKEN) + BEFORE + AFTER
FIELDS = {"id", "kind", "method", "path", "count", "after", "latency_ms", "jitter_ms", "status", "retry_after",
          "retry_after_format", "chunk_bytes", "chunk_delay_ms", "lifetime", "depth", "body"}
ERROR_CODES = {500: ("InternalServerError", "Encountered internal server error."),
               502: ("BadGateway", "The gateway received an invalid response from the resource provider."),
               503: ("ServiceUnavailable", "The resource provider is currently unavailable. Please retry the request."),
               504: ("GatewayTimeout", "The gateway did not receive a response from the resource provider within the "
                                       "specified time period.")}
HTML_PAGE = ("<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>"
             "\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


class FaultError(ValueError):
    """A fault rule that cannot be used."""


class Rule:
    def __init__(self, spec):
        unknown = set(spec) - FIELDS
        if unknown:
            raise FaultError("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
        if spec.get("kind") not in KINDS:
            raise FaultError("fault kind must be one of %s" % ", ".join(KINDS))
        self.spec = dict(spec)
        self.id = str(spec.get("id") or new_uuid()[:8])
        self.kind = spec["kind"]
        self.method = (spec.get("method") or "").upper() or None
        try:
            self.path = re.compile(spec["path"], re.IGNORECASE) if spec.get("path") else None
        except re.error as exc:
            raise FaultError("bad path regex: %s" % exc) from exc
        self.remaining = spec.get("count")
        self.skip = int(spec.get("after") or 0)
        self.hits = 0
        if self.kind == "error" and int(spec.get("status", 503)) not in ERROR_CODES:
            raise FaultError("error faults take status 500, 502, 503 or 504")

    def matches(self, method, path):
        if self.method and self.method != method:
            return False
        return self.path is None or bool(self.path.search(path))

    def take(self):
        """Consume one use; False while skipping the first `after` matches or when used up."""
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
        self.hits += 1
        return True

    def describe(self):
        out = dict(self.spec)
        out.update(id=self.id, remaining=self.remaining, hits=self.hits)
        return out


class Faults:
    def __init__(self, specs=()):
        self._lock = threading.Lock()
        self._rules = []
        for spec in specs:
            self.add(spec)

    def add(self, spec):
        rule = Rule(spec)
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rule.id] + [rule]
        return rule

    def remove(self, rule_id=None):
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if rule_id is not None and r.id != rule_id]
            return before - len(self._rules)

    def list(self):
        with self._lock:
            return [r.describe() for r in self._rules]

    def _take_first(self, kinds, method, path):
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and rule.matches(method, path) and rule.take():
                    return rule
        return None

    def latency(self, method, path):
        """Seconds to wait before answering (every matching latency rule adds up)."""
        total = 0.0
        with self._lock:
            for rule in self._rules:
                if rule.kind == LATENCY and rule.matches(method, path) and rule.take():
                    jitter = float(rule.spec.get("jitter_ms", 0))
                    total += max(0.0, float(rule.spec.get("latency_ms", 0)) + random.uniform(-jitter, jitter)) / 1000.0
        return total

    def before(self, method, path):
        return self._take_first(BEFORE, method, path)

    def after(self, method, path):
        return self._take_first(AFTER, method, path)

    def token_lifetime(self, method, path):
        rule = self._take_first((SHORT_TOKEN,), method, path)
        return None if rule is None else int(rule.spec.get("lifetime", 5))


def _retry_after(spec, now):
    value = spec.get("retry_after", 5)
    fmt = spec.get("retry_after_format", "seconds")
    if value is None or fmt == "none":
        return {}
    if fmt == "http-date":
        return {"Retry-After": http_date(now + float(value))}
    return {"Retry-After": str(int(value))}


def before_response(rule, base_url, now, subscription="", principal=""):
    """The response a BEFORE rule sends instead of the real one."""
    spec = rule.spec
    if rule.kind == "drop":
        resp = Response.empty(0)
        resp.drop = True
        return resp
    if rule.kind == "throttle":
        message = ("Number of 'read' requests for subscription '%s' actor '%s' exceeded. Please try again after '%s' "
                   "seconds after additional tokens are available. Refer to https://aka.ms/throttling for more information."
                   % (subscription, principal, spec.get("retry_after", 5)))
        return Response.json(429, {"error": {"code": "SubscriptionRequestsThrottled", "message": message}}, _retry_after(spec, now))
    if rule.kind == "error":
        status = int(spec.get("status", 503))
        code, message = ERROR_CODES[status]
        headers = _retry_after(spec, now) if "retry_after" in spec else {}
        return Response.json(status, {"error": {"code": code, "message": message}}, headers)
    if rule.kind == "html_error":
        status = int(spec.get("status", 502))
        page = HTML_PAGE.format(status=status, reason=REASONS.get(status, "Error")).encode()
        return Response(status, page, content_type="text/html")
    message = "The access token is invalid."
    header = 'Bearer authorization_uri="%s/common", error="invalid_token", error_description="%s"' % (base_url, message)
    return Response.json(401, {"error": {"code": "InvalidAuthenticationToken", "message": message}},
                         {"WWW-Authenticate": header})


def after_response(rule, resp):
    """Spoil a real response according to an AFTER rule."""
    spec = rule.spec
    if rule.kind == "slow_body":
        resp.trickle = (int(spec.get("chunk_bytes", 16)), float(spec.get("chunk_delay_ms", 1000)) / 1000.0)
    elif rule.kind == "malformed_json":
        resp.body = resp.body[:max(1, len(resp.body) // 2)] or b"{"
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
    elif rule.kind == "empty_body":
        resp.status, resp.body = 200, b""
    elif rule.kind in ("truncated_body", "reset_mid_body"):
        # Content-Length of the whole body, then half of it, then the connection closed (or reset).
        resp.cut = "close" if rule.kind == "truncated_body" else "reset"
    elif rule.kind == "bad_gzip":
        resp.headers["Content-Encoding"] = "gzip"
    elif rule.kind == "deep_json":
        depth = int(spec.get("depth", 100000))
        resp.body = b'{"error": ' + b"[" * depth + b"]" * depth + b"}"
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        if "status" in spec:
            resp.status = int(spec["status"])
    elif rule.kind == "replace_body":  # "{hit}" in the body becomes the rule's hit count: distinct pages, endless links
        resp.body = dumps(spec.get("body")).replace(b"{hit}", str(rule.hits).encode())
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        resp.status = int(spec.get("status", 200))
    return resp
