#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: fleet_update_run_info
short_description: Facts about the update runs of an Azure Kubernetes Fleet Manager fleet
version_added: 0.1.0
description:
  - Reads one update run of a fleet, or every update run of the fleet (following every page), and returns normalised
    facts about the run, each stage, each group and each member cluster, ready for C(when), C(assert) and templates.
  - Includes the approval gates of each stage and group, and the gates the run waits at (RV(update_runs[].pending_gates)).
  - A run or fleet that does not exist gives an empty list; a resource group that does not exist is an error.
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
      - The name of one update run. Without it, every update run of the fleet is read.
    type: str
  include_raw:
    description:
      - Also return Azure's response body of each update run as RV(update_runs[].raw).
    type: bool
    default: false
  api_version:
    description:
      - The Microsoft.ContainerService API version to call.
      - V(2025-03-01) and older versions have no approval gates; a run held at a gate shows V(pending) with empty gate lists.
    type: str
    default: "2026-06-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.READ_ONLY
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
seealso:
  - module: upgradegate.azure.wait_for_upgrade
  - name: Fleet Update Runs - Get
    description: The REST operation this module calls.
    link: https://learn.microsoft.com/rest/api/fleet/update-runs/get
"""

EXAMPLES = r"""
- name: Read one update run
  upgradegate.azure.fleet_update_run_info:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: upgrade-1-30
  register: run

- name: Stop when any member failed
  ansible.builtin.assert:
    that:
      - run.update_runs | length == 1
      - run.update_runs[0].progress.failed == 0
    fail_msg: "{{ run.update_runs[0].errors | map(attribute='message') | join('; ') }}"

- name: Read every update run of the fleet
  upgradegate.azure.fleet_update_run_info:
    resource_group: rg-fleet
    fleet_name: fleet-prod
  register: runs

- name: Report the runs that are still going
  ansible.builtin.debug:
    msg: "{{ item.name }}: stage {{ item.current_stage }}, {{ item.progress.percent_complete }} % of members done"
  loop: "{{ runs.update_runs }}"
  loop_control:
    label: "{{ item.name }}"
  when: not item.is_terminal
