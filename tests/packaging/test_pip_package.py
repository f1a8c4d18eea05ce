# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pip package as a user gets it: the wheel that `make pip-package` built and installed into a fresh virtualenv.

The commands run from that virtualenv: the emulator from the installed command with
a scenario shipped in the package, and the command line against it.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TENANT = "11111111-1111-4111-8111-111111111111"


@pytest.fixture(scope="module")
def venv():
    """The virtualenv of `make pip-package`; without it the tests skip, except under `make test`, where they fail."""
    path = os.environ.get("UPGRADEGATE_PIP_VENV") or str(REPO / ".tmp" / "pip-package" / "venv")
    if not (Path(path) / "bin" / "upgradegate-azure").exists():
        message = "the pip package is not installed in %s: run `make pip-package` (make test does)" % path
        if os.environ.get("UPGRADEGATE_FULL_SUITE"):
            pytest.fail(message)
        pytest.skip(message)
    return Path(path)


def clean_env(tmp_path, venv_path, **extra):
    """Only what a user's shell would have: the virtualenv's bin first on PATH, nothing of Azure or Ansible."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "ANSIBLE_", "REQUESTS_CA_BUNDLE", "ARM_"))}
    env.update(PATH=os.pathsep.join([str(venv_path / "bin"), "/usr/bin", "/bin"]), HOME=str(tmp_path / "home"),
               AZURE_CONFIG_DIR=str(tmp_path / "azure-config"))
    env.update(extra)
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


@pytest.fixture(scope="module")
def emulator(venv, tmp_path_factory):
    """The installed upgradegate-azure-emulator, started with the example scenario `demo` that the package ships."""
    state = tmp_path_factory.mktemp("pip-emulator")
    ready = state / "ready.json"
    process = subprocess.Popen([str(venv / "bin" / "upgradegate-azure-emulator"), "--scenario", "demo", "--state-dir", str(state),
                                "--ready-file", str(ready)], env=clean_env(state, venv), cwd=str(state), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        while not ready.exists():
            if process.poll() is not None:
                pytest.fail("the installed emulator exited with %s: %s" % (process.returncode, process.stderr.read()))
            time.sleep(0.1)
        yield json.loads(ready.read_text())
    finally:
        process.terminate()
        process.wait(timeout=60)


def azure_env(tmp_path, venv, info):
    return clean_env(tmp_path, venv, AZURE_TENANT_ID=info["tenant_id"], AZURE_CLIENT_ID=info["client_id"],
                     AZURE_CLIENT_SECRET="emulator-client-secret", AZURE_SUBSCRIPTION_ID=info["subscription_id"],
                     AZURE_AUTHORITY_HOST=info["authority_host"], AZURE_RESOURCE_MANAGER_URL=info["resource_manager_url"],
                     AZURE_DISABLE_INSTANCE_DISCOVERY="true", REQUESTS_CA_BUNDLE=info["ca_path"])


def run(venv, args, env, stdin=""):
    return subprocess.run([str(venv / "bin" / args[0])] + args[1:], input=stdin, env=env, capture_output=True, text=True,
                          timeout=300, check=False, cwd=env["HOME"])


def python_of(venv, code, tmp_path):
    """Run code with the virtualenv's Python from a directory outside the checkout (so the checkout is not on sys.path)."""
    return subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=str(tmp_path), capture_output=True, text=True, check=True)


def test_both_commands_are_on_the_virtualenvs_path_and_show_their_help(venv, tmp_path):
    cli = run(venv, ["upgradegate-azure", "--help"], clean_env(tmp_path, venv))
    assert cli.returncode == 0, cli.stderr
    assert "usage: upgradegate-azure" in cli.stdout and "status" in cli.stdout and "gate" in cli.stdout
    emulator = run(venv, ["upgradegate-azure-emulator", "--help"], clean_env(tmp_path, venv))
    assert emulator.returncode == 0, emulator.stderr
    assert "--scenario" in emulator.stdout


def test_the_example_scenarios_are_inside_the_package(venv, tmp_path):
    found = python_of(venv, "import upgradegate_emulator, os; print(os.path.dirname(upgradegate_emulator.__file__))", tmp_path)
    packaged = Path(found.stdout.strip()) / "scenarios"
    assert str(packaged).startswith(str(venv)), "the emulator was imported from %s, not from the package" % packaged
    shipped = sorted(path.name for path in (REPO / "upgradegate_emulator" / "scenarios").iterdir() if path.suffix in (".yaml", ".yml", ".json"))
    assert shipped and sorted(path.name for path in packaged.iterdir()) == shipped


def test_the_package_carries_the_collections_engine_and_nothing_where_ansible_looks_for_collections(venv, tmp_path):
    found = python_of(venv, "import upgradegate_azure, sysconfig; "
                      "print(upgradegate_azure.collection_root()); print(sysconfig.get_paths()['purelib'])", tmp_path)
    root, purelib = found.stdout.split()
    engine = sorted(path.name for path in (Path(root) / "plugins" / "module_utils").glob("*.py"))
    assert root.startswith(str(venv)), root
    assert engine == sorted(path.name for path in (REPO / "plugins" / "module_utils").glob("*.py"))
    assert not (Path(purelib) / "ansible_collections" / "upgradegate").exists()


def test_the_package_declares_the_collections_runtime_dependencies(venv, tmp_path):
    found = python_of(venv, "import importlib.metadata as m; print('\\n'.join(m.requires('upgradegate-azure')))", tmp_path)
    declared = {line.split(">")[0].split("=")[0].split("<")[0].strip().lower() for line in found.stdout.splitlines()}
    runtime = {line.split(">")[0].split("=")[0].strip().lower() for line in (REPO / "requirements.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert runtime <= declared
    assert {"ansible-core", "cryptography", "pyyaml"} <= declared


def test_the_package_version_is_the_collections(venv, tmp_path):
    found = python_of(venv, "import importlib.metadata as m; print(m.version('upgradegate-azure'))", tmp_path)
    assert found.stdout.strip() == yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]


def test_status_reads_the_installed_emulator_like_terraforms_external_data_source(venv, emulator, tmp_path):
    done = run(venv, ["upgradegate-azure", "status"], azure_env(tmp_path, venv, emulator),
               stdin=json.dumps({"resource_group": "rg-demo", "scale_set": "vmss-api"}))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert all(isinstance(value, str) for value in result.values())
    assert result["state"] == "completed" and result["succeeded"] == "true"


def test_gate_opens_on_a_completed_upgrade_and_exits_5_on_a_missing_scale_set(venv, emulator, tmp_path):
    env = azure_env(tmp_path, venv, emulator)
    opened = run(venv, ["upgradegate-azure", "gate", "--resource-group", "rg-demo", "--scale-set", "vmss-api", "--timeout", "120", "--sleep", "1"], env)
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert "completed" in opened.stdout + opened.stderr
    missing = run(venv, ["upgradegate-azure", "gate", "--resource-group", "rg-demo", "--scale-set", "vmss-nope", "--timeout", "120", "--sleep", "1"], env)
    assert missing.returncode == 5, missing.stdout + missing.stderr
    assert "Traceback" not in missing.stderr


def test_the_commands_import_nothing_from_the_checkout(venv, tmp_path):
    done = python_of(venv, "import upgradegate_azure, upgradegate_emulator, ansible; "
                     "print(upgradegate_azure.__file__); print(upgradegate_emulator.__file__); print(ansible.__file__)", tmp_path)
    assert all(path.startswith(str(venv)) for path in done.stdout.split()), done.stdout
