#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: fleet_gate_info
short_description: Facts about the approval gates of an Azure Kubernetes Fleet Manager fleet
version_added: 0.1.0
description:
  - Reads the approval gates of a fleet (following every page), or one gate by its name, and returns normalised facts about
    each gate, filtered by update run, stage, group, timing and state.
  - Azure creates a gate when an update run reaches it, with state V(pending); it holds the run until it is approved (with
    M(upgradegate.azure.fleet_gate), or in the portal) or skipped. The gates a run has not reached yet appear only in the run's
    strategy, see RV(upgradegate.azure.fleet_update_run_info#module:update_runs[].stages[].before_gates).
  - A fleet or gate that does not exist gives an empty list; a resource group that does not exist is an error.
author:
  - upgradegate.azure contributors (@upgradegate)
options:
  resource_group:
    description:
      - The resource group of the fleet.
    type: str
    required: true
  fleet_name:
    description:
      - The name of the fleet.
    type: str
    required: true
  name:
    description:
      - The name of one gate, a GUID. Without it, every gate of the fleet is read.
    type: str
  update_run:
    description:
      - Keep only the gates of this update run.
    type: str
  stage:
    description:
      - Keep only the gates of this stage, its own and its groups'.
    type: str
  group:
    description:
      - Keep only the gates of this group.
    type: str
  timing:
    description:
      - Keep only the gates that hold the run before, or after, their stage or group.
    type: str
    choices: [before, after]
  state:
    description:
      - Keep only the gates in one of these states.
    type: list
    elements: str
    choices: [not_started, pending, skipped, completed]
  include_raw:
    description:
      - Also return Azure's response body of each gate as RV(gates[].raw).
    type: bool
    default: false
  api_version:
    description:
      - The Microsoft.ContainerService API version to call. It must have approval gates (V(2025-04-01-preview), V(2026-06-01)
        or later); an older one is refused before any request.
    type: str
    default: "2026-06-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.READ_ONLY
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
notes:
  - The filters are applied to the fleet's list of gates after it is read, one list request per page.
seealso:
  - module: upgradegate.azure.fleet_gate
  - module: upgradegate.azure.fleet_update_run_info
  - module: upgradegate.azure.wait_for_upgrade
  - name: Fleet Gates - List By Fleet
    description: The REST operation this module calls.
    link: https://learn.microsoft.com/rest/api/fleet/gates/list-by-fleet
"""

EXAMPLES = r"""
- name: The gates the canary stage of a run waits at
  upgradegate.azure.fleet_gate_info:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    stage: canary
    state: [pending]
  register: waiting

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.display_name }} ({{ item.timing }} {{ item.group or item.stage }}) is {{ item.state }}"
  loop: "{{ waiting.gates }}"
  loop_control:
    label: "{{ item.name }}"

- name: Read one gate by its name
  upgradegate.azure.fleet_gate_info:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: 12345678-910a-bcde-f000-000000000000
  register: one
"""

RETURN = r"""
gates:
  description:
    - One item per gate, sorted by update run, stage, group (a stage's own gates first), then V(before) before V(after).
    - Empty when the fleet, the gate or nothing matching exists.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id of the gate.
      type: str
      returned: always
      sample: /subscriptions/.../resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
    name:
      description: Name of the gate, a GUID.
      type: str
      returned: always
      sample: 12345678-910a-bcde-f000-000000000000
    display_name:
      description: The gate's display name, from the run's strategy.
      type: str
      returned: always
      sample: Smoke tests passed
    gate_type:
      description: Azure's gate type, as returned.
      type: str
      returned: always
      sample: Approval
    state:
      description:
        - The gate's state, V(null) when Azure reports none. An unknown future value is returned in snake_case.
      type: str
      returned: always
      sample: pending
      choices: [not_started, pending, skipped, completed]
    provisioning_state:
      description: Azure's provisioning state, as returned.
      type: str
      returned: always
      sample: Succeeded
    update_run:
      description: The update run the gate belongs to.
      type: str
      returned: always
      sample: upgrade-1-30
    stage:
      description: The stage the gate belongs to.
      type: str
      returned: always
      sample: canary
    group:
      description: The group the gate belongs to, V(null) for a gate of the stage itself.
      type: str
      returned: always
      sample: null
    timing:
      description: Whether the gate holds the run before or after its stage or group.
      type: str
      returned: always
      sample: after
      choices: [before, after]
    etag:
      description: The gate's ETag, sent back as C(If-Match) when the gate is approved.
      type: str
      returned: always
      sample: '"kd30rkdfo49="'
    system_data:
      description: Who created and last changed the gate, and when.
      type: dict
      returned: always
      contains:
        created_by:
          description: Who created the gate.
          type: str
          returned: always
          sample: AzureFleetManager
        created_by_type:
          description: Azure's kind of creator, as returned.
          type: str
          returned: always
          sample: Application
        created_at:
          description: When, ISO 8601 in UTC, or V(null).
          type: str
          returned: always
          sample: "2026-11-23T18:30:00Z"
        last_modified_by:
          description: Who changed the gate last (who approved it).
          type: str
          returned: always
          sample: pipeline@contoso.com
        last_modified_by_type:
          description: Azure's kind of that identity, as returned.
          type: str
          returned: always
          sample: User
        last_modified_at:
          description: When, ISO 8601 in UTC, or V(null).
          type: str
          returned: always
          sample: "2026-11-23T18:42:00Z"
    raw:
      description: Azure's response body of the gate.
      type: dict
      returned: when O(include_raw=true)
      sample: {"name": "12345678-910a-bcde-f000-000000000000", "properties": {"state": "Pending"}}
error:
  description: What went wrong talking to Azure, with the HTTP status, Azure's code and the request id.
  type: dict
  returned: when Azure answered with an error
  sample:
    kind: api
    status: 403
    code: AuthorizationFailed
    message: The client ... does not have authorization to perform action ...
    request_id: 8c3f0a4e-0000-0000-0000-000000000000
    correlation_id: 8c3f0a4e-0000-0000-0000-000000000000
    method: GET
    path: /subscriptions/.../fleets/fleet-prod/gates
field:
  description: The option that was refused.
  type: str
  returned: when an option was refused
  sample: api_version
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._gate_info import GATE_INFO_OPTIONS, fleet_gates, validate_gate_info
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **GATE_INFO_OPTIONS), supports_check_mode=True)
    run_module(module, validate_gate_info, fleet_gates, {"gates": []}, partial_key="gates")


if __name__ == "__main__":
    main()
