# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record a count for the end-of-run summary (see suite_counts_plugin.py); a no-op outside pytest."""

import json
import os

ENV = "UPGRADEGATE_SUITE_COUNTS"


def record(name, count=1):
    path = os.environ.get(ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as lines:
        lines.write(json.dumps({"name": name, "count": count}) + "\n")
