# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fragment rules of make changelog (tools/changelog_release_check.py), on small made-up repositories."""

import pytest
import yaml

import changelog_release_check as check

SUMMARY = {"release_summary": "First release."}
OBJECTS = {"add object.role": [{"name": "gate_role", "description": "A role."}],
           "add object.playbook": [{"name": "gate", "description": "A playbook."}]}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "changelogs" / "fragments").mkdir(parents=True)
    (tmp_path / "changelogs" / "changelog.yaml").write_text("ancestor: null\nreleases: {}\n")
    (tmp_path / "plugins" / "modules").mkdir(parents=True)
    (tmp_path / "plugins" / "modules" / "thing_info.py").write_text("")
    (tmp_path / "roles" / "gate_role").mkdir(parents=True)
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "gate.yml").write_text("---\n")
    monkeypatch.setattr(check, "ROOT", str(tmp_path))
    monkeypatch.setattr(check, "FRAGMENTS", str(tmp_path / "changelogs" / "fragments"))

    def write(**fragments):
        for name, body in fragments.items():
            (tmp_path / "changelogs" / "fragments" / (name + ".yml")).write_text(yaml.safe_dump(body))
    return write


def test_fragments_that_follow_the_rules_pass(repo):
    repo(summary=SUMMARY, objects=OBJECTS, change={"minor_changes": ["thing_info - reads the thing's tags too."]})
    assert check.check_fragments() == []


@pytest.mark.parametrize("fragment, words", [
    ({"minor_changes": ["thing_info - new module that reads things."]}, "antsibull-changelog lists new modules and plugins by itself"),
    ({"major_changes": ["lookup_thing - new lookup plugin."]}, "announces a new plugin"),
    ({"minor_changes": ["other_role - new role that gates."]}, "announce it with an 'add object.role' section"),
    ({"bugfixes": ["thing_info - no longer fails."]}, "nothing has been released yet"),
    ({"add plugin.module": [{"name": "thing_info", "description": "x"}]}, "only filter and test plugins need this section"),
    ({"release_summary": "A second summary."}, "exactly one fragment must have a release_summary; found 2"),
])
def test_a_fragment_that_breaks_a_rule_is_named_with_the_rule(repo, fragment, words):
    repo(summary=SUMMARY, objects=OBJECTS, bad=fragment)
    problems = check.check_fragments()
    assert problems and all(problem.startswith("bad.yml") or "release_summary" in problem for problem in problems), problems
    assert any(words in problem for problem in problems), problems


def test_every_role_and_playbook_must_be_announced_once(repo):
    repo(summary=SUMMARY, objects={"add object.playbook": [{"name": "gate", "description": "x"}, {"name": "gate", "description": "x"}]})
    problems = check.check_fragments()
    assert "the role gate_role is not announced: add it to a fragment under 'add object.role'" in problems
    assert "the playbook gate is announced more than once" in problems


def test_bugfixes_are_fine_once_something_was_released(repo, tmp_path):
    (tmp_path / "changelogs" / "changelog.yaml").write_text("ancestor: null\nreleases:\n  0.1.0: {}\n")
    repo(summary=SUMMARY, fix={"bugfixes": ["thing_info - no longer fails."]})
    assert check.check_fragments() == []
