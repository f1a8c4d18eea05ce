# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The harness itself: real ansible-playbook, the repository's config, the venv's Python for modules."""

import os
import sys


def test_modules_run_under_the_virtualenv_python_and_results_are_captured(run_playbook):
    run = run_playbook([{"name": "facts", "ansible.builtin.setup": {"gather_subset": ["!all", "!min", "python"]}}])
    assert run.rc == 0, run.stdout + run.stderr
    module_python = run.result("facts")["ansible_facts"]["ansible_python"]["executable"]
    assert os.path.dirname(module_python) == os.path.dirname(sys.executable)


def test_the_collection_resolves_from_the_repository(run_playbook):
    run = run_playbook([{"name": "list", "ansible.builtin.command": "ansible-galaxy collection list upgradegate.azure",
                         "changed_when": False}])
    assert run.rc == 0, run.stdout + run.stderr
    assert "upgradegate.azure" in run.result("list")["stdout"]
