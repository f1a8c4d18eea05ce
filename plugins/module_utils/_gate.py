# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The work of wait_for_upgrade: check the options, build the targets, wait, and shape the result."""

from ansible_collections.upgradegate.azure.plugins.module_utils import _readers
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError
from ansible_collections.upgradegate.azure.plugins.module_utils._gate_lookup import GateLookup
from ansible_collections.upgradegate.azure.plugins.module_utils._gates import has_gates
from ansible_collections.upgradegate.azure.plugins.module_utils._ids import (
    check_api_version,
    check_fleet_name,
    check_fleet_style_name,
    check_resource_group,
    check_scale_set_name,
    check_update_run_name,
)
from ansible_collections.upgradegate.azure.plugins.module_utils._progress import failed_members, name_members, plural, target_name
from ansible_collections.upgradegate.azure.plugins.module_utils._states import ALL_STATES, FLEET, TERMINAL, VMSS, is_failing, is_terminal, states
from ansible_collections.upgradegate.azure.plugins.module_utils._timeutil import instant
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import DONE, FAILED, MAX_CONCURRENCY, Rules, Waiter

TARGET_KEYS = ("resource_group", "scale_set", "fleet_name", "update_run", "stage", "group")
_TARGET_OPTIONS = {key: dict(type="str") for key in TARGET_KEYS}
_TARGET_RULES = dict(
    mutually_exclusive=[["scale_set", "fleet_name"], ["scale_set", "update_run"], ["scale_set", "stage"], ["scale_set", "group"]],
    required_together=[["fleet_name", "update_run"]],
    required_one_of=[["scale_set", "fleet_name"]],
)
# How to wait: the same for one target and for several.
_WAIT_OPTIONS = dict(
    state=dict(type="list", elements="str", default=["completed"], choices=list(ALL_STATES) + [TERMINAL]),
    timeout=dict(type="float", default=3600.0),
    sleep=dict(type="float"),
    delay=dict(type="float", default=0.0),
    started_after=dict(type="str"),
    min_percent_complete=dict(type="float"),
    max_failed=dict(type="int"),
    stall_timeout=dict(type="float"),
    msg=dict(type="str"),
    vmss_api_version=dict(type="str", default=_readers.VMSS_API_VERSION),
    progress=dict(type="bool", default=True),
    heartbeat=dict(type="float", default=300.0),
    gate_timeout=dict(type="float"),
    fleet_api_version=dict(type="str", default=_readers.FLEET_API_VERSION),
)
_REQUIRED_BY = {"scale_set": ["resource_group"], "fleet_name": ["resource_group"], "stage": ["update_run"], "group": ["update_run"]}
# One target given by the single-target options, without ``targets`` (the command line's status read).
SINGLE_TARGET_OPTIONS = dict(_TARGET_OPTIONS, **_WAIT_OPTIONS)
SINGLE_TARGET_RULES = dict(_TARGET_RULES, required_by=_REQUIRED_BY)
# wait_for_upgrade: one target, or a list of them under ``targets``.
GATE_OPTIONS = dict(
    _TARGET_OPTIONS,
    targets=dict(type="list", elements="dict", options=dict(_TARGET_OPTIONS, resource_group=dict(type="str", required=True)), **_TARGET_RULES),
    **_WAIT_OPTIONS
)
GATE_RULES = dict(
    mutually_exclusive=[["targets", key] for key in TARGET_KEYS] + _TARGET_RULES["mutually_exclusive"],
    required_together=_TARGET_RULES["required_together"],
    required_one_of=[["targets", "scale_set", "fleet_name"]],
    required_by=_REQUIRED_BY,
)
# Seconds between polls when sleep is not given, or timeout when that is shorter.
DEFAULT_SLEEP = 30.0
EMPTY_RESULT = {"elapsed": 0.0, "polls": 0, "state": None, "targets": [], "history": []}


def _kind(target):
    return VMSS if target.get("scale_set") else FLEET


def _targets(params):
    if params.get("targets") is not None:
        return [{key: entry.get(key) for key in TARGET_KEYS} for entry in params["targets"]]
    return [{key: params.get(key) for key in TARGET_KEYS}]


