#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: fleet_update_run
short_description: Create, start, stop, skip parts of and delete an update run of an Azure Kubernetes Fleet Manager fleet
version_added: 0.1.0
description:
  - Creates an update run of a fleet, replaces it while it has not started, starts it, stops it, skips members, groups, stages or
    after-stage waits of it, or deletes it.
  - Reads the run first, compares what it would send with what Azure has, and writes only the difference, so a second run of the
    same task reports no change and sends no write.
  - Every write follows Azure's long-running operation (C(Azure-AsyncOperation) or C(Location), honouring C(Retry-After)) to its
    end within O(timeout), and fails with the operation's error. Azure also answers some writes at once (201 or 200 with the
    run); both are handled.
  - Starting returns once Azure has accepted the start; gate on the run itself with M(upgradegate.azure.wait_for_upgrade).
  - O(state=started), O(state=stopped), O(state=absent) and O(skip) need only the run's names (a run that Terraform or the portal
    created); the options that define the run are compared only when given.
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
      - The name of the update run (1 to 50 lower-case letters, digits and V(-)).
    type: str
    required: true
  state:
    description:
      - V(present) creates the run when it does not exist (PUT with C(If-None-Match=*)); when it exists, has not started and differs
        from the options, replaces it (PUT with C(If-Match) set to the run's ETag); when it has started and differs, fails naming
        the options that differ (Azure changes a run only before it starts).
      - V(started) does what V(present) does, then starts a run that is V(not_started) or V(stopped) (or V(pending) without a start
        time). A V(running), V(stopping) or V(pending) run that has started is left alone. A finished run (V(completed),
        V(failed), V(skipped)) fails, as it cannot be started again; create a new run.
      - V(stopped) stops a V(running) run; any other state is left alone.
      - V(absent) deletes the run when it exists, whatever its state (a running run too).
    type: str
    default: present
    choices: [present, started, stopped, absent]
  update_strategy_id:
    description:
      - ARM id of an update strategy of the fleet to create the run from.
      - Mutually exclusive with O(strategy).
    type: str
  strategy:
    description:
      - The stages of the run, when it is not created from O(update_strategy_id).
      - Stages run one after another, the groups of a stage side by side.
    type: dict
    suboptions:
      stages:
        description:
          - The stages, in order.
        type: list
        elements: dict
        required: true
        suboptions:
          name:
            description:
              - Name of the stage, 1 to 50 lower-case letters, digits and V(-), unique within the run.
            type: str
            required: true
          groups:
            description:
              - The groups of the stage. A group holds the fleet members whose group has this name; group names are unique within
                the run.
            type: list
            elements: dict
            required: true
            suboptions:
              name:
                description:
                  - Name of the group, 1 to 50 lower-case letters, digits and V(-).
                type: str
                required: true
              before_gates:
                description:
                  - Approval gates before the group starts. Needs an O(api_version) with gates (2025-04-01-preview, 2026-06-01 or later).
                type: list
                elements: dict
                suboptions:
                  display_name:
                    description: The gate's name as people see it (1 to 100 characters).
                    type: str
                  type:
                    description: The gate's type.
                    type: str
                    default: Approval
                    choices: [Approval]
              after_gates:
                description:
                  - Approval gates after the group has finished. Needs an O(api_version) with gates.
                type: list
                elements: dict
                suboptions:
                  display_name:
                    description: The gate's name as people see it (1 to 100 characters).
                    type: str
                  type:
                    description: The gate's type.
                    type: str
                    default: Approval
                    choices: [Approval]
              max_concurrency:
                description:
                  - How many members of the group are updated at once, a count such as V("2") or a percentage such as V("25%").
                  - Needs an O(api_version) that has it (2026-06-01, 2026-06-02-preview or later).
                type: str
          after_stage_wait_seconds:
            description:
              - Seconds to wait after the stage before the next one starts.
            type: int
          before_gates:
            description:
              - Approval gates before the stage starts. Needs an O(api_version) with gates.
            type: list
            elements: dict
            suboptions:
              display_name:
                description: The gate's name as people see it (1 to 100 characters).
                type: str
              type:
                description: The gate's type.
                type: str
                default: Approval
                choices: [Approval]
          after_gates:
            description:
              - Approval gates after the stage has finished. Needs an O(api_version) with gates.
            type: list
            elements: dict
            suboptions:
              display_name:
                description: The gate's name as people see it (1 to 100 characters).
                type: str
              type:
                description: The gate's type.
                type: str
                default: Approval
                choices: [Approval]
          max_concurrency:
            description:
              - How many members of the stage are updated at once, a count or a percentage (V("2"), V("25%")).
              - Needs an O(api_version) that has it.
            type: str
  upgrade_type:
    description:
      - What the run upgrades. Required to create the run, and with any of the options that define it.
    type: str
    choices: [Full, NodeImageOnly, ControlPlaneOnly]
  kubernetes_version:
    description:
      - The Kubernetes version to upgrade to, V(MAJOR.MINOR) or V(MAJOR.MINOR.PATCH).
      - Required with O(upgrade_type=Full) and O(upgrade_type=ControlPlaneOnly), refused with O(upgrade_type=NodeImageOnly).
    type: str
  node_image_selection:
    description:
      - How node images are chosen. When the run is created without it, V(Latest) is sent; an existing run is compared with it
        only when it is given.
    type: str
    choices: [Latest, Consistent, Custom]
  custom_node_image_versions:
    description:
      - The node image versions to use. Required with O(node_image_selection=Custom), refused otherwise.
    type: list
    elements: str
  skip:
    description:
      - Members, groups, stages or after-stage waits of the run to skip. Those already skipped are left alone; the others are
        skipped in one request, after the run is created and before it is started (so with O(state=started) they never run).
      - A run that has finished (V(completed), V(failed), V(skipped)) fails when something of it is still to skip.
      - Not with O(state=absent).
    type: list
    elements: dict
    suboptions:
      type:
        description: What to skip.
        type: str
        required: true
        choices: [Member, Group, Stage, AfterStageWait]
      name:
        description: The name of the member, group or stage (for V(AfterStageWait), the stage whose wait is skipped).
        type: str
        required: true
  timeout:
    description:
      - Seconds for all of Azure's long-running operations of the task together. When an operation has not ended by then, the
        task fails (the write was accepted and may still end later).
    type: int
    default: 600
  api_version:
    description:
      - The Microsoft.ContainerService API version to call.
      - Gates need 2025-04-01-preview, 2026-06-01 or later; O(strategy.stages[].max_concurrency) needs 2026-06-01,
        2026-06-02-preview or later. With an older version they are refused before any request.
    type: str
    default: "2026-06-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
attributes:
  check_mode:
    support: full
    details: Reads the run and reports what it would change in RV(actions), without writing.
  diff_mode:
    support: full
    details: Shows the run's state, the options that define it (those given) and the skipped targets (with O(skip)), before and after.
  idempotent:
    support: full
    details: It reads what Azure has first and writes only the difference, so a second run with the same options changes nothing.
seealso:
  - module: upgradegate.azure.fleet_update_run_info
  - module: upgradegate.azure.wait_for_upgrade
  - name: Fleet Update Runs
    description: The REST operations this module calls.
    link: https://learn.microsoft.com/rest/api/fleet/update-runs
"""

EXAMPLES = r"""
- name: Create a run from a strategy and start it
  vars:
    fleet_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod
  upgradegate.azure.fleet_update_run:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: upgrade-1-31
    state: started
    update_strategy_id: "{{ fleet_id }}/updateStrategies/canary-first"
    upgrade_type: Full
    kubernetes_version: "1.31.1"
  register: run

- name: Gate on the run
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: "{{ run.update_run.name }}"
    timeout: 7200

- name: A run with its own stages and an approval gate after the canary stage
  upgradegate.azure.fleet_update_run:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: node-images-week-48
    upgrade_type: NodeImageOnly
    node_image_selection: Consistent
    strategy:
      stages:
        - name: canary
          groups: [{name: canary}]
          after_gates: [{display_name: Canary looks healthy}]
        - name: production
          groups: [{name: prod-eu, max_concurrency: "25%"}, {name: prod-us, max_concurrency: "25%"}]

- name: Start a run that Terraform created
  upgradegate.azure.fleet_update_run:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: upgrade-1-31
    state: started

- name: Skip a member that is being repaired, and the wait after the canary stage
  upgradegate.azure.fleet_update_run:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: upgrade-1-31
    state: started
    skip:
      - {type: Member, name: prod-eu-3}
      - {type: AfterStageWait, name: canary}

- name: Stop the run
  upgradegate.azure.fleet_update_run:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: upgrade-1-31
    state: stopped

- name: Delete the run
  upgradegate.azure.fleet_update_run:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: upgrade-1-31
    state: absent
"""

RETURN = r"""
update_run:
  description:
    - The run after the change, with the keys of RV(upgradegate.azure.fleet_update_run_info#module:update_runs[]).
    - V(null) when the run does not exist (after O(state=absent), or in check mode before it is created).
    - On failure, the run as last read.
  returned: always
  type: dict
  contains:
    id:
      description: ARM id of the update run.
      type: str
      returned: success
      sample: /subscriptions/0000...0000/resourceGroups/rg-fleet/providers/Microsoft.ContainerService/fleets/fleet-prod/updateRuns/run-1
    name:
      description: Name of the update run.
      type: str
      returned: success
      sample: run-1
    etag:
      description: The run's ETag.
      type: str
      returned: success
      sample: '"0a1b2c"'
    state:
      description: The state of the run, as in M(upgradegate.azure.fleet_update_run_info).
      type: str
      returned: success
      sample: running
    stages:
      description: The stages, groups and members of the run, as in M(upgradegate.azure.fleet_update_run_info).
      type: list
      elements: dict
      returned: success
      sample: []
actions:
  description:
    - The writes made (in check mode, that would be made), in order, from V(create), V(replace), V(skip), V(start), V(stop)
      and V(delete). Empty when the run already was as asked.
  returned: always
  type: list
  elements: str
  sample: [create, start]
diff:
  description: The run before and after (diff mode only).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description:
        - V(state) (the run's state, V(absent) when it does not exist), the options that define the run that were given, with
          Azure's values, and V(skipped) (the O(skip) targets already skipped) when O(skip) is given.
      type: dict
      returned: success
      sample: {state: not_started, upgrade_type: Full, kubernetes_version: "1.30.1"}
    after:
      description: The same keys after the change (in check mode, as predicted).
      type: dict
      returned: success
      sample: {state: running, upgrade_type: Full, kubernetes_version: "1.30.1"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module
from ansible_collections.upgradegate.azure.plugins.module_utils._run_apply import EMPTY_RESULT, ensure
from ansible_collections.upgradegate.azure.plugins.module_utils._run_plan import PlanError
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import RUN_OPTIONS, RUN_RULES, validate


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **RUN_OPTIONS), supports_check_mode=True, **RUN_RULES)

    def work(connection, params):
        try:
            return ensure(connection.client, connection.subscription_id, params, check_mode=module.check_mode, diff=module._diff)
        except PlanError as exc:
            return dict(EMPTY_RESULT, failed=True, msg=str(exc), field=exc.field, update_run=exc.facts)

    run_module(module, validate, work, EMPTY_RESULT, partial_key="update_run")


if __name__ == "__main__":
    main()
