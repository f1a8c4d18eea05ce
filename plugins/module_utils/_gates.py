# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading a fleet's approval gates: which API versions have them, the checks of gate options, the requests, then the normaliser.

Used by ``fleet_gate_info``, ``fleet_gate``, the waiter (to name the gate a
run waits at when the run's own API version has no gate details) and the
command line. Not-found answers raise ``ArmError`` of kind ``not_found``.
"""

import re

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_gate import describe, gate_facts, matches, sort_key
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import resource_path
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import explain

GATE_READ = "Microsoft.ContainerService/fleets/gates/read"
GATE_WRITE = "Microsoft.ContainerService/fleets/gates/write"
FIRST_VERSION_WITH_GATES = "2025-04-01"
# The version the gates are read with when the run's own version has none (the waiter's fallback).
GATES_API_VERSION = "2026-06-01"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def has_gates(api_version):
    """True for the Fleet API versions with approval gates: 2025-04-01-preview, 2026-06-01 and every later version."""
    return isinstance(api_version, str) and api_version[:10] >= FIRST_VERSION_WITH_GATES


def check_gates_version(api_version, field="api_version"):
    if not has_gates(api_version):
        raise ValidationError(field, "%r has no approval gates; use 2025-04-01-preview, 2026-06-01 or a later version" % (api_version,))
    return api_version


def check_gate_name(value, field="name"):
    if not isinstance(value, str) or not _GUID.match(value):
        raise ValidationError(field, "%r is not a gate name; Azure names gates with a GUID such as 12345678-910a-bcde-f000-000000000000"
                              % (value,))
    return value


def check_timing(value, field="timing"):
    if value not in ("before", "after"):
        raise ValidationError(field, "%r is not a timing; use before or after" % (value,))
    return value


def gates_path(subscription_id, resource_group, fleet_name, name=None):
    path = resource_path(subscription_id, resource_group, "Microsoft.ContainerService", "fleets", fleet_name) + "/gates"
    return path + "/" + name if name else path


def list_gates(client, subscription_id, resource_group, fleet_name, api_version, include_raw=False, deadline=None):
    """Every gate of a fleet, following nextLink, sorted as the contract says."""
    what = "the gates of fleet %r in resource group %r" % (fleet_name, resource_group)
    try:
        bodies = client.list(gates_path(subscription_id, resource_group, fleet_name), api_version, deadline=deadline)
    except ArmError as exc:
        exc.partial = sorted((gate_facts(body, include_raw) for body in exc.partial or []), key=sort_key)
        raise explain(exc, GATE_READ, what) from None
    return sorted((gate_facts(body, include_raw) for body in bodies), key=sort_key)


def read_gate(client, subscription_id, resource_group, fleet_name, name, api_version, include_raw=False, deadline=None):
    """One gate's facts; ArmError of kind ``not_found`` when the gate or its fleet is missing."""
    what = "gate %s of fleet %r in resource group %r" % (name, fleet_name, resource_group)
    try:
        response = client.get(gates_path(subscription_id, resource_group, fleet_name, name), api_version, deadline=deadline)
    except ArmError as exc:
        raise explain(exc, GATE_READ, what) from None
    facts = gate_facts(response.body, include_raw)
    if facts["etag"] is None:
        facts["etag"] = response.headers.get("ETag")
    return facts


def select(gates, **filters):
    """The gates that pass every filter of ``_facts_gate.matches``, in their order."""
    return [gate for gate in gates if matches(gate, **filters)]


def listing(gates, limit=20):
    """The gates for a message, one per line; an empty list says so."""
    if not gates:
        return "it has no gates yet (Azure creates a gate when the run reaches it)"
    lines = ["  - " + describe(gate) for gate in gates[:limit]]
    if len(gates) > limit:
        lines.append("  - ... and %d more" % (len(gates) - limit))
    return "it has:\n" + "\n".join(lines)
