# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resource Manager behaviour: 401/403/404 variants, api-version checks, paging, headers."""

import uuid

import pytest

from emulator_helpers import CLIENT, SUBSCRIPTION, TENANT, bearer, run_url, small_scenario, vmss_url

READER = "77777777-7777-4777-8777-777777777777"


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    scenario = small_scenario(time_scale=0, page_size=3)
    tenant = scenario["tenants"][0]
    tenant["clients"].append({"client_id": READER, "secret": "reader-secret", "permissions": [
        {"actions": ["Microsoft.Compute/virtualMachineScaleSets/read"], "scope": "/subscriptions/%s" % SUBSCRIPTION}]})
    scenario["tenants"].append({"id": str(uuid.UUID(int=5)), "clients": [{"client_id": CLIENT, "secret": "other"}]})
    rg = scenario["subscriptions"][0]["resource_groups"][0]
    rg["scale_sets"].append({"name": "web-{i:02d}", "count": 5, "tags": {"pool": "p{i}"}})
    scenario["subscriptions"][0]["resource_groups"].append({"name": "rg-empty"})
    return emulator_session_factory(scenario)


def _error(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    return resp.json()["error"]["message"]


def test_missing_token_is_authentication_failed(emu):
    resp = emu.session.get(vmss_url(emu, "vmss-web"))
    _error(resp, 401, "AuthenticationFailed")
    assert resp.headers["WWW-Authenticate"].startswith('Bearer authorization_uri="%s/' % emu.base_url)


def test_garbage_token_is_invalid_authentication_token(emu):
    resp = emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer("abc.def.ghi"))
    _error(resp, 401, "InvalidAuthenticationToken")
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_token_for_another_audience_is_rejected(emu):
    token = emu.token(scope="https://management.core.windows.net/.default")
    assert emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)).status_code == 200
    emu_other = emu.session.post(emu.url("/%s/oauth2/v2.0/token" % TENANT), data={
        "grant_type": "client_credentials", "client_id": CLIENT, "client_secret": "s3cret-value",
        "scope": "https://graph.microsoft.com/.default"})
    assert emu_other.status_code == 400  # not a resource the emulator knows


def test_token_from_another_tenant_is_rejected(emu):
    token = emu.token(tenant=str(uuid.UUID(int=5)), secret="other")
    _error(emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)), 401, "InvalidAuthenticationTokenTenant")


def test_expired_token_is_rejected_once_the_clock_passes_its_expiry(emulator_factory):
    emu = emulator_factory(small_scenario(time_scale=0, token_lifetime=5))
    token = emu.token()
    assert emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)).status_code == 200
    emu.advance(6)
    message = _error(emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)), 401, "ExpiredAuthenticationToken")
    assert "is earlier than current UTC time" in message


def test_wrong_audience_token_gets_invalid_audience(emulator_factory):
    emu = emulator_factory(small_scenario(time_scale=0, token_resources=["https://vault.azure.net"]))
    token = emu.token(scope="https://vault.azure.net/.default")
    _error(emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)), 401, "InvalidAuthenticationTokenAudience")


@pytest.mark.parametrize("api, code", [(None, "MissingApiVersionParameter"), ("2019-01-01", "InvalidApiVersionParameter")])
def test_api_version_is_required_and_checked(emu, api, code):
    url = vmss_url(emu, "vmss-web").split("?")[0] + ("?api-version=%s" % api if api else "")
    message = _error(emu.session.get(url, headers=bearer(emu.token())), 400, code)
    if api:
        assert "2024-07-01" in message


def test_principal_without_the_read_action_gets_authorization_failed(emu):
    token = emu.token(client_id=READER, secret="reader-secret")
    assert emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)).status_code == 200
    message = _error(emu.session.get(vmss_url(emu, "vmss-web", "/rollingUpgrades/latest"), headers=bearer(token)),
                     403, "AuthorizationFailed")
    assert message == (
        "The client '%s' with object id '%s' does not have authorization to perform action "
        "'Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades/read' over scope '/subscriptions/%s/resourceGroups/rg-demo/"
        "providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web' or the scope is invalid. If access was recently "
        "granted, please refresh your credentials." % (READER, emu.scenario["tenants"][0]["clients"][1]["object_id"], SUBSCRIPTION))


