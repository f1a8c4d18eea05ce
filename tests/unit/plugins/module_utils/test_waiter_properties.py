# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""A gate never reports success on a state it was not asked for: generated timelines against a plain reference.

Hypothesis draws timelines (what each poll of a target answers: facts in
either state vocabulary, unknown future states, no state, and errors that are
not-found, transient or permanent) and rules (wanted states with or without
``terminal``, ``min_percent_complete``, ``max_failed``, ``stall_timeout``,
``started_after``, stage and group scopes). The real ``Waiter`` runs them on
a fake clock; every answer a target gave is logged with the fake time it was
asked for. The log is then replayed through ``Reference``, written from the
contract (docs: shared/design/contract.md, ``wait_for_upgrade``) without
calling ``judge`` or ``observe``, and the two must agree target by target:
the answer at which a target stopped, its verdict and its reason. On top of
that the five promises of the gate are asserted as plainly as they read.
"""

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import suite_counts

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._timeutil import parse_timestamp
from ansible_collections.upgradegate.azure.plugins.module_utils._waiter import DONE, FAILED, PENDING, Rules, Waiter, _threaded_map

# The contract's vocabularies, written out again here on purpose (not imported from _states).
VMSS_STATES = ("rolling_forward", "rolling_back", "completed", "cancelled", "faulted")
FLEET_STATES = ("not_started", "running", "stopping", "stopped", "skipped", "failed", "pending", "completed")
TERMINAL = {"vmss": {"completed", "cancelled", "faulted"}, "fleet": {"completed", "failed", "stopped", "skipped"}}
# Not terminal, yet already failed: the gate fails on them unless they, or "terminal", are wanted.
FAILING = {"vmss": {"rolling_back"}, "fleet": set()}
FUTURE_STATES = ("paused_for_approval", "rolling_sideways")
EVERY_STATE = tuple(sorted(set(VMSS_STATES + FLEET_STATES + FUTURE_STATES)))
WANTABLE = tuple(sorted(set(VMSS_STATES + FLEET_STATES))) + ("terminal",)

# started_after is given in any ISO 8601 spelling; the gate normalises it before the waiter sees it.
CUTOFF = datetime(2026, 11, 23, 18, 30, tzinfo=timezone.utc)
CUTOFF_SPELLINGS = ("2026-11-23T18:30:00Z", "2026-11-23T19:30:00+01:00", "2026-11-23T13:30:00-05:00", "2026-11-23T18:30:00.0000000Z",
                    "2026-11-23T18:30:00")
STARTS = (None, "2026-11-23T17:00:00Z", "2026-11-23T18:29:59.999999Z", "2026-11-23T18:30:00Z", "2026-11-23T18:30:00.000001Z",
          "2026-11-24T00:00:00Z")
STAGE_NAMES = ("canary", "prod")
# (stage, group) of fleet targets: the run, stages and groups of the planned shape, and a few that are not part of it.
SCOPES = ((None, None), (None, None), (None, None), ("canary", None), ("prod", None), ("prod", None), (None, "g1"), (None, "g2"),
          (None, "g3"), ("prod", "g2"), ("prod", "g3"), ("canary", "g1"), ("missing", None), (None, "nope"), ("canary", "g2"))
GROUP_NAMES = ("g1", "g2", "g3")
ERRORS = {
    "not_found": (lambda: ArmError("gone", kind="not_found", status=404, code="ResourceNotFound"),),
    "transient": tuple((lambda status=status: ArmError("HTTP %d" % status, kind="api", status=status)) for status in (408, 429, 500, 502, 503, 504))
    + (lambda: ArmError("connection reset", kind="transport"), lambda: ArmError("half a body", kind="protocol")),
    "permanent": (lambda: ArmError("denied", kind="api", status=403, code="AuthorizationFailed"),
                  lambda: ArmError("bad request", kind="api", status=400), lambda: ArmError("conflict", kind="api", status=409),
                  lambda: ArmError("no token", kind="auth", status=401)),
}

SINGLE_EXAMPLES = 1000
MULTI_EXAMPLES = 300
PROPERTY_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=False,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------------------------- the reference


def one_decimal(part, total):
    """100 * part / total with one decimal, halves up (the contract's percent_complete); None without members."""
    if total == 0:
        return None
    return float((Decimal(100 * part) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def moment(text):
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def first_named(items, name):
    for item in items:
        if item["name"] == name:
            return item
    return None


def count_members(members):
    """What the contract says a stage or group's progress is: members by state, and percent of completed + skipped."""
    counts = {state: 0 for state in FLEET_STATES}
    for member in members:
        if member["state"] in counts:
            counts[member["state"]] += 1
    counts["total"] = len(members)
    counts["percent_complete"] = one_decimal(counts["completed"] + counts["skipped"], len(members))
    return counts


class Reference:
    """The gate's rules for one target, as the contract states them, replayed over what the target answered."""

    def __init__(self, wanted, min_percent=None, max_failed=None, stall_timeout=None, cutoff=None):
        self.wanted = set(wanted)
        self.min_percent = min_percent
        self.max_failed = max_failed
        self.stall_timeout = stall_timeout
        self.cutoff = cutoff

    def view(self, target, facts):
        """(state, progress, missing, run, run_ended) of what the target waits on; state None means "not started yet".

        ``run`` is what else counts as activity for stall_timeout: for a stage or group, the whole run
        (its state and member counts, and the state of every stage, after-stage wait and group), as the
        module documents it, so a later stage waiting its turn is not stalled while earlier ones progress.
        ``run_ended``: for a stage or group, its run is in a terminal state, so the scope can no longer change.
        """
        if target["kind"] == "vmss":
            if not facts["exists"]:
                return None, None, False, None, False
            started = moment(facts["started_at"])
            if self.cutoff is not None and (started is None or started < self.cutoff):
                return None, None, False, None, False
            return facts["state"], facts["progress"], False, None, False
        stage_name, group_name = target.get("stage"), target.get("group")
        if stage_name is None and group_name is None:
            return facts["state"], facts["progress"], False, None, False
        if stage_name is not None:
            stage = first_named(facts["stages"], stage_name)
            searched = [stage] if stage is not None else []
        else:
            stage, searched = None, facts["stages"]
        if group_name is not None:
            scoped = first_named([group for each in searched for group in each["groups"]], group_name)
            members = scoped["members"] if scoped is not None else []
        else:
            scoped = stage
            members = [member for group in stage["groups"] for member in group["members"]] if stage is not None else []
        if scoped is None:
            if not facts["stages"] and facts["state"] not in TERMINAL["fleet"]:
                return None, None, False, None, False  # the run has not reported its stages yet: they may still come
            return None, None, True, None, False
        run = (facts["state"], facts["progress"], [(each["name"], each["state"], (each["after_stage_wait"] or {}).get("state"),
                                                    [group["state"] for group in each["groups"]]) for each in facts["stages"]])
        return scoped["state"], count_members(members), False, run, facts["state"] in TERMINAL["fleet"]

    def verdict(self, kind, state, progress, missing, run_ended=False):
        if missing:
            return FAILED, "not_found"
        failed = progress.get("failed") or 0
        if self.max_failed is not None and failed > self.max_failed:  # even before any state: the gate should close
            return FAILED, "max_failed"
        if state is None and not run_ended:
            return PENDING, None
        if state in self.wanted or ("terminal" in self.wanted and state in TERMINAL[kind]):
            return DONE, None
        if state in TERMINAL[kind]:
            return FAILED, "failed_state"
        if state in FAILING[kind] and "terminal" not in self.wanted:
            return FAILED, "failed_state"
        percent = progress.get("percent_complete")
        if self.min_percent is not None and percent is not None and percent >= self.min_percent:
            return DONE, None
        if run_ended:  # the run is over: this stage or group cannot get anywhere now
            return FAILED, "failed_state"
        return PENDING, None

    def replay(self, target, log):
        """(index of the answer at which the target is finished, verdict, reason), or (None, PENDING, last error category)."""
        seen, seen_at, last_error = object(), None, None
        for index, (at, answer) in enumerate(log):
            if answer["error"] is not None:
                last_error = answer["error"]
                if answer["error"] == "not_found":
                    return index, FAILED, "not_found"
                if answer["error"] == "permanent":
                    return index, FAILED, "api_error"
                continue
            last_error = None
            state, progress, missing, run, run_ended = self.view(target, answer["facts"])
            if (state, progress, run) != seen:
                seen, seen_at = (state, progress, run), at
            verdict, reason = self.verdict(target["kind"], state, progress or {}, missing, run_ended)
            if verdict == PENDING and self.stall_timeout is not None and at - seen_at >= self.stall_timeout:
                verdict, reason = FAILED, "stalled"
            if verdict != PENDING:
                return index, verdict, reason
        return None, PENDING, last_error


# ---------------------------------------------------------------------------------------------- the generators


# A third of the states are the everyday ones, so that timelines reach the wanted state often enough.
states = st.one_of(st.sampled_from(("completed", "rolling_forward", "running")), st.none(), st.sampled_from(EVERY_STATE))
percents = st.one_of(st.none(), st.sampled_from((0.0, 10.0, 33.3, 49.9, 50.0, 50.1, 99.9, 100.0)),
                     st.floats(0, 100, allow_nan=False).map(lambda value: round(value, 1)))


@st.composite
def vmss_facts(draw):
    """The fields of a vmss_rolling_upgrade_info item that the gate reads."""
    if draw(st.integers(0, 9)) == 0:
        return {"exists": False, "state": None, "started_at": None, "error": None,
                "progress": {"successful": 0, "failed": 0, "in_progress": 0, "pending": 0, "total": 0, "percent_complete": None}}
    failed = draw(st.integers(0, 4))
    return {"exists": True, "state": draw(states), "started_at": draw(st.sampled_from(STARTS)), "error": None,
            "progress": {"successful": draw(st.integers(0, 10)), "failed": failed, "total": 10 + failed, "percent_complete": draw(percents)}}


members = st.lists(st.builds(lambda index, state: {"name": "m%d" % index, "state": state}, st.integers(0, 9), states), max_size=5)
groups = st.lists(st.builds(lambda name, state, people: {"name": name, "state": state, "members": people},
                            st.sampled_from(GROUP_NAMES), states, members), max_size=3)
waits = st.one_of(st.none(), st.builds(lambda state: {"state": state}, states))
stages = st.lists(st.builds(lambda name, state, parts, wait: {"name": name, "state": state, "groups": parts, "after_stage_wait": wait},
                            st.sampled_from(STAGE_NAMES + ("canary",)), states, groups, waits), max_size=3)


def planned_stages():
    """Three times in four the shape of a real run (canary: g1, prod: g2 and g3), else any list of stages, none included."""
    def stage(name, group_names):
        return st.builds(lambda state, parts, wait: {"name": name, "state": state, "groups": parts, "after_stage_wait": wait},
                         states, st.tuples(*[st.builds(lambda group, state, people: {"name": group, "state": state, "members": people},
                                                       st.just(group), states, members) for group in group_names]).map(list), waits)
    planned = st.tuples(stage("canary", ("g1",)), stage("prod", ("g2", "g3"))).map(list)
    return st.integers(0, 3).flatmap(lambda dice: stages if dice == 0 else planned)


@st.composite
def fleet_facts(draw):
    """The fields of a fleet_update_run_info item that the gate reads; the run's progress counts every member."""
    state = draw(states)
    parts = draw(planned_stages())
    return {"state": state, "is_terminal": state in TERMINAL["fleet"], "errors": [], "stages": parts,
            "progress": count_members([m for stage in parts for group in stage["groups"] for m in group["members"]])}


def answers(facts):
    """One answer of a fetch: facts (with a Retry-After now and then), or, one time in eight, an error of one category."""
    with_facts = st.builds(lambda body, retry_after: {"facts": body, "retry_after": retry_after, "error": None},
                           facts, st.one_of(st.none(), st.none(), st.sampled_from((0.5, 7.0, 30.0))))
    errors = st.sampled_from(("transient", "transient", "permanent", "not_found")).flatmap(
        lambda category: st.sampled_from(ERRORS[category]).map(lambda make: {"error": category, "make": make, "retry_after": None}))
    return st.integers(0, 7).flatmap(lambda dice: errors if dice == 0 else with_facts)


@st.composite
def target_specs(draw, kind=None):
    kind = kind or draw(st.sampled_from(("vmss", "fleet")))
    spec = {"kind": kind}
    if kind == "fleet":
        spec["stage"], spec["group"] = draw(st.sampled_from(SCOPES))
    spec["timeline"] = draw(st.lists(answers(vmss_facts() if kind == "vmss" else fleet_facts()), min_size=1, max_size=8))
    return spec


@st.composite
def rule_specs(draw):
    return {
        "wanted": draw(st.one_of(st.just({"completed"}), st.just({"terminal"}), st.sets(st.sampled_from(WANTABLE), min_size=1, max_size=3))),
        "min_percent": draw(st.one_of(st.none(), st.none(), st.sampled_from((0.0, 33.3, 50.0, 100.0)), st.floats(0, 100, allow_nan=False))),
        "max_failed": draw(st.one_of(st.none(), st.integers(0, 3))),
        "stall_timeout": draw(st.one_of(st.none(), st.none(), st.sampled_from((1.0, 5.0, 12.5, 30.0)))),
        "started_after": draw(st.one_of(st.none(), st.sampled_from(CUTOFF_SPELLINGS))),
        "timeout": draw(st.sampled_from((1.0, 5.0, 12.0, 30.0, 60.0, 100.0))),
        "interval": draw(st.sampled_from((1.0, 2.5, 5.0, 10.0))),
        "delay": draw(st.sampled_from((0.0, 0.0, 3.0))),
    }


# ---------------------------------------------------------------------------------------------- the harness


class Clock:
    """Monotonic fake time; only sleeping moves it."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def wall(self):
        return 1_800_000_000.0 + self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.now += seconds


def live_target(clock, spec, index):
    """The Waiter's target for a spec: the i-th fetch answers timeline[i] (the last answer repeats); every answer is logged."""
    log = []

    def fetch(deadline):
        assert clock.now <= deadline, "polled after the deadline"
        answer = spec["timeline"][min(len(log), len(spec["timeline"]) - 1)]
        log.append((clock.now, answer))
        if answer["error"] is not None:
            raise answer["make"]()
        return answer["facts"], answer["retry_after"]

    target = {"kind": spec["kind"], "label": "target %d" % index, "fetch": fetch}
    for key in ("stage", "group"):
        if spec.get(key) is not None:
            target[key] = spec[key]
    return target, log


def in_turn(function, items):
    """The waiter's run_all without threads."""
    return [function(item) for item in items]


def run_gate(specs, rules, threaded=False):
    clock = Clock()
    wired = [live_target(clock, spec, index) for index, spec in enumerate(specs)]
    waiter = Waiter([target for target, _log in wired], Rules(sorted(rules["wanted"]), rules["min_percent"], rules["max_failed"],
                                                              rules["stall_timeout"], parse_timestamp(rules["started_after"])),
                    rules["timeout"], rules["interval"], rules["delay"], clock=clock, wall=clock.wall, sleep=clock.sleep,
                    run_all=_threaded_map if threaded else in_turn)
    waiter.wait()
    return waiter, clock, [log for _target, log in wired]


def last_view(reference, spec, log):
    """(state, progress) of the last answer with facts, as the reference sees it."""
    with_facts = [answer["facts"] for _at, answer in log if answer["error"] is None]
    if not with_facts:
        return None, {}
    state, progress, _missing, _run, _run_ended = reference.view(spec, with_facts[-1])
    return state, progress or {}


def check(specs, rules, threaded=False):
    """Run the real waiter and hold it to the reference and to the gate's promises."""
    waiter, clock, logs = run_gate(specs, rules, threaded)
    reference = Reference(rules["wanted"], rules["min_percent"], rules["max_failed"], rules["stall_timeout"],
                          CUTOFF if rules["started_after"] else None)
    deadline = rules["timeout"]
    expected = [reference.replay(spec, log) for spec, log in zip(specs, logs)]
    verdicts = [(tracked.verdict, tracked.reason) for tracked in waiter.tracked]

    # Target by target: stopped on the answer the reference stops on, with the same verdict and reason.
    for index, (spec, log, (stop, verdict, reason), tracked) in enumerate(zip(specs, logs, expected, waiter.tracked)):
        assert log, "target %d was never polled" % index
        if stop is not None:
            assert len(log) == stop + 1, "target %d: polled %d times, the reference finishes it at poll %d" % (index, len(log), stop + 1)
            assert (tracked.verdict, tracked.reason) == (verdict, reason), "target %d" % index
        elif tracked.verdict == FAILED:
            assert clock.now >= deadline, "target %d failed with %s before the deadline" % (index, tracked.reason)
            assert tracked.reason == ("api_error" if reason == "transient" else "timeout"), "target %d" % index
        else:
            assert tracked.verdict == PENDING and any(v == FAILED for v, _r in verdicts), "target %d left pending" % index

    # The gate ends in the round that decides it, and all of its targets were asked in every round they were open.
    failed_now = [len(log) for log, (verdict, _reason) in zip(logs, verdicts) if verdict == FAILED]
    if failed_now:
        assert waiter.polls == max(failed_now)
    else:
        assert waiter.polls == max(len(log) for log in logs)

    success = all(verdict == DONE for verdict, _reason in verdicts)
    for spec, log, (verdict, reason) in zip(specs, logs, verdicts):
        state, progress = last_view(reference, spec, log)
        terminal_not_asked = state in TERMINAL[spec["kind"]] and state not in rules["wanted"] and "terminal" not in rules["wanted"]
        if verdict == DONE:
            # (1) success: the last thing seen was asked for, or far enough along, and not over max_failed.
            percent = progress.get("percent_complete")
            assert log[-1][1]["error"] is None
            assert state in rules["wanted"] or ("terminal" in rules["wanted"] and state in TERMINAL[spec["kind"]]) or (
                rules["min_percent"] is not None and percent is not None and percent >= rules["min_percent"])
            assert rules["max_failed"] is None or (progress.get("failed") or 0) <= rules["max_failed"]
            # (2) a terminal state that was not asked for never opens the gate.
            assert not terminal_not_asked
            # (4) an upgrade that started before started_after never opens the gate.
            if spec["kind"] == "vmss" and rules["started_after"]:
                facts = log[-1][1]["facts"]
                assert facts["exists"] and facts["started_at"] is not None and moment(facts["started_at"]) >= CUTOFF
        # (3) a timeout is a failure, reached only at the deadline.
        if reason == "timeout":
            assert not success and clock.now >= deadline
        # (5) not found fails at once: the first answer that says so is the last one asked, and the gate stops in that round.
        if any(answer["error"] == "not_found" for _at, answer in log):
            assert log[-1][1]["error"] == "not_found" and (verdict, reason) == (FAILED, "not_found")
            assert waiter.polls == len(log)
    return waiter


def describe(specs, rules, logs):
    """The case in a few lines, for the report of a falsifying example."""
    lines = ["rules: %s" % dict(rules, wanted=sorted(rules["wanted"]))]
    for index, (spec, log) in enumerate(zip(specs, logs)):
        lines.append("target %d: %s stage=%s group=%s" % (index, spec["kind"], spec.get("stage"), spec.get("group")))
        for at, answer in log:
            lines.append("  t=%s %s retry_after=%s" % (at, answer["error"] or answer["facts"], answer["retry_after"]))
    return "\n".join(lines)


def property_test(strategy, examples, threaded=None):
    """A hypothesis test over ``strategy`` (-> (specs, rules)); returns how many examples it checked."""
    checked = [0]

    @settings(max_examples=examples, **PROPERTY_SETTINGS)
    @given(strategy, st.booleans() if threaded is None else st.just(threaded))
    def run(case, use_threads):
        specs, rules = case
        try:
            check(specs, rules, use_threads)
        except AssertionError:
            note(describe(specs, rules, run_gate(specs, rules)[2]))
            raise
        checked[0] += 1

    run()
    return checked[0]


def test_a_single_target_never_opens_the_gate_on_a_state_it_was_not_asked_for():
    checked = property_test(st.tuples(st.lists(target_specs(), min_size=1, max_size=1), rule_specs()), SINGLE_EXAMPLES, threaded=False)
    suite_counts.record("generated timelines checked", checked)
    assert checked >= SINGLE_EXAMPLES // 2


def test_several_targets_open_the_gate_only_when_every_one_is_done():
    checked = property_test(st.tuples(st.lists(target_specs(), min_size=2, max_size=4), rule_specs()), MULTI_EXAMPLES)
    suite_counts.record("generated timelines checked", checked)
    assert checked >= MULTI_EXAMPLES // 2


# ---------------------------------------------------------------------------------------------- the reference itself


def test_the_reference_reads_the_contract_as_the_hand_written_cases_do():
    """The reference is code too: a few cases worked out by hand keep it honest."""
    reference = Reference({"completed"}, min_percent=50.0, max_failed=1)
    assert reference.verdict("vmss", "faulted", {"percent_complete": 90.0}, False) == (FAILED, "failed_state")
    assert reference.verdict("vmss", "rolling_forward", {"percent_complete": 50.0}, False) == (DONE, None)
    assert reference.verdict("vmss", "completed", {"failed": 2}, False) == (FAILED, "max_failed")
    assert reference.verdict("fleet", "paused_for_approval", {}, False) == (PENDING, None)
    assert Reference({"terminal"}).verdict("fleet", "skipped", {}, False) == (DONE, None)
    assert Reference({"terminal"}).verdict("vmss", "failed", {}, False) == (PENDING, None)  # not a scale set state: unknown
    cutoff = Reference({"completed"}, cutoff=CUTOFF)
    old = {"exists": True, "state": "completed", "started_at": "2026-11-23T18:29:59.999999Z", "progress": {}}
    assert cutoff.view({"kind": "vmss"}, old) == (None, None, False, None, False)
    assert cutoff.view({"kind": "vmss"}, dict(old, started_at="2026-11-23T18:30:00Z"))[0] == "completed"
    run = {"state": "running", "progress": {}, "stages": [{"name": "canary", "state": "completed", "after_stage_wait": None, "groups": [
        {"name": "g1", "state": "completed", "members": [{"name": "a", "state": "completed"}, {"name": "b", "state": "skipped"},
                                                         {"name": "c", "state": "running"}]}]}]}
    assert reference.view({"kind": "fleet", "group": "g1"}, run)[1]["percent_complete"] == 66.7
    assert reference.view({"kind": "fleet", "stage": "prod"}, run) == (None, None, True, None, False)
    assert reference.view({"kind": "fleet", "stage": "prod"}, dict(run, stages=[])) == (None, None, False, None, False)
    assert reference.view({"kind": "fleet", "stage": "canary"}, run)[3] == ("running", {}, [("canary", "completed", None, ["completed"])])
    ended = dict(run, state="failed")
    assert reference.view({"kind": "fleet", "stage": "canary"}, ended)[4] is True
    assert reference.verdict("fleet", "not_started", {}, False, run_ended=True) == (FAILED, "failed_state")
    assert reference.verdict("fleet", None, {}, False, run_ended=True) == (FAILED, "failed_state")
    assert [parse_timestamp(text) for text in CUTOFF_SPELLINGS] == ["2026-11-23T18:30:00Z"] * len(CUTOFF_SPELLINGS)
