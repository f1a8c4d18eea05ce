# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""python -m upgradegate_emulator --scenario FILE [--port 0] [--host 127.0.0.1] [--state-dir DIR] [--ready-file PATH]"""

import argparse
import sys

from .scenario import ScenarioError
from .server import serve


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m upgradegate_emulator",
                                     description="HTTPS emulator of Entra ID, managed identity and the Azure Resource "
                                                 "Manager routes used by upgradegate.azure.")
    parser.add_argument("--scenario", required=True, help="scenario file (.yaml, .yml or .json)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (127.0.0.1, ::1 or localhost)")
    parser.add_argument("--port", type=int, default=0, help="HTTPS port; 0 picks a free one (default)")
    parser.add_argument("--msi-http-port", type=int, default=0,
                        help="port of the plain-HTTP managed identity listener; 0 picks a free one (default)")
    parser.add_argument("--state-dir", help="directory for ca.pem, keys and generated credentials (reused across restarts)")
    parser.add_argument("--ready-file", help="write the ready JSON here (atomically) once listening")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        return serve(args)
    except (ScenarioError, ValueError, OSError) as exc:
        sys.stderr.write("upgradegate_emulator: error: %s\n" % exc)
        return 2


if __name__ == "__main__":
    sys.exit(main())
