# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What `make demo` runs: the emulator with a demo scenario, the demo playbook against it, and a summary.

Usage: python tools/demo.py [--scenario demo|fault|PATH]
Exit code: the playbook's (0 when every gate opened).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from upgradegate_emulator.handle import SCENARIOS, Emulator  # noqa: E402  pylint: disable=wrong-import-position

NAMED = {"demo": "demo.yaml", "fault": "demo-fault.yaml"}
# The ansible-playbook of the Python running this script (the virtualenv's), else the one on PATH.
NEXT_TO_PYTHON = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
ANSIBLE_PLAYBOOK = NEXT_TO_PYTHON if os.access(NEXT_TO_PYTHON, os.X_OK) else "ansible-playbook"
EXTRA_VARS = ["-e", "status_resource_group=rg-demo", "-e", "status_fleet_resource_group=rg-demo", "-e", "status_fleet_name=fleet-demo"]


def scenario_path(name):
    return os.path.join(SCENARIOS, NAMED[name]) if name in NAMED else os.path.abspath(name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--scenario", default="demo", help="demo (everything completes), fault (an upgrade faults), or a scenario file")
    args = parser.parse_args(argv)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="upgradegate-demo-") as state_dir:
        emulator = Emulator(scenario_path(args.scenario), state_dir).start()
        print("Emulator of Azure running at %s with scenario %s" % (emulator.base_url, os.path.basename(emulator.scenario_path)), flush=True)
        env = dict(os.environ, **emulator.env("secret"))
        try:
            code = subprocess.call([ANSIBLE_PLAYBOOK, os.path.join(REPO, "demo", "demo.yml")] + EXTRA_VARS, env=env, cwd=REPO)
        finally:
            emulator.stop()
    verdict = "every gate opened" if code == 0 else "a gate stopped the pipeline (ansible-playbook exit %d)" % code
    print("Demo finished in %.0f s: %s." % (time.monotonic() - began, verdict))
    return code


if __name__ == "__main__":
    sys.exit(main())