"""

RETURN = r"""
update_runs:
  description:
    - One item per update run. Empty when the run or the fleet does not exist.
    - On failure, the items read before the failure.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id of the update run.
      type: str
      returned: always
      sample: /subscriptions/0000...0000/resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod/updateRuns/run-1
    name:
      description: Name of the update run.
      type: str
      returned: always
      sample: run-1
    fleet_name:
      description: Name of the fleet.
      type: str
      returned: always
      sample: fleet-prod
    resource_group:
      description: Resource group of the fleet.
      type: str
      returned: always
      sample: rg-fleet
    subscription_id:
      description: Subscription of the fleet.
      type: str
      returned: always
      sample: 00000000-0000-0000-0000-000000000000
    etag:
      description: The run's ETag.
      type: str
      returned: always
      sample: '"EtagValue"'
    provisioning_state:
      description: Azure's provisioning state, as returned.
      type: str
      returned: always
      sample: Succeeded
    state:
      description:
        - The state of the run, V(null) when Azure reports none.
        - An unknown future value is returned in snake_case and is neither terminal nor a success.
      type: str
      returned: always
      sample: running
      choices: [not_started, running, stopping, stopped, skipped, failed, pending, completed]
    is_terminal:
      description: Whether RV(update_runs[].state) is V(completed), V(failed), V(stopped) or V(skipped).
      type: bool
      returned: always
      sample: false
    succeeded:
      description: Whether RV(update_runs[].state) is V(completed).
      type: bool
      returned: always
      sample: false
    started_at:
      description: When the run started, ISO 8601 in UTC, or V(null).
      type: str
      returned: always
      sample: "2026-11-23T18:30:00Z"
    completed_at:
      description: When the run ended, ISO 8601 in UTC, or V(null).
      type: str
      returned: always
      sample: null
    duration_seconds:
      description: RV(update_runs[].completed_at) minus RV(update_runs[].started_at) in seconds, or V(null).
      type: float
      returned: always
      sample: null
    update_strategy_id:
      description: ARM id of the update strategy the run was created from, or V(null).
      type: str
      returned: always
      sample: /subscriptions/0000...0000/resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod/updateStrategies/canary-first
    auto_upgrade_profile_id:
      description: ARM id of the auto-upgrade profile that created the run, or V(null).
      type: str
      returned: always
      sample: null
    upgrade:
      description: What the run upgrades, with Azure's values.
      type: dict
      returned: always
      contains:
        type:
          description: Azure's upgrade type.
          type: str
          returned: always
          sample: Full
        kubernetes_version:
          description: The target Kubernetes version.
          type: str
          returned: always
          sample: 1.30.5
    node_image_selection:
      description: How node images are chosen, and the versions chosen.
      type: dict
      returned: always
      contains:
        type:
          description: Azure's selection type.
          type: str
          returned: always
          sample: Latest
        custom_versions:
          description: Node image versions asked for.
          type: list
          elements: str
          returned: always
          sample: []
        selected_versions:
          description: Node image versions the run selected.
          type: list
          elements: str
          returned: always
          sample: [AKSUbuntu-2204gen2containerd-202411.12.0]
    current_stage:
      description: Name of the first stage that is running or stopping, else V(null).
      type: str
      returned: always
      sample: canary
    progress:
      description: Counts of member clusters by state across every stage and group.
      type: dict
      returned: always
      contains:
        total:
          description: Every member of the run.
          type: int
          returned: always
          sample: 4
        completed:
          description: Members upgraded.
          type: int
          returned: always
          sample: 1
        skipped:
          description: Members skipped.
          type: int
          returned: always
          sample: 0
        failed:
          description: Members that failed.
          type: int
          returned: always
          sample: 0
        running:
          description: Members being upgraded.
          type: int
          returned: always
          sample: 1
        stopping:
          description: Members stopping.
          type: int
          returned: always
          sample: 0
        stopped:
          description: Members stopped.
          type: int
          returned: always
          sample: 0
        pending:
          description: Members pending.
          type: int
          returned: always
          sample: 0
        not_started:
          description: Members not started.
          type: int
          returned: always
          sample: 2
        percent_complete:
          description: 100 times (completed + skipped) divided by total, one decimal; V(null) when total is 0.
          type: float
          returned: always
          sample: 25.0
    stages:
      description: The stages of the run in order, each with its groups and their members.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Stage name.
          type: str
          returned: always
          sample: canary
        state:
          description: Stage state, in the vocabulary of RV(update_runs[].state).
          type: str
          returned: always
          sample: running
        started_at:
          description: When the stage started, or V(null).
          type: str
          returned: always
          sample: "2026-11-23T18:30:00Z"
        completed_at:
          description: When the stage ended, or V(null).
          type: str
          returned: always
          sample: null
        error:
          description: The stage's error, shaped like RV(update_runs[].error), or V(null).
          type: dict
          returned: always
          sample: null
        after_stage_wait_seconds:
          description: Seconds to wait after the stage, from the strategy or the wait status, else V(null).
          type: int
          returned: always
          sample: 3600
        after_stage_wait:
          description: The wait after the stage, or V(null).
          type: dict
          returned: always
          contains:
            state:
              description: State of the wait.
              type: str
              returned: always
              sample: not_started
            started_at:
              description: When the wait started, or V(null).
              type: str
              returned: always
              sample: null
            completed_at:
              description: When the wait ended, or V(null).
              type: str
              returned: always
              sample: null
            duration_seconds:
              description: The wait's length in seconds, or V(null).
              type: float
              returned: always
              sample: null
        before_gates:
          description:
            - The approval gates before the stage, in Azure's order, strategy and status merged. Empty for an API version
              without gates.
          type: list
          elements: dict
          returned: always
          contains:
            name:
              description: The gate's name, a GUID (the last segment of its id), V(null) until Azure has created the gate.
              type: str
              returned: always
              sample: 12345678-910a-bcde-f000-000000000000
            id:
              description: The gate's ARM id, V(null) until Azure has created the gate (when the run reaches it).
              type: str
              returned: always
              sample: /subscriptions/.../providers/Microsoft.ContainerService/fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
            display_name:
              description: The gate's display name.
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
                - The gate's state in the run, V(null) when unknown. An unknown future value is returned in snake_case.
              type: str
              returned: always
              sample: pending
              choices: [not_started, pending, skipped, completed]
        after_gates:
          description:
            - The approval gates after the stage, in Azure's order, strategy and status merged. Empty for an API version
              without gates.
          type: list
          elements: dict
          returned: always
          contains:
            name:
              description: The gate's name, a GUID (the last segment of its id), V(null) until Azure has created the gate.
              type: str
              returned: always
              sample: 12345678-910a-bcde-f000-000000000000
            id:
              description: The gate's ARM id, V(null) until Azure has created the gate (when the run reaches it).
              type: str
              returned: always
              sample: /subscriptions/.../providers/Microsoft.ContainerService/fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
            display_name:
              description: The gate's display name.
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
                - The gate's state in the run, V(null) when unknown. An unknown future value is returned in snake_case.
              type: str
              returned: always
              sample: pending
              choices: [not_started, pending, skipped, completed]
        max_concurrency:
          description: The strategy's concurrency limit of the stage as Azure has it (a count such as V("2") or a percentage such as V("25%")), or V(null).
          type: str
          returned: always
          sample: "2"
        max_allowed_failures:
          description: The strategy's limit of failed members of the stage (a count or a percentage), or V(null) (API versions without it).
          type: str
          returned: always
          sample: null
        failure_count:
          description: How many members of the stage failed, as Azure counts them, or V(null) (API versions without it).
          type: int
          returned: always
          sample: null
        groups:
          description: The groups of the stage, updated in parallel.
          type: list
          elements: dict
          returned: always
          contains:
            name:
              description: Group name.
              type: str
              returned: always
              sample: canary
            state:
              description: Group state.
              type: str
              returned: always
              sample: running
            started_at:
              description: When the group started, or V(null).
              type: str
              returned: always
              sample: "2026-11-23T18:30:00Z"
            completed_at:
              description: When the group ended, or V(null).
              type: str
              returned: always
              sample: null
            error:
              description: The group's error, or V(null).
              type: dict
              returned: always
              sample: null
            before_gates:
              description:
                - The approval gates before the group, in Azure's order, strategy and status merged. Empty for an API version
                  without gates.
              type: list
              elements: dict
              returned: always
              contains:
                name:
                  description: The gate's name, a GUID (the last segment of its id), V(null) until Azure has created the gate.
                  type: str
                  returned: always
                  sample: 12345678-910a-bcde-f000-000000000000
                id:
                  description: The gate's ARM id, V(null) until Azure has created the gate (when the run reaches it).
                  type: str
                  returned: always
                  sample: /subscriptions/.../providers/Microsoft.ContainerService/fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
                display_name:
                  description: The gate's display name.
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
                    - The gate's state in the run, V(null) when unknown. An unknown future value is returned in snake_case.
                  type: str
                  returned: always
                  sample: pending
                  choices: [not_started, pending, skipped, completed]
            after_gates:
              description:
                - The approval gates after the group, in Azure's order, strategy and status merged. Empty for an API version
                  without gates.
              type: list
              elements: dict
              returned: always
              contains:
                name:
                  description: The gate's name, a GUID (the last segment of its id), V(null) until Azure has created the gate.
                  type: str
                  returned: always
                  sample: 12345678-910a-bcde-f000-000000000000
                id:
                  description: The gate's ARM id, V(null) until Azure has created the gate (when the run reaches it).
                  type: str
                  returned: always
                  sample: /subscriptions/.../providers/Microsoft.ContainerService/fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
                display_name:
                  description: The gate's display name.
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
                    - The gate's state in the run, V(null) when unknown. An unknown future value is returned in snake_case.
                  type: str
                  returned: always
                  sample: pending
                  choices: [not_started, pending, skipped, completed]
            max_concurrency:
              description: The strategy's concurrency limit of the group as Azure has it (a count such as V("2") or a percentage such as V("25%")), or V(null).
              type: str
              returned: always
              sample: "2"
            max_allowed_failures:
              description: The strategy's limit of failed members of the group (a count or a percentage), or V(null) (API versions without it).
              type: str
              returned: always
              sample: null
            failure_count:
              description: How many members of the group failed, as Azure counts them, or V(null) (API versions without it).
              type: int
              returned: always
              sample: null
            members:
              description: The member clusters of the group.
              type: list
              elements: dict
              returned: always
              contains:
                name:
                  description: Member name.
                  type: str
                  returned: always
                  sample: member-one
                cluster_resource_id:
                  description: ARM id of the member's AKS cluster.
                  type: str
                  returned: always
                  sample: /subscriptions/0000...0000/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-one
                state:
                  description: Member state.
                  type: str
                  returned: always
                  sample: running
                started_at:
                  description: When the member's upgrade started, or V(null).
                  type: str
                  returned: always
                  sample: "2026-11-23T18:30:00Z"
                completed_at:
                  description: When the member's upgrade ended, or V(null).
                  type: str
                  returned: always
                  sample: null
                operation_id:
                  description: The AKS operation id of the member's upgrade.
                  type: str
                  returned: always
                  sample: 0c3f1a6e-0000-0000-0000-000000000000
                message:
                  description: Azure's status message for the member.
                  type: str
                  returned: always
                  sample: Upgrading
                error:
                  description: The member's error, or V(null).
                  type: dict
                  returned: always
                  sample: null
    failure_count:
      description: How many members of the run failed, as Azure counts them, or V(null) (API versions without it).
      type: int
      returned: always
      sample: null
    pending_gates:
      description:
        - Every gate of the run whose state is V(pending), whatever the run's own state. Approve one with M(upgradegate.azure.fleet_gate).
        - Empty for an API version without gates, even when the run is V(pending).
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: The gate's name, a GUID.
          type: str
          returned: always
          sample: 12345678-910a-bcde-f000-000000000000
        id:
          description: The gate's ARM id.
          type: str
          returned: always
          sample: /subscriptions/.../resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod/gates/12345678-910a-bcde-f000-000000000000
        display_name:
          description: The gate's display name.
          type: str
          returned: always
          sample: Smoke tests passed
        gate_type:
          description: Azure's gate type, as returned.
          type: str
          returned: always
          sample: Approval
        path:
          description: Where the gate stands, V(stage) or V(stage/group).
          type: str
          returned: always
          sample: canary
        timing:
          description: Whether the gate holds the run before or after that stage or group.
          type: str
          returned: always
          sample: after
          choices: [before, after]
    error:
      description: The run's error, or V(null).
      type: dict
      returned: always
      contains:
        code:
          description: Azure's error code.
          type: str
          returned: always
          sample: UpgradeFailed
        message:
          description: Azure's error message.
          type: str
          returned: always
          sample: Member aks-one failed to upgrade.
        target:
          description: What the error is about.
          type: str
          returned: always
          sample: aks-one
        details:
          description: Further errors of the same shape.
          type: list
          elements: dict
          returned: always
          sample: []
        additional_info:
          description: Azure's additional information, each with type and info.
          type: list
          elements: dict
          returned: always
          sample: []
    errors:
      description: Every error of the run, its stages, groups and members, flattened.
      type: list
      elements: dict
      returned: always
      contains:
        scope:
          description: Where the error was found.
          type: str
          returned: always
          sample: member
          choices: [run, stage, group, member]
        path:
          description: The stage, group and member names leading to it, joined by C(/).
          type: str
          returned: always
          sample: canary/canary/member-one
        code:
          description: Azure's error code.
          type: str
          returned: always
          sample: UpgradeFailed
        message:
          description: Azure's error message.
          type: str
          returned: always
          sample: Upgrade failed.
    system_data:
      description: Who created and last changed the run, and when.
      type: dict
      returned: always
      contains:
        created_by:
          description: Who created the run.
          type: str
          returned: always
          sample: someone@example.com
        created_by_type:
          description: The kind of identity that created it.
          type: str
          returned: always
          sample: User
        created_at:
          description: When it was created, ISO 8601 in UTC, or V(null).
          type: str
          returned: always
          sample: "2026-11-23T18:00:00Z"
        last_modified_by:
          description: Who changed it last.
          type: str
          returned: always
          sample: someone@example.com
        last_modified_by_type:
          description: The kind of identity that changed it last.
          type: str
          returned: always
          sample: User
        last_modified_at:
          description: When it was changed last, ISO 8601 in UTC, or V(null).
          type: str
          returned: always
          sample: "2026-11-23T18:00:00Z"
    raw:
      description: Azure's response body.
      type: dict
      returned: when O(include_raw=true)
