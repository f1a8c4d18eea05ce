# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection in an execution environment, as AWX / Automation Platform builds one with ansible-builder.

meta/execution-environment.yml is the collection's metadata for ansible-builder:
its requirements path is relative to the collection root, where ansible-builder's
introspection reads it once the collection is installed in the image. The test
does what `ansible-builder build` does before it runs a container: build the
collection tarball, `ansible-builder create` the build context from an execution
environment definition that installs it, install the tarball as the galaxy stage
does, and run the context's own introspection script on it. No image is pulled
and nothing leaves the machine.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUILDER = shutil.which("ansible-builder", path=str(BIN))
pytestmark = pytest.mark.skipif(BUILDER is None, reason="ansible-builder is not installed next to this Python (requirements-dev.txt)")


def run(command, cwd, env):
    done = subprocess.run([str(part) for part in command], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, "%s\n%s\n%s" % (command, done.stdout[-3000:], done.stderr[-3000:])
    return done


def requirement_lines(text):
    return sorted(line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The collection tarball and its installation in a collections directory, as the galaxy stage of a build leaves it."""
    work = tmp_path_factory.mktemp("ee")
    env = dict(os.environ, HOME=str(work / "home"), ANSIBLE_HOME=str(work / "ansible-home"), ANSIBLE_COLLECTIONS_PATH=str(work / "collections"))
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", work / "dist", REPO], work, env)
    tarball = next((work / "dist").glob("upgradegate-azure-*.tar.gz"))
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", work / "collections", tarball], work, env)
    return work, env, tarball


def test_the_build_context_holds_exactly_the_collections_runtime_requirements(built):
    work, env, tarball = built
    definition = work / "execution-environment.yml"
    definition.write_text(yaml.safe_dump({
        "version": 3,
        "images": {"base_image": {"name": "quay.io/ansible/awx-ee:latest"}},
        "dependencies": {"ansible_core": {"package_pip": "ansible-core"}, "ansible_runner": {"package_pip": "ansible-runner"},
                         "galaxy": {"collections": [{"name": str(tarball), "type": "file"}]}},
    }))
    context = work / "context"
    run([BUILDER, "create", "-f", definition, "--context", context, "--output-filename", "Containerfile"], work, env)
    assert (context / "Containerfile").exists()
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [Path(entry["name"]).name for entry in galaxy["collections"]] == [tarball.name]

    # What the builder stage runs in the image once the collection is installed: introspection of its metadata.
    written = work / "requirements-introspected.txt"
    done = run([sys.executable, context / "_build" / "scripts" / "introspect.py", "introspect", work / "collections", "--write-pip", written],
               work, env)
    assert "upgradegate.azure" in done.stdout
    wanted = requirement_lines((REPO / "requirements.txt").read_text())
    assert wanted == ["azure-identity>=1.15.0", "requests>=2.28.0"]
    assert requirement_lines(written.read_text()) == wanted


def test_the_collections_metadata_names_its_requirements_relative_to_the_collection_root(built):
    work = built[0]
    installed = work / "collections" / "ansible_collections" / "upgradegate" / "azure"
    metadata = yaml.safe_load((installed / "meta" / "execution-environment.yml").read_text())
    assert metadata["version"] == 3
    assert (installed / metadata["dependencies"]["python"]).read_text() == (REPO / "requirements.txt").read_text()
