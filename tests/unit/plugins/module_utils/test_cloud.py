# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._cloud import resolve_cloud, token_scope
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError


@pytest.mark.parametrize("name, arm, authority, scope", [
    (None, "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/.default"),
    ("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/.default"),
    ("AzurePublicCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/.default"),
    ("AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
     "https://management.usgovcloudapi.net/.default"),
    ("AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
     "https://management.chinacloudapi.cn/.default"),
])
def test_each_cloud_has_its_endpoints_and_scope(name, arm, authority, scope):
    cloud = resolve_cloud(name)
    assert (cloud.resource_manager_url, cloud.authority_host, token_scope(cloud)) == (arm, authority, scope)


def test_a_resource_manager_override_also_sets_the_token_scope():
    cloud = resolve_cloud("AzureCloud", resource_manager_url="https://127.0.0.1:8443/")
    assert cloud.resource_manager_url == "https://127.0.0.1:8443"
    assert token_scope(cloud) == "https://127.0.0.1:8443/.default"
    assert cloud.authority_host == "https://login.microsoftonline.com"


def test_an_authority_override_keeps_the_cloud_resource_manager():
    cloud = resolve_cloud("AzureUSGovernment", authority_host="https://login.example.test/")
    assert (cloud.resource_manager_url, cloud.authority_host) == ("https://management.usgovcloudapi.net", "https://login.example.test")


def test_an_unknown_cloud_is_refused_listing_the_known_ones():
    with pytest.raises(ValidationError, match=r"^cloud_environment: 'AzureGermanCloud' is not a known cloud; use one of .*AzureCloud"):
        resolve_cloud("AzureGermanCloud")


@pytest.mark.parametrize("field, kwargs", [
    ("resource_manager_url", {"resource_manager_url": "http://127.0.0.1:8080"}),
    ("resource_manager_url", {"resource_manager_url": "management.azure.com"}),
    ("authority_host", {"authority_host": "ftp://login"}),
])
def test_endpoint_overrides_must_be_https(field, kwargs):
    with pytest.raises(ValidationError, match=r"^%s: .*https://" % field):
        resolve_cloud(**kwargs)
