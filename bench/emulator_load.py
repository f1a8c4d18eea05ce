# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load the emulator: N concurrent keep-alive clients GET rollingUpgrades/latest; print requests/second.

    python bench/emulator_load.py [--clients 200] [--seconds 10] [--max-requests 50000] [--latency-ms 0 50]

Starts its own emulator on loopback (port 0, temporary state dir) and stops it afterwards.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from upgradegate_emulator.handle import Emulator  # noqa: E402  pylint: disable=wrong-import-position

SCENARIO = {
    "name": "bench",
    "subscriptions": [{"resource_groups": [{"name": "rg-bench", "scale_sets": [
        {"name": "vmss-{i:04d}", "count": 100, "rolling_upgrade": {"start": 0, "duration": 3600}}]}]}],
}


def _client(emu, token, url, deadline, budget, counts, lock):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer %s" % token
    ok = errors = 0
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        try:
            resp = session.get(url, verify=emu.ca_path, timeout=30)
            ok += resp.status_code == 200
            errors += resp.status_code != 200
        except requests.RequestException:
            errors += 1
    session.close()
    with lock:
        counts["ok"] += ok
        counts["errors"] += errors


def run_load(emu, token, clients, seconds, max_requests, latency_ms):
    emu.clear_faults()
    if latency_ms:
        emu.add_fault("latency", path="rollingUpgrades/latest$", latency_ms=latency_ms)
    url = "%s/subscriptions/%s/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-0001/" \
          "rollingUpgrades/latest?api-version=2024-07-01" % (emu.base_url, emu.subscription_id)
    counts, lock, budget = {"ok": 0, "errors": 0}, threading.Lock(), [max_requests]
    started = time.monotonic()
    threads = [threading.Thread(target=_client, args=(emu, token, url, started + seconds, budget, counts, lock), daemon=True)
               for _attempt in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"clients": clients, "latency_ms": latency_ms, "requests": counts["ok"] + counts["errors"], "errors": counts["errors"],
            "seconds": round(elapsed, 2), "requests_per_second": round((counts["ok"] + counts["errors"]) / elapsed, 1),
            "cpus": os.cpu_count()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=50000)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 50])
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as state_dir:
        scenario_path = os.path.join(state_dir, "scenario.json")
        with open(scenario_path, "w", encoding="utf-8") as handle:
            json.dump(SCENARIO, handle)
        emu = Emulator(scenario_path, state_dir).start()
        try:
            token = emu.token()
            results = [run_load(emu, token, args.clients, args.seconds, args.max_requests, latency) for latency in args.latency_ms]
        finally:
            emu.stop()
    for result in results:
        print("%(clients)d clients, %(latency_ms)d ms latency: %(requests_per_second).1f requests/s "
              "(%(requests)d requests, %(errors)d errors, %(seconds).1f s, %(cpus)d CPUs)" % result)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
