# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON-shape helpers of the pure normalisers: take what has the right type, drop the rest.

Nothing here does I/O or raises on JSON-shaped input: a value of the wrong
type gives ``None`` (or an empty container, or 0 for a count), so a
normaliser can always produce every documented key.
"""

import copy
import decimal


def percent(part, total):
    """``100 * part / total`` with one decimal, or ``None`` when ``total`` is 0.

    Rounded half up (1 of 400 gives 0.3, not Python's banker's 0.2), except
    that an unfinished count never shows 100.0: 1999 of 2000 gives 99.9, so a
    gate on ``min_percent_complete: 100`` opens only when everything is done.
    """
    if total <= 0:
        return None
    exact = decimal.Decimal(100 * part) / decimal.Decimal(total)
    shown = exact.quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)
    if part < total and shown >= 100:
        shown = decimal.Decimal("99.9")
    return float(shown)


def copied(value):
    """A deep copy of JSON data, or ``None`` when it nests deeper than Python can copy (Azure never sends that)."""
    try:
        return copy.deepcopy(value)
    except RecursionError:
        return None


def as_dict(value):
    """``value`` when it is a dict, else an empty dict (never a copy: read only)."""
    return value if isinstance(value, dict) else {}


def dict_items(value):
    """The dict elements of ``value`` when it is a list; anything else gives ``[]``."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def as_str(value):
    """``value`` when it is a string, else ``None``."""
    return value if isinstance(value, str) else None


def as_int(value):
    """``value`` when it is an int (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def as_bool(value):
    """``value`` when it is a bool, else ``None``."""
    return value if isinstance(value, bool) else None


def as_count(value):
    """A non-negative count: ints (and integral floats) of 0 or more; anything else counts as 0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = as_int(value)
    return number if number is not None and number > 0 else 0
