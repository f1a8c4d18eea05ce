# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip bootstrap script that ``ansible-test --venv`` downloads.

ansible-test creates its virtual environments without pip and bootstraps pip
with a script fetched from an Ansible CI host, or from its cache when the
script is already there. That host is out of reach where only the package
registries are, so ``make sanity`` places this file in the cache instead: it
installs the interpreter's bundled pip with ensurepip, then lets that pip
install the exact pip release ansible-test asked for from the package index.
"""

import subprocess
import sys

# Options that only the real get-pip script understands.
GET_PIP_ONLY_OPTIONS = frozenset(("--no-setuptools", "--no-wheel", "--no-pip"))


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    return subprocess.call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    sys.exit(main())
