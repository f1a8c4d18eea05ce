# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Timestamps and durations as Azure writes them, for the pure normalisers and the waiter.

Nothing here does I/O or raises on JSON-shaped input: a value of the wrong
type or an unparseable string gives ``None``, so a normaliser can always
produce every documented key.
"""

import datetime
import decimal
import re

# Used with fullmatch on stripped text; re.ASCII: '\d' is 0-9 only, not every Unicode digit.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})"
    r"(?:[.,](\d+))?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_DURATION = re.compile(
    r"P(?!$)"
    r"(?:(?P<years>\d+(?:[.,]\d+)?)Y)?"
    r"(?:(?P<months>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?!$)"
    r"(?:(?P<hours>\d+(?:[.,]\d+)?)H)?"
    r"(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?"
    r")?",
    re.IGNORECASE | re.ASCII,
)
_UNIT_SECONDS = (("weeks", 604800), ("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1))
_UTC = datetime.timezone.utc


def parse_timestamp(value):
    """Normalise an ISO 8601 / RFC 3339 timestamp to UTC ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``.

    Accepts ``Z`` or an offset written ``+HH:MM``, ``+HHMM`` or ``+HH``, a ``T``
    (or a space) between date and time, and any number of fractional digits
    (.NET sends 7): digits beyond the sixth are truncated, never rounded, so a
    time never moves forward. The fraction is written with six digits when it
    is not zero and left out when it is, so equal instants give equal strings.

    A timestamp without an offset is read as UTC (Resource Manager works in
    UTC and some providers leave the ``Z`` out). A date without a time is not
    an instant and gives ``None``, as do non-strings, impossible dates and
    times (``2023-02-30``, leap second ``:60``) and anything else.
    """
    moment = instant(value)
    if moment is None:
        return None
    # Four-digit years always (strftime's %Y drops the zeros of years before 1000 on glibc).
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    if moment.microsecond:
        text += ".%06d" % moment.microsecond
    return text + "Z"


def seconds_between(start, end):
    """Seconds from ``start`` to ``end`` as a float, or ``None`` when either is not a timestamp.

    Takes anything :func:`parse_timestamp` accepts (normalised strings included).
    A negative result (clock skew in Azure's data) is returned as is, not hidden.
    """
    first = instant(start)
    last = instant(end)
    if first is None or last is None:
        return None
    return (last - first).total_seconds()


def parse_duration(value):
    """Whole seconds of an ISO 8601 duration such as ``PT0S``, ``PT1M30S`` or ``P1DT2H``, else ``None``.

    Weeks and days are fixed (7 x 86400 and 86400 seconds, as Azure counts
    them). Years and months have no fixed length, so a duration with a
    non-zero year or month gives ``None``; ``P0Y`` and ``P0M`` are fine.
    Fractions (``PT0.5S``, ``PT1,5H``) are allowed on any component and the
    total is rounded to the nearest second, halves up (``PT0.5S`` -> 1,
    ``PT0.4S`` -> 0). Designators are matched case-insensitively. Negative
    durations, the ``PnnnnYY-MM-DD`` alternative form, ``P``/``PT`` alone,
    garbage, and non-strings (numbers included: they are not durations) give
    ``None``.
    """
    if not isinstance(value, str):
        return None
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        return None
    parts = dict((key, _decimal(text)) for key, text in match.groupdict().items())
    if parts["years"] or parts["months"]:
        return None
    total = sum(parts[unit] * factor for unit, factor in _UNIT_SECONDS)
    return int(total.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))


def _decimal(text):
    if text is None:
        return decimal.Decimal(0)
    return decimal.Decimal(text.replace(",", "."))


def instant(value):
    """An ISO 8601 / RFC 3339 timestamp as an aware UTC datetime, or ``None``; the one parser behind :func:`parse_timestamp`."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "")[:6].ljust(6, "0"))
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, _offset(offset))
        return moment.astimezone(_UTC)
    except (ValueError, OverflowError):
        return None


def _offset(text):
    if text is None or text in ("Z", "z"):
        return _UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[2:] or 0)
    if minutes > 59:
        raise ValueError("offset minutes out of range")
    delta = datetime.timedelta(hours=int(digits[:2]), minutes=minutes)
    return datetime.timezone(-delta if text[0] == "-" else delta)
