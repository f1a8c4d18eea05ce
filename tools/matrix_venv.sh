#!/usr/bin/env bash
# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/matrix_venv.sh DIR ANSIBLE_CORE PYTHON REQUIREMENTS...
#
# A virtualenv in DIR with the newest patch release of ansible-core ANSIBLE_CORE (for example 2.16) on Python PYTHON
# (for example 3.10), plus REQUIREMENTS. The Python is found portably: pythonX.Y on PATH if it runs, else pyenv's
# versions directory; when there is none the script says what to install. The virtualenv is rebuilt only when the
# requested versions or a requirements file changed (a stamp records them). ANSIBLE_CORE "none" installs no ansible-core.
set -euo pipefail

dir=$1 core=$2 version=$3
shift 3

find_python() {
    local candidate
    for candidate in "python$1" "${PYENV_ROOT:-$HOME/.pyenv}/versions/$1"*/bin/"python$1"; do
        if "$candidate" -c 'import sys' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! python=$(find_python "$version"); then
    echo "make: Python $version is needed (for ansible-core $core in $dir) and none runs here." >&2
    echo "make: put python$version on PATH, or install it with pyenv (pyenv install $version), or pick another" >&2
    echo "make: Python that this ansible-core supports with the matching *_PYTHON variable of the Makefile." >&2
    exit 2
fi

want="$core $python $(cat "$@" | sha256sum | cut -c1-16)"
if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ] && [ -x "$dir/bin/python" ]; then
    exit 0
fi
rm -rf "$dir"
"$python" -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
packages=()
if [ "$core" != none ]; then
    packages+=("ansible-core==$core.*")
fi
for requirements in "$@"; do
    packages+=(-r "$requirements")
done
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}"
echo "$want" > "$dir/.stamp"
