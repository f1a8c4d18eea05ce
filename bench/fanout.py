# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fan-out: the status of N scale sets of one resource group, one module task against a uri loop, and the floor."""

import math

from bench import harness, scenarios

OUR_TASK = "Read every scale set of the resource group"
URI_FIRST, URI_LAST = "Get a token for Resource Manager", "Read the latest rolling upgrade of each scale set"
CONCURRENCY = harness.pacing().FANOUT_WIDTH  # reads in flight at once for one subscription, when the budget allows


def latency_rounds(count, page_size=scenarios.PAGE_SIZE, width=CONCURRENCY):
    """(round trips the requests cannot go below, list pages) for `count` scale sets read `width` at a time.

    Each list page names the next, so page k arrives after k round trips; a page's scale sets are read while
    the next page is listed, and every request after the first page (reads and the other pages) takes one of
    `width` slots. The bound is the later of: the last page, then its reads; the first page, then all the other
    requests through the slots.
    """
    pages = max(1, math.ceil(count / page_size))
    last_page = count - (pages - 1) * page_size
    return max(pages + math.ceil(last_page / width), 1 + math.ceil((count + pages - 1) / width)), pages


def floor_seconds(count, latency_ms=scenarios.LATENCY_MS, page_size=scenarios.PAGE_SIZE, concurrency=CONCURRENCY):
    """(floor in seconds, list pages): `latency_rounds` round trips of `latency_ms` each."""
    rounds, pages = latency_rounds(count, page_size, concurrency)
    return rounds * latency_ms / 1000.0, pages


def _request_phase(log):
    """Seconds from the start of the first Resource Manager request to the end of the last one (emulator's clock)."""
    arm = [entry for entry in log if entry.get("kind") == "arm"]
    if not arm:
        return None, 0
    first = min(entry["time"] - entry["duration_ms"] / 1000.0 for entry in arm)
    return max(entry["time"] for entry in arm) - first, len(arm)


def _ours(workdir, env, emu, extra_vars):
    emu.reset_log()
    run = harness.run_playbook(workdir, env, "fanout_module.yml", extra_vars).check("fan-out with vmss_rolling_upgrade_info")
    phase, arm = _request_phase(emu.requests_log())
    return {"task": run.task_seconds(OUR_TASK), "wall": run.wall, "request_phase": phase, "arm_requests": arm}


def _baseline(workdir, env, emu, extra_vars):
    emu.reset_log()
    run = harness.run_playbook(workdir, env, "fanout_uri.yml", extra_vars).check("fan-out with uri and loop")
    _phase, arm = _request_phase(emu.requests_log())
    return {"task": run.task_seconds(URI_FIRST, URI_LAST), "wall": run.wall, "arm_requests": arm}


def public_trust(workdir, emu):
    """A CA bundle like a real user's: the public one requests uses, with the emulator's CA added."""
    import requests  # pylint: disable=import-outside-toplevel

    path = workdir.file("public-and-emulator-ca", ".pem")
    with open(requests.certs.where(), encoding="ascii") as public, open(emu.ca_path, encoding="ascii") as own:
        text = public.read().rstrip("\n") + "\n" + own.read()
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)
    return path


def measure(workdir, count, our_runs, baseline_runs, baseline_note=None, trust="emulator"):
    """Runs of ours and of the baseline, alternated against one emulator; returns the figures for this N.

    ``trust`` ``public``: both sides verify the emulator against the public CA bundle with its CA added, as a
    user verifies Azure (reading that bundle is a cost per TLS context); ``emulator``: against its CA alone.
    """
    floor, pages = floor_seconds(count)
    emu = harness.start_emulator(workdir, "fanout-%d" % count, scenarios.fanout(count))
    try:
        env = harness.environment(workdir, emu)
        extra_vars = dict(harness.connection_vars(emu, scenarios.RESOURCE_GROUP), bench_count=count,
                          bench_scale_sets=[scenarios.scale_set_name(index) for index in range(count)])
        if trust == "public":
            env["REQUESTS_CA_BUNDLE"] = extra_vars["bench_ca_path"] = public_trust(workdir, emu)
        ours, baseline = [], []
        for index in range(max(our_runs, baseline_runs)):
            if index < our_runs:
                harness.progress("fan-out N=%d: vmss_rolling_upgrade_info run %d/%d" % (count, index + 1, our_runs))
                ours.append(_ours(workdir, env, emu, extra_vars))
                harness.progress("  task %.2f s (floor %.2f s), %d Resource Manager requests" % (ours[-1]["task"], floor, ours[-1]["arm_requests"]))
            if index < baseline_runs:
                harness.progress("fan-out N=%d: uri loop run %d/%d (about %.0f s)" % (count, index + 1, baseline_runs, count * 0.6))
                baseline.append(_baseline(workdir, env, emu, extra_vars))
                harness.progress("  task %.1f s, %d Resource Manager requests" % (baseline[-1]["task"], baseline[-1]["arm_requests"]))
    finally:
        emu.stop()
    result = {
        "n": count, "trust": trust, "latency_ms": scenarios.LATENCY_MS, "page_size": scenarios.PAGE_SIZE, "concurrency": CONCURRENCY,
        "list_pages": pages, "floor_s": floor,
        "ours": {"task_s": harness.summary([r["task"] for r in ours]), "playbook_s": harness.summary([r["wall"] for r in ours]),
                 "request_phase_s": harness.summary([r["request_phase"] for r in ours]),
                 "arm_requests": harness.summary([r["arm_requests"] for r in ours])},
        "baseline": None, "baseline_note": baseline_note,
    }
    result["ours"]["task_over_floor"] = result["ours"]["task_s"]["median"] / floor
    result["ours"]["request_phase_over_floor"] = result["ours"]["request_phase_s"]["median"] / floor
    if baseline:
        result["baseline"] = {"task_s": harness.summary([r["task"] for r in baseline]),
                              "playbook_s": harness.summary([r["wall"] for r in baseline]),
                              "arm_requests": harness.summary([r["arm_requests"] for r in baseline])}
        result["baseline"]["seconds_per_item"] = result["baseline"]["task_s"]["median"] / count
        result["speedup"] = result["baseline"]["task_s"]["median"] / result["ours"]["task_s"]["median"]
    return result
