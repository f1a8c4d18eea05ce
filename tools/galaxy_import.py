# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run galaxy-importer on a built collection tarball, as Galaxy does on upload.

galaxy-importer reports most problems as ERROR log lines and still exits 0,
so this wrapper fails when it exits non-zero or prints any ERROR line.
Usage: python tools/galaxy_import.py dist/upgradegate-azure-X.Y.Z.tar.gz
"""

import os
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: galaxy_import.py COLLECTION_TARBALL\n")
        return 2
    tarball = os.path.abspath(argv[1])
    with tempfile.TemporaryDirectory(prefix="galaxy-importer-") as work:
        env = dict(os.environ)
        env.update(
            GALAXY_IMPORTER_TMP_ROOT_DIR=work,
            GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=os.path.join(work, "ansible-tmp"),
            GALAXY_IMPORTER_RUN_ANSIBLE_TEST="false",
            GALAXY_IMPORTER_CHECK_CHANGELOG="true",
        )
        proc = subprocess.run(
            [sys.executable, "-m", "galaxy_importer.main", tarball],
            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
        )
    sys.stdout.write(proc.stdout)
    errors = [line for line in proc.stdout.splitlines() if line.startswith("ERROR")]
    if proc.returncode != 0 or errors:
        sys.stderr.write("galaxy-importer rejected %s: exit %d, %d error line(s)\n" % (tarball, proc.returncode, len(errors)))
        return 1
    print("galaxy-importer accepted %s with no errors" % os.path.basename(tarball))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
