# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""``upgradegate-azure approve``: approve a fleet gate from a pipeline, like the module upgradegate.azure.fleet_gate.

What the subcommand takes, what it says, and which exit code ends it; the
command line (``_cli``) parses, connects and prints. The work is
``_gate_approve.approve``, the same as the module's.
"""

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


__all__ = ["APPROVE_CODES", "APPROVE_HELP", "EXIT_NOT_APPROVABLE", "FLAG_ALIASES", "approve_spec", "run", "validate_approval"]


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
