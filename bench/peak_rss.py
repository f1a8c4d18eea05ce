# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a command as a child and record its wall time and peak resident memory (the largest process of its tree).

    python bench/peak_rss.py --out FILE -- COMMAND ...       write one JSON object to FILE
    python bench/peak_rss.py --append-env VAR -- COMMAND ... append one JSON line to the file named by $VAR

A fresh process per measurement: RUSAGE_CHILDREN's ru_maxrss is the peak of the largest
descendant this process waited for, so it is never shared between measurements. The
second form serves as the Python interpreter of modules (ansible_python_interpreter),
to see the memory of the module process alone.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--out")
    parser.add_argument("--append-env")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    started = time.monotonic()
    code = subprocess.call(command)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    record = {"wall": wall, "maxrss_kb": usage.ru_maxrss, "user": usage.ru_utime, "system": usage.ru_stime, "rc": code,
              "argv0": os.path.basename(command[-1])}
    path = args.out or (os.environ.get(args.append_env) if args.append_env else None)
    if path:
        with open(path, "a" if args.append_env else "w", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
