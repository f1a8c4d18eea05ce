# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Throttled fan-out: thousands of scale sets with Resource Manager's read throttling on, paced against the client before pacing.

Each case is one emulator with `rate_limit: {mode: bucket}` (250 reads per subscription and identity, refilled at 25 per
second) and 20 ms of latency. "ours" is the collection as it is; "before pacing" is the same module with the internal
switch UPGRADEGATE_PACING=off (fixed width 8, learning the limit from 429s). Runs alternate, and every bucket is filled
again before each run.
"""

import math

from bench import fanout, harness, scenarios

OUR_TASK = "Read every scale set of the subscriptions"
COST_TASK = "Read one scale set"
# (label, scale sets per subscription, subscriptions, baseline wanted)
CASES = (("1000", 1000, 1, True), ("2000", 2000, 1, True), ("2100", 2100, 1, False), ("3x700", 700, 3, True))


def floors(per_subscription, subscriptions, latency_ms, width):
    """The bucket floor: the busiest subscription's requests beyond the bucket at the refill rate, or the latency floor."""
    pages = max(1, math.ceil(per_subscription / scenarios.PAGE_SIZE))
    requests = pages + per_subscription
    bucket = max(0.0, (requests - scenarios.BUCKET_SIZE) / scenarios.BUCKET_REFILL)
    latency = fanout.floor_seconds(per_subscription, latency_ms, scenarios.PAGE_SIZE, width)[0]
    return {"requests_per_subscription": requests, "bucket_s": bucket, "latency_s": latency, "floor_s": max(bucket, latency)}


def _arm_figures(log):
    arm = [entry for entry in log if entry.get("kind") == "arm"]
    remaining = [entry["ratelimit_remaining"] for entry in arm if entry.get("ratelimit_remaining") is not None]
    return {"arm_requests": len(arm), "throttled": sum(1 for entry in arm if entry["status"] == 429),
            "lowest_remaining": min(remaining) if remaining else None}


def _run(workdir, env, emu, extra_vars, paced):
    emu.reset_rate_limits()
    emu.reset_log()
    run_env = dict(env) if paced else dict(env, UPGRADEGATE_PACING="off")
    run = harness.run_playbook(workdir, run_env, "throttled_module.yml", extra_vars, timeout=1200).check("throttled fan-out")
    figures = _arm_figures(emu.requests_log())
    figures.update(task=run.task_seconds(OUR_TASK), wall=run.wall)
    return figures


def _per_task_cost(workdir, env, emu, runs):
    """The fixed cost of one task (module process, token, one read), on the same kind of emulator: task_module.yml."""
    extra_vars = dict(harness.connection_vars(emu, scenarios.RESOURCE_GROUP), bench_scale_set=scenarios.scale_set_name(1))
    seconds = []
    for index in range(runs):
        emu.reset_rate_limits()
        harness.progress("throttled: per-task cost, one read, run %d/%d" % (index + 1, runs))
        seconds.append(harness.run_playbook(workdir, env, "task_module.yml", extra_vars).check("per-task cost").task_seconds(COST_TASK))
    return harness.summary(seconds)


def _summarise(runs):
    if not runs:
        return None
    return {key: harness.summary([r[key] for r in runs]) for key in ("task", "wall", "arm_requests", "throttled", "lowest_remaining")}


def measure(workdir, runs, baseline_runs, width, cases=None, cost_runs=3):
    """Every case: `runs` of ours and `baseline_runs` of the client before pacing, alternated; returns the figures."""
    latency = scenarios.THROTTLED_LATENCY_MS
    results = {"latency_ms": latency, "bucket": scenarios.BUCKET_SIZE, "refill_per_s": scenarios.BUCKET_REFILL, "width": width,
               "cases": []}
    wanted = [case for case in CASES if cases is None or case[0] in cases]
    for label, per_subscription, subscriptions, with_baseline in wanted:
        emu = harness.start_emulator(workdir, "throttled-" + label, scenarios.throttled(per_subscription, subscriptions, latency))
        try:
            env = harness.environment(workdir, emu)
            if "per_task_s" not in results:
                results["per_task_s"] = _per_task_cost(workdir, env, emu, cost_runs)
            subs = [scenarios.subscription_id(index) for index in range(subscriptions)]
            extra_vars = dict(harness.connection_vars(emu, scenarios.RESOURCE_GROUP), bench_count=per_subscription * subscriptions,
                              bench_subscriptions=subs)
            ours, before = [], []
            base_runs = baseline_runs if with_baseline else 0
            for index in range(max(runs, base_runs)):
                if index < runs:
                    harness.progress("throttled %s: paced run %d/%d" % (label, index + 1, runs))
                    ours.append(_run(workdir, env, emu, extra_vars, paced=True))
                    harness.progress("  task %.1f s, %d requests, %d x 429, lowest remaining %s" % (
                        ours[-1]["task"], ours[-1]["arm_requests"], ours[-1]["throttled"], ours[-1]["lowest_remaining"]))
                if index < base_runs:
                    harness.progress("throttled %s: before pacing (width 8, 429s) run %d/%d" % (label, index + 1, base_runs))
                    before.append(_run(workdir, env, emu, extra_vars, paced=False))
                    harness.progress("  task %.1f s, %d requests, %d x 429" % (before[-1]["task"], before[-1]["arm_requests"], before[-1]["throttled"]))
        finally:
            emu.stop()
        floor = floors(per_subscription, subscriptions, latency, width)
        row = {"case": label, "per_subscription": per_subscription, "subscriptions": subscriptions, "scale_sets": per_subscription * subscriptions}
        row.update(floor)
        row["ours"], row["before"] = _summarise(ours), _summarise(before)
        cost = results["per_task_s"]["median"]
        row["ours_over_floor"] = row["ours"]["task"]["median"] / floor["floor_s"] if floor["floor_s"] else None
        row["ours_over_floor_plus_cost"] = row["ours"]["task"]["median"] / (floor["floor_s"] + cost)
        if row["before"]:
            row["speedup"] = row["before"]["task"]["median"] / row["ours"]["task"]["median"]
        results["cases"].append(row)
    return results
