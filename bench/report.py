# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The results as a Markdown table, and the targets of the issue checked against them."""


def span(summary, unit="s", digits=2):
    """'1.23 s (1.10-1.40, 3 runs)' from a harness.summary()."""
    if not summary:
        return "n/a"
    text = "%.*f %s" % (digits, summary["median"], unit)
    if summary["runs"] > 1:
        text += " (%.*f-%.*f, %d runs)" % (digits, summary["min"], digits, summary["max"], summary["runs"])
    return text


def _count(summary):
    if not summary:
        return "n/a"
    if summary["min"] == summary["max"]:
        return "%d" % summary["median"]
    return "%d (%d-%d)" % (summary["median"], summary["min"], summary["max"])


def _fanout(lines, rows):
    lines += ["## Fan-out: status of N scale sets in one resource group", "",
              "One `vmss_rolling_upgrade_info` task against a `uri` loop (a token once, then one GET per scale set, names given as a "
              "variable). Task time, from the task's start to its result. Latency %d ms per request; floor = the round trips the "
              "requests cannot go below with %d in flight, a page's scale sets read while the next page is listed: "
              "max(pages + ceil(last page / %d), 1 + ceil((N + pages - 1) / %d)) x latency, page size %d." % (
                  rows[0]["latency_ms"], rows[0]["concurrency"], rows[0]["concurrency"], rows[0]["concurrency"], rows[0]["page_size"])
              + (" TLS trust: the public CA bundle with the emulator's CA added, as a user verifies Azure."
                 if rows[0].get("trust") == "public" else " TLS trust: the emulator's CA alone."), "",
              "| N | ours: task | floor | ours / floor | ours: requests phase / floor | uri loop: task | uri / ours | requests ours / uri |",
              "| ---: | --- | ---: | ---: | ---: | --- | ---: | --- |"]
    for row in rows:
        ours, base = row["ours"], row.get("baseline")
        if base:
            base_text, ratio = span(base["task_s"], digits=1), "%.0fx" % row["speedup"]
            requests = "%s / %s" % (_count(ours["arm_requests"]), _count(base["arm_requests"]))
        else:
            base_text, ratio = "not run: %s" % row.get("baseline_note", "skipped"), "n/a"
            requests = "%s / n/a" % _count(ours["arm_requests"])
        lines.append("| %d | %s | %.2f s | %.2fx | %.2fx | %s | %s | %s |" % (
            row["n"], span(ours["task_s"]), row["floor_s"], ours["task_over_floor"], ours["request_phase_over_floor"], base_text, ratio, requests))
    lines.append("")


