# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real azure-identity credentials get tokens from the emulator over TLS, and Entra ID's rejections."""

import base64
import datetime
import json
import time
import uuid

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import (CertificateCredential, ClientAssertionCredential, ClientSecretCredential,
                            ManagedIdentityCredential, WorkloadIdentityCredential)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from emulator_helpers import bearer, run_url, vmss_url

ARM_SCOPE = "https://management.azure.com/.default"


def _common(emu):
    return {"authority": emu.base_url, "disable_instance_discovery": True, "connection_verify": emu.ca_path}


def _every_read_route(emu, token):
    """GET every read route with the token; returns the status codes."""
    sub, session = emu.subscription_id, emu.session
    urls = [
        "%s/subscriptions/%s/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-07-01" % (emu.base_url, sub),
        "%s/subscriptions/%s/resourceGroups/rg-demo/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-07-01"
        % (emu.base_url, sub),
        vmss_url(emu, "vmss-web"),
        vmss_url(emu, "vmss-web", "/rollingUpgrades/latest"),
        run_url(emu, "run-1"),
        run_url(emu, "").replace("/updateRuns/?", "/updateRuns?"),
        run_url(emu, "x").replace("/updateRuns/x", "/updateStrategies/safe-rollout"),
        run_url(emu, "x").replace("/updateRuns/x", "/autoUpgradeProfiles/stable-channel"),
    ]
    return [session.get(url, headers=bearer(token)).status_code for url in urls]


def test_client_secret_credential_reads_every_route(emulator):
    credential = ClientSecretCredential(emulator.tenant_id, emulator.client_id, emulator.client_secret, **_common(emulator))
    token = credential.get_token(ARM_SCOPE)
    assert token.expires_on > time.time() + 3000
    assert _every_read_route(emulator, token.token) == [200] * 8


def test_certificate_credential_signs_an_assertion_the_emulator_verifies(emulator):
    client = emulator.client("certificate")
    credential = CertificateCredential(emulator.tenant_id, client["client_id"], certificate_path=emulator.certificate_path,
                                       **_common(emulator))
    token = credential.get_token(ARM_SCOPE)
    assert _every_read_route(emulator, token.token) == [200] * 8
    principals = {e["principal"] for e in emulator.requests_log(path="/oauth2/v2.0/token")}
    assert principals == {client["client_id"]}


def test_workload_identity_credential_uses_the_federated_token_file(emulator):
    client = emulator.client("workload_identity")
    credential = WorkloadIdentityCredential(tenant_id=emulator.tenant_id, client_id=client["client_id"],
                                            token_file_path=emulator.federated_token_file, **_common(emulator))
    token = credential.get_token(ARM_SCOPE)
    assert _every_read_route(emulator, token.token) == [200] * 8


@pytest.mark.parametrize("listener", ["http", "https"])
def test_managed_identity_credential_via_identity_endpoint(emulator, monkeypatch, listener):
    endpoint = emulator.identity_endpoint if listener == "http" else emulator.info["identity_endpoint"]
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", emulator.identity_header)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_path)
    monkeypatch.delenv("IDENTITY_SERVER_THUMBPRINT", raising=False)
    token = ManagedIdentityCredential().get_token(ARM_SCOPE)
    assert token.expires_on > time.time() + 3000
    assert _every_read_route(emulator, token.token) == [200] * 8
    entry = emulator.requests_log(path="^/msi/token$")[-1]
    assert entry["scheme"] == listener and "resource=https" in entry["query"] and entry["status"] == 200


def test_managed_identity_endpoint_rejects_a_wrong_header(emulator):
    resp = requests.get(emulator.identity_endpoint, params={"api-version": "2019-08-01", "resource": "https://management.azure.com"},
                        headers={"X-IDENTITY-HEADER": "wrong"})
    assert resp.status_code == 401 and resp.json()["statusCode"] == 401


def test_managed_identity_unknown_client_id_is_rejected(emulator):
    resp = requests.get(emulator.identity_endpoint, params={"api-version": "2019-08-01", "resource": "https://management.azure.com",
                                                            "client_id": str(uuid.uuid4())},
                        headers={"X-IDENTITY-HEADER": emulator.identity_header})
    assert resp.status_code == 400 and "No User Assigned" in resp.json()["message"]


