# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wait loop of the gate: poll targets together until each is done, or one fails.

It knows nothing of HTTP. Each target brings a ``fetch(deadline)`` function
returning ``(facts, retry_after)`` or raising ArmError; ``clock`` (monotonic
seconds), ``wall`` (epoch seconds, for history timestamps) and ``sleep`` are
injected so tests never sleep. ``judge`` decides on one observation and is a
pure function; ``wait`` runs the rounds and returns what it saw, and the
caller decides how to report it. A history entry is recorded each time a
target's description (``_progress.describe``) changes; ``on_change`` gets
each entry as it is recorded, ``on_poll`` the elapsed time and the
descriptions of the pending targets after each round that is not the last.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import locate, member_progress, members_of
from ansible_collections.upgradegate.azure.plugins.module_utils._progress import describe, line
from ansible_collections.upgradegate.azure.plugins.module_utils._states import FLEET, TERMINAL, VMSS, is_failing, is_terminal
from ansible_collections.upgradegate.azure.plugins.module_utils._timeutil import instant

# Targets polled at once; the gate sizes its connection pool to match, so every connection is reused.
MAX_CONCURRENCY = 16
PENDING, DONE, FAILED = "pending", "done", "failed"


class Rules:
    """What the gate waits for: target states and the optional early exits.

    ``started_after`` is the option's text, in any ISO 8601 spelling (an unreadable one is ignored: the gate refuses it first).
    """

    def __init__(self, states, min_percent_complete=None, max_failed=None, stall_timeout=None, started_after=None, gate_timeout=None):
        self.states = frozenset(states)
        self.min_percent_complete = min_percent_complete
        self.max_failed = max_failed
        self.stall_timeout = stall_timeout
        self.started_after = instant(started_after)
        self.gate_timeout = gate_timeout

    def wanted(self, kind, state):
        return state in self.states or (TERMINAL in self.states and is_terminal(kind, state))


class Observation:
    """One target seen once: its state and progress in the scope waited on."""

    def __init__(self, state, progress, scoped=None, stage_facts=None, group_facts=None, missing=None, note=None, run=None,
                 run_ended=False, gates=None):
        self.state = state
        self.gates = gates or []  # the pending approval gates that hold the scope waited on
        self.progress = progress or {}
        self.run = run  # for a stage or group: what changes in the whole run
        self.run_ended = run_ended  # for a stage or group: its run is terminal, so it cannot change any more
        self.scoped = scoped
        self.stage_facts = stage_facts
        self.group_facts = group_facts
        self.missing = missing
        self.note = note

    @property
    def percent(self):
        return self.progress.get("percent_complete")

    @property
    def failed(self):
        return self.progress.get("failed") or 0

    def signature(self):
        """What history records a change of: the state and progress of the scope waited on, and the gates it waits at."""
        return json.dumps([self.state, self.progress] + ([gate_names(self.gates)] if self.gates else []), sort_keys=True)

    def activity(self):
        """What stall_timeout watches: the scope, and for a stage or group the whole run too,
        so a later stage waiting its turn while earlier ones progress is not stalled."""
        return json.dumps([self.state, self.progress, self.run], sort_keys=True)


def observe(target, facts, rules):
    """Reduce facts to the state and progress of what the target waits on (run, stage or group)."""
    if target["kind"] == VMSS:
        if not facts.get("exists"):
            return Observation(None, None, note="no rolling upgrade yet")
        started_at = instant(facts.get("started_at"))
        if rules.started_after and (started_at is None or started_at < rules.started_after):
            return Observation(None, None, note="the latest rolling upgrade started at %s, before started_after" % facts.get("started_at"))
        return Observation(facts.get("state"), facts.get("progress"))
    stage_name, group_name = target.get("stage"), target.get("group")
    if not stage_name and not group_name:
        return Observation(facts.get("state"), facts.get("progress"), gates=list(facts.get("pending_gates") or []))
    scoped, stage, group, missing = locate(facts, stage_name, group_name)
    if scoped is None:
        return Observation(None, None, missing=missing) if missing else Observation(None, None, note="the run has no stages yet")
    return Observation(scoped.get("state"), member_progress(members_of(scoped)), scoped, stage, group, run=_run_activity(facts),
                       run_ended=is_terminal(FLEET, facts.get("state")),
                       gates=gates_in_scope(facts.get("pending_gates"), (stage or {}).get("name"), group_name))


def gates_in_scope(pending, stage_name=None, group_name=None):
    """The pending gates (``pending_gates`` items) of a stage (its own and its groups') or of a group; all without a scope."""
    found = []
    for gate in pending or []:
        if not isinstance(gate, dict):
            continue
        segments = (gate.get("path") or "").split("/")
        if stage_name and segments[0] != stage_name:
            continue
        if group_name and segments[1:2] != [group_name]:
            continue
        found.append(gate)
    return found


def gate_names(gates):
    """Stable identities of gates for comparisons: the name, else the place."""
    return [gate.get("name") or "%s %s" % (gate.get("timing"), gate.get("path")) for gate in gates]


def _run_activity(facts):
    """The run's state, member progress, and the state of every stage, its after-stage wait and its groups."""
    stages = [[stage.get("name"), stage.get("state"), (stage.get("after_stage_wait") or {}).get("state"),
               [group.get("state") for group in stage.get("groups") or [] if isinstance(group, dict)]]
              for stage in facts.get("stages") or [] if isinstance(stage, dict)]
    return [facts.get("state"), facts.get("progress"), stages]


