# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft.Compute routes: scale sets, their latest rolling upgrade, start / cancel, OS upgrade history."""

import threading

from .arm import Arm, ArmError, conflict, not_found
from .messages import Response
from .timeline import rolling_upgrade_body, upgrade_view
from .util import first, iso, stable_uuid

PROVIDER = "Microsoft.Compute"
VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
SUB = r"/subscriptions/(?P<sub>[^/]+)"
RG = SUB + r"/resourceGroups/(?P<rg>[^/]+)"
VMSS = RG + r"/providers/Microsoft\.Compute/virtualMachineScaleSets/(?P<name>[^/]+)"
DEFAULT_TEMPLATE = {"by": "time", "poll_seconds": 1, "duration": 30, "outcome": "Completed"}
# Codes of an upgrade that is still under way: a new one cannot start, a cancel has something to stop.
ACTIVE = ("RollingForward", "RollingBack")
OPERATION_STATUS = {"RollingForward": "InProgress", "RollingBack": "InProgress", "Completed": "Succeeded", "Faulted": "Failed",
                    "Cancelled": "Canceled"}


class Upgrade:
    """One rolling upgrade of a scale set, placed on the emulator's clock (or on its poll count)."""

    def __init__(self, spec, start_elapsed, start_epoch, kind="os", started_by=None):
        self.spec = spec
        self.start_elapsed = start_elapsed
        self.start_epoch = start_epoch
        self.kind = kind
        self.started_by = started_by or spec.get("started_by") or "User"
        self.polls = 0
        self.cancelled_at = None
        self.first_poll = None

    def time(self, elapsed, count_poll=False):
        """Upgrade time now: emulated seconds since start, since the first poll plus start, or polls x poll_seconds."""
        if self.spec.get("by") == "first_poll":
            if self.first_poll is None and count_poll:
                self.first_poll = elapsed
            anchor = elapsed if self.first_poll is None else self.first_poll
            return elapsed - anchor - self.start_elapsed
        if self.spec.get("by") == "polls":
            t = self.polls * float(self.spec.get("poll_seconds", 1))
            if count_poll:
                self.polls += 1
            return t
        return elapsed - self.start_elapsed


class ScaleSet:
    def __init__(self, sub_id, rg, spec, clock):
        self.sub_id, self.rg, self.spec = sub_id, rg, spec
        self.name = spec["name"]
        self.id = "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub_id, rg["name"], VMSS_TYPE, self.name)
        self.policy = spec["upgrade_policy"]["rollingUpgradePolicy"]
        self.instances = int((spec.get("rolling_upgrade") or {}).get("instances") or spec["sku"].get("capacity") or 1)
        self.upgrade = None
        self.past = []  # earlier upgrades started through the emulator, newest first
        initial = spec.get("rolling_upgrade")
        if initial is not None:
            start = float(initial.get("start", 0))
            self.upgrade = Upgrade(initial, start, clock.start_epoch + start, started_by=initial.get("started_by") or "Platform")
        self.body = self._resource_body(clock)

    def _resource_body(self, clock):
        spec = self.spec
        properties = {
            "singlePlacementGroup": True,
            "orchestrationMode": "Uniform",
            "upgradePolicy": spec["upgrade_policy"],
            "virtualMachineProfile": {
                "osProfile": {"computerNamePrefix": self.name[:9], "adminUsername": "azureuser"},
                "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                      "sku": "server", "version": "latest"}},
                "networkProfile": {"healthProbe": {"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/"
                                                         "loadBalancers/lb-%s/probes/health" % (self.sub_id, self.rg["name"], self.name)}},
            },
            "provisioningState": "Succeeded",
            "overprovision": False,
            "doNotRunExtensionsOnOverprovisionedVMs": False,
            "uniqueId": stable_uuid("vmss", self.id.lower()),
            "platformFaultDomainCount": 1,
            "timeCreated": iso(clock.start_epoch - 86400),
        }
        properties.update(spec.get("properties") or {})
        body = {"name": self.name, "id": self.id, "type": VMSS_TYPE, "location": spec["location"], "tags": spec["tags"],
                "sku": spec["sku"], "etag": '"1"', "properties": properties}
        if spec.get("zones"):
            body["zones"] = spec["zones"]
        return body

    def view(self, elapsed, count_poll=False):
        """The current upgrade view, or None when the scale set never had (or not yet has) an upgrade."""
        upgrade = self.upgrade
        if upgrade is None or upgrade.spec.get("body") is not None:
            return None
        t = upgrade.time(elapsed, count_poll)
        if t < 0:
            return None
        return upgrade_view(upgrade.spec, t, self.instances, self.policy, self.name, upgrade.cancelled_at)

    def latest_body(self, elapsed):
        upgrade = self.upgrade
        if upgrade is not None and upgrade.spec.get("body") is not None:
            return upgrade.spec["body"]
        view = self.view(elapsed, count_poll=True)
        if view is None:
            return None
        return rolling_upgrade_body(view, upgrade.start_epoch, self.policy, self.spec["location"])

    def history_entry(self, upgrade, elapsed):
        """An osUpgradeHistory entry (UpgradeOperationHistoricalStatusInfo) for one upgrade, or None before it starts."""
        if upgrade.spec.get("body") is not None:
            return None
        t = upgrade.time(elapsed)
        if t < 0:
            return None
        view = upgrade_view(upgrade.spec, t, self.instances, self.policy, self.name, upgrade.cancelled_at)
        running = {"code": view["code"], "startTime": iso(upgrade.start_epoch)}
        if view["terminal_offset"] is not None:
            running["endTime"] = iso(upgrade.start_epoch + view["terminal_offset"])
        progress = view["progress"]
        rolled_back = bool(upgrade.spec.get("rollback_seconds")) and view["code"] in ("RollingBack", "Faulted")
        properties = {
            "runningStatus": running,
            "progress": progress,
            "startedBy": upgrade.started_by,
            "targetImageReference": dict(upgrade.spec.get("target_image") or self.body["properties"]["virtualMachineProfile"]
                                         ["storageProfile"]["imageReference"]),
            "rollbackInfo": {
                "successfullyRolledbackInstanceCount": progress["successfulInstanceCount"] if rolled_back else 0,
                "failedRolledbackInstanceCount": 0,
            },
        }
        if view["error"]:
            properties["error"] = view["error"]
        return {"properties": properties, "type": VMSS_TYPE + "/rollingUpgrades", "location": self.spec["location"]}

    def os_upgrade_history(self, elapsed):
        """Every OS upgrade this scale set has had, newest first: the emulator's own, then the scenario's older ones."""
        upgrades = [u for u in ([self.upgrade] if self.upgrade else []) + self.past if u.kind == "os"]
        entries = [e for e in (self.history_entry(u, elapsed) for u in upgrades) if e is not None]
        return entries + [dict(e) for e in self.spec.get("os_upgrade_history") or []]

    def summary(self, elapsed):
        view = self.view(elapsed)
        return {"id": self.id, "rolling_upgrade": None if view is None else {
            "code": view["code"], "progress": view["progress"], "started": iso(self.upgrade.start_epoch),
            "polls": self.upgrade.polls}}