error:
  description: What went wrong talking to Azure, with the HTTP status, Azure's code and the request id.
  type: dict
  returned: when a request to Azure failed
  sample:
    kind: api
    status: 403
    code: AuthorizationFailed
    message: The client ... does not have authorization to perform action ...
    request_id: 8c3f0a4e-0000-0000-0000-000000000000
    correlation_id: 8c3f0a4e-0000-0000-0000-000000000000
    method: GET
    path: /subscriptions/.../fleets/fleet-prod/updateRuns/run-1
  contains:
    kind:
      description:
        - V(api) (Azure answered with an error), V(not_found) (HTTP 404), V(auth) (no token, or HTTP 401 after a renewed token),
          V(transport) (connection, TLS or timeout) or V(protocol) (a body that is not what Azure sends).
      type: str
      returned: always
      sample: api
    status:
      description: The HTTP status, V(null) when no response came.
      type: int
      returned: always
      sample: 403
    code:
      description: Azure's error code, V(null) when the body had none.
      type: str
      returned: always
      sample: AuthorizationFailed
    message:
      description: Azure's error message, V(null) when the body had none.
      type: str
      returned: always
      sample: The client ... does not have authorization to perform action ...
    request_id:
      description: Azure's C(x-ms-request-id), for a support request.
      type: str
      returned: always
      sample: 8c3f0a4e-0000-0000-0000-000000000000
    correlation_id:
      description: Azure's C(x-ms-correlation-request-id).
      type: str
      returned: always
      sample: 8c3f0a4e-0000-0000-0000-000000000000
    method:
      description: The HTTP method of the request that failed.
      type: str
      returned: always
      sample: GET
    path:
      description: The URL path of the request that failed.
      type: str
      returned: always
      sample: /subscriptions/.../fleets/fleet-prod/updateRuns/run-1
field:
  description: The option whose value was refused.
  type: str
  returned: when an option was refused
  sample: fleet_name
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._info import fleet_update_runs, validate_fleet
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import FLEET_API_VERSION

OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str", required=True),
    name=dict(type="str"),
    include_raw=dict(type="bool", default=False),
    api_version=dict(type="str", default=FLEET_API_VERSION),
)


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **OPTIONS), supports_check_mode=True)
    run_module(module, validate_fleet, fleet_update_runs, {"update_runs": []}, partial_key="update_runs")


if __name__ == "__main__":
    main()
