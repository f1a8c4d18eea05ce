# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit every integration run goes through would notice a leak."""

from conftest import leaks, secrets_of

TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJlLXBhcnQ"


def test_the_audit_finds_a_client_secret_a_token_and_a_federated_token(tmp_path):
    token_file = tmp_path / "federated.token"
    token_file.write_text("federated-assertion-value\n")
    secrets = secrets_of({"AZURE_SECRET": "client-secret-value", "AZURE_FEDERATED_TOKEN_FILE": str(token_file)})
    found = leaks({"stdout": "ok: client-secret-value", "log": "Authorization: Bearer " + TOKEN,
                   "results": '{"assertion": "federated-assertion-value"}', "stderr": "clean"}, secrets)
    assert sorted(found) == ["a token in log", "secret #0 in stdout", "secret #1 in results"]


def test_the_audit_finds_a_private_key_line(tmp_path):
    pem = tmp_path / "client.pem"
    pem.write_text("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
                   "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n")
    secrets = secrets_of({"AZURE_X509_CERTIFICATE_PATH": str(pem)})
    assert leaks({"stdout": "key MIIEvQIBADANBgkqhkiG9w0BAQEFAASC leaked"}, secrets) == ["secret #0 in stdout"]


def test_clean_output_shows_nothing():
    assert leaks({"stdout": "ok: [localhost] => {\"secret\": \"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\"}"}, ["client-secret-value"]) == []
