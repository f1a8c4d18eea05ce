# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Access tokens: JWT-shaped, HMAC-SHA256 signed with a key kept in the state dir."""

import collections
import hashlib
import hmac
import json
import os
import secrets
import threading

from .util import b64url_decode, b64url_encode, new_uuid

KEY_FILE = "token-signing.key"


class TokenError(Exception):
    """A bearer token that cannot be used; `kind` is malformed, signature or expired."""

    def __init__(self, kind, claims=None):
        super().__init__(kind)
        self.kind = kind
        self.claims = claims or {}


def load_or_create_key(state_dir):
    """The signing key survives restarts with the same state dir, so issued tokens stay valid."""
    path = os.path.join(state_dir, KEY_FILE)
    if os.path.exists(path):
        with open(path, "rb") as handle:
            return handle.read()
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class TokenService:
    """Issues and checks the emulator's access tokens."""

    def __init__(self, key, issuer_base):
        self._key = key
        self._issuer_base = issuer_base
        self._cache = collections.OrderedDict()
        self._lock = threading.Lock()

    def _sign(self, signing_input):
        return b64url_encode(hmac.new(self._key, signing_input, hashlib.sha256).digest())

    def issue(self, tenant_id, principal, audience, now, lifetime, extra=None):
        """Return (token, claims).  principal: dict with client_id, object_id, kind (app or msi)."""
        claims = {
            "aud": audience,
            "iss": "%s/%s/v2.0" % (self._issuer_base, tenant_id),
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now + lifetime),
            "appid": principal["client_id"],
            "appidacr": principal.get("appidacr", "1"),
            "idtyp": "app",
            "oid": principal["object_id"],
            "sub": principal["object_id"],
            "tid": tenant_id,
            "jti": new_uuid(),
            "ver": "1.0",
        }
        claims.update(extra or {})
        header = b64url_encode(json.dumps({"typ": "JWT", "alg": "HS256", "kid": "upgradegate-emulator"}).encode())
        payload = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = ("%s.%s" % (header, payload)).encode("ascii")
        return "%s.%s.%s" % (header, payload, self._sign(signing_input)), claims

    def _decode(self, token):
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed")
        signing_input = ("%s.%s" % (parts[0], parts[1])).encode("ascii", "replace")
        if not hmac.compare_digest(self._sign(signing_input), parts[2]):
            raise TokenError("signature")
        try:
            return json.loads(b64url_decode(parts[1]))
        except ValueError as exc:
            raise TokenError("malformed") from exc

    def validate(self, token, now):
        """Return the claims of a valid token; raise TokenError otherwise."""
        with self._lock:
            claims = self._cache.get(token)
        if claims is None:
            claims = self._decode(token)
            with self._lock:
                self._cache[token] = claims
                while len(self._cache) > 10000:
                    self._cache.popitem(last=False)
        if now >= claims.get("exp", 0):
            raise TokenError("expired", claims)
        return claims
