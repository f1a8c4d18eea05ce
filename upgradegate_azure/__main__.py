# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""python -m upgradegate_azure: the command upgradegate-azure."""

import sys

from upgradegate_azure import main

sys.exit(main())
