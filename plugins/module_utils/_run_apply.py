# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The work of ``fleet_update_run`` (and of the command line's ``start``): read, decide, write only the difference.

One read of the run, the pure decisions of ``_run_plan`` on the body built and
compared by ``_run_body``, then each write (PUT with If-None-Match / If-Match,
POST skip / start / stop, DELETE) followed to its end by ``_lro.follow``
within one deadline, and one read of the result. Check mode stops after the
decisions. An ArmError carries the last facts read in ``partial``.
"""

import time

from ansible_collections.upgradegate.azure.plugins.module_utils import _run_body, _run_plan
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._facts_fleet import update_run_facts
from ansible_collections.upgradegate.azure.plugins.module_utils._lro import follow
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import UPDATE_RUN_READ, explain, update_run_path
from ansible_collections.upgradegate.azure.plugins.module_utils._run_spec import defines_run

RUN_ACTIONS = "Microsoft.ContainerService/fleets/updateRuns"
# The permission each write needs, named in the message of a 403.
PERMISSIONS = {
    "create": RUN_ACTIONS + "/write",
    "replace": RUN_ACTIONS + "/write",
    "start": RUN_ACTIONS + "/start/action",
    "stop": RUN_ACTIONS + "/stop/action",
    "skip": RUN_ACTIONS + "/skip/action",
    "delete": RUN_ACTIONS + "/delete",
}
EMPTY_RESULT = {"update_run": None, "actions": []}


def explain_write(error, step, what):
    """Operation and resource first, then Azure's words; a 403 names the permission, a 409 and a 412 say what happened."""
    if error.status == 403:
        hint = "the identity lacks the permission %s on the run or its fleet; grant it (for example with the role " \
               "'Azure Kubernetes Fleet Manager Contributor Role')" % PERMISSIONS[step]
    elif error.status == 409:
        hint = "Azure refused it because of a conflict with the run's current state or another operation in progress " \
               "(%s: %s); wait for that operation to end and run again" % (error.code, error.azure_message)
    elif error.status == 412:
        hint = "the run changed since it was read (its ETag no longer matches): another pipeline or person changed it; run again"
    else:
        hint = None
    prefix = "%s %s: " % (step, what)
    if not str(error).startswith(prefix):
        error.args = ((prefix + str(error) + ("; " + hint if hint else "")),)
    return error


class RunWriter:
    """Reads and writes one update run under one deadline."""

    def __init__(self, client, subscription_id, params, clock=time.monotonic, sleep=time.sleep):
        self.client, self.subscription_id, self.params = client, subscription_id, params
        self.clock, self.sleep = clock, sleep
        self.path = update_run_path(subscription_id, params["resource_group"], params["fleet_name"], params["name"])
        self.what = "update run %r of fleet %r in resource group %r" % (params["name"], params["fleet_name"], params["resource_group"])
        self.deadline = clock() + params["timeout"]
        self.facts = None

    def read(self):
        """(facts, body) of the run, or (None, None) when it does not exist (a missing fleet or group is an error)."""
        try:
            response = self.client.get(self.path, self.params["api_version"], deadline=self.deadline)
        except ArmError as exc:
            if exc.kind == "not_found" and exc.code not in ("ResourceGroupNotFound", "SubscriptionNotFound", "ParentResourceNotFound"):
                return None, None
            exc.partial = self.facts
            raise explain(exc, UPDATE_RUN_READ, self.what) from None
        body = response.body
        self.facts = update_run_facts(body, self.subscription_id, self.params["resource_group"], self.params["fleet_name"],
                                      self.params["name"])
        return self.facts, body

    def write(self, step, body=None, headers=None):
        method, suffix = {"create": ("PUT", ""), "replace": ("PUT", ""), "delete": ("DELETE", "")}.get(step, ("POST", "/" + step))
        what = "%s %s%s" % (method, self.path, suffix)
        try:
            response = self.client.send(method, self.path + suffix, self.params["api_version"], body=body, headers=headers,
                                        deadline=self.deadline)
            return follow(self.client, response, what, self.deadline, self.clock, self.sleep)
        except ArmError as exc:
            if step == "delete" and exc.kind == "not_found":
                return None
            exc.partial = self.facts
            raise explain_write(exc, step, self.what) from None


def _diff_side(state, view, keys, skipped):
    side = {"state": state}
    side.update(_run_body.diff_view(view or {}, keys))
    if skipped is not None:
        side["skipped"] = skipped
    return side


