#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: fleet_gate
short_description: Approve an approval gate of an Azure Kubernetes Fleet Manager update run
version_added: 0.1.0
description:
  - Finds one approval gate of a fleet, by its name or by where it stands in an update run (O(update_run), O(stage), optional
    O(group), and O(timing)), and approves it, so that the run goes on.
  - A gate already V(completed) is left alone (RV(changed=false), no write). A V(skipped) gate cannot be approved and fails. A
    V(pending) gate is approved with C(PATCH) and C(If-Match) set to its ETag, so an approval never overwrites a change it did not
    see; the module follows Azure's long-running operation to its end, within O(timeout).
  - Azure creates a gate only when the run reaches it. To approve a gate as soon as the run reaches it, wait for it first with
    M(upgradegate.azure.wait_for_upgrade) and O(upgradegate.azure.wait_for_upgrade#module:state=pending).
  - When no gate or several gates match, the module fails and lists the gates the run (or the fleet) has.
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
      - The name of the gate, a GUID, as in RV(upgradegate.azure.fleet_update_run_info#module:update_runs[].pending_gates[].name).
      - Exclusive with O(update_run), O(stage), O(group) and O(timing).
    type: str
  update_run:
    description:
      - The update run whose gate to approve, with O(stage) and O(timing).
    type: str
  stage:
    description:
      - The stage of the gate. Without O(group), the gate of the stage itself.
    type: str
  group:
    description:
      - The group of the gate, within O(stage).
    type: str
  timing:
    description:
      - Whether the gate holds the run before, or after, the stage or group.
    type: str
    choices: [before, after]
  state:
    description:
      - The state the gate should be in. V(completed) approves it.
    type: str
    default: completed
    choices: [completed]
  timeout:
    description:
      - Seconds for everything the module does, Azure's long-running operation included.
    type: float
    default: 600
  api_version:
    description:
      - The Microsoft.ContainerService API version to call. It must have approval gates (V(2025-04-01-preview), V(2026-06-01)
        or later); an older one is refused before any request.
    type: str
    default: "2026-06-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
attributes:
  check_mode:
    support: full
    details: Reads the gate and reports whether it would be approved; never writes.
  diff_mode:
    support: full
    details: Shows the gate's state before and after.
  idempotent:
    support: full
    details: It reads what Azure has first and writes only the difference, so a second run with the same options changes nothing.
notes:
  - The identity needs the permission C(Microsoft.ContainerService/fleets/gates/write) on the fleet, for example through the
    Azure Kubernetes Fleet Manager Contributor Role; a 403 says so.
seealso:
  - module: upgradegate.azure.fleet_gate_info
  - module: upgradegate.azure.wait_for_upgrade
  - name: Fleet Gates - Update
    description: The REST operation this module calls.
    link: https://learn.microsoft.com/rest/api/fleet/gates/update
"""

EXAMPLES = r"""
- name: Wait until the canary stage reaches its after-gate
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    stage: canary
    state: [pending]
    timeout: 7200

- name: Approve it once the checks passed
  upgradegate.azure.fleet_gate:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    stage: canary
    timing: after
  register: approved

- name: Approve a gate by its name
  upgradegate.azure.fleet_gate:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: 12345678-910a-bcde-f000-000000000000
"""

RETURN = r"""
changed:
  description: Whether the gate was approved (or, in check mode, would be).
  type: bool
  returned: always
  sample: true
gate:
  description:
    - The gate after the change, with the keys of RV(upgradegate.azure.fleet_gate_info#module:gates). In check mode, the state
      it would have. V(null) when no single gate matched.
  type: dict
  returned: always
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
diff:
  description: The gate's state before and after.
  type: dict
  returned: in diff mode
  sample: {"before": {"state": "pending"}, "after": {"state": "completed"}}
reason:
  description: Why the gate was not approved; V(not_found) when no single gate matched, V(not_approvable) when it was skipped.
  type: str
  returned: when no single gate matched or it cannot be approved
  sample: not_found
  choices: [not_found, not_approvable]
msg:
  description: What went wrong. When no gate or several gates match, it lists the gates the run (or the fleet) has.
  type: str
  returned: on failure
  sample: "the gate after stage canary of update run upgrade-1-30: no gate matches; update run upgrade-1-30 it has no gates yet"
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
    method: PATCH
    path: /subscriptions/.../fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
field:
  description: The option that was refused.
  type: str
  returned: when an option was refused
  sample: name
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._gate_approve import (
    APPROVE_OPTIONS,
    APPROVE_RULES,
    EMPTY_APPROVAL,
    approve,
    validate_approval,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **APPROVE_OPTIONS), supports_check_mode=True, **APPROVE_RULES)
    run_module(module, validate_approval, lambda connection, params: approve(connection, params, check_mode=module.check_mode,
                                                                             diff=module._diff), EMPTY_APPROVAL)


if __name__ == "__main__":
    main()
