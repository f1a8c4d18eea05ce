# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line ``upgradegate-azure``: ``status`` for Terraform's external data source, ``gate`` for pipelines.

Both go through the modules' engine: Ansible's argument spec validator (defaults,
environment fallbacks, types), the gate's own checks, ``connect``, the readers
and the gate. Secrets come only from the environment (or a profile), never
from the command line or the query. See docs/cli.md for the user's view.
"""

import argparse
import contextlib
import json
import os
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.upgradegate.azure.plugins.module_utils._connection import CONNECTION_ARGSPEC, connect, missing_library
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import member_progress, members_of
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import (
    EMPTY_RESULT,
    GATE_OPTIONS,
    GATE_RULES,
    TARGET_KEYS,
    gate,
    label,
    pool_size,
    validate_gate,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import latest_rolling_upgrade, update_run
from ansible_collections.upgradegate.azure.plugins.module_utils._states import FLEET, is_success, is_terminal
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import TERMINAL, Rules, observe

PROG = "upgradegate-azure"

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2
EXIT_FAILED = 3
EXIT_TIMEOUT = 4
EXIT_NOT_FOUND = 5
EXIT_API_ERROR = 6
EXIT_STALLED = 7
EXIT_INTERRUPTED = 130
REASON_EXIT = {"failed_state": EXIT_FAILED, "max_failed": EXIT_FAILED, "timeout": EXIT_TIMEOUT, "not_found": EXIT_NOT_FOUND,
               "api_error": EXIT_API_ERROR, "stalled": EXIT_STALLED}
EXIT_CODES = """exit codes:
  0  the gate opened (gate) / the status was printed (status)
  1  unexpected error (a bug: please report it)
  2  bad input: arguments, query, or a missing Python library
  3  the upgrade failed: a terminal state not asked for (failed_state) or more failures than --max-failed
  4  timeout: the gate did not open within --timeout
  5  not found: scale set, resource group, fleet, update run, stage or group
  6  Azure could not be read: authentication, permission (403) or another API error
  7  stalled: no change in state or progress for --stall-timeout seconds
