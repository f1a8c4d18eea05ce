# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure functions: the state of a scale set's rolling upgrade at a point of its timeline.

Times are seconds since the upgrade started ("upgrade time"); the caller turns
them into wall-clock timestamps.  Nothing here does I/O or reads a clock.
"""

import math

from .util import iso

PROGRESS_KEYS = {
    "successful": "successfulInstanceCount",
    "failed": "failedInstanceCount",
    "in_progress": "inProgressInstanceCount",
    "pending": "pendingInstanceCount",
}


def batch_size(instances, policy):
    percent = (policy or {}).get("maxBatchInstancePercent") or 20
    return max(1, int(math.ceil(instances * percent / 100.0)))


def _progress(successful, failed, in_progress, pending):
    return {"successfulInstanceCount": successful, "failedInstanceCount": failed,
            "inProgressInstanceCount": in_progress, "pendingInstanceCount": pending}


def rolling_progress(instances, batch, duration, t):
    """Counters while rolling forward: batches of `batch` instances, evenly spread over `duration`."""
    batches = max(1, int(math.ceil(instances / float(batch))))
    per_batch = duration / float(batches) if duration > 0 else 0.0
    done_batches = batches if per_batch == 0 else int(max(t, 0) // per_batch)
    successful = min(instances, done_batches * batch)
    in_progress = min(batch, instances - successful)
    return successful, in_progress


def default_fault_error(vmss_name, failed, instances, policy):
    percent = int(round(100.0 * failed / instances)) if instances else 0
    threshold = (policy or {}).get("maxUnhealthyUpgradedInstancePercent", 20)
    return {
        "code": "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade",
        "message": ("Rolling Upgrade failed after exceeding the MaxUnhealthyUpgradedInstancePercent value defined in the "
                    "RollingUpgradePolicy. %d%% of instances are in an unhealthy state after being upgraded - more than the "
                    "threshold of %d%% configured in the RollingUpgradePolicy." % (percent, threshold)),
        "details": [{"code": "VMExtensionProvisioningError", "target": "%s/virtualMachines/0" % vmss_name,
                     "message": "VM has reported a failure when processing extension 'HealthExtension'."}],
        "innererror": {"exceptiontype": "RollingUpgradeException",
                       "errordetail": "Application health of upgraded instances did not recover within the allowed time."},
    }


def simulated_status(spec, t, instances, policy, vmss_name):
    """(code, progress, error, end_time) of a simulated upgrade at upgrade time t.

    end_time is the upgrade time at which it became terminal, or None. A faulted upgrade with
    ``rollback_seconds`` is RollingBack for that long after the fault (Azure restoring the previous
    model), then Faulted.
    """
    batch = batch_size(instances, policy)
    duration = float(spec.get("duration", 30))
    outcome = spec.get("outcome", "Completed")
    end = float({"Faulted": spec.get("fault_after"), "Cancelled": spec.get("cancel_after")}.get(outcome) or duration)
    rollback = float(spec.get("rollback_seconds") or 0) if outcome == "Faulted" else 0.0
    if t < end:
        successful, in_progress = rolling_progress(instances, batch, duration, t)
        return "RollingForward", _progress(successful, 0, in_progress, instances - successful - in_progress), None, None
    if outcome == "Completed":
        return "Completed", _progress(instances, 0, 0, 0), None, end
    successful, in_progress = rolling_progress(instances, batch, duration, end)
    if outcome == "Cancelled":
        return "Cancelled", _progress(successful, 0, 0, instances - successful), None, end
    failed = min(int(spec.get("failed_instances") or in_progress or 1), instances - successful)
    error = spec.get("error") or default_fault_error(vmss_name, failed, instances, policy)
    if t < end + rollback:
        return "RollingBack", _progress(successful, failed, 0, instances - successful - failed), error, None
    return "Faulted", _progress(successful, failed, 0, instances - successful - failed), error, end + rollback


def _point_progress(progress):
    progress = progress or {}
    return {azure: int(progress.get(short, progress.get(azure, 0))) for short, azure in PROGRESS_KEYS.items()}


def timeline_status(points, t):
    """(code, progress, error, point) of an explicit timeline: the last point whose `at` has passed."""
    ordered = sorted(points, key=lambda p: p["at"])
    current = ordered[0]
    for point in ordered:
        if point["at"] <= t:
            current = point
    return current["code"], _point_progress(current.get("progress")), current.get("error"), current


def cancel_progress(progress):
    """A cancelled upgrade: instances in flight go back to pending."""
    out = dict(progress)
    out["pendingInstanceCount"] = out.get("pendingInstanceCount", 0) + out.get("inProgressInstanceCount", 0)
    out["inProgressInstanceCount"] = 0
    return out


def upgrade_view(spec, t, instances, policy, vmss_name, cancelled_at=None):
    """Everything the body needs at upgrade time t, as a dict (pure).

    Keys: code, progress, error, last_action, last_action_offset (upgrade time of
    the last action), terminal_offset.
    """
    effective_t = t if cancelled_at is None else min(t, cancelled_at)
    if spec.get("timeline"):
        code, progress, error, point = timeline_status(spec["timeline"], effective_t)
        last_action = point.get("last_action") or ("Cancel" if code == "Cancelled" else "Start")
        last_offset = point.get("last_action_at", point["at"] if last_action == "Cancel" else 0)
        terminal = point["at"] if code not in ("RollingForward", "RollingBack") else None
    else:
        code, progress, error, terminal = simulated_status(spec, effective_t, instances, policy, vmss_name)
        last_action = "Cancel" if code == "Cancelled" else spec.get("last_action", "Start")
        last_offset = terminal if code == "Cancelled" else 0
    if cancelled_at is not None and code in ("RollingForward", "RollingBack"):
        code, progress, error, last_action, last_offset, terminal = ("Cancelled", cancel_progress(progress), None,
                                                                     "Cancel", cancelled_at, cancelled_at)
    return {"code": code, "progress": progress, "error": error, "last_action": last_action,
            "last_action_offset": last_offset, "terminal_offset": terminal}


def rolling_upgrade_body(view, start_epoch, policy, location):
    """The RollingUpgradeStatusInfo body for a view from upgrade_view()."""
    properties = {
        "policy": dict(policy),
        "runningStatus": {
            "code": view["code"],
            "startTime": iso(start_epoch),
            "lastAction": view["last_action"],
            "lastActionTime": iso(start_epoch + (view["last_action_offset"] or 0)),
        },
        "progress": view["progress"],
    }
    if view["error"]:
        properties["error"] = view["error"]
    return {"properties": properties, "type": "Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades",
            "location": location, "tags": {}}
