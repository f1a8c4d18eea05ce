# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft.Compute routes: scale sets, their latest rolling upgrade, start / cancel."""

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


class Upgrade:
    """One rolling upgrade of a scale set, placed on the emulator's clock (or on its poll count)."""

    def __init__(self, spec, start_elapsed, start_epoch):
        self.spec = spec
        self.start_elapsed = start_elapsed
        self.start_epoch = start_epoch
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
        initial = spec.get("rolling_upgrade")
        if initial is not None:
            start = float(initial.get("start", 0))
            self.upgrade = Upgrade(initial, start, clock.start_epoch + start)
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
            ("GET", SUB + r"/providers/Microsoft\.Compute/locations/(?P<loc>[^/]+)/operations/(?P<op>[^/]+)",
             self.operation, "vmss.operation"),
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _begin(self, req, groups, action):
        scope = req.path.split("/rollingUpgrades")[0].split("/osRollingUpgrade")[0].split("/extensionRollingUpgrade")[0]
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

    def start_os(self, req, groups):
        return self._start(req, groups, "osRollingUpgrade")

    def start_extension(self, req, groups):
        return self._start(req, groups, "extensionRollingUpgrade")

    def _start(self, req, groups, operation):
        headers = self._begin(req, groups, "%s/%s/action" % (VMSS_TYPE, operation))
        vmss = self._scale_set(groups)
        elapsed = self.clock.elapsed()
        with self._lock:
            view = vmss.view(elapsed)
            if view is not None and view["code"] == "RollingForward":
                raise conflict("OperationNotAllowed", (
                    "Rolling upgrade of virtual machine scale set '%s' cannot be started because a rolling upgrade is "
                    "already in progress. Cancel it or wait for it to finish." % vmss.name))
            template = dict(DEFAULT_TEMPLATE)
            template.update({k: v for k, v in (vmss.spec.get("on_start") or {}).items() if v is not None})
            upgrade = Upgrade(template, elapsed, self.clock.now())
            vmss.upgrade = upgrade
        op_id = self.operations.add(lambda: self._upgrade_operation_status(vmss, upgrade))
        headers.update(Arm.lro_headers(self.arm.base_url, "/subscriptions/%s/providers/%s/locations/%s"
                                       % (groups["sub"], PROVIDER, vmss.spec["location"]), op_id, req.query["api-version"]))
        return Response.empty(202, headers)

    def _upgrade_operation_status(self, vmss, upgrade):
        if vmss.upgrade is not upgrade:
            return "Succeeded", None
        view = vmss.view(self.clock.elapsed())
        status = {"RollingForward": "InProgress", "Completed": "Succeeded", "Faulted": "Failed",
                  "Cancelled": "Canceled"}[view["code"]]
        return status, view["error"]

    def cancel(self, req, groups):
        headers = self._begin(req, groups, VMSS_TYPE + "/rollingUpgrades/cancel/action")
        vmss = self._scale_set(groups)
        elapsed = self.clock.elapsed()
        with self._lock:
            view = vmss.view(elapsed)
            if view is None or view["code"] != "RollingForward":
                raise conflict("OperationNotAllowed", (
                    "There is no rolling upgrade in progress on virtual machine scale set '%s' to cancel." % vmss.name))
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
