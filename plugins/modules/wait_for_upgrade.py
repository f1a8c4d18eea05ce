#!/usr/bin/python
# Copyright: (c) 2026, upgradegate.azure contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: wait_for_upgrade
short_description: Wait until Azure rolling upgrades or fleet update runs reach a state, and fail fast when they fail
version_added: 0.1.0
description:
  - Blocks until the latest rolling upgrade of a VM Scale Set, an AKS Fleet Manager update run, or one stage or group
    of an update run reaches one of the states in O(state), like M(ansible.builtin.wait_for) does for ports and files.
  - Several targets given in O(targets) are polled together, one request per unfinished target every O(sleep)
    seconds; a target that is done is not polled again. A C(Retry-After) from Azure longer than O(sleep) delays
    the next round.
  - A terminal state that is not in O(state) (V(faulted), V(cancelled), V(failed), V(stopped), V(skipped)) fails at
    once, as does a target that does not exist. The gate never succeeds on a timeout.
  - Every failure names its reason in RV(reason) and returns the facts and the RV(history) gathered so far.
  - "While it waits, it prints a line on the controller's output each time a target changes, with the default callback
    and without C(-v), for example C(wait_for_upgrade: rg-web/vmss-web rolling_forward 40.0%) followed by the counts and C(after 1m20s).
    See O(progress) and O(heartbeat)."
  - Approval gates of update runs. A run, stage or group that reaches an approval gate waits there, V(pending), until the gate
    is approved or skipped. Put V(pending) in O(state) to open the gate as soon as the target reaches an approval gate, so the
    pipeline can run its own checks and approve it with M(upgradegate.azure.fleet_gate). Otherwise the target keeps waiting
    (a person may approve the gate), every RV(history) entry names the gates, O(stall_timeout) does not count the time spent
    at a pending gate, O(gate_timeout) ends such a wait with V(gate_pending), and a timeout at a gate names the gates and says
    how to approve them.
author:
  - upgradegate.azure contributors (@upgradegate)
