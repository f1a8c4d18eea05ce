# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later

from email.utils import formatdate

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import TRANSIENT_STATUSES, ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._retry import MAX_RETRY_AFTER, RETRY_STATUSES, Backoff, parse_retry_after, zero_delay


def test_backoff_grows_exponentially_up_to_the_cap_with_full_jitter():
    top = Backoff(retries=8, base=1.0, cap=10.0, rng=lambda: 1.0)
    assert [top.delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    bottom = Backoff(retries=8, base=1.0, cap=10.0, rng=lambda: 0.0)
    assert bottom.delay(5) == 0.0


def test_a_zero_delay_schedule_never_waits():
    assert {zero_delay().delay(n) for n in range(10)} == {0.0}


@pytest.mark.parametrize("headers, expected", [
    ({"retry-after": "2"}, 2.0),
    ({"retry-after": "0"}, 0.0),
    ({"retry-after": "1.5"}, 1.5),
    ({"retry-after-ms": "250"}, 0.25),
    ({"x-ms-retry-after-ms": "1000", "retry-after": "9"}, 1.0),
    ({}, None),
    ({"retry-after": "soon"}, None),
    ({"retry-after": "-3"}, None),
])
def test_retry_after_in_seconds_and_milliseconds(headers, expected):
    assert parse_retry_after(headers) == expected


def test_retry_after_as_an_http_date_counts_from_now():
    now = 1_800_000_000.0
    assert parse_retry_after({"retry-after": formatdate(now + 30, usegmt=True)}, now=now) == pytest.approx(30.0)
    assert parse_retry_after({"retry-after": formatdate(now - 30, usegmt=True)}, now=now) == 0.0


@pytest.mark.parametrize("headers", [
    {"retry-after": "9" * 20},
    {"retry-after": "1e400"},
    {"retry-after-ms": "9" * 30},
    {"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"},
])
def test_an_absurd_retry_after_is_capped_not_an_overflow(headers):
    assert parse_retry_after(headers, now=1_800_000_000.0) == MAX_RETRY_AFTER


def test_a_retry_after_date_beyond_any_calendar_is_unreadable_not_a_crash():
    assert parse_retry_after({"retry-after": "Fri, 31 Dec 99999 23:59:59 GMT"}) is None


@pytest.mark.parametrize("error, transient", [
    (ArmError("x", kind="transport"), True),
    (ArmError("x", kind="protocol"), True),
    (ArmError("x", kind="api", status=503), True),
    (ArmError("x", kind="api", status=408), True),
    (ArmError("x", kind="auth", status=503), True),  # the token endpoint's trouble is Resource Manager's trouble
    (ArmError("x", kind="api", status=409), False),
    (ArmError("x", kind="auth", status=401), False),
    (ArmError("x", kind="auth"), False),
    (ArmError("x", kind="not_found", status=404), False),
])
def test_an_error_says_whether_it_is_transient(error, transient):
    assert error.transient is transient


def test_every_transient_status_is_retried():
    assert RETRY_STATUSES == TRANSIENT_STATUSES
