# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Process lifecycle and the inspection API: ready file, request log, counters, clock, state, restart, SIGTERM."""

import json
import os
import socket

import pytest
import requests

from upgradegate_emulator.handle import EmulatorStartError, Secret
from emulator_helpers import bearer, small_scenario, vmss_url

READY_KEYS = {"base_url", "port", "ca_path", "pid", "authority_host", "resource_manager_url", "tenant_id", "subscription_id",
              "identity_endpoint", "identity_endpoint_http", "identity_header", "identity_header_name", "state_dir",
              "client_certificates", "federated_token_files", "inspection_url"}


def test_ready_file_and_ready_line(emulator):
    with open(emulator.ready_file, encoding="utf-8") as handle:
        info = json.load(handle)
    assert READY_KEYS <= set(info) and info["pid"] == emulator.process.pid
    assert info["base_url"] == "https://127.0.0.1:%d" % info["port"] == info["authority_host"] == info["resource_manager_url"]
    with open(os.path.join(emulator.state_dir, "stdout-1.log"), encoding="utf-8") as handle:
        line = handle.readline()
    assert line.startswith("READY ") and json.loads(line[6:]) == info
    assert os.path.exists(info["ca_path"]) and info["identity_header_name"] == "X-IDENTITY-HEADER"


def test_request_log_and_counters(emulator_factory):
    emu = emulator_factory(small_scenario(time_scale=0))
    token = emu.token()
    emu.reset_log()
    emu.session.get(vmss_url(emu, "vmss-web", "/rollingUpgrades/latest"), headers=dict(bearer(token), **{"x-ms-client-request-id": "abc"}))
    emu.session.get(vmss_url(emu, "nope"), headers=bearer(token))
    emu.session.get(emu.url("/_emulator/health"))
    log = emu.requests_log()
    assert [(e["method"], e["route"], e["status"]) for e in log] == [("GET", "vmss.rolling_upgrade_latest", 200), ("GET", "vmss.get", 404)]
    entry = log[0]
    assert entry["query"] == "api-version=2024-07-01" and entry["client_request_id"] == "abc"
    assert entry["principal"] == emu.client_id and entry["token_id"] and entry["fault"] is None
    assert entry["time"] > 1e9 and entry["offset"] >= 0
    assert token not in json.dumps(log)
    counters = emu.counters()
    assert counters["routes"]["vmss.rolling_upgrade_latest"] == {"200": 1} and counters["total"] == 2
    emu.reset_log()
    assert emu.requests_log() == [] and emu.counters()["total"] == 0


def test_clock_freeze_advance_resume(emulator):
    frozen = emulator.freeze()
    assert frozen["frozen"] is True
    assert emulator.clock()["elapsed"] == frozen["elapsed"]
    assert emulator.advance(100)["elapsed"] == pytest.approx(frozen["elapsed"] + 100)
    assert emulator.resume()["frozen"] is False


def test_state_shows_every_resource(emulator):
    emulator.advance(60)
    state = emulator.state()
    codes = {v["id"].rsplit("/", 1)[1]: (v["rolling_upgrade"] or {}).get("code") for v in state["scale_sets"]}
    assert codes == {"vmss-web": "Completed", "vmss-api": "Completed", "vmss-batch": None}
    runs = {r["name"]: r["state"] for r in state["fleets"][0]["update_runs"]}
    assert runs == {"run-1": "Completed", "run-2": "NotStarted", "run-canary": "Pending"}  # held at its approval gate


def test_restart_keeps_port_ca_and_tokens(emulator):
    with open(emulator.ca_path, "rb") as handle:
        ca_before = handle.read()
    port, token = emulator.port, emulator.token()
    emulator.restart()
    with open(emulator.ca_path, "rb") as handle:
        assert handle.read() == ca_before
    assert emulator.port == port
    resp = requests.get(vmss_url(emulator, "vmss-web"), headers=bearer(token), verify=emulator.ca_path)
    assert resp.status_code == 200


def test_sigterm_exits_cleanly(emulator):
    assert emulator.stop() == 0
    assert not os.path.exists(emulator.ready_file)
    with open(os.path.join(emulator.state_dir, "stdout-1.log"), encoding="utf-8") as handle:
        assert handle.read().rstrip().endswith("STOPPED")


def test_a_bad_scenario_fails_fast_with_the_error(emulator_factory):
    with pytest.raises(EmulatorStartError, match="unknown key"):
        emulator_factory({"subscriptions": [{"id": "x", "resource_groups": [{"name": "rg", "scale_setz": []}]}]})


def test_secrets_do_not_show_in_reprs(emulator):
    assert repr(emulator.client_secret) == "'***'" and isinstance(emulator.identity_header, Secret)
    assert emulator.client_secret not in repr(emulator)
    env = emulator.env()
    assert env["AZURE_DISABLE_INSTANCE_DISCOVERY"] == "true" and env["REQUESTS_CA_BUNDLE"] == emulator.ca_path
    assert env["AZURE_AUTHORITY_HOST"] == env["AZURE_RESOURCE_MANAGER_URL"] == emulator.base_url
    assert repr(env["AZURE_SECRET"]) == "'***'"
    assert emulator.env("msi")["IDENTITY_ENDPOINT"].startswith("http://127.0.0.1:")


def _ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_loopback(emulator_factory):
    emu = emulator_factory(small_scenario(time_scale=0), extra_args=["--host", "::1"])
    assert emu.base_url.startswith("https://[::1]:")
    assert emu.session.get(emu.url("/_emulator/health")).json()["status"] == "ok"


def test_non_loopback_hosts_are_refused(emulator_factory):
    with pytest.raises(EmulatorStartError, match="loopback"):
        emulator_factory(small_scenario(), extra_args=["--host", "0.0.0.0"])


def test_demo_scenarios_finish_within_a_minute(emulator_factory):
    demo = emulator_factory()
    faulty = emulator_factory(os.path.join(os.path.dirname(demo.scenario_path), "demo-fault.yaml"))
    for emu in (demo, faulty):
        emu.freeze()
        emu.advance(60 - emu.clock()["elapsed"])
    assert (demo.state()["scale_sets"][0]["rolling_upgrade"]["code"], demo.state()["fleets"][0]["update_runs"][0]["state"]) == (
        "Completed", "Completed")
    assert (faulty.state()["scale_sets"][0]["rolling_upgrade"]["code"], faulty.state()["fleets"][0]["update_runs"][0]["state"]) == (
        "Faulted", "Failed")
