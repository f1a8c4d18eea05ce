# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every fault kind, from the scenario and at runtime through the inspection API."""

import email.utils
import time

import pytest
import requests

from emulator_helpers import bearer, small_scenario, vmss_url

LATEST = "rollingUpgrades/latest$"


@pytest.fixture(scope="module")
def emu(emulator_session_factory):
    scenario = small_scenario(time_scale=0, faults=[{"id": "from-scenario", "kind": "error", "status": 500, "count": 1,
                                                     "path": "/virtualMachineScaleSets/vmss-idle$"}])
    return emulator_session_factory(scenario)


@pytest.fixture
def token(emu):
    emu.clear_faults()
    yield emu.token()
    emu.clear_faults()


def _get(emu, token, **kwargs):
    return emu.session.get(vmss_url(emu, "vmss-web", "/rollingUpgrades/latest"), headers=bearer(token), **kwargs)


def test_scenario_faults_apply_from_the_start(emulator_session_factory):
    emu = emulator_session_factory(small_scenario(time_scale=0, faults=[{"kind": "error", "status": 500, "count": 1}]))
    assert emu.session.get(emu.url("/_emulator/health")).status_code == 200  # never faulted
    first = emu.session.post(emu.url("/%s/oauth2/v2.0/token" % emu.tenant_id), data={})
    assert first.status_code == 500 and first.json()["error"]["code"] == "InternalServerError"
    assert emu.token()


def test_latency_with_jitter(emu, token):
    emu.add_fault("latency", path=LATEST, latency_ms=200, jitter_ms=20, count=1)
    started = time.monotonic()
    assert _get(emu, token).status_code == 200
    assert time.monotonic() - started >= 0.17
    started = time.monotonic()
    _get(emu, token)
    assert time.monotonic() - started < 0.17


@pytest.mark.parametrize("fmt", ["seconds", "http-date", "none"])
def test_throttling_with_each_retry_after_form(emu, token, fmt):
    emu.add_fault("throttle", path=LATEST, retry_after=7, retry_after_format=fmt, count=1)
    resp = _get(emu, token)
    assert resp.status_code == 429 and resp.json()["error"]["code"] == "SubscriptionRequestsThrottled"
    if fmt == "seconds":
        assert resp.headers["Retry-After"] == "7"
    elif fmt == "http-date":
        assert email.utils.parsedate_to_datetime(resp.headers["Retry-After"]).timestamp() > time.time() + 4
    else:
        assert "Retry-After" not in resp.headers
    assert _get(emu, token).status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_error_bursts_then_normal(emu, token, status):
    emu.add_fault("error", path=LATEST, status=status, count=2)
    assert [_get(emu, token).status_code for _attempt in range(3)] == [status, status, 200]


def test_dropped_connection(emu, token):
    emu.add_fault("drop", path=LATEST, count=1)
    with pytest.raises(requests.ConnectionError):
        _get(emu, token)
    assert _get(emu, token).status_code == 200
    assert emu.requests_log(path=LATEST)[-2]["dropped"] is True


def test_slow_body_outlasts_a_client_timeout(emu, token):
    emu.add_fault("slow_body", path=LATEST, chunk_bytes=50, chunk_delay_ms=300, count=1)
    with pytest.raises(requests.exceptions.ConnectionError):  # ReadTimeoutError surfaces as ConnectionError while streaming
        _get(emu, token, timeout=0.2)


def test_malformed_json(emu, token):
    emu.add_fault("malformed_json", path=LATEST, count=1)
    resp = _get(emu, token)
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()


def test_html_error_page_like_a_proxy(emu, token):
    emu.add_fault("html_error", path=LATEST, status=502, count=1)
    resp = _get(emu, token)
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html") and b"<h1>502 Bad Gateway" in resp.content


def test_empty_200_body(emu, token):
    emu.add_fault("empty_body", path=LATEST, count=1)
    resp = _get(emu, token)
    assert resp.status_code == 200 and resp.content == b""


def test_unauthorized_once_then_always(emu, token):
    emu.add_fault("unauthorized", path=LATEST, count=1)
    assert [_get(emu, token).status_code for _attempt in range(2)] == [401, 200]
    rule = emu.add_fault("unauthorized", path=LATEST)
    assert [_get(emu, token).status_code for _attempt in range(3)] == [401, 401, 401]
    emu.remove_fault(rule["id"])
    assert _get(emu, token).status_code == 200


def test_short_token_lifetime(emu, token):
    emu.add_fault("short_token", lifetime=3, count=1)
    resp = emu.session.post(emu.url("/%s/oauth2/v2.0/token" % emu.tenant_id), data={
        "grant_type": "client_credentials", "client_id": emu.client_id, "client_secret": emu.client_secret,
        "scope": emu.base_url + "/.default"})
    short = resp.json()
    assert short["expires_in"] == 3
    emu.advance(4)
    assert _get(emu, short["access_token"]).json()["error"]["code"] == "ExpiredAuthenticationToken"
    assert _get(emu, token).status_code == 200


def test_method_filter_and_fault_listing(emu, token):
    rule = emu.add_fault("error", method="POST", path="osRollingUpgrade$", status=503, count=1)
    assert _get(emu, token).status_code == 200
    assert emu.faults()[0]["id"] == rule["id"] and emu.faults()[0]["remaining"] == 1
    bad = emu.session.post(emu.url("/_emulator/faults"), json={"kind": "explode"})
    assert bad.status_code == 400


def test_faults_are_recorded_in_the_request_log(emu, token):
    rule = emu.add_fault("error", path=LATEST, status=503, count=1)
    _get(emu, token)
    entry = emu.requests_log(path=LATEST)[-1]
    assert entry["status"] == 503 and entry["fault"] == "error:%s" % rule["id"]


@pytest.mark.parametrize("kind", ["truncated_body", "reset_mid_body"])
def test_a_body_cut_short_breaks_the_read_mid_body(emu, token, kind):
    emu.add_fault(kind, path=LATEST, count=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        _get(emu, token)
    assert _get(emu, token).status_code == 200  # count 1: the next answer is whole


def test_a_body_that_claims_gzip_cannot_be_decoded(emu, token):
    emu.add_fault("bad_gzip", path=LATEST, count=1)
    with pytest.raises(requests.exceptions.ContentDecodingError):
        _get(emu, token)


def test_a_deeply_nested_body_keeps_its_status_or_takes_the_given_one(emu, token):
    emu.add_fault("deep_json", path=LATEST, count=1, depth=5000)
    resp = _get(emu, token)
    assert resp.status_code == 200 and resp.content.startswith(b'{"error": [[[[') and resp.content.count(b"[") == 5000
    emu.add_fault("deep_json", path=LATEST, count=1, depth=10, status=400)
    assert _get(emu, token).status_code == 400


def test_replace_body_answers_the_given_json(emu, token):
    emu.add_fault("replace_body", path=LATEST, count=1, body={"value": [{"name": "x"}], "nextLink": None})
    resp = _get(emu, token)
    assert resp.status_code == 200 and resp.json() == {"value": [{"name": "x"}], "nextLink": None}


def test_replace_body_numbers_its_pages_with_the_hit_count(emu, token):
    emu.add_fault("replace_body", path=LATEST, count=2, body={"value": [], "nextLink": "https://x/page/{hit}"})
    assert [_get(emu, token).json()["nextLink"] for _attempt in range(2)] == ["https://x/page/1", "https://x/page/2"]
