# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTPS emulator of the Azure endpoints used by the upgradegate.azure collection.

Entra ID token endpoints, the App Service managed identity endpoint and the
Resource Manager routes for scale-set rolling upgrades and AKS Fleet update
runs, driven by a scenario file.  See docs/emulator.md.
"""

__version__ = "1.0.0"
