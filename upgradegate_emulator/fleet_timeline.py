# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure functions: derive every status object of a fleet update run.

`schedule()` lays the run out on its own clock ("run time": seconds since the
run started, pauses removed): stages one after another, groups of a stage in
parallel, members of a group one after another (as the 2025-03-01 API
documents; `members_in_parallel` changes that), after-stage waits, skips and
failures.  `run_status()` reads that schedule at one run time and returns the
`status` object of the UpdateRun body.  No I/O, no clock.
"""

DEFAULT_STAGE = "default"
DEFAULT_GROUP = "default"


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


def _schedule_group(name, members, start, sim, skips, stage_skip):
    group_skip = _min_skip(skips.get(("Group", name)), stage_skip)
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
    return _item(start, end, outcome, name=name, members=out)


def _not_started_group(name, members):
    return _item(None, None, "NotStarted", name=name, members=[_item(None, None, "NotStarted", member=m, spec={}) for m in members])


def _not_started_stage(stage, group_members):
    groups = [_not_started_group(g, group_members.get(g, [])) for g in stage["groups"]]
    wait = None if stage["after_stage_wait_seconds"] is None else _item(None, None, "NotStarted")
    return _item(None, None, "NotStarted", name=stage["name"], groups=groups, wait=wait, wait_seconds=stage["after_stage_wait_seconds"])


def schedule(stages, group_members, sim, skips=None):
    """Lay out the whole run.  skips maps (type, name) -> run time of the skip request."""
    skips = skips or {}
    cursor, out, failed = 0.0, [], False
    for stage in stages:
        if failed:
            out.append(_not_started_stage(stage, group_members))
            continue
        stage_skip = skips.get(("Stage", stage["name"]))
        groups = [_schedule_group(g, group_members.get(g, []), cursor, sim, skips, stage_skip) for g in stage["groups"]]
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
        elif stage_skip is not None and stage_skip <= end:
            outcome = "Skipped"
        else:
            outcome = "Completed"
        out.append(_item(cursor, end, outcome, name=stage["name"], groups=groups, wait=wait, wait_seconds=wait_seconds))
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


def _status(item, rc, to_wall, stop, error=None):
    state = entity_state(item, rc, stop)
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


def _group_status(group, rc, to_wall, stop, operation_id):
    failed = [m["member"]["name"] for m in group["members"] if entity_state(m, rc) == "Failed"]
    error = {"code": "UpdateGroupFailed", "message": "Group '%s' failed: member(s) %s failed." % (group["name"], ", ".join(failed))}
    return {"status": _status(group, rc, to_wall, stop, error), "name": group["name"],
            "members": [_member_status(m, rc, to_wall, stop, operation_id) for m in group["members"]]}


def _stage_status(stage, rc, to_wall, stop, operation_id):
    failed = [g["name"] for g in stage["groups"] if entity_state(g, rc) == "Failed"]
    error = {"code": "UpdateStageFailed", "message": "Stage '%s' failed: group(s) %s failed." % (stage["name"], ", ".join(failed))}
    body = {"status": _status(stage, rc, to_wall, stop, error), "name": stage["name"],
            "groups": [_group_status(g, rc, to_wall, stop, operation_id) for g in stage["groups"]]}
    if stage["wait"] is not None:
        body["afterStageWaitStatus"] = {"status": _status(stage["wait"], rc, to_wall, stop),
                                        "waitDurationInSeconds": stage["wait_seconds"]}
    return body


def run_status(plan, rc, to_wall, run_name, stop=None, operation_id=str):
    """The `status` object of an UpdateRun at run time rc (None = not started yet)."""
    run_item = _item(0.0, plan["end"], plan["outcome"])
    if rc is None:
        rc = -1.0
    failed_stage = next((s["name"] for s in plan["stages"] if entity_state(s, rc) == "Failed"), None)
    error = {"code": "UpdateRunFailed", "message": "Update run '%s' failed in stage '%s'." % (run_name, failed_stage)}
    return {"status": _status(run_item, rc, to_wall, stop, error),
            "stages": [_stage_status(s, rc, to_wall, stop, operation_id) for s in plan["stages"]]}


def run_state(plan, rc, stop=None):
    """Only the run's state (cheap), for decisions such as 'may this run be stopped?'."""
    if rc is None:
        return "NotStarted"
    return entity_state(_item(0.0, plan["end"], plan["outcome"]), rc, stop)
