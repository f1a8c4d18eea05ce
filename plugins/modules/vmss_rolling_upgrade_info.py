#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: vmss_rolling_upgrade_info
short_description: Facts about the latest rolling upgrade of Azure VM Scale Sets
version_added: 0.1.0
description:
  - Reads the latest rolling upgrade of one VM Scale Set, or of every scale set in a resource group, in the
    subscription or in several subscriptions, and returns normalised facts ready for C(when), C(assert) and templates.
  - With O(name), one request reads the scale set's latest rolling upgrade. Without it, the scale sets are listed
    (following every page) and their latest rolling upgrades are read concurrently, those of a page while the next
    page is listed, paced by Resource Manager's throttling budget. Every answer says how many reads the subscription has left
    (C(x-ms-ratelimit-remaining-subscription-reads)), and the reads go as fast as that budget allows without running
    it dry, up to 32 at a time per subscription. Several subscriptions are read side by side, each with its own budget.
    When Azure throttles all the same, every request waits as its C(Retry-After) asks.
  - A scale set that does not exist gives an empty list. A scale set that exists but never had a rolling upgrade
    gives an item with RV(rolling_upgrades[].exists=false) and RV(rolling_upgrades[].state=null).
author:
  - upgradegate.azure contributors (@upgradegate)
options:
  resource_group:
    description:
      - The resource group of the scale sets. Required with O(name).
      - Without O(name) and O(resource_group), every scale set of the subscription is read.
    type: str
  name:
    description:
      - The name of one scale set.
    type: str
  tags:
    description:
      - Keep only scale sets that carry every one of these tags, each given as V(key) or V(key:value).
      - Tag names are compared without regard to case, values exactly.
      - With O(name), the scale set is read too, to see its tags.
    type: list
    elements: str
  subscriptions:
    description:
      - Read every scale set of these subscriptions (a list of subscription ids), side by side.
      - The single value V(all) reads every subscription the identity can see whose state is V(Enabled)
        (C(GET /subscriptions), every page).
      - Without it, the one subscription of O(subscription_id) is read.
      - A subscription the identity cannot read fails the task with the subscription's id and Azure's message;
        RV(rolling_upgrades) then holds what was read from the other subscriptions.
      - Mutually exclusive with O(resource_group) and O(name).
    type: list
    elements: str
  include_raw:
    description:
      - Also return Azure's response body of each rolling upgrade as RV(rolling_upgrades[].raw).
    type: bool
    default: false
  include_history:
    description:
      - Also read each scale set's OS upgrade history (one more paged request per scale set, made in the same
        concurrent fetch as its latest rolling upgrade) and return it as RV(rolling_upgrades[].history).
    type: bool
    default: false
  history_limit:
    description:
      - With O(include_history=true), at most this many history entries per scale set, newest first.
    type: int
    default: 10
  api_version:
    description:
      - The Microsoft.Compute API version to call. C(2024-07-01), C(2025-04-01) and C(2025-11-01) are tested.
    type: str
    default: "2024-07-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.READ_ONLY
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
seealso:
  - module: upgradegate.azure.wait_for_upgrade
  - name: Virtual Machine Scale Set Rolling Upgrades - Get Latest
    description: The REST operation this module calls.
    link: https://learn.microsoft.com/rest/api/compute/virtual-machine-scale-set-rolling-upgrades/get-latest
"""

EXAMPLES = r"""
- name: Read the latest rolling upgrade of one scale set
  upgradegate.azure.vmss_rolling_upgrade_info:
    resource_group: rg-web
    name: vmss-web
  register: web

- name: Read what the last three OS upgrades of a scale set did
  upgradegate.azure.vmss_rolling_upgrade_info:
    resource_group: rg-web
    name: vmss-web
    include_history: true
    history_limit: 3
  register: web_history

- name: Stop when the last rolling upgrade faulted
  ansible.builtin.assert:
    that:
      - web.rolling_upgrades | length == 1
      - web.rolling_upgrades[0].state != 'faulted'
    fail_msg: "{{ web.rolling_upgrades[0].error.message | default('faulted') }}"

- name: Read every scale set of a resource group that is tagged for production
  upgradegate.azure.vmss_rolling_upgrade_info:
    resource_group: rg-web
    tags:
      - env:prod
  register: prod

- name: Say which scale sets are still rolling forward
  ansible.builtin.debug:
    msg: "{{ item.scale_set_name }} is at {{ item.progress.percent_complete }} %"
  loop: "{{ prod.rolling_upgrades }}"
  loop_control:
    label: "{{ item.scale_set_name }}"
  when: item.state == 'rolling_forward'

