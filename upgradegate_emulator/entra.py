# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Entra ID: tenant discovery, the v2.0 token endpoint (client credentials) and instance discovery."""

import hmac
import json
import math
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from .messages import Response
from .util import b64url_decode, entra_timestamp, first, new_uuid

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SKEW = 300


class EntraError(Exception):
    """An Entra ID error: HTTP status, OAuth error, AADSTS number and text."""

    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description


def correlation_id(req):
    return (req.header("x-ms-correlation-request-id") or req.header("client-request-id")
            or req.header("x-ms-client-request-id") or new_uuid())


def expires_in_real(lifetime, scale):
    """Seconds of real time a token lives, so clients refresh in time when time runs scaled."""
    if scale <= 0:
        return int(lifetime)
    return max(1, int(math.ceil(lifetime / scale)))


class Directory:
    """Tenants, app registrations and managed identities of the scenario."""

    def __init__(self, tenants):
        self.tenants = tenants

    def tenant(self, segment):
        segment = (segment or "").lower()
        return first(self.tenants, lambda t: t["id"].lower() == segment or segment in [d.lower() for d in t["domains"]])

    @staticmethod
    def client(tenant, client_id):
        return first(tenant["clients"], lambda c: c["client_id"].lower() == (client_id or "").lower())

    def identity(self, query):
        for tenant in self.tenants:
            for ident in tenant["managed_identities"]:
                if self._identity_matches(ident, query):
                    return tenant, ident
        return None, None

    @staticmethod
    def _identity_matches(ident, query):
        wanted = {k: query.get(k) for k in ("client_id", "object_id", "principal_id", "mi_res_id") if query.get(k)}
        if not wanted:
            return ident.get("system")
        values = {"client_id": ident["client_id"], "object_id": ident["object_id"], "principal_id": ident["object_id"],
                  "mi_res_id": ident.get("resource_id")}
        return all((values[k] or "").lower() == v.lower() for k, v in wanted.items())


def verify_jwt_signature(assertion, public_key):
    """Check an RS256 or PS256 client assertion; return (header, claims) or raise ValueError."""
    try:
        head_b64, claims_b64, sig_b64 = assertion.split(".")
        header = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(sig_b64)
    except (ValueError, TypeError) as exc:
        raise ValueError("malformed") from exc
    alg = header.get("alg")
    if alg == "RS256":
        pad = padding.PKCS1v15()
    elif alg == "PS256":
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
    else:
        raise ValueError("alg")
    try:
        public_key.verify(signature, ("%s.%s" % (head_b64, claims_b64)).encode("ascii"), pad, hashes.SHA256())
    except InvalidSignature as exc:
        raise ValueError("signature") from exc
    return header, claims


