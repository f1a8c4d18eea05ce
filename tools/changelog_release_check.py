# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""make changelog: the fragments follow antsibull-changelog's rules, and a release made from them is clean.

Rules checked on every fragment, whoever adds it:

- no fragment announces a new module or plugin: antsibull-changelog lists them by itself;
- roles and playbooks are announced the documented way, ``add object.role`` / ``add object.playbook``
  (every role under roles/ and every playbook under playbooks/ must be announced once, until released);
- no ``bugfixes`` while nothing has been released: a fix of unreleased code is not a change users see;
- exactly one ``release_summary``.

Then ``antsibull-changelog release`` runs on a copy of the repository (never on the checkout) placed at
``ansible_collections/upgradegate/azure``, and the changelog it writes must list every module, role and
playbook, and nothing may be reported on its stderr.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAGMENTS = os.path.join(ROOT, "changelogs", "fragments")
NEW_THING = re.compile(r"^\s*[\w.,\s-]*?\s-\s+new\s+(?:\w+\s+)?(module|plugin|role|playbook)s?\b", re.IGNORECASE)


def fragments():
    for name in sorted(os.listdir(FRAGMENTS)):
        if name.endswith((".yml", ".yaml")):
            with open(os.path.join(FRAGMENTS, name), encoding="utf-8") as handle:
                yield name, yaml.safe_load(handle) or {}


def released():
    with open(os.path.join(ROOT, "changelogs", "changelog.yaml"), encoding="utf-8") as handle:
        return bool((yaml.safe_load(handle) or {}).get("releases"))


def names(directory, files=False):
    path = os.path.join(ROOT, directory)
    if not os.path.isdir(path):
        return set()
    if files:
        return {os.path.splitext(entry)[0] for entry in os.listdir(path) if entry.endswith((".yml", ".yaml"))}
    return {entry for entry in os.listdir(path) if os.path.isdir(os.path.join(path, entry))}


def modules():
    return {os.path.splitext(entry)[0] for entry in os.listdir(os.path.join(ROOT, "plugins", "modules"))
            if entry.endswith(".py") and not entry.startswith("_")}


def check_fragments():
    problems = []
    summaries = []
    announced = {"role": [], "playbook": []}
    for name, body in fragments():
        for section, entries in body.items():
            if section == "release_summary":
                summaries.append(name)
                continue
            if section in ("add object.role", "add object.playbook"):
                announced[section.split(".")[1]] += [entry.get("name") for entry in entries or []]
                continue
            if section.startswith("add plugin.") and section not in ("add plugin.filter", "add plugin.test"):
                problems.append("%s: %s: only filter and test plugins need this section; modules and other plugins "
                                "are listed by antsibull-changelog itself" % (name, section))
                continue
            if section.startswith(("add plugin.", "add object.")):
                continue
            if section == "bugfixes" and not released():
                problems.append("%s: bugfixes: nothing has been released yet, so there is no released bug to fix; "
                                "describe the change under minor_changes, or under trivial if users cannot notice it" % name)
            for entry in entries if isinstance(entries, list) else []:
                match = NEW_THING.match(str(entry))
                if match and section != "trivial":
                    kind = match.group(1).lower()
                    how = ("antsibull-changelog lists new modules and plugins by itself: drop the entry"
                           if kind in ("module", "plugin") else "announce it with an 'add object.%s' section" % kind)
                    problems.append("%s: %s: %r announces a new %s; %s" % (name, section, str(entry)[:60], kind, how))
    if len(summaries) != 1:
        problems.append("exactly one fragment must have a release_summary; found %d (%s)" % (len(summaries), ", ".join(summaries) or "none"))
    if not released():
        for kind, directory, files in (("role", "roles", False), ("playbook", "playbooks", True)):
            for missing in sorted(names(directory, files) - set(announced[kind])):
                problems.append("the %s %s is not announced: add it to a fragment under 'add object.%s'" % (kind, missing, kind))
            for twice in sorted({item for item in announced[kind] if announced[kind].count(item) > 1}):
                problems.append("the %s %s is announced more than once" % (kind, twice))
    return problems


def release_on_a_copy(version):
    problems = []
    with tempfile.TemporaryDirectory(prefix="changelog-") as temp:
        copy = os.path.join(temp, "ansible_collections", "upgradegate", "azure")
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for relative in filter(None, listed.decode().split("\0")):
            source = os.path.join(ROOT, relative)
            if os.path.isfile(source):
                os.makedirs(os.path.dirname(os.path.join(copy, relative)), exist_ok=True)
                shutil.copy2(source, os.path.join(copy, relative))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=temp, HOME=os.path.join(temp, "home"),
                   PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))  # ansible-doc
        done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "antsibull-changelog"), "release", "--version", version],
                              cwd=copy, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return ["antsibull-changelog release failed (%s): %s%s" % (done.returncode, done.stdout, done.stderr)]
        if done.stderr.strip():
            problems.append("antsibull-changelog release reported: %s" % done.stderr.strip())
        with open(os.path.join(copy, "CHANGELOG.rst"), encoding="utf-8") as handle:
            text = handle.read()
        for title, wanted in (("New Modules", modules()), ("New Roles", names("roles")), ("New Playbooks", names("playbooks", True))):
            if wanted and title not in text:
                problems.append("CHANGELOG.rst has no %s section" % title)
            for name in sorted(wanted):
                if "upgradegate.azure.%s" % name not in text:
                    problems.append("CHANGELOG.rst does not list upgradegate.azure.%s" % name)
        if "Release Summary" not in text:
            problems.append("CHANGELOG.rst has no release summary")
        left = [name for name in os.listdir(os.path.join(copy, "changelogs", "fragments")) if name.endswith((".yml", ".yaml"))]
        if left:
            problems.append("fragments left after the release: %s" % ", ".join(left))
        print(text)
    return problems


def main():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        version = yaml.safe_load(handle)["version"]
    problems = check_fragments()
    if not problems:
        problems = release_on_a_copy(version)
    for problem in problems:
        sys.stderr.write("changelog: %s\n" % problem)
    if not problems:
        print("changelog: the fragments follow antsibull-changelog's rules; a release of %s on a copy gives the changelog above" % version)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