- name: Read every scale set of two subscriptions, side by side
  upgradegate.azure.vmss_rolling_upgrade_info:
    subscriptions:
      - 00000000-0000-0000-0000-000000000001
      - 00000000-0000-0000-0000-000000000002
  register: two

- name: Read every enabled subscription this identity can see
  upgradegate.azure.vmss_rolling_upgrade_info:
    subscriptions: all
    tags:
      - env:prod
  register: fleet_wide

- name: Authenticate once for the whole play
  module_defaults:
    group/upgradegate.azure.all:
      auth_source: env
      subscription_id: "{{ azure_subscription_id }}"
  block:
    - name: Read every scale set of the subscription
      upgradegate.azure.vmss_rolling_upgrade_info:
      register: everything
"""

RETURN = r"""
rolling_upgrades:
  description:
    - One item per scale set, sorted by subscription, resource group, then scale set name.
    - Empty when the scale set does not exist or nothing matches.
    - On failure, the items read before the failure.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id of the rolling upgrade resource (built from the request when Azure's body has none).
      type: str
      returned: always
      sample: /subscriptions/0000...0000/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web/rollingUpgrades/latest
    scale_set_id:
      description: ARM id of the scale set.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web
    scale_set_name:
      description: Name of the scale set.
      type: str
      returned: always
      sample: vmss-web
    resource_group:
      description: Resource group of the scale set.
      type: str
      returned: always
      sample: rg-web
    subscription_id:
      description: Subscription of the scale set.
      type: str
      returned: always
      sample: 00000000-0000-0000-0000-000000000000
    location:
      description: Azure region.
      type: str
      returned: always
      sample: westeurope
    exists:
      description: Whether the scale set has a rolling upgrade at all.
      type: bool
      returned: always
      sample: true
    state:
      description:
        - The state of the rolling upgrade, V(null) when there is none.
        - An unknown future value is returned in snake_case and is neither terminal nor a success.
      type: str
      returned: always
      sample: rolling_forward
      choices: [rolling_forward, rolling_back, completed, cancelled, faulted]
    status_code:
      description: Azure's own value, as returned.
      type: str
      returned: always
      sample: RollingForward
    is_terminal:
      description: Whether RV(rolling_upgrades[].state) is V(completed), V(cancelled) or V(faulted).
      type: bool
      returned: always
      sample: false
    succeeded:
      description: Whether RV(rolling_upgrades[].state) is V(completed).
      type: bool
      returned: always
      sample: false
    last_action:
      description: The last action on the upgrade.
      type: str
      returned: always
      sample: start
      choices: [start, cancel]
    started_at:
      description: When the upgrade started, ISO 8601 in UTC, or V(null).
      type: str
      returned: always
      sample: "2026-11-23T18:30:00Z"
    last_action_at:
      description: When the last action happened, ISO 8601 in UTC, or V(null).
      type: str
      returned: always
      sample: "2026-11-23T18:30:00Z"
    progress:
      description: Instance counts.
      type: dict
      returned: always
      contains:
        successful:
          description: Instances upgraded successfully.
          type: int
          returned: always
          sample: 6
        failed:
          description: Instances that failed to upgrade.
          type: int
          returned: always
          sample: 0
        in_progress:
          description: Instances being upgraded.
          type: int
          returned: always
          sample: 2
        pending:
          description: Instances still to upgrade.
          type: int
          returned: always
          sample: 2
        total:
          description: The sum of the four counts.
          type: int
          returned: always
          sample: 10
        percent_complete:
          description: 100 times successful divided by total, one decimal; V(null) when total is 0.
          type: float
          returned: always
          sample: 60.0
    policy:
      description: The rolling upgrade policy in force.
      type: dict
      returned: always
      contains:
        max_batch_instance_percent:
          description: Largest share of instances upgraded in one batch.
          type: int
          returned: always
          sample: 20
        max_unhealthy_instance_percent:
          description: Largest share of unhealthy instances before the upgrade stops.
          type: int
          returned: always
          sample: 20
        max_unhealthy_upgraded_instance_percent:
          description: Largest share of upgraded instances found unhealthy before the upgrade stops.
          type: int
          returned: always
          sample: 20
        pause_time_between_batches:
          description: The pause between batches, as Azure gives it (an ISO 8601 duration).
          type: str
          returned: always
          sample: PT0S
        pause_time_between_batches_seconds:
          description: The pause in seconds, V(null) when it is not an ISO 8601 duration.
          type: int
          returned: always
          sample: 0
        enable_cross_zone_upgrade:
          description: Whether batches may span availability zones.
          type: bool
          returned: always
          sample: true
        prioritize_unhealthy_instances:
          description: Whether unhealthy instances are upgraded first.
          type: bool
          returned: always
          sample: false
        rollback_failed_instances_on_policy_breach:
          description: Whether failed instances are rolled back when the policy is breached.
          type: bool
          returned: always
          sample: false
        max_surge:
          description: Whether new instances are created before old ones are removed.
          type: bool
          returned: always
          sample: false
    error:
      description: Azure's error for a faulted upgrade, or V(null).
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
          sample: Upgrade of instance 3 failed.
        target:
          description: What the error is about.
          type: str
          returned: always
          sample: vmss-web
        details:
          description: Further errors, each with code, message and target.
          type: list
          elements: dict
          returned: always
          sample: [{"code": "VMExtensionProvisioningError", "message": "Extension failed.", "target": "3"}]
        inner_error:
          description: Azure's inner error with exception_type and error_detail, or V(null).
          type: dict
          returned: always
          sample: {"exception_type": "UpgradeException", "error_detail": "Health probe failed."}
    tags:
      description:
        - The scale set's tags when the scale set was read (listing, a O(tags) filter, a scale set without rolling
          upgrade), else the tags Azure returns with the rolling upgrade status.
      type: dict
      returned: always
      sample: {"env": "prod"}
    history:
      description:
        - The scale set's OS upgrade history, newest first, at most O(history_limit) entries.
      type: list
      elements: dict
      returned: when O(include_history=true)
      contains:
        state:
          description: The state of that upgrade, in the vocabulary of RV(rolling_upgrades[].state).
          type: str
          returned: always
          sample: faulted
        status_code:
          description: Azure's value as returned.
          type: str
          returned: always
          sample: Faulted
        started_at:
          description: When it started, ISO 8601 UTC, or V(null).
          type: str
          returned: always
          sample: "2026-11-30T13:05:40.442000Z"
        ended_at:
          description: When it ended, ISO 8601 UTC, or V(null) while it runs.
          type: str
          returned: always
          sample: "2026-11-30T13:45:02Z"
        started_by:
          description: Who started it, Azure's value (V(User), V(Platform), V(Unknown)).
          type: str
          returned: always
          sample: User
        target_image:
          description: The image it rolled out to, or V(null) when Azure does not say.
          type: dict
          returned: always
          sample: {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest", "id": null}
        progress:
          description: Instance counts, as RV(rolling_upgrades[].progress).
          type: dict
          returned: always
          sample: {"successful": 4, "failed": 1, "in_progress": 0, "pending": 5, "total": 10, "percent_complete": 40.0}
        error:
          description: Azure's error for that upgrade, as RV(rolling_upgrades[].error), or V(null).
          type: dict
          returned: always
        rollback:
          description:
            - What was rolled back after a failure, or V(null) when Azure gives no rollback information.
            - Keys C(successfully_rolled_back) and C(failed_to_roll_back) (instance counts) and C(error) (as RV(rolling_upgrades[].error)).
          type: dict
          returned: always
          sample: {"successfully_rolled_back": 4, "failed_to_roll_back": 0, "error": null}
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
    path: /subscriptions/.../virtualMachineScaleSets/vmss-web/rollingUpgrades/latest
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
      sample: /subscriptions/.../virtualMachineScaleSets/vmss-web/rollingUpgrades/latest
field:
  description: The option whose value was refused.
  type: str
  returned: when an option was refused
  sample: resource_group
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._info import VMSS_EXCLUSIVE, validate_vmss, vmss_pool_size, vmss_rolling_upgrades
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import HISTORY_LIMIT, VMSS_API_VERSION

OPTIONS = dict(
    resource_group=dict(type="str"),
    name=dict(type="str"),
    tags=dict(type="list", elements="str"),
    subscriptions=dict(type="list", elements="str"),
    include_history=dict(type="bool", default=False),
    history_limit=dict(type="int", default=HISTORY_LIMIT),
    include_raw=dict(type="bool", default=False),
    api_version=dict(type="str", default=VMSS_API_VERSION),
)


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **OPTIONS), required_by={"name": ["resource_group"]},
                           mutually_exclusive=VMSS_EXCLUSIVE, supports_check_mode=True)
    run_module(module, validate_vmss, vmss_rolling_upgrades, {"rolling_upgrades": []}, partial_key="rolling_upgrades",
               pool_size=vmss_pool_size)


if __name__ == "__main__":
    main()