def _check_target(target, where):
    check_resource_group(target["resource_group"], where + "resource_group")
    if target.get("scale_set"):
        check_scale_set_name(target["scale_set"], where + "scale_set")
        return
    check_fleet_name(target["fleet_name"], where + "fleet_name")
    check_update_run_name(target["update_run"], where + "update_run")
    for key in ("stage", "group"):
        if target.get(key) is not None:
            check_fleet_style_name(target[key], where + key, 50)


def _check_seconds(params, key, allow_zero=False):
    value = params.get(key)
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        raise ValidationError(key, "must be a number of seconds %s 0, got %r" % ("of at least" if allow_zero else "greater than", value))


def validate_gate(params):
    """Every check the argument spec cannot express, each naming its option."""
    if params.get("targets") == []:
        raise ValidationError("targets", "give at least one target: a dict with resource_group and scale_set, or resource_group, "
                                         "fleet_name and update_run")
    targets = _targets(params)
    for index, target in enumerate(targets):
        _check_target(target, "targets[%d]." % index if params.get("targets") else "")
    check_api_version(params["vmss_api_version"], "vmss_api_version")
    for key, allow_zero in (("timeout", False), ("sleep", False), ("delay", True), ("stall_timeout", False), ("heartbeat", True),
                            ("gate_timeout", False)):
        _check_seconds(params, key, allow_zero)
    if params.get("sleep") is not None and params["sleep"] > params["timeout"]:
        raise ValidationError("sleep", "%r is longer than timeout %r: the gate would poll once at most" % (params["sleep"], params["timeout"]))
    if (params.get("delay") or 0) >= params["timeout"]:
        raise ValidationError("delay", "%r is not shorter than timeout %r: the gate would time out before its first poll" % (
            params["delay"], params["timeout"]))
    kinds = {_kind(target) for target in targets}
    taken = set(s for kind in kinds for s in states(kind))
    if not params["state"]:
        raise ValidationError("state", "give at least one state")
    for state in params["state"]:  # the argument spec has refused anything that is not a state of either kind
        if state != TERMINAL and state not in taken:
            raise ValidationError("state", "%r is never taken by %s; they take %s, or terminal" % (
                state, " or ".join("scale sets" if k == VMSS else "update runs" for k in sorted(kinds)), ", ".join(sorted(taken))))
    for kind in sorted(kinds):
        if TERMINAL not in params["state"] and not set(params["state"]) & set(states(kind)):
            raise ValidationError("state", "%s never reach %s; add a state they take (%s), or terminal" % (
                "scale sets" if kind == VMSS else "update runs", " or ".join(params["state"]), ", ".join(states(kind))))
    if params.get("gate_timeout") is not None and FLEET not in kinds:
        raise ValidationError("gate_timeout", "applies to update runs only (approval gates); these targets are scale sets")
    if params.get("fleet_api_version") is not None:
        check_api_version(params["fleet_api_version"], "fleet_api_version")
    if params.get("started_after") is not None:
        if VMSS not in kinds:
            raise ValidationError("started_after", "applies to scale sets only; these targets are update runs")
        if instant(params["started_after"]) is None:
            raise ValidationError("started_after", "%r is not an ISO 8601 date and time such as 2026-11-23T18:30:00Z" % params["started_after"])
    percent = params.get("min_percent_complete")
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError("min_percent_complete", "must be between 0 and 100, got %r" % percent)
    if params.get("max_failed") is not None and params["max_failed"] < 0:
        raise ValidationError("max_failed", "must be 0 or more, got %r" % params["max_failed"])


def interval(params):
    """Seconds between polls: sleep as given, else DEFAULT_SLEEP or timeout when that is shorter."""
    return params["sleep"] if params.get("sleep") is not None else min(DEFAULT_SLEEP, params["timeout"])


def pool_size(params):
    """Connections for the gate: one per target polled at once."""
    return min(MAX_CONCURRENCY, max(1, len(_targets(params))))


def label(target):
    """The name of a target in results and messages: its progress-line name, saying what kind of target it is."""
    return ("scale set " if target.get("scale_set") else "update run ") + target_name(target)


