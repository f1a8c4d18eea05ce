# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure: what ``fleet_update_run`` must do to an update run, decided from what Azure has.

Each step is one function of the facts (``fleet_update_run_info``'s item, or
None when the run does not exist) and the options; each returns the write to
make (or None) or raises PlanError, a ValidationError that names the option
and says why nothing can be done. The order of the steps: the run's
definition (create or replace), then ``skip``, then the state (start, stop).
"""

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

FINISHED = ("completed", "failed", "skipped")
STARTABLE = ("not_started", "stopped")


class PlanError(ValidationError):
    """Nothing can be done as asked; ``missing`` is true when the run does not exist."""

    def __init__(self, field, message, missing=False):
        super().__init__(field, message)
        self.missing = missing
        self.facts = None


def _label(params):
    return "update run %r of fleet %r" % (params["name"], params["fleet_name"])


def definition_step(facts, wanted, differing, defines):
    """``create``, ``replace`` or None.

    ``wanted`` is the options' view, ``differing`` the option paths that differ
    from Azure's (see _run_body.differences), ``defines`` whether the run's
    definition options (upgrade_type...) are given.
    """
    if facts is None:
        if not defines:
            return None
        return "create"
    if not differing:
        return None
    if facts.get("state") not in ("not_started", None) or facts.get("started_at"):
        raise PlanError(differing[0].split(".")[0].split("[")[0],
                        "the run has started (state %s) and Azure changes a run only before it starts; these options differ from "
                        "the run: %s. Create a new run (another name) instead" % (facts.get("state"), ", ".join(differing)))
    return "replace" if wanted else None


def require_run(facts, params):
    """Fail when the run does not exist and cannot be created (no upgrade_type)."""
    if facts is None:
        raise PlanError("name", "%s does not exist; give upgrade_type (with kubernetes_version, and a strategy or update_strategy_id "
                                "if wanted) to create it" % _label(params), missing=True)


def skip_state(facts, target):
    """The state of a skip target in the run, or False when the run has no such target.

    A run about to be created (``members_unknown``: check mode, or a strategy read by Azure) gives None for
    targets it cannot know yet: Azure resolves members and a strategy's stages when it creates the run.
    """
    for stage in facts.get("stages") or []:
        if target["type"] == "Stage" and stage.get("name") == target["name"]:
            return stage.get("state")
        if target["type"] == "AfterStageWait" and stage.get("name") == target["name"]:
            wait = stage.get("after_stage_wait")
            return wait.get("state") if wait else (None if stage.get("after_stage_wait_seconds") is not None else False)
        for group in stage.get("groups") or []:
            if target["type"] == "Group" and group.get("name") == target["name"]:
                return group.get("state")
            for member in group.get("members") or []:
                if target["type"] == "Member" and member.get("name") == target["name"]:
                    return member.get("state")
    if facts.get("members_unknown") and (target["type"] == "Member" or not facts.get("stages")):
        return None
    return False


def skip_step(facts, targets, params):
    """The targets still to skip (Azure's SkipTarget bodies, each once), or None."""
    if not targets:
        return None
    pending, seen = [], set()
    for index, target in enumerate(targets):
        key = (target["type"], target["name"])
        if key in seen:
            continue
        seen.add(key)
        state = skip_state(facts, target)
        if state is False:
            raise PlanError("skip[%d]" % index, "%s has no %s named %r" % (_label(params), target["type"], target["name"]))
        if state != "skipped":
            pending.append({"type": target["type"], "name": target["name"]})
    if pending and facts.get("state") in FINISHED:
        raise PlanError("skip", "%s has finished (state %s): nothing of it can be skipped any more (%s)"
                        % (_label(params), facts["state"], ", ".join("%s %s" % (t["type"], t["name"]) for t in pending)))
    return pending or None


def has_started(facts):
    """A run that Azure has started: any state but not_started, except a pending run that has no start time yet."""
    state = facts.get("state")
    if state == "pending":
        return bool(facts.get("started_at"))
    return state not in ("not_started", None)


def state_step(state, facts, params):
    """``start``, ``stop``, ``delete`` or None for the target ``state``."""
    if state == "absent":
        return "delete" if facts is not None else None
    if state == "started":
        run_state = facts.get("state")
        if run_state in FINISHED:
            raise PlanError("state", "%s has finished (state %s) and cannot be started again; create a new run"
                            % (_label(params), run_state))
        if run_state in STARTABLE or not has_started(facts):
            return "start"
        return None
    if state == "stopped":
        return "stop" if facts.get("state") == "running" else None
    return None


def predicted_state(step, facts):
    """The run's state after a write, for check mode and diff mode (Azure has the final word)."""
    return {"create": "not_started", "replace": "not_started", "start": "running", "stop": "stopping", "delete": None}.get(
        step, facts.get("state") if facts else None)
