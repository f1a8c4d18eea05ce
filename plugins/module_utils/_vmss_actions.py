# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Starting and cancelling a scale set's rolling upgrade: read the latest upgrade, decide, then write.

``decide`` and ``start_hint`` are pure. ``change_rolling_upgrade`` does the
requests: never a write in check mode, a start returns as soon as Azure has
accepted it (the upgrade itself can last hours: gate on it with
``wait_for_upgrade``), an accepted cancel is followed to its end.
"""

import time
from datetime import datetime, timezone

from ansible_collections.upgradegate.azure.plugins.module_utils import _lro, _readers
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError

VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
STARTS = {
    "os": ("osRollingUpgrade", VMSS_TYPE + "/osRollingUpgrade/action"),
    "extension": ("extensionRollingUpgrade", VMSS_TYPE + "/extensionRollingUpgrade/action"),
}
CANCEL = ("rollingUpgrades/cancel", VMSS_TYPE + "/rollingUpgrades/cancel/action")
# A rolling upgrade in these states is under way: starting is unchanged, cancelling has something to stop.
UNDER_WAY = ("rolling_forward", "rolling_back")
HEALTH_EXTENSIONS = ("applicationhealthlinux", "applicationhealthwindows")


def decide(wanted, facts):
    """``"start"``, ``"cancel"`` or None (nothing to do) for the wanted state and the latest rolling upgrade's facts."""
    under_way = bool(facts.get("exists")) and facts.get("state") in UNDER_WAY
    if wanted == "started":
        return None if under_way else "start"
    return "cancel" if under_way else None


def start_hint(scale_set):
    """What to change on a scale set that Azure refused to roll, read from the scale set itself; None when nothing shows."""
    props = scale_set.get("properties") if isinstance(scale_set, dict) else None
    props = props if isinstance(props, dict) else {}
    hints = []
    mode = (props.get("upgradePolicy") or {}).get("mode") if isinstance(props.get("upgradePolicy"), dict) else None
    if str(mode).lower() != "rolling":
        hints.append("set properties.upgradePolicy.mode to Rolling (it is %s)" % (mode or "not set"))
    profile = props.get("virtualMachineProfile") if isinstance(props.get("virtualMachineProfile"), dict) else {}
    network = profile.get("networkProfile") if isinstance(profile.get("networkProfile"), dict) else {}
    extensions = ((profile.get("extensionProfile") or {}).get("extensions") or []) if isinstance(profile.get("extensionProfile"), dict) else []
    has_health_extension = any(str(((e or {}).get("properties") or {}).get("type", "")).lower() in HEALTH_EXTENSIONS
                               for e in extensions if isinstance(e, dict))
    if not network.get("healthProbe") and not has_health_extension:
        hints.append("give the scale set a load balancer health probe (virtualMachineProfile.networkProfile.healthProbe) "
                     "or the Application Health extension, which rolling upgrades need to judge instance health")
    return "; ".join(hints) or None


def _now_iso(wall):
    return datetime.fromtimestamp(wall(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _path(params, connection, suffix):
    return _readers.scale_set_path(connection.subscription_id, params["resource_group"], params["scale_set"]) + "/" + suffix


def _latest(connection, params):
    facts, _retry_after = _readers.latest_rolling_upgrade(connection.client, connection.subscription_id, params["resource_group"],
                                                          params["scale_set"], params["api_version"])
    return facts


def change_rolling_upgrade(connection, params, check_mode=False, diff=False, clock=time.monotonic, wall=time.time,
                           sleep=time.sleep):
    """The module's result: ``changed``, ``rolling_upgrade`` (facts after the change), ``requested_at``, and ``diff``."""
    deadline = clock() + params["timeout"]
    before = _latest(connection, params)
    action = decide(params["state"], before)
    result = {"changed": False, "rolling_upgrade": before, "requested_at": None}
    if action is not None and not check_mode:
        result["requested_at"] = _now_iso(wall)
        if action == "start":
            result["changed"] = _start(connection, params, deadline)
        else:
            result["changed"] = _cancel(connection, params, deadline, clock, sleep)
        result["rolling_upgrade"] = _latest(connection, params)
    elif action is not None:
        result["changed"] = True
    if diff:
        after_state = result["rolling_upgrade"]["state"] if not check_mode or action is None else \
            ("rolling_forward" if action == "start" else "cancelled")
        result["diff"] = {"before": {"state": before["state"]}, "after": {"state": after_state}}
    return result


def _start(connection, params, deadline):
    operation, permission = STARTS[params["type"]]
    what = "starting the %s rolling upgrade of scale set %r in resource group %r" % (
        params["type"], params["scale_set"], params["resource_group"])
    try:
        connection.client.send("POST", _path(params, connection, operation), params["api_version"], deadline=deadline)
    except ArmError as exc:
        if exc.status in (400, 409):
            hint = start_hint(_readers.read_scale_set(connection.client, connection.subscription_id, params["resource_group"],
                                                      params["scale_set"], params["api_version"], deadline))
            if hint:
                exc.args = ("%s: %s; to roll this scale set, %s" % (what, exc, hint),)
                raise exc from None
        raise _explain(exc, permission, what) from None
    return True


def _cancel(connection, params, deadline, clock, sleep):
    operation, permission = CANCEL
    what = "cancelling the rolling upgrade of scale set %r in resource group %r" % (params["scale_set"], params["resource_group"])
    try:
        first = connection.client.send("POST", _path(params, connection, operation), params["api_version"], deadline=deadline)
    except ArmError as exc:
        if exc.status == 409:  # it ended between our read and the cancel: there is nothing left to cancel
            return False
        raise _explain(exc, permission, what) from None
    try:
        _lro.follow(connection.client, first, "POST .../%s/%s" % (params["scale_set"], operation), deadline, clock=clock, sleep=sleep)
    except ArmError as exc:
        raise _explain(exc, permission, what) from None
    return True


def _explain(error, permission, what):
    """Context first, then Azure's words; a 403 also names the permission to grant."""
    message = "%s: %s" % (what, error)
    if error.status == 403:
        message += "; grant the identity a role with %s on the scale set (for example Virtual Machine Contributor)" % permission
    error.args = (message,)
    return error