def _token_request(emu, tenant=None, **form):
    data = {"grant_type": "client_credentials", "client_id": emu.client_id, "scope": ARM_SCOPE}
    data.update(form)
    return emu.session.post("%s/%s/oauth2/v2.0/token" % (emu.base_url, tenant or emu.tenant_id), data=data)


def _assert_entra_error(resp, status, error, code):
    body = resp.json()
    assert resp.status_code == status
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith("AADSTS%d: " % code)
    for key in ("timestamp", "trace_id", "correlation_id", "error_uri"):
        assert body[key]
    assert resp.headers["x-ms-request-id"]


def test_wrong_secret_is_invalid_client(emulator):
    resp = _token_request(emulator, client_secret="not-the-secret")
    _assert_entra_error(resp, 401, "invalid_client", 7000215)
    assert "Invalid client secret provided" in resp.json()["error_description"]


def test_wrong_secret_fails_client_secret_credential(emulator):
    credential = ClientSecretCredential(emulator.tenant_id, emulator.client_id, "nope", **_common(emulator))
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential.get_token(ARM_SCOPE)


def test_unknown_client_is_unauthorized_client(emulator):
    resp = _token_request(emulator, client_id=str(uuid.uuid4()), client_secret="x")
    _assert_entra_error(resp, 400, "unauthorized_client", 700016)


def test_unknown_tenant_is_invalid_request(emulator):
    resp = _token_request(emulator, tenant=str(uuid.uuid4()), client_secret=emulator.client_secret)
    _assert_entra_error(resp, 400, "invalid_request", 90002)
    discovery = emulator.session.get("%s/%s/v2.0/.well-known/openid-configuration" % (emulator.base_url, uuid.uuid4()))
    assert discovery.status_code == 400 and discovery.json()["error"] == "invalid_tenant"


def test_tenant_domain_name_is_accepted(emulator):
    resp = _token_request(emulator, tenant="contoso.onmicrosoft.com", client_secret=emulator.client_secret)
    assert resp.status_code == 200


@pytest.mark.parametrize("scope, error, code", [
    ("https://management.azure.com/user_impersonation", "invalid_scope", 1002012),
    ("https://vault.azure.net/.default", "invalid_resource", 500011),
])
def test_bad_scopes_are_rejected(emulator, scope, error, code):
    _assert_entra_error(_token_request(emulator, client_secret=emulator.client_secret, scope=scope), 400, error, code)


def test_missing_credential_is_invalid_client(emulator):
    _assert_entra_error(_token_request(emulator), 401, "invalid_client", 7000218)


def _other_certificate(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intruder")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    path = tmp_path / "intruder.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
                     + cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def test_assertion_signed_by_an_unregistered_certificate_is_rejected(emulator, tmp_path):
    client = emulator.client("certificate")
    credential = CertificateCredential(emulator.tenant_id, client["client_id"], certificate_path=_other_certificate(tmp_path),
                                       **_common(emulator))
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        credential.get_token(ARM_SCOPE)


def test_wrong_federated_token_is_rejected(emulator):
    client = emulator.client("workload_identity")
    credential = ClientAssertionCredential(emulator.tenant_id, client["client_id"], lambda: "not-the-federated-token",
                                           **_common(emulator))
    with pytest.raises(ClientAuthenticationError, match="AADSTS70021"):
        credential.get_token(ARM_SCOPE)


def test_instance_discovery_document_names_the_emulator(emulator):
    body = emulator.session.get(emulator.url("/common/discovery/instance"),
                                params={"api-version": "1.1", "authorization_endpoint": emulator.url("/%s/oauth2/v2.0/authorize"
                                                                                                     % emulator.tenant_id)}).json()
    assert body["tenant_discovery_endpoint"] == emulator.url("/%s/v2.0/.well-known/openid-configuration" % emulator.tenant_id)
    assert body["metadata"][0]["aliases"] == [emulator.base_url.split("://")[1]]


def test_tokens_are_jwt_shaped_with_the_documented_claims(emulator):
    token = emulator.token(scope="https://management.azure.com/.default")
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["aud"] == "https://management.azure.com" and claims["tid"] == emulator.tenant_id
    assert claims["appid"] == emulator.client_id and claims["exp"] - claims["iat"] == 3600
    assert {"iss", "oid", "nbf", "jti"} <= set(claims)
