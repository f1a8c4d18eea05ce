# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""One long wait against the emulator: more than a thousand polls, and the gate's process does not grow.

The gate runs in this process exactly as the module runs it (``connect``, then
``gate``), over TLS, with a real token, on two targets at once (a scale set
and a fleet update run), so every round goes through the thread pool until
the run finishes. The emulator's timelines advance by polls, not by time
(``by: polls``): the update run completes on its 1051st read and the rolling
upgrade on its 1101st, whatever the speed of the machine. ``sleep`` between
rounds is a millisecond.

What is measured is memory, threads and sockets, never time:

- RSS (VmRSS of /proc/self/status) after a garbage collection, first after a
  warm-up of 100 rounds (the token, the TLS sessions, the connection pool and
  the imports are in place by then), then every 100 rounds. Growth from the
  warm-up sample to the last must stay under 4 MB. Why 4: measured on the
  development machine, the 1,000 rounds grow RSS by about 0.1 MB; a probe
  that kept 8 KB per round (about what the facts of one round take as Python
  objects, for both targets) grew it by 7.9 MB. 4 MB catches a leak of half
  that per round and leaves 40 times the measured noise for other
  allocators and platforms. History holds one entry per change of state or
  progress (nine here), not one per poll.
- Threads: as many after the wait as before (each round's pool is joined).
- Sockets: at most the Resource Manager pool (``pool_size``) plus the
  credential's own connection to the token endpoint above what was open
  before, and no more than before once the client is closed, plus that one.
"""

import gc
import os
import threading
import time

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import connect
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import gate

import suite_counts

TENANT = "11111111-1111-4111-8111-111111111111"
SUB = "33333333-3333-4333-8333-333333333333"
CLIENT = "22222222-2222-4222-8222-222222222222"
SECRET = "soak-client-secret"
VMSS_READS, RUN_READS = 1101, 1051  # the read on which each target completes
POOL_SIZE = 8
WARM_UP, EVERY = 100, 100
GROWTH_LIMIT_MB = 4.0
TOKEN_CONNECTIONS = 1

SCENARIO = {
    "time_scale": 0,
    "tenants": [{"id": TENANT, "clients": [{"client_id": CLIENT, "secret": SECRET}]}],
    "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": [{
        "name": "rg-soak",
        "scale_sets": [{"name": "vmss-soak", "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": 10},
                        "rolling_upgrade": {"start": 0, "by": "polls", "duration": VMSS_READS - 1, "instances": 10}}],
        "fleets": [{"name": "fleet-soak", "members": [{"name": "m1", "group": "g1"}, {"name": "m2", "group": "g1"}],
                    "update_runs": [{"name": "run-soak", "stages": [{"name": "s1", "groups": ["g1"]}], "start": 0, "by": "polls",
                                     "simulate": {"member_seconds": (RUN_READS - 1) / 2}}]}],
    }]}],
}


def rss_mb():
    """Resident set size of this process in MB, after a full garbage collection."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS in /proc/self/status")


def open_sockets():
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(os.path.join("/proc/self/fd", name)).startswith("socket:"):
                count += 1
        except OSError:  # the fd of the listing itself is gone by now
            continue
    return count


def connection_params(emu):
    return dict(auth_source="auto", subscription_id=SUB, tenant=TENANT, client_id=CLIENT, secret=SECRET, x509_certificate_path=None,
                profile=None, cloud_environment=None, resource_manager_url=emu.base_url, authority_host=emu.base_url,
                disable_instance_discovery=True, validate_certs=True, ca_path=emu.ca_path, request_timeout=10.0)


def gate_params():
    targets = [{"resource_group": "rg-soak", "scale_set": "vmss-soak"},
               {"resource_group": "rg-soak", "fleet_name": "fleet-soak", "update_run": "run-soak"}]
    return dict(targets=targets, resource_group=None, scale_set=None, fleet_name=None, update_run=None, stage=None, group=None,
                state=["completed"], timeout=600.0, sleep=0.001, delay=0.0, started_after=None, min_percent_complete=None,
                max_failed=None, stall_timeout=None, msg=None, vmss_api_version="2024-07-01", fleet_api_version="2026-06-01")


class Sampler:
    """The gate's sleep between rounds: sleeps for real, and samples memory every EVERY rounds after WARM_UP."""

    def __init__(self):
        self.rounds = 0
        self.samples = []

    def __call__(self, seconds):
        self.rounds += 1
        if self.rounds >= WARM_UP and self.rounds % EVERY == 0:
            self.samples.append((self.rounds, rss_mb()))
        time.sleep(seconds)


def test_a_wait_of_more_than_a_thousand_polls_holds_memory_threads_and_sockets(emulator_factory):
    emu = emulator_factory(SCENARIO)
    threads_before, sockets_before = threading.active_count(), open_sockets()
    connection = connect(connection_params(emu), {}, pool_size=POOL_SIZE)
    sampler = Sampler()
    try:
        result = gate(connection, gate_params(), sleep=sampler)
        sockets_during = open_sockets()
        threads_after = threading.active_count()
    finally:
        connection.client.close()
    sockets_after = open_sockets()

    assert not result.get("failed"), result.get("msg")
    assert [(t["state"], t["succeeded"]) for t in result["targets"]] == [("completed", True), ("completed", True)]
    assert result["polls"] == VMSS_READS >= 1000
    counters = emu.counters()["routes"]
    assert counters["vmss.rolling_upgrade_latest"] == {"200": VMSS_READS}
    assert counters["fleet.update_run_get"] == {"200": RUN_READS}
    assert len(result["history"]) < 40, "history should hold changes, not polls"

    assert len(sampler.samples) >= 10, sampler.samples
    growth = sampler.samples[-1][1] - sampler.samples[0][1]
    suite_counts.record("soak polls", result["polls"])
    suite_counts.record("soak memory growth (MB)", round(growth, 1))
    assert growth < GROWTH_LIMIT_MB, "RSS grew %.1f MB from round %d to round %d: %s" % (
        growth, sampler.samples[0][0], sampler.samples[-1][0], sampler.samples)

    assert threads_after == threads_before, "threads left running after the wait"
    assert sockets_during - sockets_before <= POOL_SIZE + TOKEN_CONNECTIONS, (sockets_before, sockets_during)
    assert sockets_after - sockets_before <= TOKEN_CONNECTIONS, (sockets_before, sockets_after)
