# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""A clean environment for ansible-playbook runs of the tests and the benchmarks.

The repository's ansible.cfg and collection path, temporary directories under
``workdir``, a results callback, the virtualenv first on PATH, and nothing from
the developer's shell that would change what a playbook does.
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
SCRUB_PREFIXES = ("AZURE_", "ANSIBLE_", "IDENTITY_", "MSI_", "REQUESTS_CA_BUNDLE", "ARM_")


def clean_environment(workdir, callback_plugins, callback):
    workdir = str(workdir)
    env = {key: value for key, value in os.environ.items() if not key.startswith(SCRUB_PREFIXES)}
    env.update(
        ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".tmp", "collections"),
        ANSIBLE_HOME=os.path.join(workdir, "ansible-home"),
        ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "ansible-local"),
        ANSIBLE_REMOTE_TEMP=os.path.join(workdir, "ansible-remote"),
        ANSIBLE_ASYNC_DIR=os.path.join(workdir, "ansible-async"),
        ANSIBLE_CALLBACK_PLUGINS=str(callback_plugins),
        ANSIBLE_CALLBACKS_ENABLED=callback,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        AZURE_CONFIG_DIR=os.path.join(workdir, "azure-config"),
        HOME=os.path.join(workdir, "home"),
        PATH=os.pathsep.join([VENV_BIN, env.get("PATH", "")]),
    )
    return env
