# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The errors of the engine, each turned into ``fail_json`` only by the module (or an exit code by the command line).

``ValidationError``: bad input, found before any request, naming the option.
``ArmError``: a request that failed: what failed, where, and Azure's own words.
"""

import re

# Anything shaped like a JWT (an access token, a federated token) is never shown.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# Answers that a later request may not get again: timeouts, throttling and server faults.
TRANSIENT_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
# Kinds of failure that say nothing lasting about the request: the network, or a body spoiled on the way.
TRANSIENT_KINDS = frozenset(("transport", "protocol"))


def redact(text):
    return _JWT.sub("<redacted token>", text) if isinstance(text, str) else text


class ValidationError(ValueError):
    """Bad input, found before any request. ``field`` names the option."""

    def __init__(self, field, message):
        super().__init__("%s: %s" % (field, message))
        self.field = field


class ArmError(Exception):
    """A Resource Manager or token request that failed.

    ``kind`` sorts failures for callers: ``api`` (Azure answered with an
    error), ``not_found`` (404), ``auth`` (no token, or 401 after a renewed
    token), ``transport`` (connection, TLS, timeout), ``protocol`` (a body
    that is not what Azure sends, a foreign nextLink), ``timeout`` (a long-running
    operation still running when the deadline came). ``partial`` holds what
    was gathered before the failure, for callers that return it.
    """

    def __init__(self, message, kind="api", status=None, code=None, azure_message=None, request_id=None,
                 correlation_id=None, method=None, path=None, partial=None):
        super().__init__(redact(message))
        self.kind = kind
        self.status = status
        self.code = code
        self.azure_message = redact(azure_message)
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.method = method
        self.path = path
        self.partial = partial

    @property
    def transient(self):
        """True when the same request may well succeed later: a network or body failure, or a
        throttling / server-fault status, from Resource Manager or from the token endpoint alike."""
        return self.kind in TRANSIENT_KINDS or self.status in TRANSIENT_STATUSES

    @property
    def message(self):
        return str(self)

    def to_dict(self):
        """The error as returned to playbooks (no secrets: tokens are redacted from every text)."""
        return {
            "kind": self.kind,
            "status": self.status,
            "code": self.code,
            "message": self.azure_message,
            "request_id": self.request_id,
            "correlation_id": self.correlation_id,
            "method": self.method,
            "path": self.path,
        }
