# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario builders for the benchmarks (dicts the emulator loads as JSON)."""

RESOURCE_GROUP = "rg-bench"
PAGE_SIZE = 100  # the emulator's default, and the most ARM returns per page of scale sets
LATENCY_MS = 50
GATE_SLEEP = 5
GATE_TARGETS = 20
GATE_FIRST = 10  # seconds after the emulator starts: leaves ansible-playbook time to start
GATE_STEP = 3  # completions every 3 s: 10 s .. 67 s after start


def latency_fault(latency_ms=LATENCY_MS):
    """Every request (token, list, read) waits latency_ms before it is answered."""
    return {"id": "bench-latency", "kind": "latency", "latency_ms": latency_ms}


def scale_set_name(index):
    return "vmss-%04d" % index


def fanout(count, latency_ms=LATENCY_MS):
    """`count` scale sets in one resource group, each with a rolling upgrade that completed an hour ago."""
    return {
        "name": "bench-fanout-%d" % count,
        "page_size": PAGE_SIZE,
        "faults": [latency_fault(latency_ms)],
        "subscriptions": [{"resource_groups": [{"name": RESOURCE_GROUP, "scale_sets": [
            {"name": "vmss-{i:04d}", "count": count, "rolling_upgrade": {"start": -3600, "duration": 600}}]}]}],
    }


def gate_completion(index):
    """Emulated seconds after start at which target `index` completes."""
    return GATE_FIRST + GATE_STEP * index


def gate(targets=GATE_TARGETS, latency_ms=LATENCY_MS):
    """`targets` rolling upgrades that all start with the emulator and complete at staggered times over about a minute."""
    return {
        "name": "bench-gate",
        "time_scale": 1.0,
        "faults": [latency_fault(latency_ms)],
        "subscriptions": [{"resource_groups": [{"name": RESOURCE_GROUP, "scale_sets": [
            {"name": scale_set_name(index), "rolling_upgrade": {"start": 0, "duration": gate_completion(index)}}
            for index in range(targets)]}]}],
    }


THROTTLED_LATENCY_MS = 20
# Resource Manager's read bucket per subscription and identity, and its refill (the emulator's bucket defaults).
BUCKET_SIZE = 250
BUCKET_REFILL = 25.0


def subscription_id(index):
    return "%08d-0000-4000-8000-%012d" % (index + 1, index + 1)


def throttled(per_subscription, subscriptions=1, latency_ms=THROTTLED_LATENCY_MS):
    """`subscriptions` x `per_subscription` scale sets, Resource Manager's throttling on (rate_limit mode bucket)."""
    return {
        "name": "bench-throttled-%dx%d" % (subscriptions, per_subscription),
        "page_size": PAGE_SIZE,
        "rate_limit": {"mode": "bucket", "reads": BUCKET_SIZE, "reads_per_second": BUCKET_REFILL},
        "faults": [latency_fault(latency_ms)],
        "subscriptions": [{"id": subscription_id(index), "resource_groups": [{"name": RESOURCE_GROUP, "scale_sets": [
            {"name": "vmss-{i:04d}", "count": per_subscription, "rolling_upgrade": {"start": -3600, "duration": 600}}]}]}
            for index in range(subscriptions)],
    }
