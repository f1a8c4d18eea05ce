# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""When to retry a Resource Manager request, and how long to wait first.

The schedule is an object apart from the request loop, so tests use a
zero-delay schedule and never sleep.
"""

import math
import random
import time
from email.utils import parsedate_to_datetime

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import TRANSIENT_STATUSES

# Throttling and transient server faults (one list, in _errors). Connection errors and read timeouts are retried too.
RETRY_STATUSES = TRANSIENT_STATUSES
# The longest Retry-After believed, in seconds: an absurd one (twenty digits, a date in the year 9999) waits this long at most.
MAX_RETRY_AFTER = 3600.0


class Backoff:
    """Capped exponential backoff with full jitter.

    The wait before retry ``n`` (0-based) is uniform in
    ``[0, min(cap, base * 2 ** n)]``; at most ``retries`` retries are made.
    The defaults wait 15.5 s at the very most in all (7.75 s on average), so
    a persistent fault surfaces quickly; a 429's Retry-After is honoured
    whatever its length.
    """

    def __init__(self, retries=5, base=0.5, cap=10.0, rng=random.random):
        self.retries = retries
        self.base = base
        self.cap = cap
        self._rng = rng

    def delay(self, attempt):
        return self._rng() * min(self.cap, self.base * (2 ** attempt))


def zero_delay(retries=6):
    """A schedule that retries at once: for tests."""
    return Backoff(retries=retries, base=0.0, cap=0.0)


def parse_retry_after(headers, now=None):
    """Seconds to wait from Retry-After (seconds or an HTTP date) or retry-after-ms, at most MAX_RETRY_AFTER;
    None if absent or unreadable."""
    seconds = _retry_after(headers, now)
    return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


def _retry_after(headers, now):
    for name, scale in (("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001)):
        seconds = _number(headers.get(name))
        if seconds is not None:
            return seconds * scale
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value.strip())
        if when is None:
            return None
        now = time.time() if now is None else now
        return max(0.0, when.timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number >= 0 and not math.isnan(number) else None
