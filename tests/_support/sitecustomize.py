# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install the loopback-only network guard in child Python processes of the tests.

The test session puts this folder on PYTHONPATH and sets UPGRADEGATE_NETGUARD_LOG,
so ansible-playbook, the modules it runs and any helper process are guarded too.
"""

import os

if os.environ.get("UPGRADEGATE_NETGUARD_LOG"):
    import netguard  # pylint: disable=import-error

    netguard.install()
