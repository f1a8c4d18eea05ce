#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: vmss_rolling_upgrade
short_description: Start or cancel the rolling upgrade of an Azure VM Scale Set
version_added: 0.1.0
description:
  - Starts a rolling upgrade of a VM Scale Set to the latest platform OS image (O(type=os)) or to the latest
    extension versions (O(type=extension)), or cancels the rolling upgrade under way (O(state=cancelled)).
  - Reads the scale set's latest rolling upgrade first and writes only when that changes something, so running the
    same task twice starts one upgrade. An upgrade that is rolling forward or rolling back counts as started.
  - A start returns as soon as Azure has accepted it; the upgrade itself can last hours. Gate on it with
    M(upgradegate.azure.wait_for_upgrade) and O(upgradegate.azure.wait_for_upgrade#module:started_after) set to
    RV(requested_at), so the gate never opens on an earlier upgrade.
  - A cancel that Azure accepted is followed until it ends, within O(timeout).
  - When Azure refuses to start (for example a scale set whose upgrade policy is not C(Rolling), or that has no
    health probe or Application Health extension), the message gives Azure's words and what to change on the scale
    set. A C(403) names the permission to grant.
author:
  - upgradegate.azure contributors (@upgradegate)
options:
  resource_group:
    description:
      - The resource group of the scale set.
    type: str
    required: true
  scale_set:
    description:
      - The name of the scale set.
    type: str
    required: true
  state:
    description:
      - V(started) starts a rolling upgrade unless one is rolling forward or rolling back.
      - V(cancelled) cancels the rolling upgrade under way; with none under way nothing is changed (also when Azure
        answers that there is no rolling upgrade in progress to cancel).
    type: str
    choices: [started, cancelled]
    default: started
  type:
    description:
      - What a start rolls out. V(os) is the latest platform OS image (C(osRollingUpgrade)); V(extension) is the latest
        versions of the scale set's extensions (C(extensionRollingUpgrade)). Ignored with O(state=cancelled).
    type: str
    choices: [os, extension]
    default: os
  timeout:
    description:
      - Seconds to wait for Azure's long-running cancel operation to end.
    type: int
    default: 600
  api_version:
    description:
      - The Microsoft.Compute API version to call. C(2024-07-01), C(2025-04-01) and C(2025-11-01) are tested.
    type: str
    default: "2024-07-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.CHANGES_AZURE
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
seealso:
  - module: upgradegate.azure.wait_for_upgrade
  - module: upgradegate.azure.vmss_rolling_upgrade_info
  - name: Virtual Machine Scale Sets - Start OS Upgrade
    description: The REST operation behind O(type=os).
    link: https://learn.microsoft.com/rest/api/compute/virtual-machine-scale-set-rolling-upgrades/start-os-upgrade
  - name: Virtual Machine Scale Set Rolling Upgrades - Cancel
    description: The REST operation behind O(state=cancelled).
    link: https://learn.microsoft.com/rest/api/compute/virtual-machine-scale-set-rolling-upgrades/cancel
"""

EXAMPLES = r"""
- name: Roll the web tier to the latest platform image
  upgradegate.azure.vmss_rolling_upgrade:
    resource_group: rg-web
    scale_set: vmss-web
    type: os
  register: rollout

- name: Wait until that upgrade has rolled out, and stop if it faulted or rolls back
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-web
    scale_set: vmss-web
    started_after: "{{ rollout.requested_at }}"
    timeout: 7200
  when: rollout.requested_at is not none

- name: Cancel the rolling upgrade of a scale set
  upgradegate.azure.vmss_rolling_upgrade:
    resource_group: rg-web
    scale_set: vmss-web
    state: cancelled
"""

RETURN = r"""
rolling_upgrade:
  description:
    - The scale set's latest rolling upgrade after the change (before it, in check mode), with the keys of
      RV(upgradegate.azure.vmss_rolling_upgrade_info#module:rolling_upgrades) items.
  type: dict
  returned: success
  sample:
    scale_set_name: vmss-web
    resource_group: rg-web
    exists: true
    state: rolling_forward
    is_terminal: false
    progress: {"successful": 0, "failed": 0, "in_progress": 2, "pending": 8, "total": 10, "percent_complete": 0.0}
requested_at:
  description:
    - UTC time, ISO 8601, taken just before the start or cancel request; V(null) when nothing was requested (also in
      check mode). Give it to O(upgradegate.azure.wait_for_upgrade#module:started_after).
  type: str
  returned: always
  sample: "2026-12-02T09:15:02.120455Z"
diff:
  description: The state of the latest rolling upgrade before and after, in diff mode.
  type: dict
  returned: in diff mode
  sample: {"before": {"state": "completed"}, "after": {"state": "rolling_forward"}}
error:
  description: What went wrong talking to Azure, with the HTTP status, Azure's code and the request id.
  type: dict
  returned: when Azure answered with an error
  contains:
    kind:
      description: C(api), C(not_found), C(auth), C(transport), C(protocol) or C(timeout).
      type: str
      returned: always
    status:
      description: The HTTP status, or V(null).
      type: int
      returned: always
    code:
      description: Azure's error code, or V(null).
      type: str
      returned: always
    message:
      description: Azure's error message, or V(null).
      type: str
      returned: always
    request_id:
      description: The x-ms-request-id of the failed request.
      type: str
      returned: always
    correlation_id:
      description: The x-ms-correlation-request-id of the failed request.
      type: str
      returned: always
    method:
      description: The HTTP method of the failed request.
      type: str
      returned: always
    path:
      description: The path of the failed request.
      type: str
      returned: always
field:
  description: The option whose value was refused.
  type: str
  returned: when an option was refused
  sample: scale_set
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import check_api_version, check_resource_group, check_scale_set_name
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import VMSS_API_VERSION
from ansible_collections.upgradegate.azure.plugins.module_utils._vmss_actions import change_rolling_upgrade

OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    scale_set=dict(type="str", required=True),
    state=dict(type="str", choices=["started", "cancelled"], default="started"),
    type=dict(type="str", choices=["os", "extension"], default="os"),
    timeout=dict(type="int", default=600),
    api_version=dict(type="str", default=VMSS_API_VERSION),
)


def validate(params):
    check_resource_group(params["resource_group"])
    check_scale_set_name(params["scale_set"])
    check_api_version(params["api_version"])
    if params["timeout"] < 1:
        raise ValidationError("timeout", "must be 1 second or more, got %d" % params["timeout"])


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **OPTIONS), supports_check_mode=True)
    run_module(module, validate,
               lambda connection, params: change_rolling_upgrade(connection, params, check_mode=module.check_mode, diff=module._diff),
               {"requested_at": None})


if __name__ == "__main__":
    main()
