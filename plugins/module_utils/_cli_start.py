# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line's ``start`` of an update run: its options, and what its outcome means for the caller.

``start --resource-group RG --fleet-name FLEET --update-run RUN`` does what
``fleet_update_run`` does with ``state: started`` and the run's names only:
it starts a run that has not started or has stopped, leaves a running run
alone (exit 0 either way), and refuses a finished one. The scale-set branch
of ``start`` lives next to this one (its own options and function); the
command line picks the branch by the options given (``UPDATE_RUN_KEYS``).
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._run_apply import ensure
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import DEFAULT_API_VERSION, DEFAULT_TIMEOUT, RUN_OPTIONS, validate

UPDATE_RUN_KEYS = ("fleet_name", "update_run")
UPDATE_RUN_START_OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str", required=True),
    update_run=dict(type="str", required=True),
    timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    fleet_api_version=dict(type="str", default=DEFAULT_API_VERSION),
)
UPDATE_RUN_START_HELP = (
    ("resource_group", "RG", "resource group of the fleet"),
    ("fleet_name", "NAME", "fleet of --update-run"),
    ("update_run", "NAME", "start this update run (created by Terraform, the portal or fleet_update_run)"),
    ("timeout", "SECONDS", "seconds for Azure to accept the start, its long-running operation included (default %d)" % DEFAULT_TIMEOUT),
    ("fleet_api_version", "VERSION", "Microsoft.ContainerService API version (default %s)" % DEFAULT_API_VERSION),
)


def wants_update_run(given):
    """True when the options given name an update run (the scale-set branch takes the others)."""
    return any(given.get(key) for key in UPDATE_RUN_KEYS)


def update_run_params(options):
    """fleet_update_run's parameters for ``state: started`` on a run known by its names only."""
    params = {name: option.get("default") for name, option in RUN_OPTIONS.items()}
    params.update(resource_group=options["resource_group"], fleet_name=options["fleet_name"], name=options["update_run"],
                  state="started", timeout=options["timeout"], api_version=options["fleet_api_version"])
    return params


def outcome_line(result, params):
    """One line for the log: what was done, or why nothing needed doing."""
    facts = result.get("update_run") or {}
    label = "update run %s/%s/%s" % (params["resource_group"], params["fleet_name"], params["name"])
    if "start" in result["actions"]:
        return "started %s (state now %s); gate on it with 'upgradegate-azure gate'" % (label, facts.get("state"))
    return "%s has already started (state %s): nothing to do" % (label, facts.get("state"))


def start_update_run(connection, options):
    """(result, line) after starting the run; raises ValidationError / PlanError / ArmError like the module."""
    params = update_run_params(options)
    validate(params)
    result = ensure(connection.client, connection.subscription_id, params)
    return result, outcome_line(result, params)