"""

# Connection options that can be given on the command line or in the query: every one but the secrets.
PUBLIC_CONNECTION_OPTIONS = {name: option for name, option in CONNECTION_ARGSPEC.items() if not option.get("no_log")}
SECRET_KEYS = tuple(sorted(set(CONNECTION_ARGSPEC) - set(PUBLIC_CONNECTION_OPTIONS))) + ("client_secret",)
STATUS_KEYS = TARGET_KEYS + tuple(PUBLIC_CONNECTION_OPTIONS)
# The status read takes one target: the gate's options and rules without ``targets`` (the wait options keep
# their defaults, so the gate's checks apply unchanged; the query cannot set them).
STATUS_SPEC = dict(PUBLIC_CONNECTION_OPTIONS, **{name: option for name, option in GATE_OPTIONS.items() if name != "targets"})
STATUS_RULES = dict(GATE_RULES,
                    mutually_exclusive=[pair for pair in GATE_RULES["mutually_exclusive"] if "targets" not in pair],
                    required_one_of=[[key for key in group if key != "targets"] for group in GATE_RULES["required_one_of"]])
GATE_SPEC = dict(PUBLIC_CONNECTION_OPTIONS, **GATE_OPTIONS)

CONNECTION_HELP = {
    "auth_source": "auto (default), env, credential_file, cli, msi or workload_identity [env ANSIBLE_AZURE_AUTH_SOURCE]",
    "subscription_id": "subscription to read [env AZURE_SUBSCRIPTION_ID, the profile, or the Azure CLI's default]",
    "tenant": "Entra tenant id or domain [env AZURE_TENANT, AZURE_TENANT_ID]",
    "client_id": "application (client) id, or a user-assigned managed identity [env AZURE_CLIENT_ID]",
    "x509_certificate_path": "PEM file with the certificate and its key [env AZURE_X509_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PATH]",
    "profile": "section of ~/.azure/credentials [env AZURE_PROFILE]",
    "cloud_environment": "AzureCloud (default), AzureUSGovernment or AzureChinaCloud [env AZURE_CLOUD_ENVIRONMENT]",
    "resource_manager_url": "Resource Manager endpoint, for Azure Stack Hub or private clouds [env AZURE_RESOURCE_MANAGER_URL]",
    "authority_host": "Entra ID authority [env AZURE_AUTHORITY_HOST]",
    "disable_instance_discovery": "true or false (default) [env AZURE_DISABLE_INSTANCE_DISCOVERY]",
    "validate_certs": "true (default) or false",
    "ca_path": "CA bundle for Resource Manager and token requests [env REQUESTS_CA_BUNDLE]",
    "request_timeout": "seconds per HTTP request (default 30)",
}
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
)


class NotFound(Exception):
    """The target of a status read is not there (exit code 5)."""


def flag(name):
    return "--" + name.replace("_", "-")


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


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description="Read and wait on Azure VM Scale Set rolling upgrades and AKS Fleet update runs.",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{status,gate}")
    commands.add_parser("status", help="print one target's status as Terraform's external data source expects",
                        description="Read ONE JSON object of strings on stdin (Terraform's external data source 'query'): resource_group, "
                                    "scale_set | fleet_name + update_run [+ stage, group], and the connection options %s. Print one flat "
                                    "JSON object of strings on stdout. Secrets come only from the environment (AZURE_CLIENT_SECRET, "
                                    "AZURE_SECRET)." % ", ".join(PUBLIC_CONNECTION_OPTIONS),
                        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    gate_parser = commands.add_parser("gate", help="wait until rolling upgrades or update runs reach a state (wait_for_upgrade)",
                                      description="Wait like the module upgradegate.azure.wait_for_upgrade. Progress and the summary "
                                                  "go to stderr; --json prints the result on stdout.",
                                      epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
                                      argument_default=argparse.SUPPRESS)
    _add_gate_arguments(gate_parser)
    return parser


def _add_gate_arguments(parser):
    what = parser.add_argument_group("what to wait for")
    for name, metavar, text in GATE_HELP:
        what.add_argument(flag(name), metavar=metavar, help=text, action="append" if name == "state" else "store")
    what.add_argument("--target", dest="targets", action="append", type=parse_target, metavar="TARGET",
                      help="RG/SCALE_SET or RG/FLEET/RUN[/STAGE[/GROUP]] (RG/FLEET/RUN//GROUP: a group in any stage); repeatable, "
                           "waits for every one; instead of the single-target flags")
    connection = parser.add_argument_group("connection (no secrets: set AZURE_CLIENT_SECRET or AZURE_SECRET in the environment)")
    for name, text in CONNECTION_HELP.items():
        connection.add_argument(flag(name), help=text)
    parser.add_argument("--json", action="store_true", default=False, help="print the result (the module's return values) as JSON on stdout")


def _spec_reading(environ, spec):
    """``spec`` with its environment fallbacks reading ``environ`` (Ansible's env_fallback reads os.environ)."""
    def lookup(*names):
        for name in names:
            if name in environ:
                return environ[name]
        raise AnsibleFallbackNotFound

    return {name: dict(option, fallback=(lookup,) + tuple(option["fallback"][1:])) if "fallback" in option else option
            for name, option in spec.items()}


def validated(spec, rules, given, environ, where):
    """The parameters as the module would see them, after the gate's own checks; raises ValidationError."""
    result = ArgumentSpecValidator(_spec_reading(environ, spec), **rules).validate(given)
    if result.error_messages:
        raise ValidationError(where, "; ".join(result.error_messages))
    params = result.validated_parameters
    validate_gate(params)
    return params


def read_query(stdin):
    """Terraform's query: one JSON object whose values are strings; empty strings count as not given."""
    try:
        query = json.loads(stdin.read())
    except ValueError as exc:
        raise ValidationError("query", "stdin is not JSON (%s); send one JSON object of strings, as Terraform's external data source does" % exc)
    if not isinstance(query, dict):
        raise ValidationError("query", "expected one JSON object of strings, got %s" % type(query).__name__)
    for key, value in sorted(query.items()):
        if key in SECRET_KEYS:
            raise ValidationError(key, "secrets are never read from the query (Terraform keeps the query in its plan and state); "
                                       "set AZURE_CLIENT_SECRET or AZURE_SECRET in the environment of terraform instead")
        if key not in STATUS_KEYS:
            raise ValidationError(key, "unknown key; the query takes %s" % ", ".join(STATUS_KEYS))
        if not isinstance(value, str):
            raise ValidationError(key, "must be a string, as Terraform sends them, got %s" % json.dumps(value))
    return {key: value for key, value in query.items() if value != ""}


def as_text(value):
    """A value of the flat status: null -> "", booleans -> "true"/"false", numbers -> decimal text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def vmss_status(facts):
    error = facts["error"] or {}
    status = dict(kind="vmss", id=facts["id"], scale_set_id=facts["scale_set_id"], resource_group=facts["resource_group"],
                  scale_set=facts["scale_set_name"], exists=facts["exists"], state=facts["state"], status_code=facts["status_code"],
                  is_terminal=facts["is_terminal"], succeeded=facts["succeeded"], last_action=facts["last_action"],
                  started_at=facts["started_at"], last_action_at=facts["last_action_at"],
                  error_code=error.get("code"), error_message=error.get("message"))
    status.update(facts["progress"])
    return status


def first_error(facts, stage=None, group=None):
    """The first error of the run within the scope (the run's own error comes first, then stages, groups, members)."""
    for entry in facts["errors"]:
        segments = entry["path"].split("/")
        if (not stage or segments[0] == stage) and (not group or segments[1:2] == [group]):
            return entry
    return {}


def fleet_status(facts, stage=None, group=None):
    """The run, or the stage or group of it, flattened; raises NotFound when the run has no such stage or group."""
    observation = observe({"kind": FLEET, "stage": stage, "group": group}, facts, Rules([TERMINAL]))
    if observation.missing:
        raise NotFound("update run %s/%s/%s: %s" % (facts["resource_group"], facts["fleet_name"], facts["name"], observation.missing))
    node = facts if not (stage or group) else observation.scoped or {}
    state = node.get("state")
    error = first_error(facts, stage, group)
    status = dict(kind="fleet", id=facts["id"], resource_group=facts["resource_group"], fleet_name=facts["fleet_name"],
                  update_run=facts["name"], stage=stage, group=group, scope="group" if group else "stage" if stage else "run",
                  provisioning_state=facts["provisioning_state"], run_state=facts["state"], current_stage=facts["current_stage"],
                  state=state, is_terminal=is_terminal(FLEET, state), succeeded=is_success(FLEET, state),
                  started_at=node.get("started_at"), completed_at=node.get("completed_at"),
                  error_code=error.get("code"), error_message=error.get("message"))
    status.update(member_progress(members_of(node)))
    return status


def read_status(connection, params):
    client, subscription = connection.client, connection.subscription_id
    if params.get("scale_set"):
        facts, _retry_after = latest_rolling_upgrade(client, subscription, params["resource_group"], params["scale_set"])
        return vmss_status(facts)
    facts, _retry_after = update_run(client, subscription, params["resource_group"], params["fleet_name"], params["update_run"])
    return fleet_status(facts, params.get("stage"), params.get("group"))


@contextlib.contextmanager
def connected(params, environ, pool=8):
    connection = connect(params, environ, pool_size=pool)
    try:
        yield connection
    finally:
        connection.client.close()


def run_status(streams, environ):
    params = validated(STATUS_SPEC, STATUS_RULES, read_query(streams.stdin), environ, "query")
    with connected(params, environ) as connection:
        status = remove_values(read_status(connection, params), set(connection.secrets))
    streams.stdout.write(json.dumps({key: as_text(value) for key, value in status.items()}, sort_keys=True) + "\n")
    return EXIT_OK


def progress_line(change):
    state = change["state"] or "not started"
    percent = "no progress yet" if change["percent_complete"] is None else "%s %%" % change["percent_complete"]
    return "%s %s: %s, %s" % (change["at"], change["target"], state, percent)


def summary_line(result):
    done = "after %d polls in %s s" % (result["polls"], result["elapsed"])
    if result.get("failed"):
        return "gate failed (%s) %s: %s" % (result["reason"], done, result["msg"])
    return "gate open %s: %s" % (done, "; ".join("%s reached %s" % (label(target), target["state"]) for target in result["targets"]))


def run_gate(args, streams, environ):
    given = {name: value for name, value in vars(args).items() if name not in ("command", "json")}
    params = validated(GATE_SPEC, GATE_RULES, given, environ, "arguments")
    with connected(params, environ, pool_size(params)) as connection:
        result = gate(connection, params, on_change=lambda change: streams.say(progress_line(change)))
        result = remove_values(result, set(connection.secrets))
    streams.say(summary_line(result))
    if args.json:
        streams.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return REASON_EXIT[result["reason"]] if result.get("failed") else EXIT_OK


class Streams:
    """stdin, stdout, and stderr for messages (flushed at once: CI logs show progress as it happens)."""

    def __init__(self, stdin, stdout, stderr):
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr

    def say(self, line):
        self.stderr.write(line + "\n")
        self.stderr.flush()


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
        return run_status(streams, environ) if args.command == "status" else run_gate(args, streams, environ)
    except ValidationError as exc:
        return _fail(args, streams, EXIT_BAD_INPUT, str(exc), field=exc.field)
    except NotFound as exc:
        return _fail(args, streams, EXIT_NOT_FOUND, str(exc))
    except ArmError as exc:
        return _fail(args, streams, EXIT_NOT_FOUND if exc.kind == "not_found" else EXIT_API_ERROR, str(exc), error=exc.to_dict())
    except KeyboardInterrupt:
        return _fail(args, streams, EXIT_INTERRUPTED, "interrupted")
    except Exception as exc:  # pylint: disable=broad-exception-caught
        return _fail(args, streams, EXIT_UNEXPECTED, "unexpected error, please report it: %s: %s" % (type(exc).__name__, exc))
