# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pacing reads by Resource Manager's throttling budget, so that a fan-out does not run the bucket dry.

Resource Manager keeps a token bucket per subscription and identity (250
reads, refilled at 25 per second since 2024) and says what is left in
``x-ms-ratelimit-remaining-subscription-reads`` (tenant-level reads:
``...-tenant-reads``) on every answer; Compute adds its own counters in
``x-ms-ratelimit-remaining-resource``. One ``Pacer`` is shared by every
thread of a module run: before a GET it takes a token from its estimate of
the subscription's bucket, waiting for the refill when the estimate is down to
the reserve; every answer corrects the estimate. A 429 stays a fallback (the
client honours its Retry-After), not the way the limit is learnt.

The defaults live here and nowhere else. Nothing here does I/O; the clock and
the sleep are injected.
"""

import math
import re
import threading
import time

# Resource Manager's read bucket, assumed until an answer says otherwise.
BUCKET_SIZE = 250
REFILL_PER_SECOND = 25.0
# Tokens left untouched: for other clients of the same identity (a gate, the portal) and estimation errors.
RESERVE = 10
# Reads in flight at once for one subscription, and for all subscriptions read side by side (threads and connections).
FANOUT_WIDTH = 32
TOTAL_WIDTH = 64
# Subscriptions read side by side at most; each gets TOTAL_WIDTH divided among them.
SUBSCRIPTIONS_AT_ONCE = 8
# The client before pacing: a fixed width, learning the limit from 429s (bench baseline only, see ENV_SWITCH).
UNPACED_WIDTH = 8
# When a Compute counter says nothing is left: one read per this many seconds, to learn when it is back.
PROBE_SECONDS = 1.0
# Internal switch, not a module option: UPGRADEGATE_PACING=off gives the client before pacing (bench/README.md).
ENV_SWITCH = "UPGRADEGATE_PACING"

REMAINING_HEADERS = ("x-ms-ratelimit-remaining-subscription-reads", "x-ms-ratelimit-remaining-tenant-reads")
RESOURCE_HEADER = "x-ms-ratelimit-remaining-resource"
_EPSILON = 1e-6
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/?#]+)", re.IGNORECASE)


def scope_of(path):
    """The budget a request draws from: ``subscription/<id>`` (lower case), or ``tenant`` for tenant-level reads."""
    found = _SUBSCRIPTION.match(path or "")
    return "subscription/" + found.group(1).lower() if found else "tenant"


def _header(headers, name):
    if headers is None:
        return None
    value = headers.get(name)
    if value is None and hasattr(headers, "items"):
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def remaining_reads(headers):
    """Resource Manager's remaining reads from an answer's headers, or None."""
    for name in REMAINING_HEADERS:
        value = _header(headers, name)
        if value is not None:
            try:
                return max(0, int(str(value).strip()))
            except ValueError:
                return None
    return None


def resource_counters(headers):
    """Compute's counters, ``{"Microsoft.Compute/GetVMScaleSet3Min": 197, ...}``; unreadable parts are skipped."""
    value = _header(headers, RESOURCE_HEADER)
    counters = {}
    for part in str(value or "").split(","):
        name, sep, count = part.strip().rpartition(";")
        if sep and name:
            try:
                counters[name] = max(0, int(count))
            except ValueError:
                continue
    return counters


