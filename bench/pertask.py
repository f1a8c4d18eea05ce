# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per task: a whole ansible-playbook run with one info task against the same run with one uri GET; wall time and memory."""

from bench import harness, scenarios

OUR_TASK = "Read one scale set"
URI_TASK = "Read one scale set's latest rolling upgrade"


def measure(workdir, runs, memory_runs):
    """`runs` timing runs of each side, alternated, then `memory_runs` of each with modules under peak_rss.py."""
    emu = harness.start_emulator(workdir, "per-task", scenarios.fanout(3))
    try:
        env = harness.environment(workdir, emu)
        # The uri side gets a token fetched beforehand: its playbook is one task, one module process.
        extra_vars = dict(harness.connection_vars(emu, scenarios.RESOURCE_GROUP), bench_scale_set=scenarios.scale_set_name(1),
                          bench_access_token=str(emu.token()))
        sides = {"ours": ("task_module.yml", OUR_TASK), "baseline": ("task_uri.yml", URI_TASK)}
        timing = {side: [] for side in sides}
        memory = {side: [] for side in sides}
        for index in range(runs):
            for side, (playbook, task) in sides.items():
                harness.progress("per task: %s run %d/%d" % (playbook, index + 1, runs))
                run = harness.run_playbook(workdir, env, playbook, extra_vars).check(playbook)
                timing[side].append({"wall": run.wall, "task": run.task_seconds(task), "maxrss_kb": run.maxrss_kb})
        for index in range(memory_runs):
            for side, (playbook, task) in sides.items():
                harness.progress("per task: %s with the module's memory recorded, run %d/%d" % (playbook, index + 1, memory_runs))
                run = harness.run_playbook(workdir, env, playbook, extra_vars, module_memory=True).check(playbook)
                memory[side].extend(record for record in run.module_rss if record["argv0"].startswith("AnsiballZ_"))
    finally:
        emu.stop()
    result = {"latency_ms": scenarios.LATENCY_MS, "runs": runs,
              "baseline_token": "fetched by the harness beforehand and passed as a variable (one uri task, one module process)"}
    for side in sides:
        result[side] = {
            "playbook_s": harness.summary([r["wall"] for r in timing[side]]),
            "task_s": harness.summary([r["task"] for r in timing[side]]),
            "peak_rss_mb": harness.summary([r["maxrss_kb"] / 1024.0 for r in timing[side]]),
            "module_peak_rss_mb": harness.summary([r["maxrss_kb"] / 1024.0 for r in memory[side]]),
            "module_process_s": harness.summary([r["wall"] for r in memory[side]]),
            "module_cpu_s": harness.summary([r["user"] + r["system"] for r in memory[side]]),
        }
    result["playbook_ratio"] = result["ours"]["playbook_s"]["median"] / result["baseline"]["playbook_s"]["median"]
    result["task_ratio"] = result["ours"]["task_s"]["median"] / result["baseline"]["task_s"]["median"]
    return result