class Entra:
    """The Entra ID endpoints under the emulator's base URL (the authority host)."""

    def __init__(self, base_url, directory, tokens, clock, resources, lifetime, certificates):
        self.base_url = base_url
        self.directory = directory
        self.tokens = tokens
        self.clock = clock
        self.resources = resources
        self.lifetime = lifetime
        self.certificates = certificates  # client_id -> cryptography certificate

    # -- responses ---------------------------------------------------------------------------

    def error_response(self, exc, req):
        now = time.time()
        trace, corr, stamp = new_uuid(), correlation_id(req), entra_timestamp(now)
        description = "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
            exc.code, exc.description, trace, corr, stamp)
        body = {"error": exc.error, "error_description": description, "error_codes": [exc.code], "timestamp": stamp,
                "trace_id": trace, "correlation_id": corr, "error_uri": "%s/error?code=%d" % (self.base_url, exc.code)}
        return Response.json(exc.status, body)

    def _tenant_or_error(self, segment):
        tenant = self.directory.tenant(segment)
        if tenant is None:
            raise EntraError(400, "invalid_request", 90002, (
                "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct "
                "cloud. Check with your subscription administrator, this may happen if there are no active subscriptions "
                "for the tenant." % segment))
        return tenant

    def openid_configuration(self, req, segment):
        try:
            tenant = self._tenant_or_error(segment)
        except EntraError as exc:
            exc.error = "invalid_tenant"
            return self.error_response(exc, req)
        base = "%s/%s" % (self.base_url, segment)
        tid = tenant["id"]
        return Response.json(200, {
            "token_endpoint": base + "/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": "%s/%s/discovery/v2.0/keys" % (self.base_url, tid),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": "%s/%s/v2.0" % (self.base_url, tid),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": self.base_url + "/oidc/userinfo",
            "authorization_endpoint": base + "/oauth2/v2.0/authorize",
            "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": base + "/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid"],
            "kerberos_endpoint": base + "/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "emulator.local",
            "cloud_graph_host_name": "graph.emulator.local",
            "msgraph_host": "graph.emulator.local",
            "rbac_url": self.base_url,
        })

    def instance_discovery(self, req):
        authority = req.query.get("authorization_endpoint", self.base_url + "/common/oauth2/v2.0/authorize")
        host = self.base_url.split("://", 1)[1]
        tenant = authority.split("://", 1)[-1].split("/")[1] if "/" in authority.split("://", 1)[-1] else "common"
        return Response.json(200, {
            "tenant_discovery_endpoint": "%s/%s/v2.0/.well-known/openid-configuration" % (self.base_url, tenant),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        })

    # -- the token endpoint ----------------------------------------------------------------------

    def token(self, req, segment, lifetime_override=None):
        try:
            tenant = self._tenant_or_error(segment)
            form = req.form()
            client, resource, appidacr = self._authenticate(tenant, segment, form)
        except EntraError as exc:
            return self.error_response(exc, req)
        lifetime = lifetime_override or client.get("token_lifetime") or self.lifetime
        principal = {"client_id": client["client_id"], "object_id": client["object_id"], "appidacr": appidacr}
        token, claims = self.tokens.issue(tenant["id"], principal, resource, self.clock.now(), lifetime)
        req.context.update(token_id=claims["jti"], principal=client["client_id"], issued=True)
        expires = expires_in_real(lifetime, self.clock.scale)
        return Response.json(200, {"token_type": "Bearer", "expires_in": expires, "ext_expires_in": expires,
                                   "access_token": token})

    def _authenticate(self, tenant, segment, form):
        grant = form.get("grant_type")
        if grant != "client_credentials":
            raise EntraError(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type '%s'." % grant)
        for name in ("client_id", "scope"):
            if not form.get(name):
                raise EntraError(400, "invalid_request", 900144,
                                 "The request body must contain the following parameter: '%s'." % name)
        resource = self._resource(form["scope"], tenant)
        client = self.directory.client(tenant, form["client_id"])
        if client is None:
            raise EntraError(400, "unauthorized_client", 700016, (
                "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application "
                "has not been installed by the administrator of the tenant or consented to by any user in the tenant. You "
                "may have sent your authentication request to the wrong tenant." % (form["client_id"], tenant["id"])))
        if "client_secret" in form:
            self._check_secret(client, form["client_secret"])
            return client, resource, "1"
        if "client_assertion" in form:
            self._check_assertion(client, tenant, segment, form)
            return client, resource, "2"
        raise EntraError(401, "invalid_client", 7000218,
                         "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")

    def _resource(self, scope, tenant):
        scopes = scope.split()
        resource_scope = first(scopes, lambda s: s.endswith("/.default"))
        if resource_scope is None:
            raise EntraError(400, "invalid_scope", 1002012, (
                "The provided value for scope %s is not valid. Client credential flows must have a scope value with "
                "/.default suffixed to the resource identifier (application ID URI)." % scope))
        resource = resource_scope[:-len("/.default")]
        if resource not in self.resources and resource.rstrip("/") not in self.resources:
            raise EntraError(400, "invalid_resource", 500011, (
                "The resource principal named %s was not found in the tenant named %s. This can happen if the application "
                "has not been installed by the administrator of the tenant or consented to by any user in the tenant. You "
                "might have sent your authentication request to the wrong tenant." % (resource, tenant["id"])))
        return resource

    @staticmethod
    def _check_secret(client, secret):
        expected = client.get("secret")
        if not expected or not hmac.compare_digest(str(expected).encode(), secret.encode()):
            raise EntraError(401, "invalid_client", 7000215, (
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                "not the client secret ID, for a secret added to app '%s'." % client["client_id"]))

    def _check_assertion(self, client, tenant, segment, form):
        if form.get("client_assertion_type") != JWT_BEARER:
            raise EntraError(400, "invalid_request", 70002,
                             "The client_assertion_type must be '%s'." % JWT_BEARER)
        assertion = form["client_assertion"]
        federated = client.get("federated_token")
        if federated and hmac.compare_digest(federated.encode(), assertion.encode()):
            return
        certificate = self.certificates.get(client["client_id"])
        if certificate is None:
            raise EntraError(401, "invalid_client", 70021, (
                "No matching federated identity record found for presented assertion. Check the federated identity "
                "credentials of app '%s'." % client["client_id"]))
        self._check_signed_assertion(client, tenant, segment, assertion, certificate)

    def _check_signed_assertion(self, client, tenant, segment, assertion, certificate):
        try:
            _header, claims = verify_jwt_signature(assertion, certificate.public_key())
        except ValueError as exc:
            if str(exc) == "malformed":
                raise EntraError(401, "invalid_client", 50027, "JWT token is invalid or malformed.") from exc
            raise EntraError(401, "invalid_client", 700027, (
                "Client assertion failed signature validation. The certificate used to sign the client assertion is "
                "not registered on application '%s'." % client["client_id"])) from exc
        audiences = {"%s/%s/oauth2/v2.0/token" % (self.base_url, s) for s in (segment, tenant["id"])}
        audiences |= {"%s/%s/oauth2/token" % (self.base_url, s) for s in (segment, tenant["id"])}
        aud = claims.get("aud")
        if not (aud in audiences or (isinstance(aud, list) and audiences.intersection(aud))):
            raise EntraError(401, "invalid_client", 50013, (
                "Assertion failed signature validation. [Reason - The audience claim '%s' is not the token endpoint "
                "of this tenant.]" % aud))
        if claims.get("iss") != client["client_id"] or claims.get("sub") != client["client_id"]:
            raise EntraError(401, "invalid_client", 700023,
                             "Client assertion issuer and subject must both be the client id '%s'." % client["client_id"])
        now = time.time()
        if not claims.get("exp") or claims["exp"] + ASSERTION_SKEW < now or claims.get("nbf", 0) - ASSERTION_SKEW > now:
            raise EntraError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
