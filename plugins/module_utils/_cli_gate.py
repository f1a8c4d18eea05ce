# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``gate`` subcommand's parser and pure logic: flags in, the module's parameters out; progress and summary lines.

The wait itself is the module's (``_gate.gate``); the I/O (connecting,
printing as changes come) is ``_cli.run_gate``.
"""

import argparse

from ansible_collections.upgradegate.azure.plugins.module_utils._cli_exit import EXIT_CODES
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_options import PUBLIC_CONNECTION_OPTIONS, Once, add_connection_arguments, flag, validated
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import GATE_OPTIONS, GATE_RULES
from ansible_collections.upgradegate.azure.plugins.module_utils._progress import plural

GATE_SPEC = dict(PUBLIC_CONNECTION_OPTIONS, **GATE_OPTIONS)
GATE_HELP = (
    ("resource_group", "RG", "resource group of the target"),
    ("scale_set", "NAME", "wait on this scale set's latest rolling upgrade"),
    ("fleet_name", "NAME", "fleet of --update-run"),
    ("update_run", "NAME", "wait on this update run of --fleet-name"),
    ("stage", "NAME", "fleet only: wait on this stage of the run"),
    ("group", "NAME", "fleet only: wait on this group (within --stage if given)"),
    ("state", "STATE", "a state to wait for; repeatable (default completed); 'terminal' = any terminal state"),
    ("timeout", "SECONDS", "seconds in all (default 3600)"),
    ("sleep", "SECONDS", "seconds between polls (default 30, or --timeout when shorter; a longer Retry-After from Azure wins)"),
    ("delay", "SECONDS", "seconds before the first poll (default 0)"),
    ("started_after", "TIME", "scale sets only: ISO 8601 time; an upgrade that started before it counts as not started yet"),
    ("min_percent_complete", "PERCENT", "open as soon as the progress reaches this percentage"),
    ("max_failed", "COUNT", "fail as soon as more instances or members than this have failed"),
    ("stall_timeout", "SECONDS", "fail when neither state nor progress changed for this many seconds"),
    ("msg", "TEXT", "replaces the failure message"),
    ("vmss_api_version", "VERSION", "Compute API version for scale set targets (default 2024-07-01)"),
    ("progress", "BOOL", "print a line on stderr for every change while waiting: true (default) or false"),
    ("heartbeat", "SECONDS", "seconds without any change after which a line says what is still awaited (default 300; 0: never)"),
    ("gate_timeout", "SECONDS", "fleet only: fail (exit 8) when a run waited this long at the same approval gate"),
    ("fleet_api_version", "VERSION", "Fleet API version of the update run reads (default 2026-06-01)"),
)


def parse_target(text):
    """``RG/SCALE_SET`` or ``RG/FLEET/RUN[/STAGE[/GROUP]]`` (an empty STAGE: ``RG/FLEET/RUN//GROUP``) -> a target dict."""
    parts = text.split("/")
    if len(parts) == 2:
        keys = ("resource_group", "scale_set")
    elif 3 <= len(parts) <= 5:
        keys = ("resource_group", "fleet_name", "update_run", "stage", "group")
    else:
        raise argparse.ArgumentTypeError("%r is not RESOURCE_GROUP/SCALE_SET or RESOURCE_GROUP/FLEET/RUN[/STAGE[/GROUP]]" % text)
    return {key: part for key, part in zip(keys, parts) if part}


def add_parser(commands):
    """The ``gate`` subcommand: the wait_for_upgrade options as flags, then the connection flags."""
    parser = commands.add_parser("gate", help="wait until rolling upgrades or update runs reach a state (wait_for_upgrade)",
                                 description="Wait like the module upgradegate.azure.wait_for_upgrade. Progress and the summary "
                                             "go to stderr; --json prints the result on stdout.",
                                 epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 argument_default=argparse.SUPPRESS, allow_abbrev=False)
    what = parser.add_argument_group("what to wait for")
    for name, metavar, text in GATE_HELP:
        what.add_argument(flag(name), metavar=metavar, help=text, action="append" if name == "state" else Once)
    what.add_argument("--target", dest="targets", action="append", type=parse_target, metavar="TARGET",
                      help="RG/SCALE_SET or RG/FLEET/RUN[/STAGE[/GROUP]] (RG/FLEET/RUN//GROUP: a group in any stage); repeatable, "
                           "waits for every one; instead of the single-target flags")
    add_connection_arguments(parser)
    parser.add_argument("--json", action="store_true", default=False, help="print the result (the module's return values) as JSON on stdout")
    return parser


def gate_params(args, environ):
    """The module's parameters from the flags (flags not given are absent, so defaults and environment fallbacks apply)."""
    given = {name: value for name, value in vars(args).items() if name not in ("command", "json")}
    return validated(GATE_SPEC, GATE_RULES, given, environ, "arguments")


def summary_line(result):
    done = "after %s in %s s" % (plural(result["polls"], "poll"), result["elapsed"])
    if result.get("failed"):
        return "gate failed (%s) %s: %s" % (result["reason"], done, result["msg"])
    return "gate open %s: %s" % (done, "; ".join("%s reached %s" % (target["label"], target["state"]) for target in result["targets"]))
