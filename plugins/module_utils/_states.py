# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state vocabularies of the contract and the predicates over them.

Two kinds of target: ``vmss`` (a scale set's latest rolling upgrade) and
``fleet`` (an update run, or one of its stages, groups or members). States
are Azure's values in lower snake_case; a state Azure may add later keeps
its snake_case form and is neither terminal nor a success, so a waiter keeps
polling instead of guessing.
"""

import re

VMSS = "vmss"
FLEET = "fleet"
# Not a state: what a gate may ask for to mean "any terminal state".
TERMINAL = "terminal"

VMSS_STATES = ("rolling_forward", "rolling_back", "completed", "cancelled", "faulted")
FLEET_STATES = ("not_started", "running", "stopping", "stopped", "skipped", "failed", "pending", "completed")
# Every state of either kind, sorted: the choices of a gate's ``state`` option, with TERMINAL.
ALL_STATES = tuple(sorted(set(VMSS_STATES) | set(FLEET_STATES)))

_TERMINAL = {
    VMSS: frozenset(("completed", "cancelled", "faulted")),
    FLEET: frozenset(("completed", "failed", "stopped", "skipped")),
}
# Not terminal, yet the target has already failed: a gate stops on them unless asked for them (or for any terminal state).
_FAILING = {
    VMSS: frozenset(("rolling_back",)),
    FLEET: frozenset(),
}
_SUCCESS = {
    VMSS: frozenset(("completed",)),
    FLEET: frozenset(("completed",)),
}
_VOCABULARY = {VMSS: VMSS_STATES, FLEET: FLEET_STATES}

_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")


def snake_case(value):
    """Azure's PascalCase enumeration value in lower snake_case.

    ``RollingForward`` -> ``rolling_forward``, ``NotStarted`` -> ``not_started``,
    ``HTTPError`` -> ``http_error``; a value already in snake_case, or with
    spaces or dashes, ends up the same (``Not Started`` -> ``not_started``).
    Non-strings, and strings with no letter or digit, give ``None``.
    """
    if not isinstance(value, str):
        return None
    text = _ACRONYM_WORD.sub(r"\1_\2", _LOWER_UPPER.sub(r"\1_\2", value))
    return _SEPARATORS.sub("_", text).strip("_").lower() or None


def states(kind):
    """Every known state of ``kind`` (``vmss`` or ``fleet``), in the contract's order."""
    return _VOCABULARY[_checked(kind)]


def terminal_states(kind):
    """The terminal states of ``kind``: the target will not change any more."""
    return _TERMINAL[_checked(kind)]


def is_terminal(kind, state):
    """True when ``state`` is a terminal state of ``kind``; unknown states and ``None`` are not."""
    terminal = _TERMINAL[_checked(kind)]
    return isinstance(state, str) and state in terminal


def is_failing(kind, state):
    """True when ``state`` is not terminal but means the target has already failed (``rolling_back``)."""
    return isinstance(state, str) and state in _FAILING[_checked(kind)]


def is_success(kind, state):
    """True when ``state`` is the successful end of ``kind`` (``completed`` for both kinds)."""
    success = _SUCCESS[_checked(kind)]
    return isinstance(state, str) and state in success


def _checked(kind):
    """An unknown kind is a programming error, not data: fail loudly rather than answer False."""
    if kind not in _VOCABULARY:
        raise ValueError("unknown target kind %r, expected %r or %r" % (kind, VMSS, FLEET))
    return kind


# The states of an approval gate, in a run's status and as a gates resource.
GATE_STATES = ("not_started", "pending", "skipped", "completed")