def _fetcher(connection, target, params):
    client, subscription = connection.client, connection.subscription_id
    if target.get("scale_set"):
        cache = {}
        return lambda deadline: _readers.latest_rolling_upgrade(client, subscription, target["resource_group"], target["scale_set"],
                                                                params["vmss_api_version"], deadline=deadline, cache=cache)
    version = params.get("fleet_api_version") or _readers.FLEET_API_VERSION
    lookup = None if has_gates(version) else GateLookup(client, subscription, target["resource_group"], target["fleet_name"],
                                                        target["update_run"])

    def fetch(deadline):
        facts, retry_after = _readers.update_run(client, subscription, target["resource_group"], target["fleet_name"],
                                                 target["update_run"], version, deadline=deadline)
        return (lookup.complete(facts, deadline) if lookup is not None else facts), retry_after
    return fetch


def _percent(observation):
    return "%s %%" % observation.percent if observation is not None and observation.percent is not None else "no progress yet"


def _failure_message(tracked, params, rules):
    target, observation = tracked.target, tracked.observation
    wanted = " or ".join(sorted(rules.states))
    if tracked.reason == "not_found":
        return "%s was not found: %s" % (target["label"], observation.missing if observation and observation.missing else tracked.error)
    if tracked.reason == "api_error":
        return "%s could not be read: %s" % (target["label"], tracked.error)
    if tracked.reason == "failed_state" and not is_terminal(target["kind"], observation.state) and observation.run_ended:
        return "%s cannot reach %s: the run is %s and the %s is %s%s" % (
            target["label"], wanted, (tracked.facts or {}).get("state"), "group" if target.get("group") else "stage",
            observation.state or "not reported", _azure_errors(tracked))
    if tracked.reason == "failed_state" and is_failing(target["kind"], observation.state):
        return "%s is %s: the upgrade failed and Azure is restoring the previous model (ask for state %s or terminal to wait " \
            "for its end)%s" % (target["label"], observation.state, observation.state, _azure_errors(tracked))
    if tracked.reason == "failed_state":
        return "%s reached %s, not %s%s" % (target["label"], observation.state, wanted, _azure_errors(tracked))
    if tracked.reason == "max_failed":
        named = failed_members(target, observation, tracked.facts or {})
        return "%s: %s failed, more than max_failed %d%s" % (
            target["label"], plural(observation.failed, "instance" if target["kind"] == VMSS else "member"), params["max_failed"],
            ": %s" % name_members(named) if named else "")
    if tracked.reason == "gate_pending":
        return "%s has waited %s s or more at %s (gate_timeout %s s); %s" % (
            target["label"], params["gate_timeout"], gates_phrase(observation.gates), params["gate_timeout"], how_to_approve(target, observation.gates))
    if tracked.reason == "stalled":
        return "%s made no progress for %s s (state %s, %s)" % (target["label"], params["stall_timeout"], observation.state, _percent(observation))
    state = observation.state if observation is not None else None
    note = observation.note if observation is not None and observation.note else "state %s, %s" % (state, _percent(observation))
    if observation is not None and observation.gates:
        return "timed out after %s s waiting for %s to reach %s: it waits at %s; %s" % (
            params["timeout"], target["label"], wanted, gates_phrase(observation.gates), how_to_approve(target, observation.gates))
    run_gates = (tracked.facts or {}).get("pending_gates") if target["kind"] == FLEET else None
    if run_gates:
        return "timed out after %s s waiting for %s to reach %s (last seen: %s); the run waits at %s; %s" % (
            params["timeout"], target["label"], wanted, note, gates_phrase(run_gates), how_to_approve(target, run_gates))
    return "timed out after %s s waiting for %s to reach %s (last seen: %s)" % (params["timeout"], target["label"], wanted, note)


def gates_phrase(gates):
    """'approval gate "Smoke tests passed" (<guid>) after stage canary' for one or more pending gates."""
    parts = []
    for gate in gates:
        segments = (gate.get("path") or "").split("/")
        place = "stage %s" % segments[0] if len(segments) < 2 else "group %s of stage %s" % (segments[1], segments[0])
        values = (gate.get("display_name") or "", gate.get("name") or "not yet created", gate.get("timing") or "at", place)
        parts.append('approval gate "%s" (%s) %s %s' % values)
    return " and ".join(parts)


