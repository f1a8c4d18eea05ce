# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What `make bench` runs: fan-out, gate and per-task benchmarks against the emulator, as a Markdown table and JSON.

    python bench/run.py [--budget 570] [--fanout 50 200 1000] [--sections imports per_task gate fanout throttled]

The table goes to stdout, the plan and one progress line per measurement to stderr, and the
same figures to bench/results/<timestamp>.json. See bench/README.md for how to read them.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import fanout, gate, harness, importtime, pertask, report, scenarios, throttled  # noqa: E402  pylint: disable=wrong-import-position

RESULTS = os.path.join(harness.BENCH, "results")
SECTIONS = ("imports", "per_task", "gate", "fanout", "throttled")
# Seconds per uri loop item before the first baseline run measures it (a module process per item).
ITEM_GUESS = 0.6
# Seconds of one run of ours at N scale sets, for the plan only: ansible start-up plus the floor.
OUR_RUN_GUESS = 2.0


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _commit():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=harness.REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def environment():
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(), "ansible_core": _version("ansible-core"),
            "requests": _version("requests"), "azure_identity": _version("azure-identity"), "msal": _version("msal"),
            "platform": platform.platform(), "commit": _commit(), "load_average_start": "%.2f %.2f %.2f" % os.getloadavg()}


def _baseline_runs(spec):
    """'50:3,200:1,1000:1' -> {50: 3, 200: 1, 1000: 1}."""
    runs = {}
    for part in spec.split(","):
        count, _sep, number = part.partition(":")
        runs[int(count)] = int(number or 1)
    return runs