@pytest.mark.parametrize("url_kwargs, suffix, status, code, words", [
    ({"sub": str(uuid.UUID(int=9))}, "", 404, "SubscriptionNotFound", "could not be found"),
    ({"rg": "rg-missing"}, "", 404, "ResourceGroupNotFound", "Resource group 'rg-missing' could not be found."),
    ({}, "", 404, "ResourceNotFound", "The Resource 'Microsoft.Compute/virtualMachineScaleSets/nope' under resource group "
                                      "'rg-demo' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    ({}, "/rollingUpgrades/latest", 404, "ResourceNotFound", "nope"),
])
def test_compute_not_found_variants(emu, url_kwargs, suffix, status, code, words):
    resp = emu.session.get(vmss_url(emu, "nope", suffix, **url_kwargs), headers=bearer(emu.token()))
    assert words in _error(resp, status, code)


def test_scale_set_that_never_upgraded_is_not_found_by_the_compute_rp(emu):
    resp = emu.session.get(vmss_url(emu, "vmss-idle", "/rollingUpgrades/latest"), headers=bearer(emu.token()))
    assert _error(resp, 404, "NotFound") == "The entity was not found in this Azure location."


def test_fleet_not_found_variants(emu):
    token = emu.token()
    assert "Parent resource 'nofleet' not found" in _error(
        emu.session.get(run_url(emu, "run-1", fleet="nofleet"), headers=bearer(token)), 404, "ParentResourceNotFound")
    message = _error(emu.session.get(run_url(emu, "nope"), headers=bearer(token)), 404, "ResourceNotFound")
    assert "'Microsoft.ContainerService/fleets/updateRuns/fleet-demo/nope'" in message
    fleet_url = run_url(emu, "x").split("/updateRuns/")[0].replace("fleet-demo", "nofleet") + "?api-version=2025-03-01"
    _error(emu.session.get(fleet_url, headers=bearer(token)), 404, "ResourceNotFound")


def test_scale_set_lists_are_paged_with_absolute_next_links(emu):
    url = "%s/subscriptions/%s/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-07-01" % (emu.base_url, SUBSCRIPTION)
    names, pages, token = [], 0, emu.token()
    while url:
        body = emu.session.get(url, headers=bearer(token)).json()
        names += [v["name"] for v in body["value"]]
        pages += 1
        url = body.get("nextLink")
        assert url is None or url.startswith(emu.base_url + "/subscriptions/")
    assert pages == 3 and names == ["vmss-web", "vmss-idle"] + ["web-%02d" % i for i in range(5)]
    rg_url = "%s/subscriptions/%s/resourceGroups/rg-empty/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-07-01" % (
        emu.base_url, SUBSCRIPTION)
    assert emu.session.get(rg_url, headers=bearer(token)).json() == {"value": []}


def test_scale_set_resource_shape(emu):
    body = emu.session.get(vmss_url(emu, "web-03"), headers=bearer(emu.token())).json()
    assert body["id"] == "/subscriptions/%s/resourceGroups/rg-demo/providers/Microsoft.Compute/virtualMachineScaleSets/web-03" % SUBSCRIPTION
    assert body["type"] == "Microsoft.Compute/virtualMachineScaleSets" and body["tags"] == {"pool": "p3"}
    assert body["properties"]["upgradePolicy"]["mode"] == "Rolling"
    assert body["properties"]["upgradePolicy"]["rollingUpgradePolicy"]["maxBatchInstancePercent"] == 20
    assert {"sku", "location"} <= set(body) and {"provisioningState", "uniqueId"} <= set(body["properties"])


def test_every_response_carries_request_and_correlation_ids(emu):
    client_request_id = str(uuid.uuid4())
    resp = emu.session.get(vmss_url(emu, "vmss-web"), headers=dict(bearer(emu.token()), **{"x-ms-client-request-id": client_request_id}))
    assert resp.headers["x-ms-client-request-id"] == client_request_id
    assert resp.headers["x-ms-correlation-request-id"] == client_request_id
    assert uuid.UUID(resp.headers["x-ms-request-id"])
    for error in (emu.session.get(vmss_url(emu, "vmss-web")), emu.session.post(emu.url("/%s/oauth2/v2.0/token" % TENANT), data={})):
        assert uuid.UUID(error.headers["x-ms-request-id"]) and uuid.UUID(error.headers["x-ms-correlation-request-id"])


def test_read_rate_limit_header_decrements(emu):
    token = emu.token()
    first = int(emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)).headers["x-ms-ratelimit-remaining-subscription-reads"])
    second = int(emu.session.get(vmss_url(emu, "vmss-web"), headers=bearer(token)).headers["x-ms-ratelimit-remaining-subscription-reads"])
    assert second == first - 1


def test_unknown_route_is_an_arm_style_404(emu):
    url = emu.url("/subscriptions/%s/providers/Microsoft.Compute/disks?api-version=2024-07-01" % SUBSCRIPTION)
    _error(emu.session.get(url, headers=bearer(emu.token())), 404, "InvalidResourceType")
