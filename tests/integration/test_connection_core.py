# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection core against the emulator over TLS: real azure-identity credentials, real requests.

What the client did is read back from the emulator's request log: which principal
called, how often, and when.
"""

import json
import os
from pathlib import Path

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import connect
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import rolling_upgrades, scale_set_path, update_runs
from ansible_collections.upgradegate.azure.plugins.module_utils._retry import Backoff

SUPPORT_BIN = Path(__file__).resolve().parents[1] / "_support" / "bin"
TENANT = "11111111-1111-4111-8111-111111111111"
SUB = "33333333-3333-4333-8333-333333333333"
SECRET_SP, PROFILE_SP, CLI_USER = "a1111111-1111-4111-8111-111111111111", "b2222222-2222-4222-8222-222222222222", "c3333333-3333-4333-8333-333333333333"
CERT_SP, FEDERATED_SP, MANAGED = "d4444444-4444-4444-8444-444444444444", "e5555555-5555-4555-8555-555555555555", "f6666666-6666-4666-8666-666666666666"
SCENARIO = {
    "time_scale": 0,
    "page_size": 2,
    "tenants": [{
        "id": TENANT,
        "clients": [
            {"client_id": SECRET_SP, "secret": "secret-of-a"},
            {"client_id": PROFILE_SP, "secret": "secret-of-b"},
            {"client_id": CLI_USER, "secret": "secret-of-cli"},
            {"client_id": CERT_SP, "certificate": {"generate": True}},
            {"client_id": FEDERATED_SP, "federated_token": {"generate": True}},
        ],
        "managed_identities": [{"client_id": MANAGED, "system": True}],
    }],
    "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": [{
        "name": "rg-core",
        "scale_sets": [{"name": "vmss-a", "rolling_upgrade": {"start": 0, "duration": 30}}],
        "fleets": [{"name": "fleet-a", "members": [{"name": "m1", "group": "g1"}],
                    "update_runs": [{"name": "run-%d" % i} for i in range(1, 6)]}],
    }]}],
}
VMSS_PATH = scale_set_path(SUB, "rg-core", "vmss-a")
QUICK = Backoff(retries=3, base=0.05, cap=0.2)


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(SCENARIO)


def params(emu, **overrides):
    values = dict(auth_source="auto", subscription_id=SUB, tenant=None, client_id=None, secret=None, x509_certificate_path=None,
                  profile=None, cloud_environment=None, resource_manager_url=emu.base_url, authority_host=emu.base_url,
                  disable_instance_discovery=True, validate_certs=True, ca_path=emu.ca_path, request_timeout=10.0)
    values.update(overrides)
    return values


def principal_of_last_read(emu):
    reads = [entry for entry in emu.requests_log(path="virtualMachineScaleSets/vmss-a$") if entry["status"] == 200]
    assert reads, "no successful read reached the emulator"
    return reads[-1]["principal"]


def read_with(emu, options, environ=None, **connect_kwargs):
    connection = connect(options, environ or {}, **connect_kwargs)
    try:
        response = connection.client.get(VMSS_PATH, "2024-07-01")
    finally:
        connection.client.close()
    assert response.body["name"] == "vmss-a"
    return connection


def log_in_stand_in_az(emu, monkeypatch, tmp_path):
    config = tmp_path / "azure-cli"
    config.mkdir()
    (config / "fake_az_login.json").write_text(json.dumps({
        "authority": emu.base_url, "tenant": TENANT, "client_id": CLI_USER, "secret": "secret-of-cli",
        "subscription": SUB, "ca_path": emu.ca_path}))
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(config))
    monkeypatch.setenv("PATH", os.pathsep.join([str(SUPPORT_BIN), os.environ["PATH"]]))


def write_profile(tmp_path, **section):
    config = tmp_path / "azure-config"
    config.mkdir(exist_ok=True)
    body = "".join("%s = %s\n" % item for item in section.items())
    (config / "credentials").write_text("[ci]\n" + body)
    return str(config)


def test_a_client_secret_given_as_options_reads_arm(emu):
    connection = read_with(emu, params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"))
    assert (connection.auth_source, principal_of_last_read(emu)) == ("options", SECRET_SP)
    assert connection.secrets == ("secret-of-a",)


@pytest.mark.parametrize("names", [("AZURE_TENANT", "AZURE_SECRET"), ("AZURE_TENANT_ID", "AZURE_CLIENT_SECRET")])
def test_both_families_of_environment_names_read_arm(emu, names):
    environ = {names[0]: TENANT, "AZURE_CLIENT_ID": SECRET_SP, names[1]: "secret-of-a"}
    connection = read_with(emu, params(emu), environ)
    assert (connection.auth_source, principal_of_last_read(emu)) == ("env", SECRET_SP)


def test_a_certificate_reads_arm(emu):
    certificate = emu.info["client_certificates"][CERT_SP]
    read_with(emu, params(emu, tenant=TENANT, client_id=CERT_SP, x509_certificate_path=certificate))
    assert principal_of_last_read(emu) == CERT_SP


def test_a_certificate_from_the_environment_reads_arm(emu):
    environ = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CERT_SP,
               "AZURE_CLIENT_CERTIFICATE_PATH": emu.info["client_certificates"][CERT_SP]}
    read_with(emu, params(emu, auth_source="env"), environ)
    assert principal_of_last_read(emu) == CERT_SP


def test_workload_identity_reads_arm_with_the_federated_token_file(emu):
    environ = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": FEDERATED_SP,
               "AZURE_FEDERATED_TOKEN_FILE": emu.info["federated_token_files"][FEDERATED_SP]}
    connection = read_with(emu, params(emu, auth_source="workload_identity"), environ)
    assert principal_of_last_read(emu) == FEDERATED_SP and connection.auth_source == "workload_identity"


def test_auto_picks_the_federated_token_from_the_environment(emu):
    environ = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": FEDERATED_SP,
               "AZURE_FEDERATED_TOKEN_FILE": emu.info["federated_token_files"][FEDERATED_SP]}
    read_with(emu, params(emu), environ)
    assert principal_of_last_read(emu) == FEDERATED_SP


def test_a_profile_of_the_credentials_file_reads_arm(emu, tmp_path):
    config = write_profile(tmp_path, tenant=TENANT, client_id=PROFILE_SP, secret="secret-of-b", subscription_id=SUB)
    connection = read_with(emu, params(emu, auth_source="credential_file", profile="ci", subscription_id=None),
                           {"AZURE_CONFIG_DIR": config})
    assert principal_of_last_read(emu) == PROFILE_SP
    assert connection.secrets == ("secret-of-b",) and connection.subscription_id == SUB


def test_auto_prefers_a_named_profile_to_environment_credentials(emu, tmp_path):
    config = write_profile(tmp_path, tenant=TENANT, client_id=PROFILE_SP, secret="secret-of-b")
    environ = {"AZURE_CONFIG_DIR": config, "AZURE_TENANT": TENANT, "AZURE_CLIENT_ID": SECRET_SP, "AZURE_SECRET": "secret-of-a"}
    connection = read_with(emu, params(emu, profile="ci"), environ)
    assert (connection.auth_source, principal_of_last_read(emu)) == ("profile", PROFILE_SP)


def test_auto_prefers_options_to_a_profile(emu, tmp_path):
    config = write_profile(tmp_path, tenant=TENANT, client_id=PROFILE_SP, secret="secret-of-b")
    read_with(emu, params(emu, profile="ci", client_id=SECRET_SP, secret="secret-of-a"), {"AZURE_CONFIG_DIR": config})
    assert principal_of_last_read(emu) == SECRET_SP


def test_managed_identity_reads_arm_through_identity_endpoint(emu, monkeypatch):
    monkeypatch.setenv("IDENTITY_ENDPOINT", emu.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", str(emu.identity_header))
    connection = read_with(emu, params(emu, auth_source="msi"), which=lambda name: None)
    assert (connection.auth_source, principal_of_last_read(emu)) == ("msi", MANAGED)


def test_auto_falls_to_managed_identity_when_nothing_else_is_there(emu, monkeypatch):
    monkeypatch.setenv("IDENTITY_ENDPOINT", emu.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", str(emu.identity_header))
    connection = read_with(emu, params(emu), {}, which=lambda name: None)
    assert (connection.auth_source, principal_of_last_read(emu)) == ("msi", MANAGED)


def test_the_azure_cli_reads_arm_and_gives_its_default_subscription(emu, monkeypatch, tmp_path):
    log_in_stand_in_az(emu, monkeypatch, tmp_path)
    connection = read_with(emu, params(emu, auth_source="cli", subscription_id=None))
    assert (connection.subscription_id, principal_of_last_read(emu)) == (SUB, CLI_USER)


def test_auto_uses_the_azure_cli_when_az_is_on_path_and_nothing_else_is_set(emu, monkeypatch, tmp_path):
    log_in_stand_in_az(emu, monkeypatch, tmp_path)
    connection = read_with(emu, params(emu, subscription_id=None))
    assert (connection.auth_source, principal_of_last_read(emu)) == ("cli", CLI_USER)


def test_a_wrong_secret_is_a_clear_auth_error_without_the_secret(emu):
    connection = connect(params(emu, tenant=TENANT, client_id=SECRET_SP, secret="not-the-secret"), {})
    with pytest.raises(ArmError) as caught:
        connection.client.get(VMSS_PATH, "2024-07-01")
    assert caught.value.kind == "auth" and "AADSTS7000215" in str(caught.value)
    assert "not-the-secret" not in str(caught.value)


def test_every_request_carries_a_client_request_id(emu):
    read_with(emu, params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"))
    entry = emu.requests_log(path="virtualMachineScaleSets/vmss-a$")[-1]
    assert len(entry["client_request_id"]) == 36


def test_a_429_with_retry_after_2_is_not_retried_before_2_seconds(emu):
    emu.add_fault("throttle", path="virtualMachineScaleSets/vmss-a$", retry_after=2, count=1)
    read_with(emu, params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"))
    first, second = emu.requests_log(path="virtualMachineScaleSets/vmss-a$")[-2:]
    assert (first["status"], second["status"]) == (429, 200)
    assert second["time"] - first["time"] >= 2.0


def test_a_429_with_retry_after_as_an_http_date_is_honoured(emu):
    emu.add_fault("throttle", path="virtualMachineScaleSets/vmss-a$", retry_after=2, retry_after_format="http-date", count=1)
    read_with(emu, params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"))
    first, second = emu.requests_log(path="virtualMachineScaleSets/vmss-a$")[-2:]
    assert (first["status"], second["status"]) == (429, 200)
    assert second["time"] - first["time"] >= 1.0  # an HTTP date has whole seconds: at least 1 s of the 2 remain


def test_a_5xx_burst_shorter_than_the_retry_budget_succeeds(emu):
    emu.add_fault("error", status=503, path="virtualMachineScaleSets/vmss-a$", count=2)
    read_with(emu, params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), backoff=QUICK)
    statuses = [entry["status"] for entry in emu.requests_log(path="virtualMachineScaleSets/vmss-a$")]
    assert statuses == [503, 503, 200]


def test_a_5xx_burst_longer_than_the_retry_budget_fails_with_the_request_id(emu):
    emu.add_fault("error", status=502, path="virtualMachineScaleSets/vmss-a$")
    connection = connect(params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {}, backoff=QUICK)
    with pytest.raises(ArmError) as caught:
        connection.client.get(VMSS_PATH, "2024-07-01")
    last = emu.requests_log(path="virtualMachineScaleSets/vmss-a$")[-1]
    assert caught.value.status == 502 and caught.value.code == "BadGateway"
    assert "x-ms-request-id: %s" % last["request_id"] in str(caught.value)
    assert len(emu.requests_log(path="virtualMachineScaleSets/vmss-a$")) == 1 + QUICK.retries


def test_a_token_that_expires_mid_run_is_renewed(emu):
    connection = connect(params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {})
    connection.client.get(VMSS_PATH, "2024-07-01")
    emu.advance(4000)  # past the token's lifetime on the emulator's clock; the client's cache still holds it
    connection.client.get(VMSS_PATH, "2024-07-01")
    reads = emu.requests_log(path="virtualMachineScaleSets/vmss-a$")
    assert [entry["status"] for entry in reads] == [200, 401, 200]
    assert reads[1]["token_id"] == reads[0]["token_id"] != reads[2]["token_id"]


def test_a_next_link_to_another_host_is_refused_and_receives_no_request(emu, emulator_factory):
    other = emulator_factory(SCENARIO)
    foreign = other.base_url + "/subscriptions/%s/resourceGroups/rg-core/providers/Microsoft.ContainerService/fleets/fleet-a/updateRuns" % SUB
    scenario = json.loads(json.dumps(SCENARIO))
    scenario["subscriptions"][0]["resource_groups"][0]["fleets"][0]["static_list"] = {"value": [{"name": "run-1"}], "nextLink": foreign}
    listing = emulator_factory(scenario)
    connection = connect(params(listing, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {})
    other.reset_log()
    with pytest.raises(ArmError, match="refusing to follow nextLink") as caught:
        update_runs(connection.client, SUB, "rg-core", "fleet-a")
    assert [item["name"] for item in caught.value.partial] == ["run-1"]
    assert other.requests_log() == []


def test_listing_follows_next_links_across_pages(emu):
    connection = connect(params(emu, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {})
    runs = update_runs(connection.client, SUB, "rg-core", "fleet-a")
    assert sorted(run["name"] for run in runs) == ["run-%d" % i for i in range(1, 6)]
    assert len(emu.requests_log(path="fleets/fleet-a/updateRuns$")) == 3


PAGED = {
    "time_scale": 0,
    "page_size": 2,
    "tenants": SCENARIO["tenants"],
    "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": [{
        "name": "rg-pages",
        "scale_sets": [{"name": "vmss-%d" % index, "rolling_upgrade": {"start": 0, "duration": 30}} for index in range(1, 6)],
    }]}],
}
LISTING = "resourceGroups/rg-pages/providers/Microsoft.Compute/virtualMachineScaleSets$"


def test_a_pages_scale_sets_are_read_while_the_next_page_is_listed(emulator_factory):
    paged = emulator_factory(PAGED)
    paged.add_fault("latency", path=LISTING, after=1, count=1, latency_ms=1500)  # the second page takes 1.5 s
    connection = connect(params(paged, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {})
    items = rolling_upgrades(connection.client, SUB, "rg-pages")
    assert [item["scale_set_name"] for item in items] == ["vmss-%d" % index for index in range(1, 6)]
    second_page = paged.requests_log(path=LISTING)[1]
    first_reads = paged.requests_log(path="vmss-[12]/rollingUpgrades/latest$")
    assert len(first_reads) == 2 and all(read["time"] < second_page["time"] for read in first_reads)


def test_a_listing_that_fails_on_a_later_page_keeps_what_was_read_from_the_pages_before(emulator_factory):
    paged = emulator_factory(PAGED)
    paged.add_fault("error", status=503, path=LISTING, after=1)
    connection = connect(params(paged, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {}, backoff=QUICK)
    with pytest.raises(ArmError) as caught:
        rolling_upgrades(connection.client, SUB, "rg-pages")
    assert str(caught.value).startswith("reading the scale sets of resource group 'rg-pages': ") and caught.value.status == 503
    assert [item["scale_set_name"] for item in caught.value.partial] == ["vmss-1", "vmss-2"]


def test_a_fan_out_fetches_one_token_and_shares_one_tls_context_over_its_connections(emulator_factory):
    paged = emulator_factory(PAGED)
    paged.add_fault("latency", path="rollingUpgrades/latest$", latency_ms=300)  # every read in flight at once
    connection = connect(params(paged, tenant=TENANT, client_id=SECRET_SP, secret="secret-of-a"), {}, pool_size=8)
    paged.reset_log()
    assert len(rolling_upgrades(connection.client, SUB, "rg-pages", workers=8)) == 5
    assert len([entry for entry in paged.requests_log() if entry["path"].endswith("/token")]) == 1
    adapter = connection.client._session.get_adapter(paged.base_url)  # pylint: disable=protected-access
    pools = list(adapter.poolmanager.pools._container.values())  # pylint: disable=protected-access
    connections = [conn for pool in pools for conn in list(pool.pool.queue) if conn and conn.sock]
    assert len(connections) >= 3 and all(conn.sock.context is adapter._context for conn in connections)  # pylint: disable=protected-access
    # No connection names a CA bundle of its own: urllib3 would read it again into the context for each one.
    assert all(conn.ca_certs is None and conn.ca_cert_dir is None for conn in connections)