class Compute:
    """State and handlers for the Microsoft.Compute routes."""

    def __init__(self, arm, operations, scenario, clock):
        self.arm, self.operations, self.clock = arm, operations, clock
        self.page_size = int(scenario["page_sizes"]["scale_sets"])
        self._lock = threading.Lock()
        self.scale_sets = []
        for sub in scenario["subscriptions"]:
            for rg in sub["resource_groups"]:
                self.scale_sets.extend(ScaleSet(sub["id"], rg, spec, clock) for spec in rg["scale_sets"])
        self._by_key = {(v.sub_id.lower(), v.rg["name"].lower(), v.name.lower()): v for v in self.scale_sets}

    def routes(self):
        list_path = r"/providers/Microsoft\.Compute/virtualMachineScaleSets"
        return [
            ("GET", SUB + list_path, self.list_subscription, "vmss.list_subscription"),
            ("GET", RG + list_path, self.list_resource_group, "vmss.list_resource_group"),
            ("GET", VMSS, self.get, "vmss.get"),
            ("GET", VMSS + r"/rollingUpgrades/latest", self.latest, "vmss.rolling_upgrade_latest"),
            ("POST", VMSS + r"/osRollingUpgrade", self.start_os, "vmss.os_rolling_upgrade"),
            ("POST", VMSS + r"/extensionRollingUpgrade", self.start_extension, "vmss.extension_rolling_upgrade"),
            ("POST", VMSS + r"/rollingUpgrades/cancel", self.cancel, "vmss.rolling_upgrade_cancel"),
            ("GET", VMSS + r"/osUpgradeHistory", self.history, "vmss.os_upgrade_history"),
            ("GET", SUB + r"/providers/Microsoft\.Compute/locations/(?P<loc>[^/]+)/operations/(?P<op>[^/]+)",
             self.operation, "vmss.operation"),
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _begin(self, req, groups, action):
        scope = req.path
        for suffix in ("/rollingUpgrades", "/osRollingUpgrade", "/extensionRollingUpgrade", "/osUpgradeHistory"):
            scope = scope.split(suffix)[0]
        if scope.lower().endswith("/virtualmachinescalesets"):
            scope = scope.split("/providers/")[0]  # lists: the subscription or resource group
        self.arm.begin(req, "compute", action, scope, groups["sub"])
        return self.arm.rate_headers(req, groups["sub"])

    def _scale_set(self, groups):
        sub = self.arm.subscriptions[groups["sub"].lower()]
        Arm.resource_group(sub, groups["rg"])
        vmss = self._by_key.get((groups["sub"].lower(), groups["rg"].lower(), groups["name"].lower()))
        if vmss is None:
            raise not_found(VMSS_TYPE, groups["name"], groups["rg"])
        return vmss

    # -- handlers -----------------------------------------------------------------------------

    def list_subscription(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/read")
        items = [v.body for v in self.scale_sets if v.sub_id.lower() == groups["sub"].lower()]
        return Response.json(200, self.arm.page(req, items, self.page_size), headers)

    def list_resource_group(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/read")
        sub = self.arm.subscriptions[groups["sub"].lower()]
        rg = Arm.resource_group(sub, groups["rg"])
        items = [v.body for v in self.scale_sets if v.sub_id.lower() == groups["sub"].lower() and v.rg is rg]
        return Response.json(200, self.arm.page(req, items, self.page_size), headers)

    def get(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/read")
        return Response.json(200, self._scale_set(groups).body, headers)

    def latest(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/rollingUpgrades/read")
        vmss = self._scale_set(groups)
        with self._lock:
            body = vmss.latest_body(self.clock.elapsed())
        if body is None:
            raise ArmError(404, "NotFound", "The entity was not found in this Azure location.")
        return Response.json(200, body, headers)

    def history(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/osUpgradeHistory/read")
        vmss = self._scale_set(groups)
        static = vmss.spec.get("os_upgrade_history")
        if isinstance(static, dict):  # a whole list body, served as given (the official examples)
            return Response.json(200, static, headers)
        with self._lock:
            entries = vmss.os_upgrade_history(self.clock.elapsed())
        page_size = int(vmss.spec.get("history_page_size") or self.page_size)
        return Response.json(200, self.arm.page(req, entries, page_size), headers)

    def start_os(self, req, groups):
        return self._start(req, groups, "osRollingUpgrade", "os")

    def start_extension(self, req, groups):
        return self._start(req, groups, "extensionRollingUpgrade", "extension")

    def _start(self, req, groups, operation, kind):
        headers = self._begin(req, groups, "%s/%s/action" % (VMSS_TYPE, operation))
        vmss = self._scale_set(groups)
        elapsed = self.clock.elapsed()
        mode = vmss.spec["upgrade_policy"].get("mode")
        if str(mode).lower() != "rolling":
            raise conflict("OperationNotAllowed", (
                "The operation '%s' is not allowed on virtual machine scale set '%s' because its upgrade policy mode is "
                "'%s'. Rolling upgrades need the upgrade policy mode 'Rolling'." % (operation, vmss.name, mode)))
        with self._lock:
            view = vmss.view(elapsed)
            if view is not None and view["code"] in ACTIVE:
                raise conflict("OperationNotAllowed", (
                    "Rolling upgrade of virtual machine scale set '%s' cannot be started because a rolling upgrade is "
                    "already in progress. Cancel it or wait for it to finish." % vmss.name))
            template = dict(DEFAULT_TEMPLATE)
            template.update({k: v for k, v in (vmss.spec.get("on_start") or {}).items() if v is not None})
            upgrade = Upgrade(template, elapsed, self.clock.now(), kind=kind, started_by="User")
            if vmss.upgrade is not None:
                vmss.past.insert(0, vmss.upgrade)
            vmss.upgrade = upgrade
        op_id = self.operations.add(lambda: self._upgrade_operation_status(vmss, upgrade))
        headers.update(Arm.lro_headers(self.arm.base_url, "/subscriptions/%s/providers/%s/locations/%s"
                                       % (groups["sub"], PROVIDER, vmss.spec["location"]), op_id, req.query["api-version"]))
        return Response.empty(202, headers)

    def _upgrade_operation_status(self, vmss, upgrade):
        if vmss.upgrade is not upgrade:
            return "Succeeded", None
        view = vmss.view(self.clock.elapsed())
        return OPERATION_STATUS[view["code"]], view["error"]

    def cancel(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/rollingUpgrades/cancel/action")
        vmss = self._scale_set(groups)
        elapsed = self.clock.elapsed()
        with self._lock:
            view = vmss.view(elapsed)
            if view is None or view["code"] not in ACTIVE:
                raise conflict("OperationNotAllowed", "There is no ongoing Rolling Upgrade to cancel.")
            vmss.upgrade.cancelled_at = vmss.upgrade.time(elapsed)
        op_id = self.operations.add(lambda: ("Succeeded", None))
        headers.update(Arm.lro_headers(self.arm.base_url, "/subscriptions/%s/providers/%s/locations/%s"
                                       % (groups["sub"], PROVIDER, vmss.spec["location"]), op_id, req.query["api-version"]))
        return Response.empty(202, headers)

    def operation(self, req, groups):
        headers = self._begin(req, groups, PROVIDER + "/locations/operations/read")
        resp = self.operations.response(groups["op"], req.query.get("monitor") == "true")
        resp.headers.update(headers)
        return resp

    def state(self):
        elapsed = self.clock.elapsed()
        with self._lock:
            return [v.summary(elapsed) for v in self.scale_sets]

    def find(self, name):
        return first(self.scale_sets, lambda v: v.name.lower() == name.lower())
