# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Transport-independent request and response objects."""

import json
import urllib.parse

from .util import dumps


class Request:
    """One HTTP request, decoded.  `headers` has lower-case keys."""

    def __init__(self, method, target, headers, body=b"", scheme="https", client_port=None):
        self.method = method.upper()
        self.client_port = client_port  # tells the client's connections apart, to check they are reused
        parsed = urllib.parse.urlsplit(target)
        self.raw_path = parsed.path
        self.path = urllib.parse.unquote(parsed.path)
        self.query_string = parsed.query
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.scheme = scheme
        # Filled in while the request is handled, for the request log.
        self.context = {}

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def form(self):
        return {k: v[-1] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def json(self):
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))


class Response:
    """A response to send.  `body` is bytes; `actions` tell the transport about faults."""

    def __init__(self, status=200, body=b"", headers=None, content_type="application/json; charset=utf-8"):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if body or status == 200:
            self.headers.setdefault("Content-Type", content_type)
        self.drop = False
        self.trickle = None  # (chunk_bytes, delay_seconds) for slow bodies
        self.cut = None  # "close" or "reset": send half the body, then end the connection that way

    @classmethod
    def json(cls, status, obj, headers=None):
        return cls(status, dumps(obj), headers)

    @classmethod
    def empty(cls, status, headers=None):
        return cls(status, b"", headers)
