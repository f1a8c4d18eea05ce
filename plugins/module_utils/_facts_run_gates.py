# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure normaliser: the approval gates of an update run's stage or group, strategy and status merged.

The strategy (``GateConfiguration``: ``displayName``, ``type``) and the status
(``UpdateRunGateStatus``: ``displayName``, ``gateId``, ``status``) list a
stage's or group's gates in the same order, so they are merged by position.
The swagger declares lists; the 2025-04-01-preview examples write a single
object: both are accepted. Nothing here modifies its input.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._states import snake_case
from ansible_collections.upgradegate.azure.plugins.module_utils._shape import as_dict, as_str, dict_items

TIMINGS = ("before", "after")


def gate_list(value):
    """The gate objects of a ``beforeGates`` / ``afterGates`` value: a list, or the single object of some examples."""
    if isinstance(value, dict):
        return [value] if value else []
    return dict_items(value)


def merged_gates(planned, reported):
    """``[{name, id, display_name, gate_type, state}]`` from the strategy's and the status's gates of one place.

    ``id`` is the status's ``gateId`` (null until Azure has created the gate)
    and ``name`` its last segment; ``display_name`` comes from the status, else
    the strategy; ``gate_type`` from the strategy's ``type`` (the status has
    none); ``state`` is the status's state in snake_case, null when unknown.
    """
    planned, reported = gate_list(planned), gate_list(reported)
    gates = []
    for position in range(max(len(planned), len(reported))):
        plan = planned[position] if position < len(planned) else {}
        seen = reported[position] if position < len(reported) else {}
        gate_id = as_str(seen.get("gateId"))
        gates.append({
            "name": last_segment(gate_id),
            "id": gate_id,
            "display_name": as_str(seen.get("displayName")) or as_str(plan.get("displayName")),
            "gate_type": as_str(plan.get("type")) or as_str(seen.get("type")) or as_str(seen.get("gateType")),
            "state": snake_case(as_dict(seen.get("status")).get("state")),
        })
    return gates


def last_segment(value):
    """The last path segment of an ARM id, or None."""
    if not isinstance(value, str):
        return None
    segment = value.rstrip("/").rsplit("/", 1)[-1]
    return segment or None


def gates_in_order(stages):
    """Every gate of a run's stage facts as ``(gate, stage, group, timing)``, in the contract's order.

    For each stage: its own gates (``before`` then ``after``), then each
    group's (``before`` then ``after``).
    """
    found = []
    for stage in dict_items(stages):
        for timing in TIMINGS:
            found.extend((gate, stage.get("name"), None, timing) for gate in dict_items(stage.get(timing + "_gates")))
        for group in dict_items(stage.get("groups")):
            for timing in TIMINGS:
                found.extend((gate, stage.get("name"), group.get("name"), timing) for gate in dict_items(group.get(timing + "_gates")))
    return found


def pending_gates(stages):
    """The gates of ``stages`` (stage facts) whose state is ``pending``: ``[{name, id, display_name, gate_type, path, timing}]``."""
    return [
        {"name": gate.get("name"), "id": gate.get("id"), "display_name": gate.get("display_name"), "gate_type": gate.get("gate_type"),
         "path": "/".join(part or "" for part in ((stage,) if group is None else (stage, group))), "timing": timing}
        for gate, stage, group, timing in gates_in_order(stages) if gate.get("state") == "pending"
    ]
