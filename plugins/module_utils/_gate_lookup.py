# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Naming the gate a run waits at when the run's own API version has no gate details (2025-03-01 and older).

Such a version shows a run held at a gate as ``Pending`` with no gate in its
body. ``GateLookup`` then reads the fleet's gates with a version that has
them, once per change of the run (not once per poll), keeps the pending gates
of that run, and puts them in the facts as ``pending_gates``. A failure to
read the gates never fails the wait: the run's own facts are kept, and the
gates are read again at the next change.
"""

import json

from ansible_collections.upgradegate.azure.plugins.module_utils import _gates
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError


def _held(facts):
    """True when the run, a stage or a group of it is pending."""
    if facts.get("state") == "pending":
        return True
    for stage in facts.get("stages") or []:
        if stage.get("state") == "pending" or any(group.get("state") == "pending" for group in stage.get("groups") or []):
            return True
    return False


def _change_key(facts):
    """What changes when the run moves: states of the run, its stages and groups, and its member progress."""
    stages = [[stage.get("name"), stage.get("state"), [group.get("state") for group in stage.get("groups") or []]]
              for stage in facts.get("stages") or []]
    return json.dumps([facts.get("state"), facts.get("progress"), stages], sort_keys=True)


def as_pending_gate(gate):
    """A gate of ``fleet_gate_info`` in the shape of ``pending_gates``."""
    path = gate.get("stage") or ""
    if gate.get("group"):
        path += "/" + gate["group"]
    return {"name": gate.get("name"), "id": gate.get("id"), "display_name": gate.get("display_name"), "gate_type": gate.get("gate_type"),
            "path": path, "timing": gate.get("timing")}


class GateLookup:
    """The pending gates of one run, read from the fleet's gates when the run's version has none."""

    def __init__(self, client, subscription_id, resource_group, fleet_name, run_name, api_version=_gates.GATES_API_VERSION):
        self.client, self.subscription_id = client, subscription_id
        self.resource_group, self.fleet_name, self.run_name = resource_group, fleet_name, run_name
        self.api_version = api_version
        self.reads = 0
        self._key = None
        self._pending = []

    def complete(self, facts, deadline=None):
        """``facts`` with ``pending_gates`` filled in from the fleet's gates when the run is held and its body names no gate."""
        if facts.get("pending_gates") or not _held(facts):
            return facts
        key = _change_key(facts)
        if key != self._key:
            try:
                gates = _gates.list_gates(self.client, self.subscription_id, self.resource_group, self.fleet_name, self.api_version,
                                          deadline=deadline)
            except ArmError:
                self._key, self._pending = None, []
                return facts
            finally:
                self.reads += 1
            self._key = key
            self._pending = [as_pending_gate(gate) for gate in _gates.select(gates, update_run=self.run_name, states=["pending"])]
        return dict(facts, pending_gates=[dict(gate) for gate in self._pending])