options:
  resource_group:
    description:
      - The resource group of the scale set or fleet.
    type: str
  scale_set:
    description:
      - Wait on the latest rolling upgrade of this scale set.
    type: str
  fleet_name:
    description:
      - Wait on an update run of this fleet; give O(update_run) too.
    type: str
  update_run:
    description:
      - The update run to wait on, with O(fleet_name).
    type: str
  stage:
    description:
      - Fleet targets only. Wait on this stage of the run instead of the whole run.
    type: str
  group:
    description:
      - Fleet targets only. Wait on this group of the run (within O(stage) when given).
    type: str
  targets:
    description:
      - Several targets, each with the keys of the single-target options; the gate opens when every one is done.
      - Give at least one; an empty list is refused.
      - Cannot be combined with the single-target options.
    type: list
    elements: dict
    suboptions:
      resource_group:
        description: The resource group of the scale set or fleet.
        type: str
        required: true
      scale_set:
        description: A scale set, whose latest rolling upgrade is waited on.
        type: str
      fleet_name:
        description: A fleet, with O(targets[].update_run).
        type: str
      update_run:
        description: An update run of O(targets[].fleet_name).
        type: str
      stage:
        description: A stage of the update run.
        type: str
      group:
        description: A group of the update run.
        type: str
  state:
    description:
      - The states that open the gate.
      - Scale sets take V(rolling_forward), V(rolling_back), V(completed), V(cancelled) and V(faulted); update runs,
        stages and groups take V(not_started), V(running), V(stopping), V(stopped), V(skipped), V(failed), V(pending)
        and V(completed).
      - V(terminal) means any terminal state, and then the gate never fails on one.
      - V(rolling_back) (the upgrade failed and Azure is restoring the previous model) is not terminal, but the gate
        fails on it at once with RV(reason=failed_state) unless this list holds V(rolling_back) or V(terminal); with
        V(terminal) the gate waits for the terminal state that follows.
    type: list
    elements: str
    default: [completed]
    choices: [rolling_forward, rolling_back, not_started, running, stopping, pending, completed, cancelled, faulted, failed, stopped, skipped, terminal]
  timeout:
    description:
      - Seconds to wait in all, fractions allowed. The gate fails when they run out.
      - Everything the module does counts, getting tokens included; it ends within O(timeout) plus O(request_timeout),
        whatever Azure or the network do. Until then, transient failures (network, spoiled bodies, throttling, server
        faults, from Resource Manager or the token endpoint) are polled through.
    type: float
    default: 3600
  sleep:
    description:
      - Seconds between polls, fractions allowed. A longer C(Retry-After) from Azure wins.
      - When not set, V(30), or O(timeout) when that is shorter. A value longer than O(timeout) is refused.
    type: float
  delay:
    description:
      - Seconds to wait before the first poll. Must be shorter than O(timeout).
    type: float
    default: 0
  started_after:
    description:
      - Scale sets only. An ISO 8601 date and time; a rolling upgrade that started before it counts as not started yet,
        and so does a scale set without any rolling upgrade, until the timeout.
      - Set it to the time you changed the scale set's model, so the gate does not open on the previous upgrade.
    type: str
  min_percent_complete:
    description:
      - Open the gate as soon as the target's C(percent_complete) reaches this, before a terminal state.
    type: float
  max_failed:
    description:
      - Fail as soon as more instances (scale sets) or member clusters (update runs) than this have failed.
    type: int
  stall_timeout:
    description:
      - Fail when neither the state nor the progress of a target has changed for this many seconds.
      - For a O(stage) or O(group), any change of the whole run counts, so a later stage waiting its turn while
        earlier stages progress is not stalled. Waiting for an upgrade that starts after O(started_after) counts
        as no change.
    type: float
  msg:
    description:
      - Replaces the failure message, as in M(ansible.builtin.wait_for).
    type: str
  vmss_api_version:
    description:
      - The Microsoft.Compute API version used to read scale set targets. C(2024-07-01), C(2025-04-01) and
        C(2025-11-01) are tested.
    type: str
    default: "2024-07-01"
  progress:
    description:
      - Print a line on the controller's output for every change while waiting, the same text as the RV(history[].summary)
        of that change, for the first observation of each target and then each time its state, percent, current stage or
        group, failed count or failed members, or pending approval gates change.
      - "Lines are printed when the module runs on the controller's machine (a local connection, such as C(hosts: localhost)
        or C(delegate_to: localhost)) and not under C(async); elsewhere, and with C(no_log), nothing is printed.
        The result is the same either way."
    type: bool
    default: true
  heartbeat:
    description:
      - Seconds without any change after which a line says what is still awaited, so a CI log never stays silent
        for long. V(0) turns heartbeats off.
      - It is checked after each poll, so it comes with the first poll after that many quiet seconds.
      - Heartbeats are printed only, they are not RV(history) entries.
    type: float
    default: 300
  gate_timeout:
    description:
      - Update runs only. Fail with V(gate_pending) when a target has waited this many seconds at the same pending approval
        gates. A target that moves on to another gate starts counting again.
    type: float
  fleet_api_version:
    description:
      - The Microsoft.ContainerService API version the update runs are read with.
      - With a version that has no approval gates (V(2025-03-01) or older), a run held at a gate shows V(pending) without
        naming it; the gates are then named from the fleet's gates, read with V(2026-06-01) once per change of the run,
        not once per poll.
    type: str
    default: "2026-06-01"
extends_documentation_fragment:
  - upgradegate.azure.connection
  - upgradegate.azure.attributes
  - upgradegate.azure.attributes.READ_ONLY
  - upgradegate.azure.attributes.ACTIONGROUP_ALL
notes:
  - The progress lines go from the module to the controller through a file that the action plugin creates in the
    task's temporary directory on the controller's machine; with C(become) to an unprivileged user nothing is printed.
  - Works under C(async) with C(poll) set to V(0) and M(ansible.builtin.async_status); give C(async) a value above O(timeout).
seealso:
  - module: upgradegate.azure.vmss_rolling_upgrade_info
  - module: upgradegate.azure.fleet_update_run_info
  - module: ansible.builtin.wait_for
"""

EXAMPLES = r"""
- name: Note when the scale set's model changes
  ansible.builtin.set_fact:
    model_changed_at: "{{ now(utc=true).isoformat() }}Z"

- name: Wait for the rolling upgrade that this change started, not the previous one
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-web
    scale_set: vmss-web
    started_after: "{{ model_changed_at }}"
    timeout: 5400
    sleep: 20

- name: Gate the rest of the pipeline on the canary stage of a fleet update run
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    stage: canary
    max_failed: 0

- name: Wait for several scale sets at once
  upgradegate.azure.wait_for_upgrade:
    targets:
      - resource_group: rg-web
        scale_set: vmss-web
      - resource_group: rg-api
        scale_set: vmss-api
    timeout: 3600
  register: gate

