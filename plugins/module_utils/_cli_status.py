# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``status`` subcommand's parser and pure logic: Terraform's query in, one flat object of strings out.

``read_query`` checks the query, ``vmss_status`` / ``fleet_status`` flatten
the facts, ``as_text`` turns every value into the string Terraform expects.
The I/O (reading stdin, connecting, writing stdout) is ``_cli.run_status``.
"""

import argparse
import json

from ansible_collections.upgradegate.azure.plugins.module_utils._cli_exit import EXIT_CODES, NotFound
from ansible_collections.upgradegate.azure.plugins.module_utils._cli_options import PUBLIC_CONNECTION_OPTIONS, SECRET_KEYS, validated
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import locate, member_progress, members_of
from ansible_collections.upgradegate.azure.plugins.module_utils._gate import SINGLE_TARGET_OPTIONS, SINGLE_TARGET_RULES, TARGET_KEYS
from ansible_collections.upgradegate.azure.plugins.module_utils._states import FLEET, is_success, is_terminal
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import gates_in_scope

STATUS_KEYS = TARGET_KEYS + tuple(PUBLIC_CONNECTION_OPTIONS)
# The status read takes one target: the gate's single-target options (the wait options keep their
# defaults, so the gate's checks apply unchanged; the query cannot set them).
STATUS_SPEC = dict(PUBLIC_CONNECTION_OPTIONS, **SINGLE_TARGET_OPTIONS)
STATUS_RULES = SINGLE_TARGET_RULES


def add_parser(commands):
    """The ``status`` subcommand: it takes no flags, only the query on stdin."""
    return commands.add_parser(
        "status", help="print one target's status as Terraform's external data source expects",
        description="Read ONE JSON object of strings on stdin (Terraform's external data source 'query'): resource_group, "
                    "scale_set | fleet_name + update_run [+ stage, group], and the connection options %s. Print one flat "
                    "JSON object of strings on stdout. Secrets come only from the environment (AZURE_CLIENT_SECRET, "
                    "AZURE_SECRET)." % ", ".join(PUBLIC_CONNECTION_OPTIONS),
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)


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


def status_params(stdin, environ):
    """The module's parameters from the query on ``stdin``."""
    return validated(STATUS_SPEC, STATUS_RULES, read_query(stdin), environ, "query")


def as_text(value):
    """A value of the flat status: null -> "", booleans -> "true"/"false", numbers -> decimal text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flat(status):
    """The status as Terraform reads it: every value a string."""
    return {key: as_text(value) for key, value in status.items()}


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
    node, _stage, _group, missing = locate(facts, stage, group)
    if missing:
        raise NotFound("update run %s/%s/%s: %s" % (facts["resource_group"], facts["fleet_name"], facts["name"], missing))
    node = node or {}
    state = node.get("state")
    error = first_error(facts, stage, group)
    status = dict(kind="fleet", id=facts["id"], resource_group=facts["resource_group"], fleet_name=facts["fleet_name"],
                  update_run=facts["name"], stage=stage, group=group, scope="group" if group else "stage" if stage else "run",
                  provisioning_state=facts["provisioning_state"], run_state=facts["state"], current_stage=facts["current_stage"],
                  state=state, is_terminal=is_terminal(FLEET, state), succeeded=is_success(FLEET, state),
                  started_at=node.get("started_at"), completed_at=node.get("completed_at"),
                  error_code=error.get("code"), error_message=error.get("message"))
    gates = gates_in_scope(facts.get("pending_gates"), stage, group)
    status.update(pending_gate=gates[0].get("name") if gates else None,
                  pending_gate_display_name=gates[0].get("display_name") if gates else None)
    status.update(member_progress(members_of(node)))
    return status
