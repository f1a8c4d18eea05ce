# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The commands of the pip package: ``upgradegate-azure`` and ``upgradegate-azure-emulator`` (pyproject.toml).

The command line lives in the collection (plugins/module_utils/_cli.py) and imports
its siblings as ``ansible_collections.upgradegate.azure.plugins.module_utils``. The
wheel ships that directory as ``upgradegate_azure/collection/plugins/module_utils``;
``main`` binds the package names of the collection to it, in this process only, so
nothing named ``ansible_collections`` is installed where Ansible would look for
collections. In a checkout (``python -m upgradegate_azure``) the collection is the
repository itself.
"""

import os
import sys
import types

PACKAGE = ("ansible_collections", "upgradegate", "azure")
HERE = os.path.dirname(os.path.abspath(__file__))


def collection_root():
    """Where plugins/module_utils is: inside the installed package, or the checkout this package sits in."""
    bundled = os.path.join(HERE, "collection")
    return bundled if os.path.isdir(bundled) else os.path.dirname(HERE)


def bind_collection(root):
    """Make ``ansible_collections.upgradegate.azure`` import from ``root`` (namespace modules, no files written)."""
    parent = None
    for depth in range(1, len(PACKAGE) + 1):
        module = types.ModuleType(".".join(PACKAGE[:depth]))
        module.__path__ = [root] if depth == len(PACKAGE) else []
        sys.modules[module.__name__] = module
        if parent is not None:
            setattr(parent, PACKAGE[depth - 1], module)
        parent = module


def main():
    bind_collection(collection_root())
    try:
        from ansible_collections.upgradegate.azure.plugins.module_utils._cli import main as cli_main
    except ImportError as exc:
        sys.stderr.write("upgradegate-azure: cannot load its engine with %s: %s (reinstall the package: "
                         "pip install upgradegate-azure)\n" % (sys.executable, exc))
        return 2
    return cli_main()


def bundled_scenario(value):
    """``demo`` or ``demo-fault``: the example scenario of that name shipped in upgradegate_emulator/scenarios."""
    import upgradegate_emulator
    scenarios = os.path.join(os.path.dirname(os.path.abspath(upgradegate_emulator.__file__)), "scenarios")
    if os.path.exists(value) or os.sep in value:
        return value
    for extension in ("", ".yaml", ".yml", ".json"):
        candidate = os.path.join(scenarios, value + extension)
        if os.path.isfile(candidate):
            return candidate
    return value


def emulator_main(argv=None):
    """upgradegate-azure-emulator: the emulator, where ``--scenario`` also takes the name of an example scenario."""
    from upgradegate_emulator.__main__ import main as run_emulator
    args = list(sys.argv[1:] if argv is None else argv)
    for index, arg in enumerate(args):
        if arg == "--scenario" and index + 1 < len(args):
            args[index + 1] = bundled_scenario(args[index + 1])
        elif arg.startswith("--scenario="):
            args[index] = "--scenario=" + bundled_scenario(arg.split("=", 1)[1])
    return run_emulator(args)
