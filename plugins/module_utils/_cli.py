# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line ``upgradegate-azure``: the thin I/O part (streams, connecting, exit codes).

``status`` answers Terraform's external data source, ``gate`` waits like
wait_for_upgrade, ``start`` starts an update run or a scale set's rolling upgrade,
``approve`` approves a fleet gate like fleet_gate. Everything that can be decided without a process lives
beside this file, one file per job (see docs/cli.md for the user's view):

- ``_cli_options``: the program name, connection flags, option checking;
- ``_cli_<subcommand>``: a subcommand's ``add_parser`` and its pure logic;
- ``_cli_exit``: the exit codes and what gives which.

A new subcommand NAME gets ``_cli_NAME.py`` (``add_parser`` and pure
functions), a ``run_NAME(args, streams, environ)`` here that reads, connects,
calls them and writes, and a row in SUBCOMMANDS.
"""

import argparse
import contextlib
import json
import os
import sys

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.upgradegate.azure.plugins.module_utils import _cli_approve, _cli_gate, _cli_start, _cli_status
from ansible_collections.upgradegate.azure.plugins.module_utils._arm import FAN_OUT
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_exit import EXIT_BAD_INPUT, EXIT_CODES, EXIT_OK, exit_for_error, exit_for_result
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_options import PROG, PUBLIC_CONNECTION_OPTIONS, validated
from ansible_collections.upgradegate.azure.plugins.module_utils._connection import connect, missing_library
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import EMPTY_RESULT, gate, pool_size
from ansible_collections.upgradegate.azure.plugins.module_utils._progress import reporter_for
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import latest_rolling_upgrade, update_run
from ansible_collections.upgradegate.azure.plugins.module_utils._run_apply import ensure
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import validate as validate_run
from ansible_collections.upgradegate.azure.plugins.module_utils._vmss_actions import change_rolling_upgrade


class Streams:
    """stdin, stdout, and stderr for messages (flushed at once: CI logs show progress as it happens)."""

    def __init__(self, stdin, stdout, stderr):
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr

    def say(self, line):
        self.stderr.write(line + "\n")
        self.stderr.flush()


@contextlib.contextmanager
def connected(params, environ, pool=FAN_OUT):
    connection = connect(params, environ, pool_size=pool)
    try:
        yield connection
    finally:
        connection.client.close()


def run_status(args, streams, environ):
    params = _cli_status.status_params(streams.stdin, environ)
    with connected(params, environ) as connection:
        client, subscription = connection.client, connection.subscription_id
        if params.get("scale_set"):
            facts, _retry_after = latest_rolling_upgrade(client, subscription, params["resource_group"], params["scale_set"])
            status = _cli_status.vmss_status(facts)
        else:
            facts, _retry_after = update_run(client, subscription, params["resource_group"], params["fleet_name"], params["update_run"])
            status = _cli_status.fleet_status(facts, params.get("stage"), params.get("group"))
        status = remove_values(status, set(connection.secrets))
    streams.stdout.write(json.dumps(_cli_status.flat(status), sort_keys=True) + "\n")
    return EXIT_OK


def run_gate(args, streams, environ):
    params = _cli_gate.gate_params(args, environ)
    with connected(params, environ, pool_size(params)) as connection:
        result = gate(connection, params, reporter=reporter_for(params, streams.say))
        result = remove_values(result, set(connection.secrets))
    streams.say(_cli_gate.summary_line(result))
    if args.json:
        streams.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return exit_for_result(result)


START_SPEC = dict(PUBLIC_CONNECTION_OPTIONS, **_cli_start.START_OPTIONS)


def run_start(args, streams, environ):
    given = {name: value for name, value in vars(args).items() if name not in ("command", "json")}
    options = validated(START_SPEC, _cli_start.START_RULES, given, environ, "arguments", check=_cli_start.check_start)
    with connected(options, environ) as connection:
        if _cli_start.wants_update_run(options):
            params = _cli_start.update_run_params(options)
            validate_run(params)
            result = ensure(connection.client, connection.subscription_id, params)
            line = _cli_start.outcome_line(result, params)
        else:
            params = _cli_start.scale_set_params(options)
            result = change_rolling_upgrade(connection, params)
            line = _cli_start.scale_set_line(result, params)
        result = remove_values(result, set(connection.secrets))
    streams.say("%s start: %s" % (PROG, line))
    if args.json:
        streams.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return EXIT_OK


def run_approve(args, streams, environ):
    given = {name: value for name, value in vars(args).items() if name not in ("command", "json", "check")}
    spec, rules = _cli_approve.approve_spec(PUBLIC_CONNECTION_OPTIONS)
    params = validated(spec, rules, given, environ, "arguments", check=_cli_approve.validate_approval)
    with connected(params, environ) as connection:
        code, result, line = _cli_approve.run(connection, params, args.check)
        result = remove_values(result, set(connection.secrets))
    streams.say(line)
    if args.json:
        streams.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return code


# name: (the module with its add_parser, the runner)
SUBCOMMANDS = {"status": (_cli_status, run_status), "gate": (_cli_gate, run_gate), "start": (_cli_start, run_start),
               "approve": (_cli_approve, run_approve)}


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description="Read and wait on Azure VM Scale Set rolling upgrades and AKS Fleet update runs.",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{%s}" % ",".join(SUBCOMMANDS))
    for logic, _runner in SUBCOMMANDS.values():
        logic.add_parser(commands)
    return parser


def _fail(args, streams, code, message, **document):
    streams.say("%s %s: %s" % (PROG, args.command, message))
    if getattr(args, "json", False):
        streams.stdout.write(json.dumps(dict(EMPTY_RESULT, changed=False, failed=True, msg=message, **document), sort_keys=True) + "\n")
    return code


def _parse(parser, argv, streams):
    """(args, None), or (None, exit code) after --help or a usage error (argparse prints to the given streams)."""
    try:
        with contextlib.redirect_stdout(streams.stdout), contextlib.redirect_stderr(streams.stderr):
            return parser.parse_args(argv), None
    except SystemExit as exc:
        return None, exc.code


def main(argv=None, stdin=None, stdout=None, stderr=None, environ=None):
    """Run ``upgradegate-azure`` and return its exit code (see EXIT_CODES)."""
    streams = Streams(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    environ = os.environ if environ is None else environ
    args, code = _parse(build_parser(), argv, streams)
    if args is None:
        return code
    missing = missing_library()
    if missing:
        return _fail(args, streams, EXIT_BAD_INPUT, "the Python library %s is missing: install it with '%s -m pip install %s'" % (
            missing, sys.executable, missing))
    try:
        return SUBCOMMANDS[args.command][1](args, streams, environ)
    except (Exception, KeyboardInterrupt) as exc:  # pylint: disable=broad-exception-caught
        code, message, document = exit_for_error(exc)
        return _fail(args, streams, code, message, **document)
