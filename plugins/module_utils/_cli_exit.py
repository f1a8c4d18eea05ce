# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the command line ends: its exit codes, and which outcome or error gives which (pure: no I/O).

Every subcommand ends here: ``exit_for_result`` for a gate's result,
``exit_for_error`` for an exception a run raised. A new outcome gets its code
here and a line in EXIT_CODES, which every subcommand's --help shows.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError, ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._run_plan import PlanError

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2
EXIT_FAILED = 3
EXIT_TIMEOUT = 4
EXIT_NOT_FOUND = 5
EXIT_API_ERROR = 6
EXIT_STALLED = 7
EXIT_GATE_PENDING = 8
EXIT_INTERRUPTED = 130
REASON_EXIT = {"failed_state": EXIT_FAILED, "max_failed": EXIT_FAILED, "timeout": EXIT_TIMEOUT, "not_found": EXIT_NOT_FOUND,
               "api_error": EXIT_API_ERROR, "stalled": EXIT_STALLED, "gate_pending": EXIT_GATE_PENDING}
EXIT_CODES = """exit codes:
  0  the gate opened (gate) / the status was printed (status) / started, or already running (start)
  1  unexpected error (a bug: please report it)
  2  bad input: arguments, query, or a missing Python library
  3  the upgrade failed: a terminal state not asked for (failed_state) or more failures than --max-failed;
     start: the run has finished (completed, failed, skipped) and cannot be started again
  4  timeout: the gate did not open within --timeout; start: Azure's operation did not end within --timeout
  5  not found: scale set, resource group, fleet, update run, stage or group
  6  Azure could not be read or written: authentication, permission (403), conflict (409), an operation that failed,
     or another API error
  7  stalled: no change in state or progress for --stall-timeout seconds
  8  gate_pending: an update run waited at the same approval gate for --gate-timeout seconds
"""


class NotFound(Exception):
    """The target of a status read is not there (exit code 5)."""


def exit_for_result(result):
    """The exit code of a gate's result: 0 when it opened, else the code of its ``reason``."""
    return REASON_EXIT[result["reason"]] if result.get("failed") else EXIT_OK


def exit_for_error(error):
    """``(exit code, message, extra keys of the --json failure document)`` for an exception a run raised."""
    if isinstance(error, PlanError):  # start: nothing can be done as asked (a finished or missing run)
        return EXIT_NOT_FOUND if error.missing else EXIT_FAILED, str(error), {"field": error.field}
    if isinstance(error, ValidationError):
        return EXIT_BAD_INPUT, str(error), {"field": error.field}
    if isinstance(error, NotFound):
        return EXIT_NOT_FOUND, str(error), {}
    if isinstance(error, ArmError):
        code = {"not_found": EXIT_NOT_FOUND, "timeout": EXIT_TIMEOUT}.get(error.kind, EXIT_API_ERROR)
        return code, str(error), {"error": error.to_dict()}
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted", {}
    return EXIT_UNEXPECTED, "unexpected error, please report it: %s: %s" % (type(error).__name__, error), {}
