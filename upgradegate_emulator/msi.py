# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The App Service managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER), api-version 2019-08-01.

msal (used by azure-identity's ManagedIdentityCredential) sends
GET <IDENTITY_ENDPOINT>?api-version=2019-08-01&resource=<scope minus /.default>[&client_id=|mi_res_id=|object_id=]
with headers X-IDENTITY-HEADER and Metadata: true, and reads access_token and expires_on.
"""

import hmac
import time

from .entra import correlation_id, expires_in_real
from .messages import Response

HEADER = "X-IDENTITY-HEADER"
API_VERSION = "2019-08-01"


class ManagedIdentityEndpoint:

    def __init__(self, directory, tokens, clock, resources, lifetime, secret):
        self.directory = directory
        self.tokens = tokens
        self.clock = clock
        self.resources = resources
        self.lifetime = lifetime
        self.secret = secret

    @staticmethod
    def _error(req, status, message):
        return Response.json(status, {"statusCode": status, "message": message, "correlationId": correlation_id(req)})

    def token(self, req, lifetime_override=None):
        sent = req.header(HEADER) or ""
        if not sent or not hmac.compare_digest(sent.encode(), self.secret.encode()):
            return self._error(req, 401, "Unauthorized: the %s header is missing or does not match." % HEADER)
        if req.query.get("api-version") != API_VERSION:
            return self._error(req, 400, "The api-version '%s' is not supported; use %s." % (req.query.get("api-version"), API_VERSION))
        resource = req.query.get("resource")
        if not resource:
            return self._error(req, 400, "The request must include the 'resource' query parameter.")
        if resource not in self.resources and resource.rstrip("/") not in self.resources:
            return self._error(req, 400, "AADSTS500011: The resource principal named %s was not found in the tenant." % resource)
        tenant, ident = self.directory.identity(req.query)
        if ident is None:
            return self._error(req, 400, "No User Assigned or Delegated Managed Identity found for specified "
                                         "ClientId/ResourceId/PrincipalId.")
        lifetime = lifetime_override or ident.get("token_lifetime") or self.lifetime
        principal = {"client_id": ident["client_id"], "object_id": ident["object_id"], "appidacr": "2"}
        extra = {"xms_mirid": ident.get("resource_id") or "", "idtyp": "app"}
        token, claims = self.tokens.issue(tenant["id"], principal, resource, self.clock.now(), lifetime, extra)
        req.context.update(token_id=claims["jti"], principal=ident["client_id"], issued=True)
        expires_on = int(time.time()) + expires_in_real(lifetime, self.clock.scale)
        return Response.json(200, {"access_token": token, "expires_on": str(expires_on), "resource": resource,
                                   "token_type": "Bearer", "client_id": ident["client_id"]})
