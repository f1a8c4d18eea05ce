# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest fixtures that run the emulator as a subprocess.

Register with ``pytest_plugins = ["upgradegate_emulator.pytest_plugin"]``.

* ``emulator_factory(scenario=None, *, timeout=30, **flags)`` starts one emulator per call
  (scenario: a dict, a path, or None for scenarios/demo.yaml) and stops them all at teardown.
* ``emulator``: one emulator running the demo scenario.
* ``emulator_session_factory``: like emulator_factory, but the emulators live for the whole session.
"""

import json
import os

import pytest

from .handle import DEMO, Emulator


class _Factory:
    def __init__(self, base_dir):
        self.base_dir = base_dir
        self.started = []

    def __call__(self, scenario=None, timeout=30.0, extra_args=()):
        state_dir = os.path.join(str(self.base_dir), "emulator-%d" % len(self.started))
        os.makedirs(state_dir, exist_ok=True)
        if scenario is None:
            path = DEMO
        elif isinstance(scenario, dict):
            path = os.path.join(state_dir, "scenario.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(scenario, handle)
        else:
            path = str(scenario)
        handle = Emulator(path, state_dir, timeout, extra_args)
        self.started.append(handle)
        return handle.start()

    def stop_all(self):
        for handle in self.started:
            handle.stop()


@pytest.fixture
def emulator_factory(tmp_path):
    """Start emulators: ``emulator_factory(scenario=None|dict|path) -> Emulator``; all stopped at teardown."""
    factory = _Factory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="session")
def emulator_session_factory(tmp_path_factory):
    """Like emulator_factory, but the emulators live until the end of the session."""
    factory = _Factory(tmp_path_factory.mktemp("emulators"))
    yield factory
    factory.stop_all()


@pytest.fixture
def emulator(emulator_factory):  # pylint: disable=redefined-outer-name
    """An emulator running scenarios/demo.yaml."""
    return emulator_factory()
