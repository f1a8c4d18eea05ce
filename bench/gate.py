# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate: 20 rolling upgrades completing over about a minute; wait_for_upgrade with targets against uri + until per target.

Each side has its own emulator; both emulators start together and both playbooks run at the same time.
"""

import re
import threading
from datetime import datetime, timezone

from bench import harness, scenarios

OUR_TASK = "Wait for every rolling upgrade"
URI_FIRST, URI_LAST = "Get a token for Resource Manager", "Wait for each rolling upgrade in turn"
TIMEOUT = 300
_TARGET = re.compile(r"/virtualMachineScaleSets/([^/]+)/rollingUpgrades/latest$")


def _epoch(iso):
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def _reads(log):
    """(scale set name, log entry) of every rollingUpgrades/latest read, in order."""
    found = []
    for entry in log:
        match = _TARGET.search(entry.get("path") or "")
        if match and entry.get("kind") == "arm":
            found.append((match.group(1), entry))
    return found


def _saw_completed(entry, completion, latency_s):
    """Whether the emulator answered this read after the upgrade had completed (it answers after the added latency)."""
    answered_at = entry["elapsed"] - entry["duration_ms"] / 1000.0 + latency_s
    return answered_at >= completion


def _rounds(reads, gap):
    """Group reads into polling rounds: a pause longer than `gap` seconds starts a new round."""
    rounds, last = [], None
    for name, entry in reads:
        if last is None or entry["time"] - last > gap:
            rounds.append([])
        rounds[-1].append((name, entry))
        last = entry["time"]
    return rounds


def _check_rounds(reads, names, completions, latency_s):
    """Does the gate read every unfinished target exactly once per round, and nothing else?"""
    rounds = _rounds(reads, scenarios.GATE_SLEEP / 2.0)
    unfinished, problems = set(names), []
    for number, entries in enumerate(rounds, 1):
        polled = [name for name, _entry in entries]
        if sorted(polled) != sorted(unfinished):
            problems.append("round %d read %d targets (%d twice), %d unfinished" % (
                number, len(polled), len(polled) - len(set(polled)), len(unfinished)))
        for name, entry in entries:
            if _saw_completed(entry, completions[name], latency_s):
                unfinished.discard(name)
    durations = [max(e["time"] for _n, e in entries) - min(e["time"] - e["duration_ms"] / 1000.0 for _n, e in entries) for entries in rounds]
    return {"rounds": len(rounds), "longest_round_s": max(durations) if durations else None,
            "requests": sum(len(r) for r in rounds), "one_per_unfinished_target_per_round": not problems, "problems": problems[:5]}


def _side(emu, run, names, noticed, task_end):
    """Requests, wall time and lags of one side from its emulator's log."""
    clock = emu.clock()
    start, latency_s = clock["start_epoch"], scenarios.LATENCY_MS / 1000.0
    completions = {name: scenarios.gate_completion(index) for index, name in enumerate(names)}
    log = emu.requests_log()
    reads = _reads(log)
    log_lags, noticed_lags, early = [], [], 0
    for name in names:
        mine = [entry for target, entry in reads if target == name]
        seen = [entry for entry in mine if _saw_completed(entry, completions[name], latency_s)]
        if not seen:
            raise RuntimeError("no read of %s saw its upgrade completed" % name)
        if seen[0] is mine[0]:
            early += 1  # already complete when it was first read: the lag is the wait for that first read
        log_lags.append(seen[0]["time"] - (start + completions[name]))
        if noticed.get(name) is not None:
            noticed_lags.append(noticed[name] - (start + completions[name]))
    per_target = [sum(1 for target, _entry in reads if target == name) for name in names]
    return {
        "arm_requests": sum(1 for entry in log if entry.get("kind") == "arm"),
        "token_requests": sum(1 for entry in log if entry.get("kind") == "entra"),
        "reads_per_target": {"min": min(per_target), "max": max(per_target)},
        "lag_log_s": harness.summary(log_lags), "lag_noticed_s": harness.summary(noticed_lags),
        "completed_before_first_read": early, "reads": reads, "completions": completions, "latency_s": latency_s,
        "playbook_s": run.wall, "open_after_last_s": task_end - (start + max(completions.values())),
    }


def _ours_noticed(run, names):
    result = run.result(OUR_TASK) or {}
    noticed = {}
    for change in (result.get("result") or {}).get("history") or []:
        name = change["target"].rsplit("/", 1)[-1]
        if change.get("state") == "completed" and name in names and name not in noticed:
            noticed[name] = _epoch(change["at"])
    return noticed


def _baseline_noticed(run):
    return {entry["item"]: entry["time"] for entry in run.items(URI_LAST) if entry["status"] == "ok"}


