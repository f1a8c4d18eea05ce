# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario builders shared by the integration tests (dicts for the emulator fixture)."""

import copy

TENANT = "11111111-1111-4111-8111-111111111111"
SUB = "33333333-3333-4333-8333-333333333333"
CLIENT = "22222222-2222-4222-8222-222222222222"
SECRET = "integration-client-secret"
READER_ONLY = "77777777-7777-4777-8777-777777777777"


def scenario(resource_groups, **top):
    """A tenant with a full-rights client and a client that may read scale sets but not their upgrades."""
    built = {
        "time_scale": 0,
        "tenants": [{"id": TENANT, "clients": [
            {"client_id": CLIENT, "secret": SECRET},
            {"client_id": READER_ONLY, "secret": SECRET, "permissions": [
                {"actions": ["Microsoft.Compute/virtualMachineScaleSets/read"], "scope": "/subscriptions/%s" % SUB}]},
        ]}],
        "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": copy.deepcopy(resource_groups)}],
    }
    built.update(top)
    return built


def env_for(emu, client=CLIENT):
    """The environment a pipeline would set to run the modules against the emulator."""
    return {
        "AZURE_TENANT": TENANT, "AZURE_CLIENT_ID": client, "AZURE_SECRET": SECRET, "AZURE_SUBSCRIPTION_ID": SUB,
        "AZURE_AUTHORITY_HOST": emu.base_url, "AZURE_RESOURCE_MANAGER_URL": emu.base_url,
        "AZURE_DISABLE_INSTANCE_DISCOVERY": "true", "REQUESTS_CA_BUNDLE": emu.ca_path,
    }
