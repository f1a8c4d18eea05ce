# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pooled HTTP session of a Resource Manager client, set up once instead of on every request.

requests reads the environment (proxies, CA bundle variables, ~/.netrc) on
every request, and urllib3 builds a TLS context and reads the CA bundle for
every new connection (about 40 ms of CPU for the public CA bundle): a fan-out
over 32 connections paid more for that than for its requests. Here the proxy
settings are read once (every request goes to one origin), ~/.netrc not at
all (the bearer token is the only credential sent), and every connection
shares one TLS context whose CA bundle was read once.
"""

import os
import ssl

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # the modules report the missing library before building a client
    requests = None
    HTTPAdapter = object


def ca_bundle(verify, environ=None):
    """What ``verify`` trusts, as requests decides it: False, or the path of a CA bundle file or directory."""
    if verify is False:
        return False
    if verify is True:
        environ = os.environ if environ is None else environ
        return environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or requests.certs.where()
    return verify


def tls_context(verify):
    """One TLS context for every connection: certificates checked against ``ca_bundle(verify)``, or not at all.

    A bundle that cannot be read is a ValidationError of ``ca_path`` (which
    REQUESTS_CA_BUNDLE also sets), naming the file.
    """
    trusted = ca_bundle(verify)
    if trusted is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        if os.path.isdir(trusted):
            return ssl.create_default_context(capath=trusted)
        return ssl.create_default_context(cafile=trusted)
    except (OSError, ssl.SSLError) as exc:
        raise ValidationError("ca_path", "%r cannot be read as a PEM bundle of CA certificates (%s); also read from "
                                         "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE" % (trusted, exc)) from None


class SharedContextAdapter(HTTPAdapter):
    """An adapter whose connections, direct or through a proxy, all use one TLS context."""

    def __init__(self, context, **kwargs):
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        proxy_kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def cert_verify(self, conn, url, verify, cert):
        """The context holds the trust: no CA bundle is named per connection (urllib3 would read it again)."""
        conn.cert_reqs = "CERT_REQUIRED" if verify else "CERT_NONE"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def new_session(base_url, verify, pool_size, user_agent):
    """A session for ``base_url`` keeping ``pool_size`` connections; pass ``bool(verify)`` as each request's ``verify``."""
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    adapter = SharedContextAdapter(tls_context(verify), pool_connections=2, pool_maxsize=max(1, pool_size), max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "%s %s" % (user_agent, session.headers.get("User-Agent", ""))
    return session
