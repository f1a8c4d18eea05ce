# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way tests reach the official Azure reference bodies vendored under tests/fixtures/reference.

Examples are ``<service>_<api-version>/<file>.json``; specs are the swagger extracts by file name.
Provenance and licence: tests/fixtures/reference/README.md.
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "reference"
EXAMPLES = ROOT / "examples"
SPECS = ROOT / "specs"


def _read(path):
    if not path.is_file():
        raise FileNotFoundError("reference fixture %s is not vendored under %s" % (path.relative_to(ROOT), ROOT))
    return json.loads(path.read_text(encoding="utf-8"))


def example(relative):
    """An official example, e.g. example("fleet_2025-03-01/UpdateRuns_Get.json")."""
    return _read(EXAMPLES / relative)


def spec(name):
    """A swagger extract, e.g. spec("fleet_2025-03-01_fleets.EXTRACT.json")."""
    return _read(SPECS / name)


def example_files():
    """Every vendored example, as paths relative to EXAMPLES, sorted."""
    return sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.json"))
