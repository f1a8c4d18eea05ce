# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which Azure cloud we talk to: Resource Manager endpoint, authority and token scope."""

from collections import namedtuple

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

Cloud = namedtuple("Cloud", "name resource_manager_url authority_host audience")

CLOUDS = {
    "AzureCloud": Cloud("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com"),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us", "https://management.usgovcloudapi.net"
    ),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn"
    ),
}
ALIASES = {"AzurePublicCloud": "AzureCloud"}
CLOUD_NAMES = tuple(sorted(CLOUDS)) + tuple(sorted(ALIASES))
DEFAULT_CLOUD = "AzureCloud"


def _https_url(field, value):
    text = value.strip().rstrip("/")
    if not text.lower().startswith("https://") or len(text) <= len("https://"):
        raise ValidationError(field, "%r is not an https:// URL" % value)
    return text


def resolve_cloud(name=None, resource_manager_url=None, authority_host=None):
    """The endpoints in use: a named cloud, with either endpoint overridden.

    With ``resource_manager_url`` overridden (Azure Stack Hub, a private cloud,
    the emulator) the token audience is that URL, so the scope becomes
    ``<resource_manager_url>/.default``.
    """
    name = name or DEFAULT_CLOUD
    canonical = ALIASES.get(name, name)
    if canonical not in CLOUDS:
        raise ValidationError("cloud_environment", "%r is not a known cloud; use one of %s" % (name, ", ".join(CLOUD_NAMES)))
    cloud = CLOUDS[canonical]
    if resource_manager_url:
        url = _https_url("resource_manager_url", resource_manager_url)
        cloud = cloud._replace(resource_manager_url=url, audience=url)
    if authority_host:
        cloud = cloud._replace(authority_host=_https_url("authority_host", authority_host))
    return cloud


def token_scope(cloud):
    return cloud.audience.rstrip("/") + "/.default"