class Budget:
    """One scope's bucket as the client sees it (the Pacer holds the lock).

    ``level`` is the estimate of the tokens left, refilled at ``rate`` up to
    ``capacity``. An answer to request number ``seq`` says ``remaining``; the
    requests admitted after it may not have been counted yet, so the estimate
    becomes ``remaining - (admitted - seq)``: never more than the server has.
    Only an answer newer than every answer seen so far may raise the estimate.
    """

    def __init__(self, now, size=BUCKET_SIZE, rate=REFILL_PER_SECOND):
        self.capacity = float(size)
        self.rate = float(rate)
        self.level = float(size)
        self.stamp = now
        self.admitted = 0
        self.newest = 0
        self.resource = None  # Compute's lowest counter, corrected like the level; None when never reported
        self.probe_at = None

    def refill(self, now):
        if now > self.stamp:
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)

    def reserve(self, reserve):
        """The reserve, at most a quarter of the bucket, at least one token."""
        return max(1.0, min(float(reserve), math.floor(self.capacity / 4.0)))

    def wait(self, now, reserve):
        """Seconds before the next read may go (0: now)."""
        self.refill(now)
        if self.resource is not None and self.resource < 1:
            if self.probe_at is None:
                self.probe_at = now + PROBE_SECONDS
            if now < self.probe_at:
                return self.probe_at - now
        needed = 1.0 + self.reserve(reserve) - self.level
        if needed <= _EPSILON:  # a token, give or take the rounding of the refill
            return 0.0
        return needed / self.rate if self.rate > 0 else PROBE_SECONDS

    def take(self):
        self.level -= 1.0
        self.admitted += 1
        if self.resource is not None:
            self.resource -= 1
            if self.resource < 1:
                self.probe_at = None
        return self.admitted

    def observe(self, seq, remaining, counters, now):
        self.refill(now)
        unseen = self.admitted - seq
        newer = seq > self.newest
        if remaining is not None:
            self.capacity = max(self.capacity, float(remaining + 1))  # a larger budget (hourly counters) is taken as said
            estimate = float(remaining - unseen)
            self.level = estimate if newer else min(self.level, estimate)
        if counters:
            estimate = min(counters.values()) - unseen
            self.resource = estimate if newer or self.resource is None else min(self.resource, estimate)
        if newer and (remaining is not None or counters):
            self.newest = seq


class Pacer:
    """Paces the GETs of one client, per subscription; safe to share between threads."""

    def __init__(self, size=BUCKET_SIZE, rate=REFILL_PER_SECOND, reserve=RESERVE, clock=time.monotonic, sleep=time.sleep):
        self.size, self.rate, self.reserve = size, rate, reserve
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._budgets = {}

    def budget(self, scope):
        with self._lock:
            return self._budget(scope)

    def _budget(self, scope):
        if scope not in self._budgets:
            self._budgets[scope] = Budget(self._clock(), self.size, self.rate)
        return self._budgets[scope]

    def admit(self, scope, deadline=None):
        """Wait until ``scope`` has a token to spare (or the deadline comes), take it; returns the request's number."""
        while True:
            with self._lock:
                budget = self._budget(scope)
                now = self._clock()
                wait = budget.wait(now, self.reserve)
                if wait <= 0 or (deadline is not None and now >= deadline):
                    return budget.take()
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - now))
            self._sleep(wait)

    def observe(self, scope, seq, headers):
        """Correct the estimate of ``scope`` from the headers of the answer to request ``seq`` (None: no answer)."""
        remaining, counters = remaining_reads(headers), resource_counters(headers)
        if remaining is None and not counters:
            return
        with self._lock:
            self._budget(scope).observe(seq, remaining, counters, self._clock())

    def call(self, method, path, deadline, send):
        """``send()`` one request, paced when it is a GET; returns its response (exceptions pass through)."""
        if method != "GET":
            return send()
        scope = scope_of(path)
        seq = self.admit(scope, deadline)
        response = send()
        self.observe(scope, seq, getattr(response, "headers", None))
        return response


class Unpaced:
    """The client before pacing: sends at once, learns the limit only from 429s."""

    @staticmethod
    def call(_method, _path, _deadline, send):
        return send()


def from_environment(environ, clock=time.monotonic, sleep=time.sleep):
    """A Pacer, or Unpaced when the internal switch ``UPGRADEGATE_PACING=off`` is set (benchmark baseline)."""
    if str(environ.get(ENV_SWITCH, "")).strip().lower() == "off":
        return Unpaced()
    return Pacer(clock=clock, sleep=sleep)


def fanout_width(pacer, scopes=1):
    """Reads in flight at once for each of ``scopes`` subscriptions read side by side."""
    if not isinstance(pacer, Pacer):
        return UNPACED_WIDTH
    return max(1, min(FANOUT_WIDTH, TOTAL_WIDTH // max(1, scopes)))


def subscriptions_at_once(count):
    return max(1, min(SUBSCRIPTIONS_AT_ONCE, count))


def pool_size(scopes=1):
    """Connections a module run needs for ``scopes`` subscriptions read side by side (None: not known before listing)."""
    if scopes is None:
        return TOTAL_WIDTH
    return max(UNPACED_WIDTH, min(TOTAL_WIDTH, FANOUT_WIDTH * subscriptions_at_once(scopes)))
