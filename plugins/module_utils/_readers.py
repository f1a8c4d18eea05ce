# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading rolling upgrades and update runs: the requests to make, then the normalisers.

Used by the info modules and by the gate. Not-found answers are sorted here:
a scale set that never had a rolling upgrade becomes an ``exists: false``
item, a missing scale set, fleet or run raises ``ArmError`` of kind
``not_found``, and a missing resource group or subscription says so.
"""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.upgradegate.azure.plugins.module_utils import _pacing
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import update_run_facts
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_vmss import (
    history_entry_facts,
    newest_first,
    no_rolling_upgrade_facts,
    rolling_upgrade_facts,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import parse_resource_id, resource_group_path, resource_path

VMSS_API_VERSION = "2024-07-01"
FLEET_API_VERSION = "2026-06-01"
SUBSCRIPTIONS_API_VERSION = "2022-12-01"
SUBSCRIPTIONS_READ = "Microsoft.Resources/subscriptions/read"
ROLLING_UPGRADE_READ = "Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades/read"
SCALE_SET_READ = "Microsoft.Compute/virtualMachineScaleSets/read"
HISTORY_READ = "Microsoft.Compute/virtualMachineScaleSets/osUpgradeHistory/read"
HISTORY_LIMIT = 10
UPDATE_RUN_READ = "Microsoft.ContainerService/fleets/updateRuns/read"
# Not-found codes that mean the container, not the resource, is missing: never "an empty list".
CONTAINER_NOT_FOUND = {"ResourceGroupNotFound": "resource group", "SubscriptionNotFound": "subscription"}


def explain(error, action, what):
    """Put the operation first, then Azure's words, then what to do about it, each once.

    A 403 reads ``reading <what>: HTTP 403, <code>: <Azure's message> (ids); grant the identity a role with
    the permission <action>, such as Reader`` (the permission is named unless Azure's message already names
    it). A missing resource group or subscription says so; any other error keeps its own text after the context.
    """
    prefix = "reading %s: " % what
    if str(error).startswith(prefix):
        return error
    if error.status == 403:
        permission = "that permission" if action in (error.azure_message or "") else "the permission %s" % action
        words = "HTTP 403, %s: %s (x-ms-request-id: %s, correlation id: %s)" % (
            error.code, error.azure_message, error.request_id, error.correlation_id) if error.code or error.azure_message else str(error)
        error.args = ("%s%s; grant the identity a role with %s, such as Reader" % (prefix, words, permission),)
    elif error.code in CONTAINER_NOT_FOUND:
        error.args = ("%s%s; the %s of %s does not exist or is not visible to this identity" % (
            prefix, error, CONTAINER_NOT_FOUND[error.code], what),)
    else:
        error.args = (prefix + str(error),)
    return error


def _is_container_missing(error):
    return error.kind == "not_found" and error.code in CONTAINER_NOT_FOUND


def scale_set_path(subscription_id, resource_group, name):
    return resource_path(subscription_id, resource_group, "Microsoft.Compute", "virtualMachineScaleSets", name)


def latest_rolling_upgrade(client, subscription_id, resource_group, name, api_version=VMSS_API_VERSION, include_raw=False,
                           scale_set=None, deadline=None, cache=None):
    """(facts, retry_after) for one scale set's latest rolling upgrade.

    When Azure has no latest upgrade, the scale set is read (unless its body
    is given, or was kept in ``cache`` by an earlier call) to tell a scale set
    that never upgraded (``exists: false``) from one that does not exist
    (ArmError, kind ``not_found``).
    """
    what = "the latest rolling upgrade of scale set %r in resource group %r" % (name, resource_group)
    path = scale_set_path(subscription_id, resource_group, name)
    try:
        response = client.get(path + "/rollingUpgrades/latest", api_version, deadline=deadline)
    except ArmError as exc:
        if exc.kind != "not_found" or _is_container_missing(exc):
            raise explain(exc, ROLLING_UPGRADE_READ, what) from None
        if scale_set is None and cache is not None:
            scale_set = cache.get("scale_set")
        if scale_set is None:
            scale_set = read_scale_set(client, subscription_id, resource_group, name, api_version, deadline)
            if cache is not None:
                cache["scale_set"] = scale_set
        return no_rolling_upgrade_facts(subscription_id, resource_group, name, scale_set, include_raw=include_raw), None
    return rolling_upgrade_facts(response.body, subscription_id, resource_group, name, include_raw=include_raw), response.retry_after


def read_scale_set(client, subscription_id, resource_group, name, api_version=VMSS_API_VERSION, deadline=None):
    what = "scale set %r in resource group %r" % (name, resource_group)
    try:
        return client.get(scale_set_path(subscription_id, resource_group, name), api_version, deadline=deadline).body
    except ArmError as exc:
        raise explain(exc, SCALE_SET_READ, what) from None


def os_upgrade_history(client, subscription_id, resource_group, name, limit=HISTORY_LIMIT, api_version=VMSS_API_VERSION):
    """The scale set's OS upgrade history (every page), as contract items, newest first, at most ``limit``."""
    what = "the OS upgrade history of scale set %r in resource group %r" % (name, resource_group)
    try:
        bodies = client.list(scale_set_path(subscription_id, resource_group, name) + "/osUpgradeHistory", api_version)
    except ArmError as exc:
        raise explain(exc, HISTORY_READ, what) from None
    return newest_first([history_entry_facts(body) for body in bodies], limit)


