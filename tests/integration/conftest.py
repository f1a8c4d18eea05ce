# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real ansible-playbook runs of the collection, with an explicit environment and captured results."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import suite_counts
from playbook_env import clean_environment

REPO = Path(__file__).resolve().parents[2]
SUPPORT = REPO / "tests" / "_support"
VENV_BIN = Path(sys.executable).parent

# Anything shaped like a JWT: every access token the emulator issues, and its federated tokens.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
SECRET_VARIABLES = ("AZURE_SECRET", "AZURE_CLIENT_SECRET", "IDENTITY_HEADER")
SECRET_FILES = ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_X509_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH")


def secrets_of(env, extra=()):
    """The secret strings a run must never show: secrets in its environment, token files, private keys."""
    found = [env[name] for name in SECRET_VARIABLES if env.get(name)] + [value for value in extra if value]
    for name in SECRET_FILES:
        path = env.get(name)
        if path and os.path.isfile(path):
            text = Path(path).read_text()
            if "PRIVATE KEY" in text:
                body = text.split("PRIVATE KEY-----", 1)[1].split("-----END", 1)[0]
                found += [line for line in body.split() if len(line) >= 16]
            else:
                found.append(text.strip())
    return [secret for secret in found if len(secret) >= 6]


def leaks(texts, secrets):
    """What kinds of secret the texts show (never the secrets themselves)."""
    shown = []
    for where, text in texts.items():
        if JWT.search(text):
            shown.append("a token in %s" % where)
        shown += ["secret #%d in %s" % (index, where) for index, secret in enumerate(secrets) if secret in text]
    return shown


class PlaybookRun:
    def __init__(self, rc, stdout, stderr, results):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.results = results

    def result(self, task):
        """The result of the (last) run of the task with this name."""
        found = [entry for entry in self.results if entry["task"] == task]
        if not found:
            raise AssertionError("task %r did not run; tasks that ran: %s\n%s" % (
                task, [entry["task"] for entry in self.results], self.stdout[-3000:]))
        return found[-1]["result"]

    def status(self, task):
        return [entry for entry in self.results if entry["task"] == task][-1]["status"]


def base_environment(tmp_path):
    """A clean environment: the repository's ansible.cfg and collection path, nothing from the developer's shell."""
    return clean_environment(tmp_path, SUPPORT / "callback_plugins", "capture_results")


@pytest.fixture
def run_playbook(tmp_path):
    """run_playbook(tasks or playbook name, env=..., extra_vars=..., check=False, verbosity=0, play_vars=...) -> PlaybookRun.

    ``tasks`` is a list of tasks for a one-play playbook, or a string: a playbook
    of the collection (``upgradegate.azure.gate``) or a path.
    """
    counter = [0]

    def run(tasks, env=None, extra_vars=None, check=False, verbosity=4, play_vars=None, timeout=900, secrets=()):
        counter[0] += 1
        if isinstance(tasks, str):
            playbook = tasks
        else:
            play = {"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
            if play_vars:
                play["vars"] = play_vars
            playbook = tmp_path / ("playbook-%d.yml" % counter[0])
            playbook.write_text(yaml.safe_dump([play], sort_keys=False))
        results_file = tmp_path / ("results-%d.json" % counter[0])
        log_file = tmp_path / ("ansible-%d.log" % counter[0])
        full_env = base_environment(tmp_path)
        full_env.update(env or {})
        full_env.update(UPGRADEGATE_RESULTS_FILE=str(results_file), ANSIBLE_LOG_PATH=str(log_file))
        command = [str(VENV_BIN / "ansible-playbook"), str(playbook)]
        if extra_vars:
            command += ["--extra-vars", json.dumps(extra_vars)]
        if check:
            command.append("--check")
        if verbosity:
            command.append("-" + "v" * verbosity)
        done = subprocess.run(command, env=full_env, cwd=str(tmp_path), capture_output=True, text=True, timeout=timeout, check=False)
        results_text = results_file.read_text() if results_file.exists() else "[]"
        shown = leaks({"stdout": done.stdout, "stderr": done.stderr, "results": results_text,
                       "log": log_file.read_text() if log_file.exists() else ""}, secrets_of(full_env, secrets))
        suite_counts.record("playbook runs audited for secrets at -vvvv", 1)
        suite_counts.record("secrets found", len(shown))
        assert not shown, "the run showed secrets: %s" % ", ".join(shown)
        return PlaybookRun(done.returncode, done.stdout, done.stderr, json.loads(results_text))

    return run
