# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The User-Agent's version is the collection's."""

from pathlib import Path

import yaml

from ansible_collections.upgradegate.azure.plugins.module_utils._version import COLLECTION_VERSION


def test_the_version_in_module_utils_is_the_one_in_galaxy_yml():
    galaxy = yaml.safe_load((Path(__file__).resolve().parents[4] / "galaxy.yml").read_text())
    assert COLLECTION_VERSION == galaxy["version"]