def judge(kind, observation, rules):
    """(verdict, reason) for one observation: DONE, FAILED with a reason, or PENDING."""
    if observation.missing:
        return FAILED, "not_found"
    if rules.max_failed is not None and observation.failed > rules.max_failed:  # progress may come before any state
        return FAILED, "max_failed"
    if observation.state is None and not observation.run_ended:
        return PENDING, None
    if rules.wanted(kind, observation.state):
        return DONE, None
    if observation.gates and "pending" in rules.states:  # at an approval gate, whatever state Azure gives the scope itself
        return DONE, None
    if is_terminal(kind, observation.state):
        return FAILED, "failed_state"
    if is_failing(kind, observation.state) and TERMINAL not in rules.states:  # e.g. rolling_back: it has already failed
        return FAILED, "failed_state"
    if rules.min_percent_complete is not None and observation.percent is not None and observation.percent >= rules.min_percent_complete:
        return DONE, None
    if observation.run_ended:  # a stage or group of a run that has ended will never get there
        return FAILED, "failed_state"
    return PENDING, None


class _Tracked:
    """A target during the wait."""

    def __init__(self, target):
        self.target = target
        self.verdict = PENDING
        self.reason = None
        self.facts = None
        self.observation = None
        self.error = None
        self.elapsed = None
        self.summary = None
        self.activity = None
        self.active_at = None
        self.gates = None  # names of the pending gates seen last
        self.gates_since = None  # when the target was first seen at those gates


def _timestamp(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _threaded_map(function, items):
    if len(items) == 1:
        return [function(items[0])]
    with ThreadPoolExecutor(max_workers=min(MAX_CONCURRENCY, len(items))) as pool:
        return list(pool.map(function, items))


class Waiter:
    """Polls every unfinished target once per round, concurrently, until all are done or one fails."""

    def __init__(self, targets, rules, timeout, interval, delay=0.0, clock=time.monotonic, wall=time.time, sleep=time.sleep,
                 run_all=_threaded_map, on_change=None, on_poll=None):
        self.tracked = [_Tracked(target) for target in targets]
        self.rules = rules
        self.timeout = timeout
        self.interval = interval
        self.delay = delay
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._run_all = run_all
        self._on_change = on_change
        self._on_poll = on_poll
        self.polls = 0
        self.history = []
        self.started = None

    def wait(self):
        """Run the rounds; returns self, with every target's verdict, reason, facts and the history."""
        self.started = self._clock()
        deadline = self.started + self.timeout
        if self.delay:
            self._sleep(min(self.delay, self.timeout))
        while True:
            active = [t for t in self.tracked if t.verdict == PENDING]
            answers = self._run_all(lambda tracked: self._fetch(tracked, deadline), active)
            self.polls += 1
            now = self._clock()
            for tracked, answer in zip(active, answers):
                self._update(tracked, answer, now)
            if any(t.verdict == FAILED for t in self.tracked) or all(t.verdict == DONE for t in self.tracked):
                return self
            if now >= deadline:
                for tracked in self.tracked:
                    if tracked.verdict == PENDING:
                        self._finish(tracked, FAILED, "api_error" if tracked.error else "timeout", now)
                return self
            if self._on_poll is not None:
                self._on_poll(now - self.started, [t.summary for t in self.tracked if t.verdict == PENDING and t.summary])
            pause = max([self.interval] + [answer[1] for answer in answers if answer[1]])
            self._sleep(max(0.0, min(pause, deadline - now)))

    @staticmethod
    def _fetch(tracked, deadline):
        try:
            facts, retry_after = tracked.target["fetch"](deadline)
        except ArmError as exc:
            return exc, None
        return facts, retry_after

    def _update(self, tracked, answer, now):
        result = answer[0]
        if isinstance(result, ArmError):
            tracked.error = result
            if result.kind == "not_found":
                self._finish(tracked, FAILED, "not_found", now)
            elif not result.transient:  # a later poll may not see it again: keep polling until the deadline
                self._finish(tracked, FAILED, "api_error", now)
            return
        tracked.error = None
        tracked.facts = result
        observation = observe(tracked.target, result, self.rules)
        tracked.observation = observation
        activity = observation.activity()
        if activity != tracked.activity or observation.gates:  # time at a pending gate is not a stall
            tracked.activity, tracked.active_at = activity, now
        names = gate_names(observation.gates)
        if names != tracked.gates:
            tracked.gates, tracked.gates_since = names, now
        summary = describe(tracked.target, observation, result)
        if summary != tracked.summary:
            tracked.summary = summary
            change = {"at": _timestamp(self._wall()), "target": tracked.target["label"],
                      "state": observation.state, "percent_complete": observation.percent, "summary": line(summary, now - self.started)}
            if tracked.target["kind"] == FLEET:
                change["pending_gates"] = [dict(gate) for gate in observation.gates]
            self.history.append(change)
            if self._on_change is not None:
                self._on_change(change)
        verdict, reason = judge(tracked.target["kind"], observation, self.rules)
        if verdict == PENDING and self.rules.stall_timeout is not None and now - tracked.active_at >= self.rules.stall_timeout:
            verdict, reason = FAILED, "stalled"
        if (verdict == PENDING and observation.gates and self.rules.gate_timeout is not None
                and now - tracked.gates_since >= self.rules.gate_timeout):
            verdict, reason = FAILED, "gate_pending"
        if verdict != PENDING:
            self._finish(tracked, verdict, reason, now)

    def _finish(self, tracked, verdict, reason, now):
        tracked.verdict, tracked.reason, tracked.elapsed = verdict, reason, round(now - self.started, 3)

    def elapsed(self):
        return round(self._clock() - self.started, 3)


__all__ = ["Rules", "Waiter", "judge", "observe", "TERMINAL", "PENDING", "DONE", "FAILED", "VMSS", "FLEET"]
