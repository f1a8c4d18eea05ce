# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every subcommand of the command line shares: its name, the connection flags, and option checking (pure: no I/O).

Options go through the modules' engine: Ansible's argument spec validator
(defaults, environment fallbacks, types, choices), then the gate's own
checks. Secrets come only from the environment (or a profile), never from
the command line or a query.
"""

import argparse

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import validate_gate

PROG = "upgradegate-azure"

# Connection options that can be given on the command line or in the query: every one but the secrets.
PUBLIC_CONNECTION_OPTIONS = {name: option for name, option in CONNECTION_ARGSPEC.items() if not option.get("no_log")}
SECRET_KEYS = tuple(sorted(set(CONNECTION_ARGSPEC) - set(PUBLIC_CONNECTION_OPTIONS))) + ("client_secret",)

CONNECTION_HELP = {
    "auth_source": "auto (default), env, credential_file, cli, msi or workload_identity [env ANSIBLE_AZURE_AUTH_SOURCE]",
    "subscription_id": "subscription to read [env AZURE_SUBSCRIPTION_ID, the profile, or the Azure CLI's default]",
    "tenant": "Entra tenant id or domain [env AZURE_TENANT, AZURE_TENANT_ID]",
    "client_id": "application (client) id, or a user-assigned managed identity [env AZURE_CLIENT_ID]",
    "x509_certificate_path": "PEM file with the certificate and its key [env AZURE_X509_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PATH]",
    "profile": "section of ~/.azure/credentials [env AZURE_PROFILE]",
    "cloud_environment": "AzureCloud (default), AzureUSGovernment or AzureChinaCloud [env AZURE_CLOUD_ENVIRONMENT]",
    "resource_manager_url": "Resource Manager endpoint, for Azure Stack Hub or private clouds [env AZURE_RESOURCE_MANAGER_URL]",
    "authority_host": "Entra ID authority [env AZURE_AUTHORITY_HOST]",
    "disable_instance_discovery": "true or false (default) [env AZURE_DISABLE_INSTANCE_DISCOVERY]",
    "validate_certs": "true (default) or false",
    "ca_path": "CA bundle for Resource Manager and token requests [env REQUESTS_CA_BUNDLE]",
    "request_timeout": "seconds per HTTP request (default 30)",
}


class Once(argparse.Action):
    """Store a single-value flag, refusing it when given twice (argparse would silently keep the last one)."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error("argument %s: given more than once (%r, then %r); give it once" % (
                "/".join(self.option_strings), getattr(namespace, self.dest), values))
        setattr(namespace, self.dest, values)


def flag(name):
    """The command-line flag of an option: ``scale_set`` -> ``--scale-set``."""
    return "--" + name.replace("_", "-")


def add_connection_arguments(parser):
    """The public connection options as flags, in their own help section."""
    connection = parser.add_argument_group("connection (no secrets: set AZURE_CLIENT_SECRET or AZURE_SECRET in the environment)")
    for name, text in CONNECTION_HELP.items():
        connection.add_argument(flag(name), help=text, action=Once)


def _spec_reading(environ, spec):
    """``spec`` with its environment fallbacks reading ``environ`` (Ansible's env_fallback reads os.environ)."""
    def lookup(*names):
        for name in names:
            if name in environ:
                return environ[name]
        raise AnsibleFallbackNotFound

    return {name: dict(option, fallback=(lookup,) + tuple(option["fallback"][1:])) if "fallback" in option else option
            for name, option in spec.items()}


def validated(spec, rules, given, environ, where, check=validate_gate):
    """The parameters as the module would see them, after the subcommand's own checks (the gate's by default); raises ValidationError."""
    result = ArgumentSpecValidator(_spec_reading(environ, spec), **rules).validate(given)
    if result.error_messages:
        raise ValidationError(where, "; ".join(result.error_messages))
    params = result.validated_parameters
    check(params)
    return params
