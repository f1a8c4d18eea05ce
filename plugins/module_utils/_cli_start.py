# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line's ``start``: its flags, and the pure parts of starting an update run or a scale set's rolling upgrade.

``start --resource-group RG --fleet-name FLEET --update-run RUN`` does what
``fleet_update_run`` does with ``state: started`` and the run's names only:
it starts a run that has not started or has stopped, leaves a running run
alone (exit 0 either way), and refuses a finished one.
``start --resource-group RG --scale-set NAME [--type os|extension]`` does what
``vmss_rolling_upgrade`` does with ``state: started``: it starts a rolling
upgrade unless one is rolling forward or back, and prints ``requested_at``
for the gate's ``--started-after``. The branch is picked by the flags given.
"""

import argparse

from ansible_collections.upgradegate.azure.plugins.module_utils._cli_exit import EXIT_CODES
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_options import Once, add_connection_arguments, flag
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import VMSS_API_VERSION
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import DEFAULT_API_VERSION, DEFAULT_TIMEOUT, RUN_OPTIONS

UPDATE_RUN_KEYS = ("fleet_name", "update_run")
START_OPTIONS = dict(
    resource_group=dict(type="str", required=True),
    fleet_name=dict(type="str"),
    update_run=dict(type="str"),
    scale_set=dict(type="str"),
    type=dict(type="str", choices=["os", "extension"], default="os"),
    timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    fleet_api_version=dict(type="str", default=DEFAULT_API_VERSION),
    vmss_api_version=dict(type="str", default=VMSS_API_VERSION),
)
START_RULES = dict(required_together=[["fleet_name", "update_run"]], mutually_exclusive=[["scale_set", "fleet_name"], ["scale_set", "update_run"]])
START_HELP = (
    ("resource_group", "RG", "resource group of the fleet or scale set"),
    ("fleet_name", "NAME", "fleet of --update-run"),
    ("update_run", "NAME", "start this update run (created by Terraform, the portal or fleet_update_run)"),
    ("scale_set", "NAME", "start a rolling upgrade of this scale set instead"),
    ("type", "os|extension", "scale sets: roll out the latest platform OS image (os, default) or extension versions"),
    ("timeout", "SECONDS", "seconds for Azure to accept the start, its long-running operation included (default %d)" % DEFAULT_TIMEOUT),
    ("fleet_api_version", "VERSION", "Microsoft.ContainerService API version (default %s)" % DEFAULT_API_VERSION),
    ("vmss_api_version", "VERSION", "Microsoft.Compute API version (default %s)" % VMSS_API_VERSION),
)


def add_parser(commands):
    """The ``start`` subcommand: what to start, then the connection flags."""
    parser = commands.add_parser("start", help="start an update run or a scale set's rolling upgrade (idempotent)",
                                 description="Start an update run like upgradegate.azure.fleet_update_run with state=started, or a "
                                             "scale set's rolling upgrade like upgradegate.azure.vmss_rolling_upgrade, then return: "
                                             "gate on it with 'gate'. The outcome goes to stderr; --json prints the result on stdout.",
                                 epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 argument_default=argparse.SUPPRESS, allow_abbrev=False)
    what = parser.add_argument_group("what to start")
    for name, metavar, text in START_HELP:
        what.add_argument(flag(name), metavar=metavar, help=text, action=Once)
    add_connection_arguments(parser)
    parser.add_argument("--json", action="store_true", default=False, help="print the result (the module's return values) as JSON on stdout")
    return parser


def wants_update_run(given):
    """True when the options given name an update run (the scale-set branch takes the others)."""
    return any(given.get(key) for key in UPDATE_RUN_KEYS)


def check_start(params):
    """What the argument spec cannot say: something to start, and --type for scale sets only."""
    if not wants_update_run(params) and not params.get("scale_set"):
        raise ValidationError("arguments", "say what to start: --fleet-name and --update-run, or --scale-set")
    if wants_update_run(params) and params.get("type") != "os":
        raise ValidationError("type", "applies to --scale-set only; an update run's upgrade is set when it is created")


def update_run_params(options):
    """fleet_update_run's parameters for ``state: started`` on a run known by its names only."""
    params = {name: option.get("default") for name, option in RUN_OPTIONS.items()}
    params.update(resource_group=options["resource_group"], fleet_name=options["fleet_name"], name=options["update_run"],
                  state="started", timeout=options["timeout"], api_version=options["fleet_api_version"])
    return params


def scale_set_params(options):
    """vmss_rolling_upgrade's parameters for ``state: started``."""
    return dict(resource_group=options["resource_group"], scale_set=options["scale_set"], state="started", type=options["type"],
                timeout=options["timeout"], api_version=options["vmss_api_version"])


def outcome_line(result, params):
    """One line for the log: what was done, or why nothing needed doing."""
    facts = result.get("update_run") or {}
    label = "update run %s/%s/%s" % (params["resource_group"], params["fleet_name"], params["name"])
    if "start" in result["actions"]:
        return "started %s (state now %s); gate on it with 'upgradegate-azure gate'" % (label, facts.get("state"))
    return "%s has already started (state %s): nothing to do" % (label, facts.get("state"))


def scale_set_line(result, params):
    """One line for the log of a scale set's start, with the --started-after the gate needs."""
    label = "scale set %s/%s" % (params["resource_group"], params["scale_set"])
    if result["changed"]:
        return "started the %s rolling upgrade of %s at %s; gate on it with 'upgradegate-azure gate --resource-group %s --scale-set %s " \
               "--started-after %s'" % (params["type"], label, result["requested_at"], params["resource_group"], params["scale_set"],
                                        result["requested_at"])
    return "%s is already rolling (state %s): nothing to do" % (label, (result.get("rolling_upgrade") or {}).get("state"))
