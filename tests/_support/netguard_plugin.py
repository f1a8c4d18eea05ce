# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest plugin: every test, and every process it starts, stays on loopback.

Loaded through ``-p netguard_plugin`` in pytest.ini. It installs the guard in
the test process, exports it to child Python processes (ansible-playbook, the
modules, helpers) through PYTHONPATH and ``sitecustomize``, and fails the test
phase in which any process recorded a refused connection, even when the code
under test caught the exception.
"""

import os
import tempfile

import pytest

import netguard

SUPPORT_DIR = os.path.dirname(os.path.abspath(__file__))


def pytest_configure(config):
    handle, log_path = tempfile.mkstemp(prefix="netguard-", suffix=".log")
    os.close(handle)
    config.stash[_LOG_KEY] = log_path
    os.environ[netguard.ENV_LOG] = log_path
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if SUPPORT_DIR not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([SUPPORT_DIR] + paths)
    netguard.install()


def pytest_unconfigure(config):
    log_path = config.stash.get(_LOG_KEY, None)
    if log_path and os.path.exists(log_path):
        os.unlink(log_path)


_LOG_KEY = pytest.StashKey[str]()


def _guarded(item, phase):
    log_path = item.config.stash[_LOG_KEY]
    before = len(netguard.read_violations(log_path))
    result = yield
    refused = netguard.read_violations(log_path)[before:]
    if refused:
        pytest.fail(
            "%s of %s tried to leave loopback:\nNetworkGuard: %s" % (phase, item.nodeid, "NetworkGuard: ".join(refused)),
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _guarded(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _guarded(item, "test"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    return (yield from _guarded(item, "teardown"))


@pytest.fixture
def netguard_log(pytestconfig):
    """Path of this process's refusal log (for tests of the guard itself)."""
    return pytestconfig.stash[_LOG_KEY]