def with_history(facts, client, limit, api_version):
    """Add ``history`` to a rolling-upgrade item; when reading it fails, the error keeps the item read so far."""
    try:
        facts["history"] = os_upgrade_history(client, facts["subscription_id"], facts["resource_group"], facts["scale_set_name"],
                                              limit, api_version)
    except ArmError as exc:
        exc.partial = [facts]
        raise
    return facts


def _scale_sets_listing(subscription_id, resource_group=None):
    """(path, what) of the scale sets of a resource group, or of the whole subscription."""
    if resource_group:
        return (resource_group_path(subscription_id, resource_group) + "/providers/Microsoft.Compute/virtualMachineScaleSets",
                "the scale sets of resource group %r" % resource_group)
    return ("/subscriptions/%s/providers/Microsoft.Compute/virtualMachineScaleSets" % subscription_id,
            "the scale sets of subscription %s" % subscription_id)


def scale_set_pages(client, subscription_id, resource_group=None, api_version=VMSS_API_VERSION):
    """The scale sets page by page, as each page is read (a generator); a failure names what was being listed."""
    path, what = _scale_sets_listing(subscription_id, resource_group)
    pages = client.pages(path, api_version)
    while True:
        try:
            page = next(pages)
        except StopIteration:
            return
        except ArmError as exc:
            raise explain(exc, SCALE_SET_READ, what) from None
        yield page


def has_tags(scale_set, wanted):
    """True when the scale set carries every ``key`` / ``key:value`` of ``wanted`` (keys ignore case, as Azure's do)."""
    tags = scale_set.get("tags") if isinstance(scale_set.get("tags"), dict) else {}
    lowered = {str(key).lower(): value for key, value in tags.items()}
    for entry in wanted:
        key, sep, value = entry.partition(":")
        if key.lower() not in lowered or (sep and str(lowered[key.lower()]) != value):
            return False
    return True


def _sort_key(item):
    return ((item.get("subscription_id") or "").lower(), (item.get("resource_group") or "").lower(),
            (item.get("scale_set_name") or "").lower())


def locate_scale_set(scale_set, resource_group=None):
    """(resource group, name) of a listed scale set, from its id or its name and the listed group; None when unknown."""
    parsed = parse_resource_id(scale_set.get("id")) or {}
    resources = parsed.get("resources") or []
    name = scale_set.get("name") if isinstance(scale_set.get("name"), str) and scale_set.get("name") else None
    name = name or (resources[-1][1] if resources else None)
    group = parsed.get("resource_group") or resource_group
    return (group, name) if group and name else None


def _read_ahead(pages):
    """The pages of a listing, the next one read (in a thread) while the caller handles this one.

    An error of the listing is raised where the page it stopped at would
    have come; pages already read come first. Whatever the listing raises,
    the caller gets it: the reading thread always says it is done.
    """
    ahead = queue.Queue()

    def read():
        try:
            for page in pages:
                ahead.put((page, None))
        except Exception as exc:  # pylint: disable=broad-exception-caught  # raised again in the caller's thread
            ahead.put((None, exc))
        ahead.put((None, None))

    threading.Thread(target=read, name="upgradegate-listing", daemon=True).start()
    while True:
        page, error = ahead.get()
        if error is not None:
            raise error
        if page is None:
            return
        yield page


class _Listed:
    """The scale sets of a listing that can be read, each once, in the order listed; counts those that cannot."""

    def __init__(self, resource_group, tags):
        self.resource_group, self.tags = resource_group, tags or []
        self.seen, self.unnamed = set(), 0

    def readable(self, page):
        found = []
        for scale_set in page:
            located = locate_scale_set(scale_set, self.resource_group)
            if located is None:
                self.unnamed += 1
                continue
            key = (located[0].lower(), located[1].lower())
            if key not in self.seen and has_tags(scale_set, self.tags):
                self.seen.add(key)
                found.append(located + (scale_set,))
        return found

    def warn(self, warnings):
        if self.unnamed and warnings is not None:
            warnings.append("%d scale set(s) of the listing named neither their id nor their name and resource group: "
                            "they cannot be read and are left out" % self.unnamed)