- name: Authenticate once for every module of the collection
  module_defaults:
    group/upgradegate.azure.all:
      auth_source: workload_identity
      subscription_id: "{{ azure_subscription_id }}"
  block:
    - name: Wait for the whole update run
      upgradegate.azure.wait_for_upgrade:
        resource_group: rg-fleet
        fleet_name: fleet-prod
        update_run: upgrade-1-30
        timeout: 7200

- name: Gate on the canary stage, and say what the gate saw when it does not open
  block:
    - name: Wait for the canary stage, with a line at least every 10 minutes
      upgradegate.azure.wait_for_upgrade:
        resource_group: rg-fleet
        fleet_name: fleet-prod
        update_run: upgrade-1-30
        stage: canary
        heartbeat: 600
  rescue:
    - name: Show every change the gate saw
      ansible.builtin.debug:
        msg: "{{ ansible_failed_result.history | map(attribute='summary') | list }}"
    - name: Stop the pipeline
      ansible.builtin.fail:
        msg: "{{ ansible_failed_result.msg }}"

- name: Start the wait in the background (no progress lines under async)
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    timeout: 7200
  async: 7300
  poll: 0
  register: background

- name: Come back for it later
  ansible.builtin.async_status:
    jid: "{{ background.ansible_job_id }}"
  register: waited
  until: waited.finished
  retries: 250
  delay: 30

- name: Wait until the canary stage reaches its approval gate
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    stage: canary
    state: [pending]
    timeout: 7200
  register: at_gate

- name: Approve the gate the canary stage waits at, once the smoke tests passed
  upgradegate.azure.fleet_gate:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    name: "{{ at_gate.targets[0].pending_gates[0].name }}"

- name: Wait for the rest of the run; fail when it sits at another gate for more than an hour
  upgradegate.azure.wait_for_upgrade:
    resource_group: rg-fleet
    fleet_name: fleet-prod
    update_run: upgrade-1-30
    gate_timeout: 3600
    timeout: 14400
"""

RETURN = r"""
elapsed:
  description: Seconds the gate waited.
  type: float
  returned: always
  sample: 184.2
polls:
  description: Rounds of polling done.
  type: int
  returned: always
  sample: 7
state:
  description: The final state of a single target, else V(null).
  type: str
  returned: always
  sample: completed
