# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options every module shares, and one call that turns them into a client."""

import importlib.util
import os
import shutil
import time
from collections import namedtuple

from ansible.module_utils.basic import env_fallback

from ansible_collections.upgradegate.azure.plugins.module_utils import _auth, _pacing
from ansible_collections.upgradegate.azure.plugins.module_utils._arm import FAN_OUT, ArmClient
from ansible_collections.upgradegate.azure.plugins.module_utils._cloud import CLOUD_NAMES, resolve_cloud, token_scope
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

# Settings a profile can also give (subscription, credentials, cloud) take no env fallback here:
# _auth resolves them so that an explicit option beats a profile, which beats the environment.
CONNECTION_ARGSPEC = dict(
    auth_source=dict(type="str", default="auto", choices=list(_auth.AUTH_SOURCES), fallback=(env_fallback, ["ANSIBLE_AZURE_AUTH_SOURCE"])),
    subscription_id=dict(type="str"),
    tenant=dict(type="str"),
    client_id=dict(type="str"),
    secret=dict(type="str", no_log=True),
    x509_certificate_path=dict(type="path"),
    profile=dict(type="str", fallback=(env_fallback, ["AZURE_PROFILE"])),
    cloud_environment=dict(type="str", choices=list(CLOUD_NAMES)),
    resource_manager_url=dict(type="str"),
    authority_host=dict(type="str"),
    disable_instance_discovery=dict(type="bool", default=False, fallback=(env_fallback, ["AZURE_DISABLE_INSTANCE_DISCOVERY"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path", fallback=(env_fallback, ["REQUESTS_CA_BUNDLE"])),
    request_timeout=dict(type="float", default=30.0),
)

# The overall bound of a module without a timeout of its own: no retry and no wait for throttling starts later
# than this many request timeouts after it connected (wait_for_upgrade passes its own deadline with every request).
RETRY_WINDOW = 10

REQUIRED_LIBRARIES = (("requests", "requests"), ("azure.identity", "azure-identity"))

Connection = namedtuple("Connection", "client subscription_id cloud auth_source secrets")


def missing_library():
    """The pip name of the first runtime dependency that is not installed, or None (nothing is imported)."""
    for module, package in REQUIRED_LIBRARIES:
        try:
            found = importlib.util.find_spec(module)
        except ImportError:
            found = None
        if found is None:
            return package
    return None


def _verify(params):
    if not params.get("validate_certs", True):
        return False
    ca_path = params.get("ca_path")
    if ca_path:
        if not os.path.isfile(ca_path):
            raise ValidationError("ca_path", "%r is not a file (a PEM bundle of CA certificates; also read from REQUESTS_CA_BUNDLE)" % ca_path)
        return ca_path
    return True


def connect(params, environ=None, pool_size=FAN_OUT, which=shutil.which, backoff=None):
    """Check the connection options and return a Connection; raises ValidationError or ArmError.

    Nothing here opens a connection: the first token is asked for with the
    first request.
    """
    environ = os.environ if environ is None else environ
    timeout = params.get("request_timeout", 30.0)
    if timeout is None or timeout <= 0:
        raise ValidationError("request_timeout", "must be a number of seconds greater than 0, got %r" % (timeout,))
    verify = _verify(params)
    az_path = which("az")
    chosen = _auth.plan(params, environ, az_path=az_path)
    _auth.check_plan(chosen)
    settings = chosen.settings
    cloud = resolve_cloud(settings.get("cloud_environment"), settings.get("resource_manager_url"), settings.get("authority_host"))
    subscription_id = settings.get("subscription_id")
    if not subscription_id:
        if chosen.method in ("cli", "cli_then_msi") and az_path:
            subscription_id = _auth.cli_default_subscription(az_path, timeout=max(10, timeout))
        else:
            raise ValidationError("subscription_id", "required: set the subscription_id option, AZURE_SUBSCRIPTION_ID, "
                                                     "a profile's subscription_id, or log in with the Azure CLI "
                                                     "(a managed identity has no default subscription)")
    factory = _auth.credential_factory(chosen, cloud, verify, timeout, params.get("disable_instance_discovery", False))
    tokens = _auth.TokenSource(factory, token_scope(cloud))
    client = ArmClient(cloud.resource_manager_url, tokens, verify=verify, timeout=timeout, pool_size=pool_size, backoff=backoff,
                       deadline=time.monotonic() + RETRY_WINDOW * timeout, pacer=_pacing.from_environment(environ))
    secrets = tuple(settings[key] for key in _auth.SECRET_SETTINGS if settings.get(key))
    return Connection(client, subscription_id, cloud, chosen.source, secrets)