class Budget:
    """The time left for optional runs, so that the whole benchmark ends in time."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.started = time.monotonic()
        self.item_seconds = ITEM_GUESS

    def left(self):
        return self.seconds - (time.monotonic() - self.started)


def _plan(args, budget):
    lines = ["plan (budget %.0f s, %d CPUs):" % (budget.seconds, os.cpu_count())]
    if "imports" in args.sections:
        lines.append("  import time: %d runs of python -X importtime per set" % args.import_runs)
    if "per_task" in args.sections:
        lines.append("  per task: %d timing runs + %d memory runs of each playbook (about %.0f s)" % (
            args.task_runs, args.memory_runs, (args.task_runs + args.memory_runs) * 2 * 2.5))
    if "gate" in args.sections:
        lines.append("  gate: %d repetitions, both sides at once (about %d s each)" % (
            args.gate_runs, scenarios.gate_completion(scenarios.GATE_TARGETS - 1) + 10))
    if "fanout" in args.sections:
        for count in args.fanout:
            wanted = args.baseline.get(count, 0)
            uri = "%d uri loop run(s), about %.0f s each, if the budget allows" % (wanted, count * ITEM_GUESS) if wanted else "no uri loop run"
            lines.append("  fan-out N=%d: %d runs of ours; %s" % (count, args.our_runs, uri))
    if "throttled" in args.sections:
        for label, per_subscription, subscriptions, with_baseline in throttled.CASES:
            if label in args.throttled:
                floor = throttled.floors(per_subscription, subscriptions, scenarios.THROTTLED_LATENCY_MS, fanout.CONCURRENCY)["floor_s"]
                lines.append("  throttled %s: %d paced run(s), about %.0f s each%s" % (
                    label, args.throttled_runs, floor + OUR_RUN_GUESS,
                    "; %d run(s) before pacing" % args.throttled_baseline_runs if with_baseline else ""))
    harness.progress("\n".join(lines))


def _fanout_all(workdir, args, budget):
    rows = []
    counts = sorted(args.fanout)
    for position, count in enumerate(counts):
        wanted = args.baseline.get(count, 0)
        # Keep time for our runs at the larger N that remain.
        reserve = sum(args.our_runs * (OUR_RUN_GUESS + later * 0.05 / fanout.CONCURRENCY * 1.5) for later in counts[position:])
        estimate = count * budget.item_seconds * 1.1 + 3
        affordable = max(0, int((budget.left() - reserve) // estimate))
        runs = min(wanted, affordable)
        note = None
        if runs < wanted:
            note = "%s: %d uri loop run(s) wanted, about %.0f s each (%.2f s per item measured so far), %.0f s of the budget left" % (
                "budget" if runs == 0 else "fewer runs", wanted, estimate, budget.item_seconds, budget.left())
            harness.progress("fan-out N=%d: %s" % (count, note))
            if runs == 0:
                note = "about %.0f s per run (%.2f s per item) does not fit the %.0f s budget" % (estimate, budget.item_seconds, budget.seconds)
        elif not wanted:
            note = "not requested"
        row = fanout.measure(workdir, count, args.our_runs, runs, baseline_note=note, trust=args.fanout_trust)
        if row.get("baseline"):
            budget.item_seconds = row["baseline"]["seconds_per_item"]
        rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--budget", type=float, default=570.0, help="seconds for the whole run; uri loop runs that would not fit are skipped")
    parser.add_argument("--fanout", type=int, nargs="+", default=[50, 200, 1000], help="numbers of scale sets")
    parser.add_argument("--our-runs", type=int, default=3, help="runs of the module at each N")
    parser.add_argument("--fanout-trust", choices=("emulator", "public"), default="emulator",
                        help="what the fan-out's TLS trusts: the emulator's CA alone, or the public CA bundle with it (as a user)")
    parser.add_argument("--baseline", type=_baseline_runs, default=_baseline_runs("50:3,200:1,1000:1"),
                        help="uri loop runs wanted at each N, as N:runs,... (default 50:3,200:1,1000:1; the budget may cut them)")
    parser.add_argument("--throttled", nargs="+", default=[case[0] for case in throttled.CASES],
                        choices=[case[0] for case in throttled.CASES], help="throttled cases to run (default all)")
    parser.add_argument("--throttled-runs", type=int, default=1, help="paced runs of each throttled case")
    parser.add_argument("--throttled-baseline-runs", type=int, default=1, help="runs before pacing of each throttled case")
    parser.add_argument("--gate-runs", type=int, default=3)
    parser.add_argument("--task-runs", type=int, default=5)
    parser.add_argument("--memory-runs", type=int, default=2)
    parser.add_argument("--import-runs", type=int, default=5)
    parser.add_argument("--results-dir", default=RESULTS)
    args = parser.parse_args(argv)
    budget = Budget(args.budget)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "environment": environment(), "arguments": vars(args).copy()}
    results["arguments"]["baseline"] = {str(k): v for k, v in args.baseline.items()}
    _plan(args, budget)
    workdir = harness.Workdir()
    try:
        if "imports" in args.sections:
            results["imports"] = importtime.measure(args.import_runs)
        if "per_task" in args.sections:
            results["per_task"] = pertask.measure(workdir, args.task_runs, args.memory_runs)
        if "gate" in args.sections:
            results["gate"] = gate.measure(workdir, args.gate_runs)
        if "fanout" in args.sections:
            results["fanout"] = _fanout_all(workdir, args, budget)
        if "throttled" in args.sections:
            results["throttled"] = throttled.measure(workdir, args.throttled_runs, args.throttled_baseline_runs, fanout.CONCURRENCY,
                                                     cases=args.throttled)
    finally:
        workdir.close()
    results["duration_s"] = time.monotonic() - budget.started
    results["environment"]["load_average_end"] = "%.2f %.2f %.2f" % os.getloadavg()
    results["targets"] = report.targets(results)
    table = report.markdown(results)
    os.makedirs(args.results_dir, exist_ok=True)
    path = os.path.join(args.results_dir, time.strftime("%Y%m%d-%H%M%S") + ".json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
    sys.stdout.write(table)
    harness.progress("figures written to %s" % os.path.relpath(path, harness.REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
