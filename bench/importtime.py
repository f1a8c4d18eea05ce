# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Import time of the modules' code (python -X importtime), and which packages it goes to."""

import collections
import os
import subprocess
import sys

from bench import harness

MODULES = ("vmss_rolling_upgrade_info", "fleet_update_run_info", "wait_for_upgrade")
PREFIX = "ansible_collections.upgradegate.azure.plugins.modules."
# What a module run imports at start, what it imports when it builds the credential, and the uri module for reference.
SETS = {
    "ours": "; ".join("import %s%s" % (PREFIX, name) for name in MODULES),
    "azure_identity": "; ".join("import %s%s" % (PREFIX, name) for name in MODULES) + "; import azure.identity",
    "uri": "import ansible.modules.uri",
}


def _package(name):
    parts = name.split(".")
    if parts[0] == "ansible_collections":
        return "upgradegate.azure (ours)"
    return ".".join(parts[:2]) if parts[0] in ("ansible", "azure") and len(parts) > 1 else parts[0]


def parse(text):
    """(total microseconds of top-level imports, {package: self microseconds}, {top-level name: (cumulative, its packages)}).

    -X importtime prints an import after everything it imported, so the lines since the
    previous top-level import are the subtree of the next one.
    """
    total, own, top, subtree = 0, collections.Counter(), {}, collections.Counter()
    for line in text.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:"):].split("|", 2)
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        name = name.strip()
        own[_package(name)] += int(self_us)
        subtree[_package(name)] += int(self_us)
        if depth == 0:
            total += int(cumulative)
            top[name] = (int(cumulative), subtree)
            subtree = collections.Counter()
    return total, own, top


def _once(code):
    env = dict(os.environ, PYTHONPATH=os.path.join(harness.REPO, ".tmp", "collections"))
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True, check=True)
    return parse(done.stderr)


def measure(runs):
    result = {"python": sys.executable, "runs": runs, "note": "imported from the file system; AnsiballZ imports from a zip"}
    for label, code in SETS.items():
        harness.progress("import time: %s, %d runs" % (label, runs))
        parsed = [_once(code) for _attempt in range(runs)]
        entry = {"total_ms": harness.summary([p[0] / 1000.0 for p in parsed])}
        middle = sorted(parsed, key=lambda p: p[0])[len(parsed) // 2]
        packages = middle[1]
        if label == "azure_identity":
            entry["total_ms"] = harness.summary([p[2].get("azure.identity", (0, None))[0] / 1000.0 for p in parsed])
            packages = middle[2].get("azure.identity", (0, collections.Counter()))[1]
        entry["top_packages_ms"] = [[name, round(us / 1000.0, 1)] for name, us in packages.most_common(8)]
        result[label] = entry
    return result