rolling_upgrade:
  description: The final facts of the scale set target, shaped like an item of RV(upgradegate.azure.vmss_rolling_upgrade_info#module:rolling_upgrades).
  type: dict
  returned: when the only target is a scale set and it could be read
  sample: {"scale_set_name": "vmss-web", "state": "completed", "progress": {"percent_complete": 100.0}}
update_run:
  description: The final facts of the update run target, shaped like an item of RV(upgradegate.azure.fleet_update_run_info#module:update_runs).
  type: dict
  returned: when the only target is an update run (or one of its stages or groups) and it could be read
  sample: {"name": "upgrade-1-30", "state": "running", "current_stage": "production"}
stage_facts:
  description: The final facts of the stage waited on, as in RV(upgradegate.azure.fleet_update_run_info#module:update_runs[].stages).
  type: dict
  returned: when the only target is a stage
  sample: {"name": "canary", "state": "completed", "groups": []}
group_facts:
  description: The final facts of the group waited on, as in RV(upgradegate.azure.fleet_update_run_info#module:update_runs[].stages[].groups).
  type: dict
  returned: when the only target is a group
  sample: {"name": "canary", "state": "completed", "members": []}
targets:
  description: One entry per target, in the order given.
  type: list
  elements: dict
  returned: always
  contains:
    resource_group:
      description: The target's resource group, as given.
      type: str
      returned: always
      sample: rg-web
    scale_set:
      description: The scale set, as given.
      type: str
      returned: for scale set targets
      sample: vmss-web
    fleet_name:
      description: The fleet, as given.
      type: str
      returned: for update run targets
      sample: fleet-prod
    update_run:
      description: The update run, as given.
      type: str
      returned: for update run targets
      sample: upgrade-1-30
    stage:
      description: The stage, as given.
      type: str
      returned: when given
      sample: canary
    group:
      description: The group, as given.
      type: str
      returned: when given
      sample: canary
    label:
      description:
        - How the module names the target in progress lines, in RV(history[].target) and in failure messages.
        - V(scale set <resource group>/<scale set>), or V(update run <resource group>/<fleet>/<run>) followed by
          V( stage <stage>) and V( group <group>) when given.
      type: str
      returned: always
      sample: scale set rg-web/vmss-web
    state:
      description: The last state seen of what the target waits on (run, stage or group), V(null) before any.
      type: str
      returned: always
      sample: completed
    percent_complete:
      description: The last progress seen of what the target waits on (run, stage or group), V(null) before any.
      type: float
      returned: always
      sample: 100.0
    succeeded:
      description: Whether this target reached a state that opens the gate.
      type: bool
      returned: always
      sample: true
    elapsed:
      description: Seconds until this target was done or failed; V(null) while it was still pending.
      type: float
      returned: always
      sample: 120.5
    reason:
      description: Why this target failed, else V(null).
      type: str
      returned: always
      sample: null
      choices: [failed_state, timeout, stalled, max_failed, not_found, api_error, gate_pending]
    pending_gates:
      description:
        - Update runs only. The pending approval gates the target waited at when last seen (for a stage or group, its own and
          its groups' gates), shaped like RV(upgradegate.azure.fleet_update_run_info#module:update_runs[].pending_gates).
      type: list
      elements: dict
      returned: for update run targets
      sample: [{"name": "12345678-910a-bcde-f000-000000000000", "display_name": "Smoke tests passed", "path": "canary", "timing": "after"}]
    facts:
      description: The target's last facts, shaped like an item of the info modules, or V(null) if it was never read.
      type: dict
      returned: always
      sample: {"state": "completed"}
    stage_facts:
      description: The last facts of the stage.
      type: dict
      returned: for stage targets
      sample: {"name": "canary", "state": "completed"}
    group_facts:
      description: The last facts of the group.
      type: dict
      returned: for group targets
      sample: {"name": "canary", "state": "completed"}
    error:
      description: The last error reading the target, with status, Azure's code and the request id.
      type: dict
      returned: when the last read failed
      sample: {"kind": "not_found", "status": 404, "code": "ResourceNotFound", "request_id": "8c3f0a4e-0000-0000-0000-000000000000"}
history:
  description: One entry per observed change of a target, in order (changes of the state, the percent, the current stage or group,
    the failed count or failed members, or the pending gates).
  type: list
  elements: dict
  returned: always
  contains:
    at:
      description: When the change was seen, ISO 8601 in UTC.
      type: str
      returned: always
      sample: "2026-11-23T18:31:05.120000Z"
    target:
      description: Which target.
      type: str
      returned: always
      sample: scale set rg-web/vmss-web
    state:
      description: Its state then (V(null) while not started).
      type: str
      returned: always
      sample: rolling_forward
    percent_complete:
      description: Its progress then.
      type: float
      returned: always
      sample: 40.0
    summary:
      description:
        - The progress line printed for this change (see O(progress)), also when nothing was printed.
        - For fleets it names the current stage and group, the failed members with Azure's error, and the pending gates.
      type: str
      returned: always
      sample: "wait_for_upgrade: rg-web/vmss-web rolling_forward 40.0% (4 of 10 upgraded, 0 failed) after 1m20s"
    pending_gates:
      description: Update runs only. The pending approval gates the target waited at then, as in RV(targets[].pending_gates).
      type: list
      elements: dict
      returned: for update run targets
      sample: []
reason:
  description: Why the gate did not open.
  type: str
  returned: on failure
  sample: failed_state
  choices: [failed_state, timeout, stalled, max_failed, not_found, api_error, gate_pending]
msg:
  description: What went wrong, or O(msg) when given.
  type: str
  returned: on failure
  sample: "scale set rg-web/vmss-web reached faulted, not completed: UpgradeFailed: health probe failed on 2 instances"
field:
  description: The option whose value was refused.
  type: str
  returned: when an option was refused
  sample: timeout
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import EMPTY_RESULT, GATE_OPTIONS, GATE_RULES, gate, pool_size, validate_gate
from ansible_collections.upgradegate.azure.plugins.module_utils._module import run_module
from ansible_collections.upgradegate.azure.plugins.module_utils._progress import reporter_for
from ansible_collections.upgradegate.azure.plugins.module_utils._relay import sink_for


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **GATE_OPTIONS), supports_check_mode=True, **GATE_RULES)
    # the task's temporary directory as Ansible gave it (module.tmpdir would create one): the action plugin's relay file is there
    sink = sink_for(module._tmpdir, module.no_log, lambda text: remove_values(text, module.no_log_values))
    reporter = reporter_for(module.params, sink.emit if sink else None)
    try:
        run_module(module, validate_gate, lambda connection, params: gate(connection, params, reporter=reporter), EMPTY_RESULT, pool_size=pool_size)
    finally:
        if sink is not None:
            sink.close()


if __name__ == "__main__":
    main()
