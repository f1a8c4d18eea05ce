# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Timestamps, durations, percentages and JSON-shape helpers of the normalisers."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._shape import as_bool, as_count, as_dict, as_int, as_str, dict_items, percent
from ansible_collections.upgradegate.azure.plugins.module_utils._timeutil import parse_duration, parse_timestamp, seconds_between


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2021-11-30T13:06:23Z", "2021-11-30T13:06:23Z"),
        ("2021-11-30T13:06:23.362Z", "2021-11-30T13:06:23.362000Z"),
        ("2021-11-30T13:06:23.1Z", "2021-11-30T13:06:23.100000Z"),
        ("2021-11-30T13:06:23.12Z", "2021-11-30T13:06:23.120000Z"),
        ("2021-11-30T13:06:23.1234Z", "2021-11-30T13:06:23.123400Z"),
        ("2021-11-30T13:06:23.12345Z", "2021-11-30T13:06:23.123450Z"),
        ("2021-11-30T13:06:23.123456Z", "2021-11-30T13:06:23.123456Z"),
        ("2021-11-30T13:06:23.1234567Z", "2021-11-30T13:06:23.123456Z"),
        ("2021-11-30T13:06:23.12345678Z", "2021-11-30T13:06:23.123456Z"),
        ("2021-11-30T13:06:23.123456789Z", "2021-11-30T13:06:23.123456Z"),
        ("2021-11-30T13:06:23.999999999Z", "2021-11-30T13:06:23.999999Z"),
        ("2021-11-30T13:06:23.000Z", "2021-11-30T13:06:23Z"),
        ("2021-11-30T13:06:23.3620000+00:00", "2021-11-30T13:06:23.362000Z"),
        ("2021-11-30T13:06:23+00:00", "2021-11-30T13:06:23Z"),
        ("2021-11-30T13:06:23-04:00", "2021-11-30T17:06:23Z"),
        ("2021-11-30T22:06:23-04:00", "2021-12-01T02:06:23Z"),
        ("2021-11-30T13:06:23+05:30", "2021-11-30T07:36:23Z"),
        ("2021-11-30T03:06:23.5+05:30", "2021-11-29T21:36:23.500000Z"),
        ("2021-11-30T13:06:23+0530", "2021-11-30T07:36:23Z"),
        ("2021-11-30T13:06:23+05", "2021-11-30T08:06:23Z"),
        ("2021-11-30T13:06:23z", "2021-11-30T13:06:23Z"),
        ("2021-11-30t13:06:23Z", "2021-11-30T13:06:23Z"),
        ("2021-11-30 13:06:23Z", "2021-11-30T13:06:23Z"),
        ("2021-11-30T13:06:23,25Z", "2021-11-30T13:06:23.250000Z"),
        (" 2021-11-30T13:06:23Z ", "2021-11-30T13:06:23Z"),
        ("2021-11-30T13:06:23", "2021-11-30T13:06:23Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
    ],
)
def test_timestamps_are_normalised_to_utc_with_z(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        "aaaaaaaaaaaaaaa",
        "2021-11-30",
        "2021-11-30T13:06Z",
        "2021-11-30T13:06:23.Z",
        "2021-02-30T13:06:23Z",
        "2023-02-29T13:06:23Z",
        "2021-11-30T24:00:00Z",
        "2021-11-30T13:06:60Z",
        "2021-11-30T13:06:23+24:00",
        "2021-11-30T13:06:23+05:99",
        "2021-11-30T13:06:23 +05:30",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "30/11/2021 13:06:23",
        1638277583,
        1638277583.5,
        True,
        ["2021-11-30T13:06:23Z"],
        {"value": "2021-11-30T13:06:23Z"},
    ],
)
def test_anything_that_is_not_a_timestamp_gives_none(value):
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("PT0S", 0),
        ("P0D", 0),
        ("PT1S", 1),
        ("PT1M30S", 90),
        ("PT1H", 3600),
        ("PT2H30M", 9000),
        ("P1D", 86400),
        ("P1DT2H", 93600),
        ("P1W", 604800),
        ("P1DT1H1M1S", 90061),
        ("PT90M", 5400),
        ("PT3600S", 3600),
        ("P0Y0M1D", 86400),
        ("P0YT5S", 5),
        ("pt1m30s", 90),
        ("PT0.5S", 1),
        ("PT0.4S", 0),
        ("PT1.5S", 2),
        ("PT2.5S", 3),
        ("PT0,5S", 1),
        ("PT1.5H", 5400),
        ("PT0.001S", 0),
    ],
)
def test_iso_durations_give_whole_seconds(value, expected):
    assert parse_duration(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "P",
        "PT",
        "P1DT",
        "P1Y",
        "P2M",
        "P1Y2M3DT4H",
        "-PT1S",
        "PT-1S",
        "1M30S",
        "PT1M30",
        "PT1S1M",
        "P0000-00-01T00:00:00",
        "aaaaaaaaaaaaaaa",
        "00:05:00",
        0,
        30,
        1.5,
        True,
        {"seconds": 1},
    ],
)
def test_anything_that_is_not_a_fixed_length_iso_duration_gives_none(value):
    assert parse_duration(value) is None


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2023-03-01T01:10:08.395000Z", "2023-03-01T01:10:08.395000Z", 0.0),
        ("2023-03-01T01:10:08Z", "2023-03-01T02:10:08.5Z", 3600.5),
        ("2023-03-01T01:10:08-04:00", "2023-03-01T05:10:09Z", 1.0),
        ("2023-03-01T01:10:09Z", "2023-03-01T01:10:08Z", -1.0),
        (None, "2023-03-01T01:10:08Z", None),
        ("2023-03-01T01:10:08Z", None, None),
        ("garbage", "2023-03-01T01:10:08Z", None),
        (5, 10, None),
    ],
)
def test_seconds_between_two_timestamps(start, end, expected):
    assert seconds_between(start, end) == expected


