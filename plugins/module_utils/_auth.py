# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who we are: settings from options, a credentials-file profile and the environment,
the credential that ``auth_source`` picks, and a token source for the ARM client.

No HTTP client code lives here: azure-identity talks to Entra ID itself.
Deciding (``plan``) is pure and tested on its own; building the credential
imports azure-identity only when it is needed.
"""

import configparser
import json
import logging
import os
import re
import subprocess
import threading
import time
from collections import namedtuple

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError, ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import check_subscription_id

AUTH_SOURCES = ("auto", "env", "credential_file", "cli", "msi", "workload_identity")

# Settings that options, a profile and the environment can all give; first variable set wins.
ENV_NAMES = {
    "subscription_id": ("AZURE_SUBSCRIPTION_ID",),
    "tenant": ("AZURE_TENANT", "AZURE_TENANT_ID"),
    "client_id": ("AZURE_CLIENT_ID",),
    "secret": ("AZURE_SECRET", "AZURE_CLIENT_SECRET"),
    "x509_certificate_path": ("AZURE_X509_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"),
    "cloud_environment": ("AZURE_CLOUD_ENVIRONMENT",),
    "resource_manager_url": ("AZURE_RESOURCE_MANAGER_URL",),
    "authority_host": ("AZURE_AUTHORITY_HOST",),
}
FEDERATED_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE"
SECRET_SETTINGS = ("secret",)
CREDENTIAL_SETTINGS = ("tenant", "client_id", "secret", "x509_certificate_path")

# How MSAL words an HTTP failure of the token endpoint that azure-identity wraps without its response.
_HTTP_ERROR = re.compile(r"\bHTTP Error: ([1-5][0-9][0-9])\b")
# A token is used until this many seconds before it expires (azure-core's bearer token policy refreshes as early).
TOKEN_REFRESH_MARGIN = 300
# How the credential is made: client secret, certificate, federated token, CLI, managed identity.
Plan = namedtuple("Plan", "source method settings")


def settings_from_environment(environ):
    found = {}
    for key, names in ENV_NAMES.items():
        for name in names:
            if environ.get(name):
                found[key] = environ[name]
                break
    return found


def credentials_file(environ):
    config_dir = environ.get("AZURE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".azure")
    return os.path.join(config_dir, "credentials")


def read_profile(path, name):
    """The settings of one section of an INI credentials file (keys named like the options)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        raise ValidationError("profile", "%r: the credentials file %s does not exist" % (name, path)) from None
    except (OSError, configparser.Error) as exc:
        raise ValidationError("profile", "%r: cannot read the credentials file %s: %s" % (name, path, exc)) from None
    if not parser.has_section(name):
        raise ValidationError("profile", "%r is not a section of %s; sections there: %s" % (
            name, path, ", ".join(parser.sections()) or "none"))
    return {key: value for key, value in parser.items(name) if key in ENV_NAMES and value}


def _explicit(params):
    return {key: params.get(key) for key in ENV_NAMES if params.get(key) not in (None, "")}


def _has_client_credential(settings):
    return bool(settings.get("secret") or settings.get("x509_certificate_path"))


def _client_method(settings):
    return "client_secret" if settings.get("secret") else "certificate"


def plan(params, environ, profile_reader=read_profile, az_path=None):
    """Decide where credentials come from and how the credential is made.

    Settings merge with explicit options first, then the profile (named, and
    used by ``auto`` and ``credential_file`` only), then the environment. ``auth_source: auto`` takes, in order:
    credentials given as options; the named profile; environment variables
    (client secret, certificate, or a federated token file); the Azure CLI
    when ``az`` is on PATH (falling back to managed identity); managed identity.
    """
    source = params.get("auth_source") or "auto"
    explicit = _explicit(params)
    from_env = settings_from_environment(environ)
    if source == "credential_file":  # the credentials are the profile's; the environment may still give the rest
        from_env = {key: value for key, value in from_env.items() if key not in CREDENTIAL_SETTINGS}
    profile_name = params.get("profile") or ("default" if source == "credential_file" else None)
    uses_profile = profile_name and source in ("auto", "credential_file")
    from_profile = profile_reader(credentials_file(environ), profile_name) if uses_profile else {}
    settings = dict(from_env)
    settings.update(from_profile)
    settings.update(explicit)
    token_file = environ.get(FEDERATED_TOKEN_FILE)

    if source == "auto":
        # The first source that holds a client credential wins, with its own kind of credential.
        for name, found in (("options", explicit), ("profile", from_profile), ("env", from_env)):
            if _has_client_credential(found):
                return Plan(name, _client_method(found), settings)
        if token_file and settings.get("tenant") and settings.get("client_id"):
            return Plan("env", "federated", dict(settings, token_file=token_file))
        if az_path:
            return Plan("cli", "cli_then_msi", settings)
        return Plan("msi", "msi", settings)
    if source in ("env", "credential_file"):
        # An explicit option still wins over the source's own credential, with its own kind of credential.
        for found in (explicit, from_profile if source == "credential_file" else from_env):
            if _has_client_credential(found):
                return Plan(source, _client_method(found), settings)
        if source == "env" and token_file:
            return Plan(source, "federated", dict(settings, token_file=token_file))
        where = "the environment" if source == "env" else "profile %r" % profile_name
        also = " or AZURE_FEDERATED_TOKEN_FILE" if source == "env" else ""
        raise ValidationError(
            "auth_source",
            "%r found no credentials in %s: set a client secret (secret) or a certificate (x509_certificate_path)%s" % (source, where, also),
        )
    if source == "workload_identity":
        if not token_file:
            raise ValidationError("auth_source", "'workload_identity' needs AZURE_FEDERATED_TOKEN_FILE to name the federated token file")
        return Plan(source, "federated", dict(settings, token_file=token_file))
    return Plan(source, source, settings)


