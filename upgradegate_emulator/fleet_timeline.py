# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure functions: derive every status object of a fleet update run.

`schedule()` lays the run out on its own clock ("run time": seconds since the
run started, pauses removed): stages one after another, groups of a stage in
parallel, members of a group one after another (as the 2025-03-01 API
documents; `members_in_parallel` changes that), after-stage waits, skips and
failures.  `run_status()` reads that schedule at one run time and returns the
`status` object of the UpdateRun body.  No I/O, no clock.

Approval gates (before or after a stage or a group) hold the run where they
stand from the moment it reaches them until they are approved (`approvals`
maps a gate's key to the run time of its approval) or skipped; a gate that is
never approved holds the rest of the run forever (its end is infinite).
Order within a stage: before-gates, groups (each: before-gates, members,
after-gates), the after-stage wait, then the stage's after-gates.
"""

DEFAULT_STAGE = "default"
DEFAULT_GROUP = "default"
NEVER = float("inf")
TIMINGS = ("before", "after")


def gate_key(stage, group, timing, index):
    """The stable key of one gate of a run: where it stands and its position there."""
    return "%s|%s|%s|%d" % (stage, group or "", timing, index)


def stage_gates(stage, group=None):
    """{"before": [config], "after": [config]} of a stage (group None) or of one of its groups."""
    gates = stage.get("gates") or {}
    if group is not None:
        gates = (gates.get("groups") or {}).get(group) or {}
    return {timing: list(gates.get(timing) or []) for timing in TIMINGS}


def _gates(configs, start, where, approvals, skip_at):
    """Gates one after another from `start`: (items, the run time the last one lets the run go on)."""
    items, cursor = [], start
    for index, config in enumerate(configs):
        key = gate_key(where[0], where[1], where[2], index)
        approved = approvals.get(key)
        end, outcome = (NEVER if approved is None else max(cursor, approved)), "Completed"
        if skip_at is not None and skip_at < end:
            end, outcome = max(cursor, skip_at), "Skipped"
        items.append(_item(cursor, end, outcome, key=key, config=config))
        cursor = end
    return items, cursor


def _unreached_gates(configs, where):
    return [_item(None, None, "NotStarted", key=gate_key(where[0], where[1], where[2], index), config=config)
            for index, config in enumerate(configs)]


def implicit_stages():
    """The single stage and group Azure shows for a run created without a strategy."""
    return [{"name": DEFAULT_STAGE, "groups": [DEFAULT_GROUP], "after_stage_wait_seconds": None}]


def _min_skip(*values):
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _item(start, end, outcome, **extra):
    item = {"start": start, "end": end, "outcome": outcome}
    item.update(extra)
    return item


def _schedule_member(member, cursor, sim, skip_at):
    spec = sim["members"].get(member["name"], {})
    fail_after = spec.get("fail_after")
    natural_end = cursor + (fail_after if fail_after is not None else spec.get("seconds", sim["member_seconds"]))
    if skip_at is not None and skip_at < natural_end:
        if cursor > skip_at:  # skipped before its turn: skipped from the moment of the skip, taking no time
            return _item(None, skip_at, "Skipped", member=member, spec=spec)
        return _item(cursor, skip_at, "Skipped", member=member, spec=spec)
    return _item(cursor, natural_end, "Failed" if fail_after is not None else "Completed", member=member, spec=spec)


def _schedule_group(name, members, start, sim, skips, stage_skip, gates=None, approvals=None, stage_name=None):
    group_skip = _min_skip(skips.get(("Group", name)), stage_skip)
    gates = gates or {"before": [], "after": []}
    before, members_start = _gates(gates["before"], start, (stage_name, name, "before"), approvals or {}, group_skip)
    reached, start = start, members_start
    cursor, out = start, []
    for member in members:
        if out and out[-1]["outcome"] == "Failed" and not sim["members_in_parallel"]:
            out.append(_item(None, None, "NotStarted", member=member, spec={}))
            continue
        item = _schedule_member(member, start if sim["members_in_parallel"] else cursor, sim,
                                _min_skip(skips.get(("Member", member["name"])), group_skip))
        out.append(item)
        cursor = max(cursor, item["end"])
    end = max([m["end"] for m in out if m["end"] is not None] + [start])
    if group_skip is not None and group_skip <= end and not any(m["outcome"] == "Failed" for m in out):
        outcome = "Skipped"
    elif any(m["outcome"] == "Failed" for m in out):
        outcome = "Failed"
    else:
        outcome = "Completed"
    if outcome == "Failed":
        after = _unreached_gates(gates["after"], (stage_name, name, "after"))
    else:
        after, end = _gates(gates["after"], end, (stage_name, name, "after"), approvals or {}, group_skip)
    return _item(reached, end, outcome, name=name, members=out, before=before, after=after)


def _not_started_group(name, members, stage=None):
    gates = stage_gates(stage, name) if stage is not None else {"before": [], "after": []}
    where = (stage["name"] if stage is not None else None, name)
    return _item(None, None, "NotStarted", name=name, members=[_item(None, None, "NotStarted", member=m, spec={}) for m in members],
                 before=_unreached_gates(gates["before"], where + ("before",)), after=_unreached_gates(gates["after"], where + ("after",)))


def _not_started_stage(stage, group_members):
    groups = [_not_started_group(g, group_members.get(g, []), stage) for g in stage["groups"]]
    wait = None if stage["after_stage_wait_seconds"] is None else _item(None, None, "NotStarted")
    gates = stage_gates(stage)
    return _item(None, None, "NotStarted", name=stage["name"], groups=groups, wait=wait, wait_seconds=stage["after_stage_wait_seconds"],
                 before=_unreached_gates(gates["before"], (stage["name"], None, "before")),
                 after=_unreached_gates(gates["after"], (stage["name"], None, "after")))


def schedule(stages, group_members, sim, skips=None, approvals=None):
    """Lay out the whole run.  skips maps (type, name) -> run time of the skip request; approvals gate key -> run time."""
    skips, approvals = skips or {}, approvals or {}
    cursor, out, failed = 0.0, [], False
    for stage in stages:
        if failed:
            out.append(_not_started_stage(stage, group_members))
            continue
        stage_skip = skips.get(("Stage", stage["name"]))
        gates = stage_gates(stage)
        reached = cursor
        before, cursor = _gates(gates["before"], cursor, (stage["name"], None, "before"), approvals, stage_skip)
        groups = [_schedule_group(g, group_members.get(g, []), cursor, sim, skips, stage_skip, stage_gates(stage, g), approvals,
                                  stage["name"]) for g in stage["groups"]]
        groups_end = max([g["end"] for g in groups] or [cursor])
        failed = any(g["outcome"] == "Failed" for g in groups)
        wait_seconds = stage["after_stage_wait_seconds"]
        wait, end = None, groups_end
        if wait_seconds is not None and not failed:
            wait_skip = _min_skip(skips.get(("AfterStageWait", stage["name"])), stage_skip)
            end = groups_end + wait_seconds
            outcome = "Completed"
            wait_start = groups_end
            if wait_skip is not None and wait_skip < end:
                end, outcome = max(groups_end, wait_skip), "Skipped"
                if wait_skip < groups_end:  # skipped before it began: skipped from the moment of the skip
                    wait_start, end = None, groups_end
            wait = _item(wait_start, end if wait_start is not None else wait_skip, outcome)
        elif wait_seconds is not None:
            wait = _item(None, None, "NotStarted")
        if failed:
            outcome = "Failed"
            after = _unreached_gates(gates["after"], (stage["name"], None, "after"))
        else:
            after, end = _gates(gates["after"], end, (stage["name"], None, "after"), approvals, stage_skip)
            outcome = "Skipped" if stage_skip is not None and stage_skip <= end else "Completed"
        out.append(_item(reached, end, outcome, name=stage["name"], groups=groups, wait=wait, wait_seconds=wait_seconds,
                         before=before, after=after))
        cursor = end
    return {"stages": out, "end": cursor, "outcome": "Failed" if failed else "Completed"}


def entity_state(item, rc, stop=None):
    """State of one scheduled entity at run time rc; stop is None, 'Stopping' or 'Stopped'."""
    start, end, outcome = item["start"], item["end"], item["outcome"]
    if end is not None and rc >= end and (start is not None or outcome == "Skipped"):
        return outcome
    if start is None or rc < start:
        return "NotStarted"
    return stop or "Running"


def gate_state(item, rc):
    """NotStarted until the run reaches the gate, Pending while it holds the run, then Completed or Skipped."""
    if item["start"] is None or rc < item["start"]:
        return "NotStarted"
    return item["outcome"] if rc >= item["end"] else "Pending"


def _holding(node, rc):
    """True when one of this stage's or group's own gates holds the run at rc."""
    return any(gate_state(gate, rc) == "Pending" for gate in node.get("before", []) + node.get("after", []))


def node_state(node, rc, stop=None):
    """The state of a stage or group: Pending while held at one of its gates (a stage also when its groups are only held)."""
    state = entity_state(node, rc, stop)
    if state != "Running":
        return state
    if _holding(node, rc):
        return "Pending"
    groups = node.get("groups")
    if groups:
        states = [node_state(group, rc) for group in groups]
        if "Pending" in states and "Running" not in states:
            return "Pending"
    return state


def _gate_status(gate, rc, to_wall, gate_id):
    state = gate_state(gate, rc)
    body = {"displayName": gate["config"].get("displayName")}
    if state != "NotStarted":
        body["gateId"] = gate_id(gate["key"])
    status = {}
    if state != "NotStarted":
        status["startTime"] = to_wall(gate["start"])
    if state in ("Completed", "Skipped"):
        status["completedTime"] = to_wall(gate["end"])
    status["state"] = state
    body["status"] = status
    return body


def _with_gates(body, node, rc, to_wall, gate_id):
    for timing in TIMINGS:
        if node.get(timing):
            body[timing + "Gates"] = [_gate_status(gate, rc, to_wall, gate_id) for gate in node[timing]]
    return body


def _status(item, rc, to_wall, stop, error=None):
    state = node_state(item, rc, stop) if "before" in item else entity_state(item, rc, stop)
    status = {}
    if item["start"] is not None and rc >= item["start"] and state != "NotStarted":
        status["startTime"] = to_wall(item["start"])
    if state in ("Completed", "Failed", "Skipped") and item["end"] is not None and "startTime" in status:
        status["completedTime"] = to_wall(item["end"])
    if state == "Stopped" and stop:
        status["completedTime"] = to_wall(rc)
    status["state"] = state
    if state == "Failed" and error:
        status["error"] = error
    return status


def _member_error(member, spec):
    return spec.get("error") or {
        "code": "UpgradeFailed",
        "message": "Upgrade of member '%s' failed: the managed cluster upgrade operation did not succeed." % member["name"],
    }


def _member_status(item, rc, to_wall, stop, operation_id):
    member, spec = item["member"], item["spec"]
    body = {"status": _status(item, rc, to_wall, stop, _member_error(member, spec)), "name": member["name"],
            "clusterResourceId": member["cluster_resource_id"]}
    if body["status"]["state"] not in ("NotStarted", "Skipped") and "startTime" in body["status"]:
        body["operationId"] = operation_id(member["name"])
    if body["status"]["state"] == "Failed":
        body["message"] = spec.get("message") or body["status"]["error"]["message"]
    elif body["status"]["state"] == "Completed":
        body["message"] = spec.get("message") or "Member update completed."
    return body


def _group_status(group, rc, to_wall, stop, operation_id, gate_id=None):
    failed = [m["member"]["name"] for m in group["members"] if entity_state(m, rc) == "Failed"]
    error = {"code": "UpdateGroupFailed", "message": "Group '%s' failed: member(s) %s failed." % (group["name"], ", ".join(failed))}
    return _with_gates({"status": _status(group, rc, to_wall, stop, error), "name": group["name"],
                        "members": [_member_status(m, rc, to_wall, stop, operation_id) for m in group["members"]]}, group, rc, to_wall, gate_id)


def _stage_status(stage, rc, to_wall, stop, operation_id, gate_id=None):
    failed = [g["name"] for g in stage["groups"] if entity_state(g, rc) == "Failed"]
    error = {"code": "UpdateStageFailed", "message": "Stage '%s' failed: group(s) %s failed." % (stage["name"], ", ".join(failed))}
    body = {"status": _status(stage, rc, to_wall, stop, error), "name": stage["name"],
            "groups": [_group_status(g, rc, to_wall, stop, operation_id, gate_id) for g in stage["groups"]]}
    if stage["wait"] is not None:
        body["afterStageWaitStatus"] = {"status": _status(stage["wait"], rc, to_wall, stop),
                                        "waitDurationInSeconds": stage["wait_seconds"]}
    return _with_gates(body, stage, rc, to_wall, gate_id)


def run_status(plan, rc, to_wall, run_name, stop=None, operation_id=str, gate_id=str):
    """The `status` object of an UpdateRun at run time rc (None = not started yet)."""
    if rc is None:
        rc = -1.0
    failed_stage = next((s["name"] for s in plan["stages"] if entity_state(s, rc) == "Failed"), None)
    error = {"code": "UpdateRunFailed", "message": "Update run '%s' failed in stage '%s'." % (run_name, failed_stage)}
    status = _status(_item(0.0, plan["end"], plan["outcome"]), rc, to_wall, stop, error)
    status["state"] = run_state(plan, rc, stop)
    return {"status": status, "stages": [_stage_status(s, rc, to_wall, stop, operation_id, gate_id) for s in plan["stages"]]}


def run_state(plan, rc, stop=None):
    """Only the run's state (cheap), for decisions such as 'may this run be stopped?'. Pending while a gate holds it."""
    if rc is None:
        return "NotStarted"
    state = entity_state(_item(0.0, plan["end"], plan["outcome"]), rc, stop)
    if state == "Running" and any(node_state(stage, rc) == "Pending" for stage in plan["stages"]):
        return "Pending"
    return state


def plan_gates(plan):
    """Every gate of a laid-out run: (stage name, group name or None, "before" | "after", gate item), in the run's order."""
    found = []
    for stage in plan["stages"]:
        found += [(stage["name"], None, "before", gate) for gate in stage.get("before", [])]
        for group in stage["groups"]:
            found += [(stage["name"], group["name"], timing, gate) for timing in TIMINGS for gate in group.get(timing, [])]
        found += [(stage["name"], None, "after", gate) for gate in stage.get("after", [])]
    return found