def how_to_approve(target, gates):
    """What a person or a pipeline runs to let the run go on."""
    names = [gate.get("name") for gate in gates if gate.get("name")]
    common = "resource_group=%s fleet_name=%s" % (target["resource_group"], target["fleet_name"])
    if not names:
        return "approve it in the Azure portal or with upgradegate.azure.fleet_gate once Azure has created it"
    command = "upgradegate-azure approve --resource-group %s --fleet-name %s --gate %s" % (target["resource_group"], target["fleet_name"],
                                                                                           names[0])
    return "approve %s with upgradegate.azure.fleet_gate (%s name=%s), '%s', or in the Azure portal" % (
        "it" if len(names) == 1 else "them", common, ", ".join(names), command)


def _azure_errors(tracked):
    facts = tracked.facts or {}
    named = failed_members(tracked.target, tracked.observation, facts)
    if named:
        return ": %s failed: %s" % (plural(len(named), "member"), name_members(named))
    if facts.get("error"):
        return ": %s: %s" % (facts["error"].get("code"), facts["error"].get("message"))
    errors = facts.get("errors") or []
    if errors:
        return ": " + "; ".join("%s %s: %s" % (e.get("path") or "run", e.get("code"), e.get("message")) for e in errors[:5])
    return ""


def _target_result(tracked):
    target = tracked.target
    result = {key: target[key] for key in TARGET_KEYS if target.get(key) is not None}
    observation = tracked.observation
    result.update(
        label=target["label"],
        state=observation.state if observation is not None else None,
        percent_complete=observation.percent if observation is not None else None,
        succeeded=tracked.verdict == DONE,
        elapsed=tracked.elapsed,
        reason=tracked.reason,
        facts=tracked.facts,
    )
    if target["kind"] == FLEET:
        result["pending_gates"] = list(observation.gates) if observation is not None else []
    if target.get("stage"):
        result["stage_facts"] = observation.stage_facts if observation is not None else None
    if target.get("group"):
        result["group_facts"] = observation.group_facts if observation is not None else None
    if tracked.error is not None:
        result["error"] = tracked.error.to_dict()
    return result


def gate(connection, params, clock=None, wall=None, sleep=None, reporter=None):
    """Wait as the options say; returns the module result (``failed: true`` when the gate did not open).

    ``reporter`` (a ``_progress.Reporter``, or None) hears of each history entry as it is seen and of each round.
    """
    targets = _targets(params)
    for target in targets:
        target.update(kind=_kind(target), label=label(target), fetch=_fetcher(connection, target, params))
    rules = Rules(params["state"], params.get("min_percent_complete"), params.get("max_failed"), params.get("stall_timeout"),
                  params.get("started_after"), params.get("gate_timeout"))
    hooks = (("on_change", reporter.on_change), ("on_poll", reporter.on_poll)) if reporter is not None else ()
    injected = {name: value for name, value in (("clock", clock), ("wall", wall), ("sleep", sleep)) + hooks if value is not None}
    waiter = Waiter(targets, rules, params["timeout"], interval(params), params.get("delay") or 0.0, **injected).wait()
    per_target = [_target_result(tracked) for tracked in waiter.tracked]
    result = {"changed": False, "elapsed": waiter.elapsed(), "polls": waiter.polls, "history": waiter.history, "targets": per_target,
              "state": per_target[0]["state"] if len(per_target) == 1 else None}
    if len(per_target) == 1:
        only = per_target[0]
        result["rolling_upgrade" if targets[0]["kind"] == VMSS else "update_run"] = only["facts"]
        for key in ("stage_facts", "group_facts"):
            if key in only:
                result[key] = only[key]
    failures = [tracked for tracked in waiter.tracked if tracked.verdict == FAILED]
    if failures:
        first = failures[0]
        result.update(failed=True, reason=first.reason,
                      msg=params.get("msg") or "; ".join(_failure_message(tracked, params, rules) for tracked in failures))
    return result