def check_plan(chosen):
    """Raise ValidationError for a plan that cannot work, naming the setting that is missing or wrong."""
    settings = chosen.settings
    if chosen.method in ("client_secret", "certificate", "federated"):
        for key in ("tenant", "client_id"):
            if not settings.get(key):
                raise ValidationError(key, "required to authenticate with a %s (set the %s option or %s)" % (
                    chosen.method.replace("_", " "), key, " or ".join(ENV_NAMES[key])))
    if chosen.method == "certificate" and not os.path.isfile(settings["x509_certificate_path"]):
        raise ValidationError("x509_certificate_path", "%r is not a file (a PEM file holding the certificate and its private key)"
                              % settings["x509_certificate_path"])
    if chosen.method == "federated" and not os.path.isfile(settings["token_file"]):
        raise ValidationError("auth_source", "AZURE_FEDERATED_TOKEN_FILE names %r, which is not a file" % settings["token_file"])
    if settings.get("subscription_id"):
        check_subscription_id(settings["subscription_id"])


def credential_factory(chosen, cloud, verify, timeout, disable_instance_discovery=False):
    """A function that makes a new azure-identity credential for the plan (a new one drops any cached token)."""
    settings = chosen.settings
    # No retries inside azure-identity: the ARM client retries token trouble like Resource Manager trouble,
    # within the module's deadline (azure-identity would sleep out any Retry-After, however long).
    common = dict(authority=cloud.authority_host, connection_verify=verify, connection_timeout=timeout, read_timeout=timeout,
                  retry_total=0)
    if disable_instance_discovery:
        common["disable_instance_discovery"] = True

    def make():
        from azure import identity  # pylint: disable=import-outside-toplevel

        quiet_identity_logs()

        if chosen.method == "client_secret":
            return identity.ClientSecretCredential(settings["tenant"], settings["client_id"], settings["secret"], **common)
        if chosen.method == "certificate":
            return identity.CertificateCredential(settings["tenant"], settings["client_id"],
                                                  certificate_path=settings["x509_certificate_path"], **common)
        if chosen.method == "federated":
            return identity.WorkloadIdentityCredential(tenant_id=settings["tenant"], client_id=settings["client_id"],
                                                       token_file_path=settings["token_file"], **common)
        cli = identity.AzureCliCredential(tenant_id=settings.get("tenant"), process_timeout=max(10, int(timeout)))
        msi = identity.ManagedIdentityCredential(client_id=settings.get("client_id"), connection_verify=verify,
                                                 connection_timeout=timeout, read_timeout=timeout, retry_total=0)
        if chosen.method == "cli":
            return cli
        if chosen.method == "msi":
            return msi
        return identity.ChainedTokenCredential(cli, msi)

    return make


def cli_default_subscription(az_path, timeout=30, run=subprocess.run):
    """The Azure CLI's default subscription id, as ``az account show`` prints it."""
    try:
        # No AnsibleModule here (the command line calls this too), so no run_command: ansible-core 2.21's pylint asks for it.
        # pylint: disable-next=ansible-bad-function
        done = run([az_path, "account", "show", "--output", "json"], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ValidationError("subscription_id", "not set, and the Azure CLI could not tell its default subscription: %s" % exc) from None
    try:
        subscription = json.loads(done.stdout).get("id") if done.returncode == 0 else None
    except (ValueError, AttributeError):
        subscription = None
    if not subscription:
        raise ValidationError("subscription_id", "not set, and the Azure CLI has no default subscription (%s)" % (
            " ".join(done.stderr.split())[:200] or "run 'az login'"))
    return subscription


def quiet_identity_logs():
    """Keep azure-identity's own log lines (``ClientSecretCredential.get_token failed: ...``) off stderr: its
    failures come back as ArmError. A handler the user configured on the root logger still gets them."""
    logger = logging.getLogger("azure.identity")
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())


