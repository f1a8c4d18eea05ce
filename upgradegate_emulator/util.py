# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small helpers shared by the emulator modules: JSON, time, ids, base64url."""

import base64
import datetime
import email.utils
import hashlib
import json
import uuid

UUID_NAMESPACE = uuid.UUID("6f1d3c1e-7a52-4d8e-9c41-2b1f0e6a9d10")


def dumps(obj):
    """Serialise compactly to UTF-8 bytes."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def iso(epoch):
    """Epoch seconds -> ISO 8601 UTC with milliseconds, as Azure writes them."""
    if epoch is None:
        return None
    stamp = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (stamp.microsecond // 1000)


def entra_timestamp(epoch):
    """Epoch seconds -> the 'YYYY-MM-DD HH:MM:SSZ' form Entra ID uses in errors."""
    stamp = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M:%SZ")


def http_date(epoch):
    return email.utils.formatdate(epoch, usegmt=True)


def stable_uuid(*parts):
    """A UUID derived from names, so ids are the same on every run."""
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(str(p) for p in parts)))


def new_uuid():
    return str(uuid.uuid4())


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def etag_of(obj):
    """A quoted entity tag derived from the content."""
    digest = hashlib.sha256(dumps(obj)).hexdigest()
    return '"%s-%s-%s-%s-%s"' % (digest[:8], digest[8:12], digest[12:16], digest[16:20], digest[20:32])


def first(items, predicate, default=None):
    return next((item for item in items if predicate(item)), default)
