# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of the command line's ``start`` of an update run or a scale set."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._cli import build_parser
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_start import (
    check_start,
    outcome_line,
    scale_set_line,
    scale_set_params,
    update_run_params,
    wants_update_run,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import validate

OPTIONS = {"resource_group": "rg", "fleet_name": "fleet-1", "update_run": "run-1", "timeout": 60, "fleet_api_version": "2026-06-01"}


def test_the_update_run_branch_is_taken_when_a_fleet_or_run_is_named():
    assert wants_update_run({"update_run": "run-1"}) and wants_update_run({"fleet_name": "fleet-1"})
    assert not wants_update_run({"resource_group": "rg", "scale_set": "vmss-web"})


def test_start_is_the_module_with_state_started_and_the_names_only():
    params = update_run_params(OPTIONS)
    validate(params)
    assert (params["state"], params["name"], params["timeout"], params["api_version"]) == ("started", "run-1", 60, "2026-06-01")
    assert all(params[key] is None for key in ("update_strategy_id", "strategy", "upgrade_type", "kubernetes_version", "skip"))


def test_the_line_says_whether_the_run_was_started_or_already_was():
    params = update_run_params(OPTIONS)
    started = outcome_line({"actions": ["start"], "update_run": {"state": "running"}}, params)
    assert started.startswith("started update run rg/fleet-1/run-1 (state now running)")
    assert outcome_line({"actions": [], "update_run": {"state": "stopping"}}, params) == \
        "update run rg/fleet-1/run-1 has already started (state stopping): nothing to do"


def test_the_start_command_parses_its_flags():
    args = build_parser().parse_args(["start", "--resource-group", "rg", "--fleet-name", "f", "--update-run", "r", "--timeout", "5"])
    assert (args.command, args.resource_group, args.fleet_name, args.update_run, args.timeout) == ("start", "rg", "f", "r", "5")


def test_a_scale_set_start_is_the_module_with_state_started():
    params = scale_set_params({"resource_group": "rg", "scale_set": "web", "type": "extension", "timeout": 60, "vmss_api_version": "2025-04-01"})
    assert params == {"resource_group": "rg", "scale_set": "web", "state": "started", "type": "extension", "timeout": 60,
                      "api_version": "2025-04-01"}


def test_the_scale_set_line_gives_the_gate_its_started_after():
    params = {"resource_group": "rg", "scale_set": "web", "type": "os"}
    started = scale_set_line({"changed": True, "requested_at": "2026-12-02T01:00:00.000000Z"}, params)
    assert "--started-after 2026-12-02T01:00:00.000000Z" in started and started.startswith("started the os rolling upgrade of scale set rg/web")
    assert scale_set_line({"changed": False, "rolling_upgrade": {"state": "rolling_back"}}, params) == \
        "scale set rg/web is already rolling (state rolling_back): nothing to do"


def test_type_is_refused_for_an_update_run():
    with pytest.raises(ValidationError) as caught:
        check_start({"update_run": "r", "type": "extension"})
    assert caught.value.field == "type"