def _throttled(lines, section):
    lines += ["## Throttled fan-out: Resource Manager's read bucket on", "",
              "`vmss_rolling_upgrade_info` with `subscriptions`, the emulator throttling reads as Resource Manager does (a bucket of %d "
              "reads per subscription and identity, refilled at %.0f per second; 429 with Retry-After when empty), latency %d ms. "
              "**paced**: the collection; **before pacing**: the same module with the internal switch `UPGRADEGATE_PACING=off` (fixed "
              "width 8, learning the limit from 429s). Floor: the busiest subscription's requests (list pages + reads) beyond the bucket "
              "at the refill rate, `(requests - %d) / %.0f` s, or the latency floor at width %d when larger. Per-task cost (module "
              "process, token, one read), measured in this run: %s." % (
                  section["bucket"], section["refill_per_s"], section["latency_ms"], section["bucket"], section["refill_per_s"],
                  section["width"], span(section.get("per_task_s"))), "",
              "| case | floor | paced: task | paced / floor | paced / (floor + per-task cost) | paced: 429s | paced: lowest remaining "
              "| before pacing: task | before pacing: 429s | before / paced |",
              "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for row in section["cases"]:
        ours, before = row["ours"], row.get("before")
        if row["subscriptions"] > 1:
            label = "%d subscriptions x %d scale sets" % (row["subscriptions"], row["per_subscription"])
        else:
            label = "%d scale sets, 1 subscription" % row["scale_sets"]
        lines.append("| %s | %.1f s | %s | %.2fx | %.2fx | %s | %s | %s | %s | %s |" % (
            label, row["floor_s"], span(ours["task"], digits=1), row["ours_over_floor"], row["ours_over_floor_plus_cost"],
            _count(ours["throttled"]), _count(ours["lowest_remaining"]),
            span(before["task"], digits=1) if before else "not run (reference for 3 x 700)", _count(before["throttled"]) if before else "n/a",
            "%.2fx" % row["speedup"] if before else "n/a"))
    lines.append("")


def _gate(lines, gate):
    ours, base = gate["ours"], gate["baseline"]
    lines += ["## Gate: %d rolling upgrades completing %d-%d s after start, sleep %d s" % (
        gate["targets"], gate["completions_s"][0], gate["completions_s"][-1], gate["sleep_s"]), "",
        "One `wait_for_upgrade` task with `targets` against `uri` + `until` looping over the targets (delay %d s); each side its own "
        "emulator (latency %d ms), both run at the same time; repetitions: %d. Lag: from a target's completion in the emulator to the "
        "answer of the first read that saw it (log), and to the moment the task recorded it (noticed: the gate's history, the loop's "
        "item result)." % (gate["sleep_s"], gate["latency_ms"], gate["repetitions"]), "",
        "| | wait_for_upgrade | uri + until | uri / ours |", "| --- | --- | --- | ---: |"]

    def ratio(key):
        if ours[key] and base[key] and ours[key]["median"]:
            return "%.2fx" % (base[key]["median"] / ours[key]["median"])
        return "n/a"

    lines.append("| Resource Manager requests | %s | %s | %s |" % (_count(ours["arm_requests"]), _count(base["arm_requests"]), ratio("arm_requests")))
    lines.append("| token requests | %s | %s | |" % (_count(ours["token_requests"]), _count(base["token_requests"])))
    lines.append("| reads per target (min-max) | %d-%d | %d-%d | |" % (
        ours["reads_per_target"]["min"], ours["reads_per_target"]["max"], base["reads_per_target"]["min"], base["reads_per_target"]["max"]))
    lines.append("| task wall time | %s | %s | %s |" % (span(ours["task_s"], digits=1), span(base["task_s"], digits=1), ratio("task_s")))
    lines.append("| ansible-playbook wall time | %s | %s | %s |" % (
        span(ours["playbook_s"], digits=1), span(base["playbook_s"], digits=1), ratio("playbook_s")))
    lines.append("| task end after the last completion | %s | %s | |" % (span(ours["open_after_last_s"]), span(base["open_after_last_s"])))
    for key, label in (("lag_log_s", "lag, log"), ("lag_noticed_s", "lag, noticed")):
        lines.append("| %s: median / max | %s / %s | %s / %s | |" % (
            label, span(ours[key]["median"]), "%.2f s" % ours[key]["max"] if ours[key]["max"] is not None else "n/a",
            span(base[key]["median"]), "%.2f s" % base[key]["max"] if base[key]["max"] is not None else "n/a"))
    rounds = ours["rounds"]
    lines.append("| rounds (gate) | %s | | |" % ", ".join(str(r["rounds"]) for r in rounds))
    lines.append("| one read per unfinished target per round, no more | %s | | |" % (
        "yes, every round" if ours["one_per_unfinished_target_per_round"] else "NO: " + "; ".join(p for r in rounds for p in r["problems"])))
    if ours["completed_before_first_read"] or base["completed_before_first_read"]:
        lines.append("| targets already complete at their first read (most, in runs) | %d | %d | |" % (
            ours["completed_before_first_read"], base["completed_before_first_read"]))
    lines.append("")


def _pertask(lines, task):
    ours, base = task["ours"], task["baseline"]
    lines += ["## Per task: one ansible-playbook run", "",
              "One `vmss_rolling_upgrade_info` task (name given; it gets its own token) against one `uri` GET (token %s). Latency %d ms. "
              "Peak memory: the largest process of the run; module process: the module alone (separate runs)." % (
                  task["baseline_token"].split(" (")[0], task["latency_ms"]), "",
              "| | vmss_rolling_upgrade_info | uri GET | ours / uri |", "| --- | --- | --- | ---: |"]
    for key, label, unit, digits in (("playbook_s", "ansible-playbook wall time", "s", 2), ("task_s", "task time", "s", 2),
                                     ("peak_rss_mb", "peak memory, whole run", "MB", 1), ("module_peak_rss_mb", "peak memory, module process", "MB", 1),
                                     ("module_process_s", "module process wall time", "s", 2), ("module_cpu_s", "module process CPU time", "s", 2)):
        ratio = "%.2fx" % (ours[key]["median"] / base[key]["median"]) if ours[key] and base[key] and base[key]["median"] else "n/a"
        lines.append("| %s | %s | %s | %s |" % (label, span(ours[key], unit, digits), span(base[key], unit, digits), ratio))
    lines.append("")


def _imports(lines, imports):
    lines += ["## Import time (`python -X importtime`, %d runs each, %s)" % (imports["runs"], imports["note"]), "",
              "| code | total | biggest contributors (own time of each package's modules, median run) |", "| --- | --- | --- |"]
    for key, label in (("ours", "our three modules (module_utils, requests, ansible.module_utils.basic)"),
                       ("azure_identity", "azure.identity, after ours (imported when the credential is built)"),
                       ("uri", "ansible.builtin.uri, for reference")):
        entry = imports[key]
        contributors = ", ".join("%s %.0f ms" % (name, ms) for name, ms in entry["top_packages_ms"])
        lines.append("| %s | %s | %s |" % (label, span(entry["total_ms"], "ms", 0), contributors))
    lines.append("")


def targets(results):
    """[(target, what we got, met or not)] for the targets of the issue that these results cover."""
    checks = []
    rows = {row["n"]: row for row in results.get("fanout") or []}
    if 200 in rows:
        row = rows[200]
        checks.append(("fan-out N=200: requests within 1.5x of the request floor at the width chosen", "%.2fx (task %.2fx)" % (
            row["ours"]["request_phase_over_floor"], row["ours"]["task_over_floor"]), row["ours"]["request_phase_over_floor"] <= 1.5))
        if row.get("baseline"):
            whole = row["baseline"]["playbook_s"]["median"] / row["ours"]["playbook_s"]["median"]
            checks.append(("fan-out N=200: whole ansible-playbook run at least 30x faster than the uri loop", "%.1fx (%.2f s against %.1f s; "
                           "task alone %.0fx)" % (whole, row["ours"]["playbook_s"]["median"], row["baseline"]["playbook_s"]["median"],
                                                  row["speedup"]), whole >= 30))
        else:
            checks.append(("fan-out N=200 at least 30x faster than the uri loop", "baseline not run", None))
    if 200 in rows and 1000 in rows:
        growth = rows[1000]["ours"]["task_s"]["median"] / rows[200]["ours"]["task_s"]["median"]
        checks.append(("fan-out time grows linearly or better from 200 to 1000", "x%.2f for x5 scale sets" % growth, growth <= 5.0))
    gate = results.get("gate")
    if gate:
        ours, base = gate["ours"], gate["baseline"]
        checks.append(("gate: one request per unfinished target per round, no more", "checked round by round in the log",
                       ours["one_per_unfinished_target_per_round"]))
        worst = max(ours[key]["max"] for key in ("lag_log_s", "lag_noticed_s") if ours[key]["max"] is not None)
        checks.append(("gate: every completion noticed within sleep plus one request", "max lag %.2f s (log %.2f s), bound %.2f s" % (
            worst, ours["lag_log_s"]["max"], gate["lag_bound_s"]), worst <= gate["lag_bound_s"]))
        checks.append(("gate: fewer total requests than the baseline", "%d vs %d" % (ours["arm_requests"]["median"], base["arm_requests"]["median"]),
                       ours["arm_requests"]["median"] < base["arm_requests"]["median"]))
    task = results.get("per_task")
    if task:
        checks.append(("per task: no more than 1.25x the wall time of the single uri task", "%.2fx (ansible-playbook), %.2fx (task)" % (
            task["playbook_ratio"], task["task_ratio"]), task["playbook_ratio"] <= 1.25))
        peak = max(task["ours"]["peak_rss_mb"]["max"], (task["ours"]["module_peak_rss_mb"] or {}).get("max", 0))
        checks.append(("per task: peak memory under 100 MB", "%.1f MB (largest process of the run)" % peak, peak < 100))
    checks.extend(_throttled_targets(results.get("throttled")))
    return checks


def _throttled_targets(section):
    if not section:
        return []
    checks = []
    cases = {row["case"]: row for row in section["cases"]}
    if "2000" in cases:
        row = cases["2000"]
        checks.append(("throttled: 0 x 429 at N=2000 in one subscription", "%s x 429 (lowest remaining %s)" % (
            _count(row["ours"]["throttled"]), _count(row["ours"]["lowest_remaining"])), row["ours"]["throttled"]["max"] == 0))
        checks.append(("throttled N=2000: within 1.2x of the bucket floor plus the per-task cost", "%.1f s against %.1f + %.1f s: %.2fx" % (
            row["ours"]["task"]["median"], row["floor_s"], section["per_task_s"]["median"], row["ours_over_floor_plus_cost"]),
            row["ours_over_floor_plus_cost"] <= 1.2))
    if "2100" in cases and "3x700" in cases:
        gain = cases["2100"]["ours"]["task"]["median"] / cases["3x700"]["ours"]["task"]["median"]
        checks.append(("throttled: 3 subscriptions x 700 at least 2.5x faster than 2,100 in one", "%.2fx (%.1f s against %.1f s)" % (
            gain, cases["3x700"]["ours"]["task"]["median"], cases["2100"]["ours"]["task"]["median"]), gain >= 2.5))
    return checks


def markdown(results):
    env = results["environment"]
    lines = ["# upgradegate.azure benchmarks", "",
             "%s; %d CPUs, load average %s at start; Python %s, ansible-core %s, requests %s, azure-identity %s; commit %s." % (
                 results["started"], env["cpu_count"], env["load_average_start"], env["python"], env["ansible_core"], env["requests"],
                 env["azure_identity"], env["commit"][:12]), "",
             "Median of the runs, with min-max; ratios are medians of runs taken side by side in this run.", ""]
    if results.get("fanout"):
        _fanout(lines, results["fanout"])
    if results.get("throttled"):
        _throttled(lines, results["throttled"])
    if results.get("gate"):
        _gate(lines, results["gate"])
    if results.get("per_task"):
        _pertask(lines, results["per_task"])
    if results.get("imports"):
        _imports(lines, results["imports"])
    checks = results.get("targets") or []
    if checks:
        lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
        for name, got, met in checks:
            lines.append("| %s | %s | %s |" % (name, got, "n/a" if met is None else "yes" if met else "**no**"))
        lines.append("")
    lines.append("Whole run: %.0f s." % results["duration_s"])
    return "\n".join(lines) + "\n"