def token_status(exc):
    """The token endpoint's HTTP status behind an azure-identity failure, or None: from the response it carries, or
    from the MSAL error it wraps (``Authentication failed: HTTP Error: 503``)."""
    seen = 0
    while exc is not None and seen < 5:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if isinstance(status, int):
            return status
        found = _HTTP_ERROR.search(str(exc))
        if found:
            return int(found.group(1))
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def token_error(exc, scope):
    """An azure-identity failure as an ArmError: with the token endpoint's HTTP status when it answered
    (so a 503 or 429 is transient, as on Resource Manager), of kind ``transport`` when it did not answer at all."""
    from azure.core.exceptions import ClientAuthenticationError  # pylint: disable=import-outside-toplevel

    text = " ".join(str(exc).split())
    hint = " (the token endpoint's certificate is not trusted: set ca_path to a CA bundle that signs it)" if "CERTIFICATE_VERIFY_FAILED" in text else ""
    status = token_status(exc)
    kind = "auth" if status is not None or isinstance(exc, ClientAuthenticationError) or hint else "transport"
    return ArmError("could not get a token for %s: %s%s" % (scope, text, hint), kind=kind, status=status, code=type(exc).__name__)


class TokenSource:
    """The bearer token for every request, and a new credential when Resource Manager refused a token.

    A token is kept and handed out until ``TOKEN_REFRESH_MARGIN`` seconds
    before it expires, as azure-core's bearer token policy does: a fan-out's
    requests take it without asking the credential. When there is none, or
    it is due, threads ask the credential one at a time (the others then
    take the one it gave), so a fan-out's first round fetches one token on
    one connection. ``within`` bounds how long one call may take, whatever
    the token endpoint does: the credential is asked in a daemon thread, and
    a credential that did not answer in time is replaced for the next call.
    ``now`` is the wall clock that ``expires_on`` counts in.
    """

    def __init__(self, factory, scope, now=time.time):
        self._factory = factory
        self._scope = scope
        self._now = now
        self._credential = None
        self._kept = None  # (token, when to stop using it)
        self._lock = threading.Lock()
        self._asking = threading.Lock()

    def token(self, within=None):
        kept = self._fresh()
        if kept is not None:
            return kept
        with self._lock:
            if self._credential is None:
                self._credential = self._factory()
            credential = self._credential
        return self._one_at_a_time(credential, within)

    def renew(self, within=None):
        with self._lock:
            self._credential = credential = self._factory()
            self._kept = None
        return self._one_at_a_time(credential, within, renewing=True)

    def _fresh(self):
        with self._lock:
            kept = self._kept
        if kept is not None and self._now() < kept[1]:
            return kept[0]
        return None

    def _keep(self, credential, answer):
        """Keep the token the current credential gave, when it says when it expires."""
        expires_on = getattr(answer, "expires_on", None)
        if isinstance(expires_on, (int, float)) and not isinstance(expires_on, bool):
            with self._lock:
                if self._credential is credential:
                    self._kept = (answer.token, expires_on - TOKEN_REFRESH_MARGIN)
        return answer.token

    def _one_at_a_time(self, credential, within, renewing=False):
        if not self._asking.acquire(timeout=-1 if within is None else max(within, 0.001)):
            raise ArmError("could not get a token for %s: another request's token did not come within %s s" % (self._scope, within),
                           kind="transport", code="TokenTimeout")
        try:
            kept = None if renewing else self._fresh()  # another thread may have fetched it while this one waited
            return kept if kept is not None else self._keep(credential, self._bounded(credential, within))
        finally:
            self._asking.release()

    def _bounded(self, credential, within):
        if within is None:
            return self._get(credential)
        answer = {}

        def ask():
            try:
                answer["token"] = self._get(credential)
            except ArmError as exc:
                answer["error"] = exc
            except Exception as exc:  # pylint: disable=broad-exception-caught
                answer["error"] = ArmError("could not get a token for %s: %s: %s" % (self._scope, type(exc).__name__, exc),
                                           kind="auth", code=type(exc).__name__)

        worker = threading.Thread(target=ask, name="upgradegate-token", daemon=True)
        worker.start()
        worker.join(max(within, 0.001))
        if worker.is_alive():
            with self._lock:
                if self._credential is credential:
                    self._credential = None
            raise ArmError("could not get a token for %s: the token endpoint did not answer within %s s" % (self._scope, within),
                           kind="transport", code="TokenTimeout")
        if "error" in answer:
            if answer["error"].transient:  # MSAL replays a 5xx or 429 for its Retry-After: the next try gets a fresh credential
                with self._lock:
                    if self._credential is credential:
                        self._credential = None
            raise answer["error"]
        return answer["token"]

    def _get(self, credential):
        from azure.core.exceptions import AzureError  # pylint: disable=import-outside-toplevel

        try:
            return credential.get_token(self._scope)
        except AzureError as exc:
            raise token_error(exc, self._scope) from None