@pytest.mark.parametrize(
    "part, total, expected",
    [
        (0, 0, None),
        (5, 0, None),
        (0, 10, 0.0),
        (10, 10, 100.0),
        (1, 2, 50.0),
        (1, 3, 33.3),
        (2, 3, 66.7),
        (6, 78, 7.7),
        (1, 8, 12.5),
        (1, 400, 0.3),
        (3, 400, 0.8),
        (1, 2000, 0.1),
        (1, 3000, 0.0),
        (1999, 2000, 99.9),
        (9999, 10000, 99.9),
        (1000, 1000, 100.0),
    ],
)
def test_percent_has_one_decimal_rounded_half_up_and_never_100_before_the_end(part, total, expected):
    assert percent(part, total) == expected


@pytest.mark.parametrize(
    "helper, value, expected",
    [
        (as_dict, {"a": 1}, {"a": 1}),
        (as_dict, "text", {}),
        (as_dict, None, {}),
        (as_dict, [{"a": 1}], {}),
        (dict_items, [{"a": 1}, "x", None, 3, [], {"b": 2}], [{"a": 1}, {"b": 2}]),
        (dict_items, {"a": 1}, []),
        (dict_items, "text", []),
        (dict_items, None, []),
        (as_str, "x", "x"),
        (as_str, 5, None),
        (as_int, 5, 5),
        (as_int, True, None),
        (as_int, "5", None),
        (as_int, 5.0, None),
        (as_bool, False, False),
        (as_bool, "true", None),
        (as_bool, 1, None),
        (as_count, 7, 7),
        (as_count, 7.0, 7),
        (as_count, 7.5, 0),
        (as_count, -3, 0),
        (as_count, "7", 0),
        (as_count, True, 0),
        (as_count, None, 0),
    ],
)
def test_shape_helpers_keep_the_right_type_and_drop_the_rest(helper, value, expected):
    assert helper(value) == expected


@pytest.mark.parametrize("value", ["\u0662\u0660\u0662\u0666-11-23T18:30:00Z", "2026-11-23T18:30:\u0660\u0660Z"])
def test_timestamps_in_digits_other_than_ascii_are_not_timestamps(value):
    assert parse_timestamp(value) is None


def test_durations_in_digits_other_than_ascii_are_not_durations():
    assert parse_duration("PT\u0661\u0660S") is None and parse_duration("PT10S") == 10
