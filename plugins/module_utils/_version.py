# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's version, for the User-Agent (a unit test keeps it equal to galaxy.yml)."""

COLLECTION_VERSION = "0.1.0"
