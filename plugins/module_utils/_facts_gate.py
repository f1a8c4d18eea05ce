# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure normaliser: a Fleet ``gates`` resource body -> the item of ``fleet_gate_info``, and the order and filters of those items.

Two shapes of ``properties.target`` are accepted: the swagger's
``{id, updateRunProperties: {name, stage, group, timing}}`` and the
2025-04-01-preview examples' ``{id, type, properties: {updateRun: {...}}}``.
Any field may be missing; the input is never modified; ``raw`` is a deep copy.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import _system_data
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_run_gates import last_segment
from ansible_collections.upgradegate.azure.plugins.module_utils._states import snake_case
from ansible_collections.upgradegate.azure.plugins.module_utils._shape import as_dict, as_str, copied

_TIMING_ORDER = {"before": 0, "after": 1}


def gate_facts(body, include_raw=False):
    """``{id, name, display_name, gate_type, state, provisioning_state, update_run, stage, group, timing, etag, system_data}``."""
    data = as_dict(body)
    props = as_dict(data.get("properties"))
    target = as_dict(props.get("target"))
    place = as_dict(target.get("updateRunProperties")) or as_dict(as_dict(target.get("properties")).get("updateRun"))
    gate_id = as_str(data.get("id"))
    facts = {
        "id": gate_id,
        "name": as_str(data.get("name")) or last_segment(gate_id),
        "display_name": as_str(props.get("displayName")),
        "gate_type": as_str(props.get("gateType")),
        "state": snake_case(props.get("state")),
        "provisioning_state": as_str(props.get("provisioningState")),
        "update_run": as_str(place.get("name")) or last_segment(as_str(target.get("id"))),
        "stage": as_str(place.get("stage")),
        "group": as_str(place.get("group")),
        "timing": snake_case(place.get("timing")),
        "etag": as_str(data.get("eTag")) or as_str(data.get("etag")),
        "system_data": _system_data(data.get("systemData")),
    }
    if include_raw:
        facts["raw"] = copied(body)
    return facts


def sort_key(gate):
    """Update run, stage, group (a stage's own gates first), ``before`` before ``after``, then name."""
    return (gate.get("update_run") or "", gate.get("stage") or "", gate.get("group") is not None, gate.get("group") or "",
            _TIMING_ORDER.get(gate.get("timing"), 2), gate.get("name") or "")


def matches(gate, update_run=None, stage=None, group=None, timing=None, states=None, name=None):
    """True when ``gate`` passes every filter given (None = no filter). Names compare without case, as Azure's do.

    ``stage`` keeps the stage's own gates and its groups' gates; ``group``
    keeps that group's gates.
    """
    checks = ((name, "name"), (update_run, "update_run"), (stage, "stage"), (group, "group"))
    for wanted, key in checks:
        if wanted is not None and (gate.get(key) or "").lower() != wanted.lower():
            return False
    if timing is not None and gate.get("timing") != timing:
        return False
    return not states or gate.get("state") in states


def describe(gate):
    """One line naming a gate for messages: name, display name, place, timing and state."""
    place = "stage %s" % gate.get("stage") if gate.get("group") is None else "group %s of stage %s" % (gate.get("group"), gate.get("stage"))
    values = (gate.get("name"), gate.get("display_name") or "", gate.get("timing") or "?", place, gate.get("update_run"), gate.get("state"))
    return '%s ("%s", %s %s of run %s, %s)' % values