def measure_once(workdir, repetition):
    """One repetition: both emulators, both playbooks at the same time."""
    names = [scenarios.scale_set_name(index) for index in range(scenarios.GATE_TARGETS)]
    emulators = {}
    starters = [threading.Thread(target=lambda side=side: emulators.__setitem__(
        side, harness.start_emulator(workdir, "gate-%s-%d" % (side, repetition), scenarios.gate()))) for side in ("ours", "baseline")]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join()
    try:
        if set(emulators) != {"ours", "baseline"}:
            raise RuntimeError("an emulator for the gate did not start")
        runs = {}
        common = {"bench_sleep": scenarios.GATE_SLEEP, "bench_timeout": TIMEOUT}
        jobs = {
            "ours": ("gate_module.yml", dict(common, bench_targets=[{"resource_group": scenarios.RESOURCE_GROUP, "scale_set": name}
                                                                    for name in names])),
            "baseline": ("gate_uri.yml", dict(harness.connection_vars(emulators["baseline"], scenarios.RESOURCE_GROUP), bench_scale_sets=names,
                                              **common)),
        }
        threads = [threading.Thread(target=lambda side=side: runs.__setitem__(side, harness.run_playbook(
            workdir, harness.environment(workdir, emulators[side]), jobs[side][0], jobs[side][1]))) for side in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        runs["ours"].check("gate with wait_for_upgrade")
        runs["baseline"].check("gate with uri and until")
        ours = _side(emulators["ours"], runs["ours"], names, _ours_noticed(runs["ours"], names), runs["ours"].task_window(OUR_TASK)[1])
        ours["task_s"] = runs["ours"].task_seconds(OUR_TASK)
        ours["polls"] = (runs["ours"].result(OUR_TASK) or {}).get("result", {}).get("polls")
        ours["rounds"] = _check_rounds(ours.pop("reads"), names, ours.pop("completions"), ours.pop("latency_s"))
        baseline = _side(emulators["baseline"], runs["baseline"], names, _baseline_noticed(runs["baseline"]),
                         runs["baseline"].task_window(URI_FIRST, URI_LAST)[1])
        for key in ("reads", "completions", "latency_s"):
            baseline.pop(key)
        baseline["task_s"] = runs["baseline"].task_seconds(URI_FIRST, URI_LAST)
        return {"ours": ours, "baseline": baseline}
    finally:
        for emu in emulators.values():
            emu.stop()


def _merge(side_runs):
    merged = {}
    for key in ("arm_requests", "token_requests", "task_s", "playbook_s", "open_after_last_s"):
        merged[key] = harness.summary([run[key] for run in side_runs])
    for key in ("lag_log_s", "lag_noticed_s"):
        merged[key] = {"median": harness.summary([run[key]["median"] for run in side_runs if run[key]]),
                       "max": max(run[key]["max"] for run in side_runs if run[key]) if any(run[key] for run in side_runs) else None}
    merged["reads_per_target"] = {"min": min(r["reads_per_target"]["min"] for r in side_runs),
                                  "max": max(r["reads_per_target"]["max"] for r in side_runs)}
    merged["completed_before_first_read"] = max(run["completed_before_first_read"] for run in side_runs)
    return merged


def measure(workdir, repetitions):
    runs = []
    for repetition in range(repetitions):
        harness.progress("gate: repetition %d/%d, both sides at once (about %d s)" % (
            repetition + 1, repetitions, scenarios.gate_completion(scenarios.GATE_TARGETS - 1) + 10))
        runs.append(measure_once(workdir, repetition))
        harness.progress("  ours %d requests in %.1f s, uri+until %d requests in %.1f s" % (
            runs[-1]["ours"]["arm_requests"], runs[-1]["ours"]["task_s"], runs[-1]["baseline"]["arm_requests"], runs[-1]["baseline"]["task_s"]))
    ours = _merge([run["ours"] for run in runs])
    ours["rounds"] = [run["ours"]["rounds"] for run in runs]
    ours["polls"] = [run["ours"]["polls"] for run in runs]
    ours["one_per_unfinished_target_per_round"] = all(r["one_per_unfinished_target_per_round"] for r in ours["rounds"])
    # "sleep plus one request": the pause, then one round of concurrent reads (its longest, from the log).
    within = scenarios.GATE_SLEEP + max(r["longest_round_s"] or 0.0 for r in ours["rounds"])
    return {"targets": scenarios.GATE_TARGETS, "sleep_s": scenarios.GATE_SLEEP, "latency_ms": scenarios.LATENCY_MS,
            "completions_s": [scenarios.gate_completion(i) for i in range(scenarios.GATE_TARGETS)],
            "ours": ours, "baseline": _merge([run["baseline"] for run in runs]),
            "lag_bound_s": within, "concurrent_sides": True, "repetitions": repetitions}
