# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""vmss_rolling_upgrade_info and fleet_update_run_info in real ansible-playbook runs against the emulator."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scenarios import READER_ONLY, SUB, env_for, scenario

REPO = Path(__file__).resolve().parents[2]
TWO_STAGES = [{"name": "canary", "groups": ["canary"]}, {"name": "production", "groups": ["prod"]}]
FLEET = {
    "name": "fleet-app",
    "members": [{"name": "c1", "group": "canary"}, {"name": "p1", "group": "prod"}],
    "update_strategies": [{"name": "two-stage", "stages": TWO_STAGES}],
    "simulate": {"member_seconds": 10},
    "update_runs": [{"name": "run-1", "strategy": "two-stage", "start": -15}, {"name": "run-2", "strategy": "two-stage"}, {"name": "run-3"}],
}
GROUPS = [
    {"name": "rg-app", "scale_sets": [
        {"name": "vmss-web", "tags": {"app": "web", "env": "prod"}, "sku": {"capacity": 10},
         "rolling_upgrade": {"start": -20, "duration": 40}},
        {"name": "vmss-api", "tags": {"app": "api", "env": "prod"}, "rolling_upgrade": {"start": -7200, "duration": 600}},
        {"name": "vmss-batch", "tags": {"app": "batch"}, "upgrade_policy": {"mode": "Manual"}},
        {"name": "vmss-faulted", "tags": {"env": "test"}, "sku": {"capacity": 10},
         "rolling_upgrade": {"start": -100, "duration": 60, "outcome": "Faulted", "fault_after": 30}},
        {"name": "vmss-zeta", "tags": {"env": "test"}},
    ], "fleets": [FLEET]},
    {"name": "rg-many", "scale_sets": [{"name": "web-{i:03d}", "count": 200, "tags": {"pool": "p{i}"},
                                        "rolling_upgrade": {"start": -5, "duration": 30}}]},
]


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    return emulator_session_factory(scenario(GROUPS, page_size=2, page_sizes={"scale_sets": 2, "update_runs": 2}))


def documented_keys(module, key):
    """The keys RETURN documents for the items of ``key``, nested keys as dotted paths."""
    text = (REPO / "plugins" / "modules" / (module + ".py")).read_text()
    returned = yaml.safe_load(text.split('RETURN = r"""', 1)[1].split('"""', 1)[0])

    def walk(contains, prefix):
        for name, spec in contains.items():
            yield prefix + name, spec
            if "contains" in spec and spec.get("type") == "dict":
                yield from walk(spec["contains"], prefix + name + ".")
    return dict(walk(returned[key]["contains"], ""))


def assert_documented(item, module, key):
    documented = documented_keys(module, key)
    for path, spec in documented.items():
        parent, _dot, leaf = path.rpartition(".")
        holder = item
        for part in filter(None, parent.split(".")):
            holder = holder.get(part) or {}
        if spec.get("returned") == "always" and holder != {}:
            assert leaf in holder, "%s: documented key %s is missing" % (module, path)
    top_level = {path for path in documented if "." not in path}
    assert set(item) <= top_level, "%s returns undocumented keys %s" % (module, set(item) - top_level)


def vmss_task(task="read", **options):
    return {"name": task, "upgradegate.azure.vmss_rolling_upgrade_info": options}


def fleet_task(task="read", **options):
    return {"name": task, "upgradegate.azure.fleet_update_run_info": options}


