# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later

from email.utils import formatdate

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._retry import Backoff, parse_retry_after, zero_delay


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
