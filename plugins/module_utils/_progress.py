# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the gate says while it waits: the one place that formats a progress line.

``describe(target, observation, facts)`` is a pure function: the text of what
one target looks like now (state, percent, counts, current stage and group,
failed members with Azure's error, pending gates), without any time in it, so
two equal texts mean nothing a user would notice has changed. The waiter
records a history entry, and the reporter prints a line, each time that text
changes; ``line(text, elapsed)`` adds the prefix and the elapsed time.
``Reporter`` prints those lines through an injected ``emit`` and adds a
heartbeat line after ``heartbeat`` seconds without any.
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import find_stage, members_of
from ansible_collections.upgradegate.azure.plugins.module_utils._states import VMSS

PREFIX = "wait_for_upgrade: "
_ACTIVE = ("running", "stopping")
# Failed members named in one line or message; the rest are counted.
MAX_NAMED = 5


def duration(seconds):
    """``8s``, ``1m20s``, ``6m02s``, ``1h05m00s`` (whole seconds, rounded down)."""
    whole = int(max(0.0, seconds or 0.0))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return "%dh%02dm%02ds" % (hours, minutes, secs)
    if minutes:
        return "%dm%02ds" % (minutes, secs)
    return "%ds" % secs


def plural(count, word):
    """``1 member``, ``2 members``, ``0 polls``."""
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def line(text, elapsed):
    """The printed line (and a history entry's ``summary``) for a description seen ``elapsed`` seconds into the wait."""
    return "%s%s after %s" % (PREFIX, text, duration(elapsed))


def heartbeat_line(waiting, quiet, elapsed):
    """What is still awaited after ``quiet`` seconds without a change; ``waiting`` are the descriptions of the pending targets."""
    return "%sstill waiting, no change for %s: %s after %s" % (PREFIX, duration(quiet), "; ".join(waiting), duration(elapsed))


def target_name(target):
    """``rg/scale-set`` or ``rg/fleet/run``, with `` stage S`` / `` group G`` when the target is a stage or group."""
    if target.get("kind") == VMSS or target.get("scale_set"):
        return "%s/%s" % (target.get("resource_group"), target.get("scale_set"))
    name = "%s/%s/%s" % (target.get("resource_group"), target.get("fleet_name"), target.get("update_run"))
    if target.get("stage"):
        name += " stage %s" % target["stage"]
    if target.get("group"):
        name += " group %s" % target["group"]
    return name


def describe(target, observation, facts):
    """One target as a user reads it now, without time: ``rg-web/vmss-web rolling_forward 40.0% (4 of 10 upgraded, 0 failed)``."""
    name = target_name(target)
    if observation is None:
        return "%s not read yet" % name
    if observation.missing:
        return "%s not found: %s" % (name, observation.missing)
    if target.get("kind") == VMSS:
        return "%s %s" % (name, _vmss(observation, facts or {}))
    return _fleet(name, target, observation, facts or {})


def _percent(value):
    return "" if value is None else " %.1f%%" % value


def _azure_error(error):
    if not isinstance(error, dict) or not (error.get("code") or error.get("message")):
        return None
    return ": ".join(str(part) for part in (error.get("code"), error.get("message")) if part)


def _vmss(observation, facts):
    if observation.state is None:
        return "not started" + (" (%s)" % observation.note if observation.note else "")
    progress = observation.progress
    text = observation.state + _percent(observation.percent)
    if progress.get("total"):
        text += " (%d of %d upgraded, %d failed)" % (progress.get("successful") or 0, progress["total"], observation.failed)
    elif observation.failed:
        text += " (%d failed)" % observation.failed
    error = _azure_error(facts.get("error")) if observation.state not in ("rolling_forward", "completed") else None
    return text + (": %s" % error if error else "")


def _failed(target, observation, facts):
    """``(name, "code: message" or None)`` for each failed member in the scope waited on."""
    if target.get("kind") == VMSS:
        return []
    scope = observation.scoped if observation is not None and observation.scoped is not None else facts
    return [(str(member.get("name")), _azure_error(member.get("error")) or member.get("message"))
            for member in members_of(scope) if member.get("state") == "failed"]


def failed_members(target, observation, facts):
    """``prod-us-1 (UpgradeFailed: node pool drain timed out)`` for each failed member in the scope waited on."""
    return ["%s (%s)" % (name, error) if error else name for name, error in _failed(target, observation, facts)]


def name_members(named):
    """The first MAX_NAMED failed members, and how many more."""
    shown = ", ".join(named[:MAX_NAMED])
    return shown + (" and %d more" % (len(named) - MAX_NAMED) if len(named) > MAX_NAMED else "")


def pending_gates(target, observation, facts):
    """The pending gates a target waits at: the observation's when it has them, else the run's within the target's scope."""
    gates = getattr(observation, "gates", None)
    if gates is None:
        gates = [gate for gate in facts.get("pending_gates") or [] if isinstance(gate, dict) and _in_scope(target, gate.get("path") or "")]
    return gates


def _in_scope(target, path):
    segments = path.split("/")
    if target.get("group"):
        return segments[-1] == target["group"] and (not target.get("stage") or segments[0] == target["stage"])
    if target.get("stage"):
        return segments[0] == target["stage"]
    return True


def gate_text(gate):
    """``approval gate "Smoke tests passed" after stage canary``."""
    kind = gate.get("gate_type")
    kind = "approval gate" if kind in (None, "Approval") else "%s gate" % str(kind).lower()
    segments = (gate.get("path") or "").split("/")
    where = "stage %s" % segments[0] if len(segments) == 1 else "group %s of stage %s" % (segments[1], segments[0])
    return '%s "%s" %s %s' % (kind, gate.get("display_name") or gate.get("name"), gate.get("timing") or "at", where)


def _current_scope(target, observation, facts):
    """`` stage S`` / `` group G`` that is moving now: for a run its current stage, for a run or stage its running group."""
    if target.get("group"):
        return ""
    stage = observation.scoped if target.get("stage") else find_stage(facts, facts.get("current_stage")) if facts.get("current_stage") else None
    if not isinstance(stage, dict):
        return ""
    text = "" if target.get("stage") else " stage %s" % stage.get("name")
    groups = [group.get("name") for group in stage.get("groups") or [] if isinstance(group, dict) and group.get("state") in _ACTIVE]
    if groups:
        text += " group %s" % ", ".join(str(group) for group in groups)
    return text


def _fleet(name, target, observation, facts):
    gates = pending_gates(target, observation, facts)
    if gates:
        return "%s pending at %s" % (name, ", ".join(gate_text(gate) for gate in gates))
    if observation.state is None:
        return "%s not started" % name + (" (%s)" % observation.note if observation.note else "")
    failed = _failed(target, observation, facts)
    named = failed_members(target, observation, facts)
    scope = _current_scope(target, observation, facts)
    head = name + (scope + ":" if scope or target.get("stage") or target.get("group") else "")
    if observation.state == "failed":
        if failed:
            shown = ["member %s failed%s" % (member, " (%s)" % error if error else "") for member, error in failed[:MAX_NAMED]]
            more = " and %d more" % (len(failed) - MAX_NAMED) if len(failed) > MAX_NAMED else ""
            return "%s failed: %s%s" % (head, "; ".join(shown), more)
        errors = [error for error in facts.get("errors") or [] if isinstance(error, dict)]
        first = _azure_error(errors[0]) if errors else None
        return "%s failed%s" % (head, ": %s" % first if first else "")
    progress = observation.progress
    text = "%s %s%s" % (head, observation.state, _percent(observation.percent))
    if progress.get("total"):
        done = (progress.get("completed") or 0) + (progress.get("skipped") or 0)
        text += " (%d of %s, %d failed%s)" % (done, plural(progress["total"], "member"), observation.failed,
                                              ": %s" % name_members(named) if named else "")
    return text


class Reporter:
    """Prints a line per change (the waiter's ``on_change``) and a heartbeat after ``heartbeat`` quiet seconds (``on_poll``)."""

    def __init__(self, emit, heartbeat=300.0):
        self._emit = emit
        self.heartbeat = heartbeat or 0.0
        self._changed = False
        self._last_change = 0.0
        self._last_line = 0.0

    def on_change(self, change):
        """A history entry was recorded: print its summary."""
        self._changed = True
        self._emit(change["summary"])

    def on_poll(self, elapsed, waiting):
        """A round ended ``elapsed`` seconds into the wait, ``waiting`` still pending (their descriptions)."""
        if self._changed:
            self._changed = False
            self._last_change = self._last_line = elapsed
            return
        if self.heartbeat and waiting and elapsed - self._last_line >= self.heartbeat:
            self._last_line = elapsed
            self._emit(heartbeat_line(waiting, elapsed - self._last_change, elapsed))


def reporter_for(params, emit):
    """A Reporter printing through ``emit``, or None when O(progress) is off or there is nowhere to print."""
    if emit is None or not params.get("progress", True):
        return None
    return Reporter(emit, params.get("heartbeat"))
