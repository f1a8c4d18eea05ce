# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resource Manager's throttling (rate_limit mode bucket), several subscriptions, and GET /subscriptions."""

import pytest

from upgradegate_emulator.scenario import ScenarioError, normalise

from emulator_helpers import CLIENT, SUBSCRIPTION, TENANT, bearer, small_scenario, vmss_url

OTHER_SUB = "44444444-4444-4444-8444-444444444444"
DISABLED_SUB = "55555555-5555-4555-8555-555555555555"
HIDDEN_SUB = "66666666-6666-4666-8666-666666666666"
SECOND_CLIENT = "88888888-8888-4888-8888-888888888888"
NARROW_CLIENT = "99999999-9999-4999-8999-999999999999"
READS = "x-ms-ratelimit-remaining-subscription-reads"


def _scenario(**rate_limit):
    rgs = [{"name": "rg-demo", "scale_sets": [{"name": "vmss-web", "rolling_upgrade": {"start": -100, "duration": 10}}]}]
    return small_scenario(
        time_scale=0,
        rate_limit=dict({"mode": "bucket", "reads": 5, "reads_per_second": 1}, **rate_limit),
        tenants=[{"id": TENANT, "clients": [
            {"client_id": CLIENT, "secret": "s3cret-value"},
            {"client_id": SECOND_CLIENT, "secret": "s3cret-value"},
            {"client_id": NARROW_CLIENT, "secret": "s3cret-value", "permissions": [
                {"actions": ["*"], "scope": "/subscriptions/%s" % OTHER_SUB}]},
        ]}],
        subscriptions=[{"id": SUBSCRIPTION, "resource_groups": rgs}, {"id": OTHER_SUB, "resource_groups": rgs},
                       {"id": DISABLED_SUB, "state": "Disabled"}, {"id": HIDDEN_SUB, "tenant": "00000000-0000-4000-8000-000000000000"}],
    )


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(_scenario())


def _read(emu, token, sub=None):
    return emu.session.get(vmss_url(emu, "vmss-web", "/rollingUpgrades/latest", sub=sub), headers=bearer(token))


def test_an_empty_bucket_answers_429_with_retry_after_and_refills_with_time(emu):
    token = emu.token()
    answers = [_read(emu, token) for _attempt in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert [a.headers[READS] for a in answers] == ["4", "3", "2", "1", "0", "0"]
    throttled = answers[-1]
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["error"]["code"] == "SubscriptionRequestsThrottled"
    assert SUBSCRIPTION in throttled.json()["error"]["message"] and CLIENT in throttled.json()["error"]["message"]
    emu.advance(2.5)  # 2.5 tokens: two reads, then empty again
    assert [_read(emu, token).status_code for _attempt in range(3)] == [200, 200, 429]
    counters = emu.counters()["routes"]["vmss.rolling_upgrade_latest"]
    assert counters == {"200": 7, "429": 2}
    assert [e["ratelimit_remaining"] for e in emu.requests_log() if e["kind"] == "arm"][:6] == [4, 3, 2, 1, 0, 0]


def test_each_subscription_and_each_identity_has_its_own_bucket(emu):
    token = emu.token()
    for _attempt in range(5):
        assert _read(emu, token).status_code == 200
    assert _read(emu, token).status_code == 429
    other = _read(emu, token, sub=OTHER_SUB)
    assert other.status_code == 200 and other.headers[READS] == "4"
    second = emu.token(client_id=SECOND_CLIENT, secret="s3cret-value")
    assert _read(emu, second).headers[READS] == "4"
    emu.reset_rate_limits()
    assert _read(emu, token).headers[READS] == "4"


def test_errors_carry_the_headers_and_count(emu):
    token = emu.token()
    missing = emu.session.get(vmss_url(emu, "vmss-nope", "/rollingUpgrades/latest"), headers=bearer(token))
    assert missing.status_code == 404 and missing.headers[READS] == "4"
    assert "Microsoft.Compute/GetVMScaleSet3Min;" in missing.headers["x-ms-ratelimit-remaining-resource"]


def test_compute_counters_are_reported_and_enforced(emulator_factory):
    emu = emulator_factory(_scenario(reads=100, compute=[{"name": "GetVMScaleSet3Min", "limit": 3, "seconds": 180},
                                                         {"name": "GetVMScaleSet30Min", "limit": 50, "seconds": 1800}]))
    token = emu.token()
    answers = [_read(emu, token) for _attempt in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["x-ms-ratelimit-remaining-resource"] == (
        "Microsoft.Compute/GetVMScaleSet3Min;2,Microsoft.Compute/GetVMScaleSet30Min;49")
    assert answers[3].json()["error"]["code"] == "OperationNotAllowed"
    assert answers[3].headers["Retry-After"] == "180"
    assert answers[3].headers[READS] == "97"  # Resource Manager's token was given back


def test_the_hourly_default_never_throttles(emulator_factory):
    emu = emulator_factory(small_scenario(time_scale=0, rate_limit={"reads": 3}))
    token = emu.token()
    answers = [_read(emu, token) for _attempt in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.headers[READS] for a in answers] == ["2", "1", "0", "0", "0"]
    assert "x-ms-ratelimit-remaining-resource" not in answers[0].headers


def test_list_subscriptions_shows_what_the_identity_can_see_with_states(emulator_factory):
    emu = emulator_factory(_scenario(reads=100))
    listed = emu.session.get(emu.url("/subscriptions?api-version=2022-12-01"), headers=bearer(emu.token())).json()
    states = {item["subscriptionId"]: item["state"] for item in listed["value"]}
    assert states == {SUBSCRIPTION: "Enabled", OTHER_SUB: "Enabled", DISABLED_SUB: "Disabled"}  # not another tenant's
    assert listed["value"][0]["id"] == "/subscriptions/" + SUBSCRIPTION and listed["value"][0]["tenantId"] == TENANT
    narrow = emu.token(client_id=NARROW_CLIENT, secret="s3cret-value")
    answer = emu.session.get(emu.url("/subscriptions?api-version=2022-12-01"), headers=bearer(narrow))
    assert [item["subscriptionId"] for item in answer.json()["value"]] == [OTHER_SUB]
    assert answer.headers["x-ms-ratelimit-remaining-tenant-reads"] == "99"
    denied = _read(emu, narrow)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "AuthorizationFailed"


def test_list_subscriptions_is_paged(emulator_factory):
    emu = emulator_factory(dict(_scenario(reads=100), page_size=2))
    token = emu.token()
    url, seen = emu.url("/subscriptions?api-version=2022-12-01"), []
    while url:
        body = emu.session.get(url, headers=bearer(token)).json()
        seen += [item["subscriptionId"] for item in body["value"]]
        url = body.get("nextLink")
    assert seen == [SUBSCRIPTION, OTHER_SUB, DISABLED_SUB]
    assert emu.session.get(emu.url("/subscriptions?api-version=1999-01-01"), headers=bearer(token)).status_code == 400


def test_bad_rate_limit_is_refused_naming_the_key():
    with pytest.raises(ScenarioError, match="rate_limit.mode"):
        normalise({"rate_limit": {"mode": "fast"}})
    with pytest.raises(ScenarioError, match="rate_limit.reads_per_second"):
        normalise({"rate_limit": {"mode": "bucket", "reads_per_second": -1}})
    with pytest.raises(ScenarioError, match=r"subscriptions\[0\].state"):
        normalise({"subscriptions": [{"state": "Sleeping"}]})