def _planned(params, facts):
    """A run about to be created or replaced, as far as the options tell (for check mode: Azure has not resolved its members)."""
    stages = (facts or {}).get("stages") or []
    if params.get("strategy"):
        stages = [{"name": stage["name"], "after_stage_wait_seconds": stage.get("after_stage_wait_seconds"),
                   "after_stage_wait": None, "state": "not_started",
                   "groups": [{"name": group["name"], "state": "not_started", "members": []} for group in stage["groups"]]}
                  for stage in params["strategy"]["stages"]]
    return {"state": "not_started", "started_at": None, "stages": stages, "members_unknown": True}


def _skipped(facts, params):
    """The skip targets that are already skipped, as 'Type name' (None without skip)."""
    if not params.get("skip"):
        return None
    return sorted("%s %s" % (t["type"], t["name"]) for t in params["skip"] if facts and _run_plan.skip_state(facts, t) == "skipped")


class _Run:
    """The steps of one task: each decided on what Azure has, written unless in check mode."""

    def __init__(self, writer, check_mode):
        self.writer, self.check_mode = writer, check_mode
        self.steps = []

    def do(self, name, body=None, headers=None, detail=None):
        self.steps.append((name, detail))
        if not self.check_mode:
            self.writer.write(name, body, headers)


def _steps(run, writer, params, facts, wanted, actual, check_mode):
    """Decide and make each write in turn: the definition, then skip, then the state."""
    if params["state"] == "absent":
        if _run_plan.state_step("absent", facts, params):
            run.do("delete")
        return
    differing = _run_body.differences(wanted, actual) if facts is not None else sorted(wanted)
    definition = _run_plan.definition_step(facts, wanted, differing, defines_run(params))
    if definition is None:
        _run_plan.require_run(facts, params)
    else:
        headers = {"If-None-Match": "*"} if definition == "create" else {"If-Match": facts["etag"]} if facts.get("etag") else None
        run.do(definition, _run_body.request_body(params), headers)
        facts = writer.read()[0] if params.get("skip") and not check_mode else _planned(params, facts)
    targets = _run_plan.skip_step(facts, params.get("skip"), params)
    if targets:
        run.do("skip", {"targets": targets}, detail=targets)
    step = _run_plan.state_step(params["state"], facts, params)
    if step:
        run.do(step)


def _diff(params, run, before, after_facts, actual, wanted, check_mode):
    before_state, before_skipped = before
    keys = sorted(wanted)
    if params["state"] == "absent":
        after_state = "absent" if run.steps else before_state
    elif not run.steps:
        after_state = before_state
    elif check_mode:
        after_state = _run_plan.predicted_state(run.steps[-1][0], after_facts)
    else:
        after_state = (after_facts or {}).get("state")
    skipped_now = ["%s %s" % (t["type"], t["name"]) for name, detail in run.steps if name == "skip" for t in detail]
    after_skipped = None if before_skipped is None else sorted(set(before_skipped) | set(skipped_now))
    return {
        "before": _diff_side(before_state, actual, keys, before_skipped),
        "after": _diff_side(after_state, {} if params["state"] == "absent" else dict(actual, **wanted), keys, after_skipped),
    }


def ensure(client, subscription_id, params, check_mode=False, diff=False, clock=time.monotonic, sleep=time.sleep):
    """Bring the run to the options; returns the module's result (update_run, changed, actions, and diff when asked).

    Raises PlanError (with ``facts``, the run as read) when nothing can be done as asked, ArmError (with
    ``partial``) when Azure fails.
    """
    writer = RunWriter(client, subscription_id, params, clock, sleep)
    facts, body = writer.read()
    before = (facts.get("state") if facts else "absent", _skipped(facts, params))
    wanted = _run_body.view_of_options(params)
    actual = _run_body.view_of_body(body) if body is not None else {}
    run = _Run(writer, check_mode)
    try:
        _steps(run, writer, params, facts, wanted, actual, check_mode)
    except _run_plan.PlanError as exc:
        exc.facts = writer.facts
        raise
    if run.steps and not check_mode:
        facts = writer.read()[0] if params["state"] != "absent" else None
    result = {"changed": bool(run.steps), "actions": [name for name, _detail in run.steps], "update_run": facts}
    if diff:
        result["diff"] = _diff(params, run, before, facts, actual, wanted, check_mode)
    return result
