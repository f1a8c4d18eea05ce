# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""``upgradegate-azure approve``: approve a fleet gate from a pipeline, like the module upgradegate.azure.fleet_gate.

What the subcommand takes, what it says, and which exit code ends it; the
command line (``_cli``) parses, connects and prints. The work is
``_gate_approve.approve``, the same as the module's.
"""

import argparse

from ansible_collections.upgradegate.azure.plugins.module_utils._cli_options import Once, add_connection_arguments, flag
from ansible_collections.upgradegate.azure.plugins.module_utils._gate_approve import APPROVE_OPTIONS, APPROVE_RULES, approve, validate_approval
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_gate import describe

# Exit codes of approve (the shared ones: 0 done, 1 unexpected, 2 bad input, 5 not found, 6 Azure error).
EXIT_NOT_APPROVABLE = 3
APPROVE_HELP = (
    ("resource_group", "RG", "resource group of the fleet"),
    ("fleet_name", "NAME", "the fleet"),
    ("name", "GUID", "the gate, by its name (a GUID); instead of --update-run, --stage, --group, --timing"),
    ("update_run", "NAME", "the update run whose gate to approve, with --stage and --timing"),
    ("stage", "NAME", "the stage of the gate (without --group: the gate of the stage itself)"),
    ("group", "NAME", "the group of the gate, within --stage"),
    ("timing", "WHEN", "before or after the stage or group"),
    ("timeout", "SECONDS", "seconds for everything, Azure's long-running operation included (default 600)"),
    ("api_version", "VERSION", "Fleet API version, one with gates (default 2026-06-01)"),
)
# --name on the command line reads as the gate's name; --gate says it better and is accepted too.
FLAG_ALIASES = {"name": ("--gate",)}
APPROVE_CODES = """exit codes of approve:
  0  the gate was approved, or was already (--check: it would be, or was already)
  2  bad input
  3  the gate cannot be approved: it was skipped
  5  no such gate: the fleet, the run or the gate does not exist, none or several match (the message lists the run's gates)
  6  Azure could not be read or written: authentication, permission (403 names Microsoft.ContainerService/fleets/gates/write), ETag
"""


__all__ = ["APPROVE_CODES", "APPROVE_HELP", "EXIT_NOT_APPROVABLE", "FLAG_ALIASES", "add_parser", "approve_spec", "run", "validate_approval"]


def add_parser(commands):
    """The ``approve`` subcommand: which gate, then the connection flags."""
    parser = commands.add_parser("approve", help="approve an approval gate of a fleet update run (fleet_gate)",
                                 description="Approve a gate like the module upgradegate.azure.fleet_gate: by --gate NAME, or by "
                                             "--update-run, --stage, --timing and optional --group. The outcome goes to stderr; "
                                             "--json prints the result on stdout.",
                                 epilog=APPROVE_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 argument_default=argparse.SUPPRESS, allow_abbrev=False)
    which = parser.add_argument_group("which gate")
    for name, metavar, text in APPROVE_HELP:
        which.add_argument(flag(name), *FLAG_ALIASES.get(name, ()), dest=name, metavar=metavar, help=text, action=Once)
    parser.add_argument("--check", action="store_true", default=False, help="read and say what would be done; never write")
    add_connection_arguments(parser)
    parser.add_argument("--json", action="store_true", default=False, help="print the result (the module's return values) as JSON on stdout")
    return parser


def approve_spec(connection_options):
    return dict(connection_options, **APPROVE_OPTIONS), APPROVE_RULES


def run(connection, params, check_mode):
    """(exit code, result, one line for stderr)."""
    result = approve(connection, params, check_mode=check_mode, diff=True)
    if result.get("failed"):
        code = EXIT_NOT_APPROVABLE if result.get("reason") == "not_approvable" else 5
        return code, result, "approve failed: %s" % result["msg"]
    gate = result["gate"]
    if not result["changed"]:
        words = "already approved"
    elif check_mode:
        words = "would approve (check mode, nothing written)"
    else:
        words = "approved"
    return 0, result, "%s: gate %s" % (words, describe(gate))