def test_one_scale_set_is_read_with_every_documented_key(emu, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-app", name="vmss-web")], env=env_for(emu))
    assert run.rc == 0, run.stdout
    result = run.result("read")
    assert result["changed"] is False
    [item] = result["rolling_upgrades"]
    assert (item["scale_set_name"], item["resource_group"], item["subscription_id"]) == ("vmss-web", "rg-app", SUB)
    assert (item["exists"], item["state"], item["status_code"], item["is_terminal"]) == (True, "rolling_forward", "RollingForward", False)
    assert item["progress"]["total"] == 10 and item["policy"]["max_batch_instance_percent"] == 20
    assert "raw" not in item
    assert_documented(item, "vmss_rolling_upgrade_info", "rolling_upgrades")


def test_every_scale_set_of_a_resource_group_is_listed_across_pages_and_sorted(emu, run_playbook):
    emu.reset_log()
    run = run_playbook([vmss_task(resource_group="rg-app")], env=env_for(emu))
    items = run.result("read")["rolling_upgrades"]
    assert [item["scale_set_name"] for item in items] == ["vmss-api", "vmss-batch", "vmss-faulted", "vmss-web", "vmss-zeta"]
    listing = emu.requests_log(path="resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachineScaleSets$")
    assert len(listing) == 3  # five scale sets, two per page
    states = {item["scale_set_name"]: (item["exists"], item["state"]) for item in items}
    assert states == {"vmss-api": (True, "completed"), "vmss-batch": (False, None), "vmss-faulted": (True, "faulted"),
                      "vmss-web": (True, "rolling_forward"), "vmss-zeta": (False, None)}
    faulted = items[2]
    assert faulted["error"]["code"] and faulted["progress"]["failed"] > 0 and faulted["is_terminal"] and not faulted["succeeded"]
    assert items[0]["tags"] == {"app": "api", "env": "prod"}


def test_two_hundred_scale_sets_are_read_in_one_task(emu, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-many")], env=env_for(emu))
    items = run.result("read")["rolling_upgrades"]
    assert len(items) == 200
    assert [item["scale_set_name"] for item in items] == ["web-%03d" % i for i in range(200)]
    assert {item["state"] for item in items} == {"rolling_forward"}


def test_the_whole_subscription_is_read_without_a_resource_group(emu, run_playbook):
    run = run_playbook([vmss_task()], env=env_for(emu))
    items = run.result("read")["rolling_upgrades"]
    assert len(items) == 205 and items[0]["resource_group"] == "rg-app" and items[-1]["resource_group"] == "rg-many"


def test_the_tag_filter_keeps_scale_sets_that_carry_every_tag(emu, run_playbook):
    run = run_playbook([vmss_task("by key and value", resource_group="rg-app", tags=["env:prod"]),
                        vmss_task("by key", resource_group="rg-app", tags=["APP"]),
                        vmss_task("both", resource_group="rg-app", tags=["env:prod", "app:web"]),
                        vmss_task("one scale set, no match", resource_group="rg-app", name="vmss-web", tags=["env:test"]),
                        vmss_task("one scale set, match", resource_group="rg-app", name="vmss-web", tags=["app:web"])], env=env_for(emu))
    names = {task: [i["scale_set_name"] for i in run.result(task)["rolling_upgrades"]]
             for task in ("by key and value", "by key", "both", "one scale set, no match", "one scale set, match")}
    assert names == {"by key and value": ["vmss-api", "vmss-web"], "by key": ["vmss-api", "vmss-batch", "vmss-web"], "both": ["vmss-web"],
                     "one scale set, no match": [], "one scale set, match": ["vmss-web"]}
    assert run.result("one scale set, match")["rolling_upgrades"][0]["tags"] == {"app": "web", "env": "prod"}


def test_a_scale_set_without_rolling_upgrade_exists_false_and_a_missing_one_is_empty(emu, run_playbook):
    run = run_playbook([vmss_task("never upgraded", resource_group="rg-app", name="vmss-batch"),
                        vmss_task("missing", resource_group="rg-app", name="vmss-nope")], env=env_for(emu))
    [never] = run.result("never upgraded")["rolling_upgrades"]
    assert (never["exists"], never["state"], never["progress"]["percent_complete"], never["tags"]) == (False, None, None, {"app": "batch"})
    assert run.result("missing")["rolling_upgrades"] == []
    assert run.rc == 0


def test_include_raw_returns_azure_body(emu, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-app", name="vmss-web", include_raw=True)], env=env_for(emu))
    raw = run.result("read")["rolling_upgrades"][0]["raw"]
    assert raw["properties"]["runningStatus"]["code"] == "RollingForward"


def test_a_missing_resource_group_fails_and_says_so(emu, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-nope", name="vmss-web")], env=env_for(emu))
    result = run.result("read")
    assert run.rc != 0 and result["failed"] and result["rolling_upgrades"] == []
    assert "resource group of the latest rolling upgrade of scale set 'vmss-web' in resource group 'rg-nope' does not exist" in result["msg"]
    assert result["error"]["code"] == "ResourceGroupNotFound" and result["error"]["request_id"]


def test_a_403_names_the_missing_permission(emu, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-app", name="vmss-web")], env=env_for(emu, client=READER_ONLY))
    result = run.result("read")
    assert result["failed"] and result["error"]["status"] == 403 and result["error"]["code"] == "AuthorizationFailed"
    assert "Microsoft.Compute/virtualMachineScaleSets/rollingUpgrades/read" in result["msg"]


def test_a_fleet_run_is_read_with_stages_groups_and_members(emu, run_playbook):
    run = run_playbook([fleet_task(resource_group="rg-app", fleet_name="fleet-app", name="run-1")], env=env_for(emu))
    [item] = run.result("read")["update_runs"]
    assert (item["name"], item["fleet_name"], item["state"], item["current_stage"]) == ("run-1", "fleet-app", "running", "production")
    assert [stage["name"] for stage in item["stages"]] == ["canary", "production"]
    assert item["stages"][0]["state"] == "completed" and item["stages"][0]["groups"][0]["members"][0]["name"] == "c1"
    assert item["progress"]["total"] == 2 and item["progress"]["completed"] == 1 and item["progress"]["percent_complete"] == 50.0
    assert_documented(item, "fleet_update_run_info", "update_runs")


def test_every_run_of_a_fleet_is_listed_across_pages(emu, run_playbook):
    run = run_playbook([fleet_task(resource_group="rg-app", fleet_name="fleet-app")], env=env_for(emu))
    assert sorted(item["name"] for item in run.result("read")["update_runs"]) == ["run-1", "run-2", "run-3"]


def test_a_missing_fleet_or_run_gives_an_empty_list(emu, run_playbook):
    run = run_playbook([fleet_task("no fleet", resource_group="rg-app", fleet_name="fleet-nope"),
                        fleet_task("no run", resource_group="rg-app", fleet_name="fleet-app", name="run-nope"),
                        fleet_task("no fleet, one run", resource_group="rg-app", fleet_name="fleet-nope", name="run-1")], env=env_for(emu))
    assert run.rc == 0
    assert [run.result(task)["update_runs"] for task in ("no fleet", "no run", "no fleet, one run")] == [[], [], []]


def test_the_info_modules_run_in_check_mode(emu, run_playbook):
    run = run_playbook([vmss_task(resource_group="rg-app", name="vmss-web"),
                        fleet_task("fleet", resource_group="rg-app", fleet_name="fleet-app", name="run-1")], env=env_for(emu), check=True)
    assert run.rc == 0
    assert len(run.result("read")["rolling_upgrades"]) == 1 and len(run.result("fleet")["update_runs"]) == 1


def test_module_defaults_with_the_action_group_set_auth_once(emu, run_playbook):
    env = env_for(emu)
    options = {"tenant": env.pop("AZURE_TENANT"), "client_id": env.pop("AZURE_CLIENT_ID"), "secret": env.pop("AZURE_SECRET"),
               "subscription_id": env.pop("AZURE_SUBSCRIPTION_ID"), "auth_source": "auto"}
    play = [{"name": "group", "module_defaults": {"group/upgradegate.azure.all": options},
             "block": [vmss_task(resource_group="rg-app", name="vmss-web"),
                       fleet_task("fleet", resource_group="rg-app", fleet_name="fleet-app", name="run-1")]}]
    run = run_playbook(play, env=env, secrets=[options["secret"]])
    assert run.rc == 0, run.stdout
    assert run.result("read")["rolling_upgrades"][0]["scale_set_name"] == "vmss-web"


@pytest.mark.parametrize("options, field", [
    ({"resource_group": "rg app", "name": "vmss-web"}, "resource_group"),
    ({"resource_group": "rg-app", "name": "-web"}, "name"),
    ({"resource_group": "rg-app", "tags": [":v"]}, "tags"),
    ({"resource_group": "rg-app", "api_version": "latest"}, "api_version"),
    ({"resource_group": "rg-app", "subscription_id": "not-a-uuid"}, "subscription_id"),
    ({"resource_group": "rg-app", "ca_path": "/nonexistent/ca.pem"}, "ca_path"),
    ({"resource_group": "rg-app", "profile": "nope", "auth_source": "credential_file"}, "profile"),
])
def test_bad_options_fail_naming_the_field_without_a_traceback(emu, run_playbook, options, field):
    run = run_playbook([vmss_task(**options)], env=env_for(emu))
    result = run.result("read")
    assert result["failed"] and result["field"] == field and result["msg"].startswith(field + ": ")
    assert "Traceback" not in run.stdout + run.stderr and "exception" not in result


def test_name_without_resource_group_is_refused_by_the_argument_spec(emu, run_playbook):
    run = run_playbook([vmss_task(name="vmss-web")], env=env_for(emu))
    assert "missing parameter(s) required by 'name': resource_group" in run.result("read")["msg"]


def test_a_python_without_the_libraries_fails_with_what_to_install(emu, run_playbook, tmp_path):
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    task = dict(vmss_task(resource_group="rg-app", name="vmss-web"), vars={"ansible_python_interpreter": str(bare / "bin" / "python")})
    run = run_playbook([task], env=env_for(emu))
    result = run.result("read")
    assert result["failed"] and "Failed to import the required Python library (requests)" in result["msg"]
    assert result["rolling_upgrades"] == []


def test_a_throttled_fan_out_backs_off_together_and_still_returns_every_item(emulator_factory, run_playbook):
    emu = emulator_factory(scenario([{"name": "rg-busy", "scale_sets": [
        {"name": "busy-{i:02d}", "count": 60, "rolling_upgrade": {"start": -5, "duration": 30}}]}]))
    emu.add_fault("latency", path="rollingUpgrades/latest$", latency_ms=100)
    emu.add_fault("throttle", path="rollingUpgrades/latest$", retry_after=2, count=1, after=10)
    run = run_playbook([vmss_task(resource_group="rg-busy")], env=env_for(emu))
    assert run.rc == 0, run.stdout
    assert [item["scale_set_name"] for item in run.result("read")["rolling_upgrades"]] == ["busy-%02d" % i for i in range(60)]
    reads = emu.requests_log(path="rollingUpgrades/latest$")
    throttled = [entry for entry in reads if entry["status"] == 429]
    assert len(throttled) == 1 and len(reads) == 61
    first = throttled[0]
    # Requests already on their way may land just after the 429 (half a second is allowed for a loaded
    # machine); after that none comes until the Retry-After has passed: the whole pool waits, not just
    # the throttled request. Without the shared hold, the other workers go on every 100 ms.
    later = [entry for entry in reads if first["time"] + 0.5 < entry["time"] < first["time"] + 1.9]
    assert later == [], "requests sent during the Retry-After window: %s" % [(e["time"] - first["time"], e["status"]) for e in later]