def rolling_upgrades(client, subscription_id, resource_group=None, tags=None, api_version=VMSS_API_VERSION, include_raw=False,
                     workers=None, warnings=None, history_limit=None):
    """The latest rolling upgrade of every scale set of a resource group (or subscription), fetched concurrently.

    The scale sets of a list page are read while the next page is listed.
    Items carry the scale set's tags, and their OS upgrade history when ``history_limit`` is not None (read
    in the same concurrent fetch); each scale set is read once, even when
    the listing repeats it. A listed scale set that names neither its id nor
    its name (and, subscription-wide, its group) cannot be read: it is left
    out and counted in ``warnings`` (a list, when given). If the listing or
    any fetch fails, the ArmError (the listing's when it failed, else the
    first read's) has in ``partial`` every item that was read, sorted like
    the result: never raw list bodies.
    ``workers`` (reads in flight at once) defaults to what the client's pacer allows.
    """
    workers = workers or _pacing.fanout_width(getattr(client, "pacer", None))
    listed = _Listed(resource_group, tags)

    def fetch(entry):
        group, name, scale_set = entry
        facts, _ignored = latest_rolling_upgrade(client, subscription_id, group, name, api_version, include_raw, scale_set=scale_set)
        facts["tags"] = dict(scale_set.get("tags") or {}) if isinstance(scale_set.get("tags"), dict) else {}
        if history_limit is not None:
            with_history(facts, client, history_limit, api_version)
        return facts

    items, failures, futures = [], [], []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        try:
            for page in _read_ahead(scale_set_pages(client, subscription_id, resource_group, api_version)):
                futures.extend(pool.submit(fetch, entry) for entry in listed.readable(page))
        except ArmError as exc:
            failures.append(exc)
        for future in futures:
            try:
                items.append(future.result())
            except ArmError as exc:
                failures.append(exc)
    listed.warn(warnings)
    items.sort(key=_sort_key)
    if failures:
        first = failures[0]
        first.partial = items
        if len(failures) > 1:
            first.args = ("%s (and %d more scale sets failed)" % (first, len(failures) - 1),)
        raise first
    return items


def enabled_subscriptions(client):
    """The ids of every subscription the identity can see whose state is Enabled, following nextLink."""
    try:
        bodies = client.list("/subscriptions", SUBSCRIPTIONS_API_VERSION)
    except ArmError as exc:
        raise explain(exc, SUBSCRIPTIONS_READ, "the subscriptions this identity can see") from None
    return [body["subscriptionId"] for body in bodies if body.get("state") == "Enabled" and body.get("subscriptionId")]


def subscriptions_rolling_upgrades(client, subscriptions, tags=None, api_version=VMSS_API_VERSION, include_raw=False):
    """Every scale set of several subscriptions, read side by side (each has its own throttling budget).

    A subscription that fails does not stop the others: the ArmError of the
    first that failed is raised once all are done, naming every subscription
    that failed, with ``partial`` holding every item read, sorted like the result.
    """
    at_once = _pacing.subscriptions_at_once(len(subscriptions))
    width = _pacing.fanout_width(getattr(client, "pacer", None), at_once)

    def read(subscription_id):
        return rolling_upgrades(client, subscription_id, None, tags, api_version, include_raw, workers=width)

    items, failures = [], []
    with ThreadPoolExecutor(max_workers=max(1, at_once)) as pool:
        for subscription_id, future in [(sub, pool.submit(read, sub)) for sub in subscriptions]:
            try:
                items.extend(future.result())
            except ArmError as exc:
                items.extend(exc.partial or [])
                failures.append((subscription_id, exc))
    items.sort(key=_sort_key)
    if failures:
        first = failures[0][1]
        first.partial = items
        if len(failures) > 1:
            first.args = ("%s (and %d more subscriptions failed: %s)" % (first, len(failures) - 1, ", ".join(sub for sub, _exc in failures[1:])),)
        raise first
    return items


def update_run_path(subscription_id, resource_group, fleet_name, name=None):
    path = resource_path(subscription_id, resource_group, "Microsoft.ContainerService", "fleets", fleet_name) + "/updateRuns"
    return path + "/" + name if name else path


def update_run(client, subscription_id, resource_group, fleet_name, name, api_version=FLEET_API_VERSION, include_raw=False,
               deadline=None):
    """(facts, retry_after) for one update run; ArmError of kind ``not_found`` when the run or its fleet is missing."""
    what = "update run %r of fleet %r in resource group %r" % (name, fleet_name, resource_group)
    try:
        response = client.get(update_run_path(subscription_id, resource_group, fleet_name, name), api_version, deadline=deadline)
    except ArmError as exc:
        raise explain(exc, UPDATE_RUN_READ, what) from None
    return update_run_facts(response.body, subscription_id, resource_group, fleet_name, name, include_raw=include_raw), response.retry_after


def update_runs(client, subscription_id, resource_group, fleet_name, api_version=FLEET_API_VERSION, include_raw=False):
    """Every update run of a fleet, following nextLink."""
    what = "the update runs of fleet %r in resource group %r" % (fleet_name, resource_group)
    try:
        bodies = client.list(update_run_path(subscription_id, resource_group, fleet_name), api_version)
    except ArmError as exc:
        exc.partial = [update_run_facts(body, subscription_id, resource_group, fleet_name, include_raw=include_raw)
                       for body in exc.partial or []]
        raise explain(exc, UPDATE_RUN_READ, what) from None
    return [update_run_facts(body, subscription_id, resource_group, fleet_name, include_raw=include_raw) for body in bodies]


def missing_is_empty(error):
    """True when an info module should answer a not-found with an empty list (the resource, not its container, is missing)."""
    return error.kind == "not_found" and not _is_container_missing(error)
