# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client's HTTP session: what it trusts, which proxy it uses, read once; no ~/.netrc."""

import ssl

import pytest
import requests

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._session import SharedContextAdapter, ca_bundle, new_session, tls_context

BASE = "https://arm.example.test"


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
                 "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_what_is_trusted_follows_requests_rules(clean_env):
    assert ca_bundle(False) is False
    assert ca_bundle("/etc/given.pem") == "/etc/given.pem"
    assert ca_bundle(True) == requests.certs.where()
    assert ca_bundle(True, {"CURL_CA_BUNDLE": "/c.pem"}) == "/c.pem"
    assert ca_bundle(True, {"REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_BUNDLE": "/c.pem"}) == "/r.pem"


def test_not_verifying_is_a_context_that_checks_nothing():
    context = tls_context(False)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_NONE, False)


def test_a_bundle_is_loaded_into_one_context_that_checks_names(tmp_path):
    context = tls_context(requests.certs.where())
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(context.get_ca_certs()) > 10


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_a_bundle_that_cannot_be_read_names_ca_path_and_the_file(tmp_path, content):
    path = tmp_path / "bundle.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        tls_context(str(path))
    assert caught.value.field == "ca_path" and str(path) in str(caught.value)


def test_every_connection_of_the_session_gets_the_one_context(clean_env):
    session = new_session(BASE, False, 4, "ua")
    adapter = session.get_adapter(BASE)
    assert isinstance(adapter, SharedContextAdapter)
    pool = adapter.poolmanager.connection_from_url(BASE)
    assert pool.conn_kw["ssl_context"] is adapter._context  # pylint: disable=protected-access
    proxied = adapter.proxy_manager_for("http://127.0.0.1:3128")
    assert proxied.connection_from_url(BASE).conn_kw["ssl_context"] is adapter._context  # pylint: disable=protected-access


def test_the_proxy_is_read_from_the_environment_once_and_no_proxy_is_honoured(clean_env):
    clean_env.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert new_session(BASE, True, 4, "ua").proxies == {"https": "http://127.0.0.1:3128"}
    clean_env.setenv("NO_PROXY", "arm.example.test")
    assert new_session(BASE, True, 4, "ua").proxies == {}
    session = new_session(BASE, True, 4, "ua")
    clean_env.delenv("NO_PROXY")
    assert session.proxies == {} and not session.trust_env  # what the session was made with, not re-read per request


def test_a_netrc_entry_never_replaces_the_bearer_token(clean_env, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine arm.example.test login someone password something\n")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    session = new_session(BASE, True, 4, "ua")
    prepared = session.prepare_request(requests.Request("GET", BASE + "/subscriptions", headers={"Authorization": "Bearer t"}))
    assert prepared.headers["Authorization"] == "Bearer t"
