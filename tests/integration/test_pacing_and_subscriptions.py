# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pacing by Resource Manager's throttling budget, and several subscriptions, in real ansible-playbook runs.

What happened is read from the emulator's request log (429s served, the
remaining budget of every answer, which paths were read), never from how long
anything took.
"""

import pytest

from scenarios import CLIENT, SECRET, SUB, TENANT, env_for

SUB2 = "44444444-4444-4444-8444-444444444444"
SUB3 = "55555555-5555-4555-8555-555555555555"
DISABLED = "66666666-6666-4666-8666-666666666666"
FOREIGN = "77777777-0000-4000-8000-000000000007"
NARROW = "88888888-8888-4888-8888-888888888888"
DONE = {"start": -3600, "duration": 600}


def _tenants():
    return [{"id": TENANT, "clients": [
        {"client_id": CLIENT, "secret": SECRET},
        {"client_id": NARROW, "secret": SECRET, "permissions": [{"actions": ["*"], "scope": "/subscriptions/%s" % SUB},
                                                                {"actions": ["*"], "scope": "/subscriptions/%s/resourceGroups/rg-x" % SUB2}]},
    ]}]


def _many(count, name="vmss-{i:03d}"):
    return [{"name": "rg-many", "scale_sets": [{"name": name, "count": count, "rolling_upgrade": DONE}]}]


def _latest(log):
    return [entry for entry in log if entry["route"] == "vmss.rolling_upgrade_latest"]


def _arm(log):
    return [entry for entry in log if entry["kind"] == "arm"]


def vmss_task(task="read", **options):
    return {"name": task, "upgradegate.azure.vmss_rolling_upgrade_info": options}


# -- pacing --------------------------------------------------------------------------------------

BUCKET = {"mode": "bucket", "reads": 30, "reads_per_second": 10}


@pytest.fixture
def throttled(emulator_factory):
    return emulator_factory({"time_scale": 1, "tenants": _tenants(), "rate_limit": BUCKET,
                             "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": _many(120)}]})


def test_the_fan_out_slows_as_the_budget_falls_and_never_runs_it_dry(throttled, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-many")], env=env_for(throttled), verbosity=0)
    assert run.rc == 0, run.stdout
    assert len(run.result("read")["rolling_upgrades"]) == 120
    log = _arm(throttled.requests_log())
    assert [entry["status"] for entry in log].count(429) == 0
    remaining = [entry["ratelimit_remaining"] for entry in log]
    assert len(remaining) == 122 and None not in remaining  # two list pages, 120 reads
    assert min(remaining) >= 1, "the bucket ran dry: %s" % remaining
    # A full bucket is spent at once, down to the reserve; after that the reads keep to the refill and the
    # remaining budget stays low instead of falling to 0.
    assert remaining[0] == 29
    assert max(remaining[40:]) <= 15, remaining


def test_without_pacing_the_same_fan_out_is_throttled(throttled, run_playbook):
    """The scenario above does throttle a client that does not pace itself (the internal switch of the benchmarks)."""
    env = dict(env_for(throttled), UPGRADEGATE_PACING="off")
    run = run_playbook([vmss_task(resource_group="rg-many")], env=env, verbosity=0)
    assert run.rc == 0, run.stdout
    assert len(run.result("read")["rolling_upgrades"]) == 120
    statuses = [entry["status"] for entry in _arm(throttled.requests_log())]
    assert statuses.count(429) >= 1


def test_a_burst_of_429_is_still_survived(emulator_factory, run_playbook):
    emu = emulator_factory({"time_scale": 1, "tenants": _tenants(),
                            "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": _many(40)}],
                            "faults": [{"id": "burst", "kind": "throttle", "path": "rollingUpgrades/latest$", "retry_after": 1,
                                        "count": 5, "after": 10}]})
    run = run_playbook([vmss_task(resource_group="rg-many")], env=env_for(emu), verbosity=0)
    assert run.rc == 0, run.stdout
    items = run.result("read")["rolling_upgrades"]
    assert [item["scale_set_name"] for item in items] == ["vmss-%03d" % index for index in range(40)]
    latest = _latest(emu.requests_log())
    assert [entry["status"] for entry in latest].count(429) == 5
    assert sorted({entry["path"] for entry in latest if entry["status"] == 200}) == sorted({entry["path"] for entry in latest})


# -- several subscriptions ---------------------------------------------------------------------


def _subscriptions_scenario(**top):
    built = {
        "time_scale": 0, "page_size": 2, "tenants": _tenants(),
        "subscriptions": [
            {"id": SUB, "tenant": TENANT, "resource_groups": [
                {"name": "rg-b", "scale_sets": [{"name": "vmss-2", "rolling_upgrade": DONE}, {"name": "vmss-1"}]},
                {"name": "rg-a", "scale_sets": [{"name": "vmss-9", "rolling_upgrade": DONE}]}]},
            {"id": SUB2, "tenant": TENANT, "resource_groups": [{"name": "rg-x", "scale_sets": [{"name": "vmss-x", "rolling_upgrade": DONE}]},
                                                               {"name": "rg-a", "scale_sets": [{"name": "vmss-a", "rolling_upgrade": DONE}]}]},
            {"id": SUB3, "tenant": TENANT, "resource_groups": [{"name": "rg-c", "scale_sets": [{"name": "vmss-c", "rolling_upgrade": DONE}]}]},
            {"id": DISABLED, "tenant": TENANT, "state": "Disabled",
             "resource_groups": [{"name": "rg-d", "scale_sets": [{"name": "vmss-d", "rolling_upgrade": DONE}]}]},
            {"id": FOREIGN, "tenant": "00000000-0000-4000-8000-000000000000"},
        ],
    }
    built.update(top)
    return built


@pytest.fixture(scope="module")
def subs(emulator_session_factory):
    return emulator_session_factory(_subscriptions_scenario())


def _names(items):
    return [(item["subscription_id"], item["resource_group"], item["scale_set_name"]) for item in items]


def test_a_list_of_subscriptions_is_read_side_by_side_sorted_by_subscription_group_and_name(subs, run_playbook):
    subs.reset_log()
    run = run_playbook([vmss_task(subscriptions=[SUB2, SUB, SUB2.upper()])], env=env_for(subs), verbosity=0)
    assert run.rc == 0, run.stdout
    items = run.result("read")["rolling_upgrades"]
    assert _names(items) == [(SUB, "rg-a", "vmss-9"), (SUB, "rg-b", "vmss-1"), (SUB, "rg-b", "vmss-2"),
                             (SUB2, "rg-a", "vmss-a"), (SUB2, "rg-x", "vmss-x")]
    assert [item["exists"] for item in items] == [True, False, True, True, True]
    lists = [entry["path"] for entry in subs.requests_log() if entry["route"] == "vmss.list_subscription"]
    assert sorted(set(lists)) == ["/subscriptions/%s/providers/Microsoft.Compute/virtualMachineScaleSets" % sub for sub in (SUB, SUB2)]
    assert len(lists) == 3  # page_size 2: two pages of 3 scale sets, one of 2; each subscription once


def test_all_reads_every_enabled_subscription_the_identity_can_see(subs, run_playbook):
    subs.reset_log()
    run = run_playbook([vmss_task(subscriptions=["all"])], env=env_for(subs), verbosity=0)
    assert run.rc == 0, run.stdout
    assert {item["subscription_id"] for item in run.result("read")["rolling_upgrades"]} == {SUB, SUB2, SUB3}
    log = subs.requests_log()
    assert [entry["route"] for entry in log if entry["kind"] == "arm"][:2] == ["resources.subscriptions_list"] * 2  # paged: 4 of 4
    assert not [entry for entry in log if DISABLED in entry["path"] or FOREIGN in entry["path"]]


def test_a_subscription_the_identity_cannot_read_fails_with_its_id_and_what_was_read_is_returned(subs, run_playbook):
    env = dict(env_for(subs), AZURE_CLIENT_ID=NARROW)
    run = run_playbook([vmss_task(subscriptions=[SUB, SUB2, SUB3])], env=env, verbosity=0)
    assert run.rc != 0
    result = run.result("read")
    assert result["failed"]
    assert SUB2 in result["msg"] and SUB3 in result["msg"] and "AuthorizationFailed" in result["msg"]
    assert "does not have authorization to perform action" in result["msg"]
    assert result["error"]["status"] == 403 and result["error"]["code"] == "AuthorizationFailed"
    assert _names(result["rolling_upgrades"]) == [(SUB, "rg-a", "vmss-9"), (SUB, "rg-b", "vmss-1"), (SUB, "rg-b", "vmss-2")]


def test_all_with_a_narrow_identity_reads_only_what_it_can_see(subs, run_playbook):
    env = dict(env_for(subs), AZURE_CLIENT_ID=NARROW)
    run = run_playbook([vmss_task(subscriptions=["all"])], env=env, verbosity=0)
    # SUB2 is listed (a role on one of its groups) but its scale sets cannot be listed subscription-wide.
    assert run.rc != 0
    result = run.result("read")
    assert SUB2 in result["msg"] and SUB3 not in result["msg"]
    assert {item["subscription_id"] for item in result["rolling_upgrades"]} == {SUB}


@pytest.mark.parametrize("options, field, words", [
    ({"subscriptions": [SUB], "resource_group": "rg-a"}, None, "mutually exclusive"),
    ({"subscriptions": [SUB], "name": "vmss-1", "resource_group": "rg-a"}, None, "mutually exclusive"),
    ({"subscriptions": ["all", SUB]}, "subscriptions", "all stands alone"),
    ({"subscriptions": ["prod"]}, "subscriptions[0]", "not a subscription id"),
    ({"subscriptions": []}, "subscriptions", "at least one"),
])
def test_bad_subscriptions_are_refused_naming_the_field(subs, run_playbook, options, field, words):
    run = run_playbook([vmss_task(**options)], env=env_for(subs), verbosity=0)
    result = run.result("read")
    assert run.rc != 0 and result["failed"] and words in result["msg"]
    assert result.get("field") == field
    assert result.get("rolling_upgrades") == [] or field is None


def test_each_subscription_is_paced_by_its_own_budget(emulator_factory, run_playbook):
    emu = emulator_factory({"time_scale": 1, "tenants": _tenants(), "rate_limit": {"mode": "bucket", "reads": 20, "reads_per_second": 5},
                            "subscriptions": [{"id": sub, "tenant": TENANT, "resource_groups": _many(60)} for sub in (SUB, SUB2)]})
    run = run_playbook([vmss_task(subscriptions=[SUB, SUB2])], env=env_for(emu), verbosity=0)
    assert run.rc == 0, run.stdout
    assert len(run.result("read")["rolling_upgrades"]) == 120
    log = _arm(emu.requests_log())
    assert [entry["status"] for entry in log].count(429) == 0
    for sub in (SUB, SUB2):
        remaining = [entry["ratelimit_remaining"] for entry in log if sub in entry["path"]]
        assert len(remaining) == 61 and min(remaining) >= 1


def test_the_gate_uses_the_same_pacing(emulator_factory, run_playbook):
    """20 targets polled every second against a bucket of 30 refilled at 10 per second: rounds wait for the budget."""
    upgrade = {"start": 0, "by": "polls", "poll_seconds": 1, "duration": 4}
    groups = [{"name": "rg-gate", "scale_sets": [{"name": "vmss-{i:02d}", "count": 20, "rolling_upgrade": upgrade}]}]
    emu = emulator_factory({"time_scale": 1, "tenants": _tenants(), "rate_limit": BUCKET,
                            "subscriptions": [{"id": SUB, "tenant": TENANT, "resource_groups": groups}]})
    targets = [{"resource_group": "rg-gate", "scale_set": "vmss-%02d" % index} for index in range(20)]
    run = run_playbook([{"name": "gate", "upgradegate.azure.wait_for_upgrade": {"targets": targets, "sleep": 1, "timeout": 300}}],
                       env=env_for(emu), verbosity=0)
    assert run.rc == 0, run.stdout
    assert all(target["state"] == "completed" for target in run.result("gate")["targets"])
    log = _arm(emu.requests_log())
    assert len(log) >= 100  # every target read at least five times (by polls: 0, 1, 2, 3 s, then completed)
    assert [entry["status"] for entry in log].count(429) == 0
    assert min(entry["ratelimit_remaining"] for entry in log) >= 1
