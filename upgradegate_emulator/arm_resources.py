# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft.Resources routes: the subscriptions an identity can see (GET /subscriptions, paged)."""

from .messages import Response


def visible(permissions, sub_id):
    """An identity sees a subscription when it has any role at, above or below the subscription's scope."""
    if permissions is None:
        return True
    prefix = "/subscriptions/%s" % sub_id.lower()
    for perm in permissions:
        for scope in perm["scopes"]:
            scope = scope.lower().rstrip("/")
            if scope == "" or scope == prefix or scope.startswith(prefix + "/") or prefix.startswith(scope + "/"):
                return True
    return False


class Resources:
    """GET /subscriptions: the subscriptions of the caller's tenant it has a role in, with their state."""

    def __init__(self, arm, scenario):
        self.arm = arm
        self.scenario = scenario
        self.page_size = int(scenario["page_sizes"]["subscriptions"])

    def routes(self):
        return [("GET", r"/subscriptions", self.list_subscriptions, "resources.subscriptions_list")]

    @staticmethod
    def body(sub):
        return {
            "id": "/subscriptions/%s" % sub["id"], "subscriptionId": sub["id"], "tenantId": sub["tenant"],
            "displayName": sub["display_name"], "state": sub["state"], "authorizationSource": "RoleBased",
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                     "spendingLimit": "Off"},
            "managedByTenants": [], "tags": {},
        }

    def list_subscriptions(self, req, _groups):
        claims = self.arm.authenticate(req)
        self.arm.throttle(req, "tenant:" + (claims.get("tid") or ""), claims)
        self.arm.check_api_version(req, "resources")
        req.context["claims"] = claims
        permissions = self.arm.principals.get((claims.get("appid") or "").lower())
        tenant = (claims.get("tid") or "").lower()
        items = [self.body(sub) for sub in self.arm.subscriptions.values()
                 if sub["tenant"].lower() == tenant and visible(permissions, sub["id"])]
        return Response.json(200, self.arm.page(req, items, self.page_size), self.arm.rate_headers(req))
