# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pacer against a simulated Resource Manager bucket, on a fake clock: no test sleeps."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils import _pacing
from ansible_collections.upgradegate.azure.plugins.module_utils._pacing import Pacer, Unpaced

SUB = "/subscriptions/33333333-3333-4333-8333-333333333333/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/v"
SCOPE = "subscription/33333333-3333-4333-8333-333333333333"


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class ServerBucket:
    """Resource Manager's bucket on the same fake clock: a token per read, refilled continuously."""

    def __init__(self, clock, size=250, rate=25.0):
        self.clock, self.size, self.rate = clock, size, rate
        self.tokens, self.stamp = float(size), clock()
        self.throttled = 0
        self.lowest = size

    def read(self):
        now = self.clock()
        self.tokens = min(self.size, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            self.throttled += 1
            return {"x-ms-ratelimit-remaining-subscription-reads": "0", "Retry-After": "1"}
        self.tokens -= 1
        self.lowest = min(self.lowest, int(self.tokens))
        return {"x-ms-ratelimit-remaining-subscription-reads": str(int(self.tokens))}


def _paced(clock, **kwargs):
    return Pacer(clock=clock, sleep=clock.sleep, **kwargs)


def _run(pacer, server, reads):
    for _attempt in range(reads):
        seq = pacer.admit(SCOPE)
        pacer.observe(SCOPE, seq, server.read())


@pytest.mark.parametrize("path, scope", [
    (SUB + "/rollingUpgrades/latest", SCOPE),
    ("/SUBSCRIPTIONS/ABC/providers/Microsoft.Compute/virtualMachineScaleSets", "subscription/abc"),
    ("/subscriptions", "tenant"),
    ("/providers/Microsoft.Compute/operations", "tenant"),
])
def test_each_subscription_has_its_own_budget_and_tenant_reads_share_one(path, scope):
    assert _pacing.scope_of(path) == scope


@pytest.mark.parametrize("headers, reads, counters", [
    ({"x-ms-ratelimit-remaining-subscription-reads": "249"}, 249, {}),
    ({"X-Ms-Ratelimit-Remaining-Tenant-Reads": "12"}, 12, {}),
    ({"x-ms-ratelimit-remaining-subscription-reads": "lots"}, None, {}),
    ({"x-ms-ratelimit-remaining-resource": "Microsoft.Compute/GetVMScaleSet3Min;197,Microsoft.Compute/GetVMScaleSet30Min;1297"},
     None, {"Microsoft.Compute/GetVMScaleSet3Min": 197, "Microsoft.Compute/GetVMScaleSet30Min": 1297}),
    ({"x-ms-ratelimit-remaining-resource": "garbage,Microsoft.Compute/X;nope,Microsoft.Compute/Y;3"}, None, {"Microsoft.Compute/Y": 3}),
    ({}, None, {}),
    (None, None, {}),
])
def test_headers_are_read_leniently(headers, reads, counters):
    assert _pacing.remaining_reads(headers) == reads
    assert _pacing.resource_counters(headers) == counters


def test_a_full_bucket_lets_reads_go_at_once_down_to_the_reserve():
    clock = FakeClock()
    pacer = _paced(clock)
    server = ServerBucket(clock)
    _run(pacer, server, 250 - _pacing.RESERVE - 1)
    assert clock.now == 0.0 and server.throttled == 0


@pytest.mark.parametrize("reads", [300, 2000])
def test_a_fan_out_never_empties_the_bucket_and_keeps_to_its_refill(reads):
    clock = FakeClock()
    pacer = _paced(clock)
    server = ServerBucket(clock)
    _run(pacer, server, reads)
    assert server.throttled == 0
    assert server.lowest >= _pacing.RESERVE - 1
    floor = (reads - 250) / 25.0
    assert floor <= clock.now <= floor + (_pacing.RESERVE + 2) / 25.0


def test_a_smaller_slower_bucket_is_learnt_from_the_answers():
    clock = FakeClock()
    pacer = _paced(clock)
    server = ServerBucket(clock, size=40, rate=20.0)
    _run(pacer, server, 400)
    assert server.throttled == 0 and server.lowest >= 1


def test_the_client_slows_when_someone_else_spends_the_budget():
    clock = FakeClock()
    pacer = _paced(clock)
    seq = pacer.admit(SCOPE)
    pacer.observe(SCOPE, seq, {"x-ms-ratelimit-remaining-subscription-reads": "10"})  # a gate or the portal used most of it
    assert clock.now == 0.0
    pacer.admit(SCOPE)
    # Down to the reserve (10): a token must refill before the next read.
    assert clock.sleeps and clock.now == pytest.approx(1 / 25.0, abs=1e-9)


def test_an_older_answer_never_raises_the_estimate_a_newer_one_does():
    clock = FakeClock()
    pacer = _paced(clock)
    first, second = pacer.admit(SCOPE), pacer.admit(SCOPE)
    pacer.observe(SCOPE, second, {"x-ms-ratelimit-remaining-subscription-reads": "100"})
    pacer.observe(SCOPE, first, {"x-ms-ratelimit-remaining-subscription-reads": "200"})
    assert pacer.budget(SCOPE).level == 100
    third = pacer.admit(SCOPE)
    pacer.observe(SCOPE, third, {"x-ms-ratelimit-remaining-subscription-reads": "11999"})  # an hourly budget
    assert pacer.budget(SCOPE).level == 11999 and pacer.budget(SCOPE).capacity == 12000


def test_reads_admitted_after_a_request_are_counted_against_its_answer():
    clock = FakeClock()
    pacer = _paced(clock)
    seqs = [pacer.admit(SCOPE) for _attempt in range(5)]
    pacer.observe(SCOPE, seqs[0], {"x-ms-ratelimit-remaining-subscription-reads": "50"})
    assert pacer.budget(SCOPE).level == 46  # four reads in flight may not have been counted yet


def test_subscriptions_do_not_wait_for_each_other():
    clock = FakeClock()
    pacer = _paced(clock)
    seq = pacer.admit(SCOPE)
    pacer.observe(SCOPE, seq, {"x-ms-ratelimit-remaining-subscription-reads": "0"})
    pacer.admit("subscription/other")
    assert clock.now == 0.0


def test_a_compute_counter_at_zero_lets_one_probe_through_per_interval():
    clock = FakeClock()
    pacer = _paced(clock)
    seq = pacer.admit(SCOPE)
    pacer.observe(SCOPE, seq, {"x-ms-ratelimit-remaining-subscription-reads": "240",
                               "x-ms-ratelimit-remaining-resource": "Microsoft.Compute/GetVMScaleSet3Min;0"})
    pacer.admit(SCOPE)
    pacer.admit(SCOPE)
    assert clock.now == pytest.approx(2 * _pacing.PROBE_SECONDS)
    seq = pacer.admit(SCOPE)
    pacer.observe(SCOPE, seq, {"x-ms-ratelimit-remaining-subscription-reads": "240",
                               "x-ms-ratelimit-remaining-resource": "Microsoft.Compute/GetVMScaleSet3Min;100"})
    before = clock.now
    for _attempt in range(50):
        pacer.admit(SCOPE)
    assert clock.now == before


def test_the_deadline_ends_the_wait():
    clock = FakeClock()
    pacer = _paced(clock)
    seq = pacer.admit(SCOPE)
    pacer.observe(SCOPE, seq, {"x-ms-ratelimit-remaining-subscription-reads": "0"})
    pacer.admit(SCOPE, deadline=0.1)
    assert clock.now == pytest.approx(0.1)


def test_only_gets_are_paced_and_the_answer_is_returned():
    clock = FakeClock()
    pacer = _paced(clock)

    class Answer:
        headers = {"x-ms-ratelimit-remaining-subscription-reads": "0"}

    assert isinstance(pacer.call("GET", SUB, None, Answer), Answer)
    assert pacer.call("POST", SUB, None, lambda: "posted") == "posted"
    assert clock.now == 0.0
    pacer.call("GET", SUB, None, Answer)
    assert clock.now == pytest.approx((1 + _pacing.RESERVE) / 25.0)


def test_failed_sends_pass_their_exception_through():
    pacer = _paced(FakeClock())

    def broken():
        raise ConnectionError("reset")

    with pytest.raises(ConnectionError):
        pacer.call("GET", SUB, None, broken)


def test_the_internal_switch_gives_the_client_before_pacing():
    assert isinstance(_pacing.from_environment({}), Pacer)
    assert isinstance(_pacing.from_environment({"UPGRADEGATE_PACING": "OFF"}), Unpaced)
    assert _pacing.fanout_width(Unpaced()) == _pacing.UNPACED_WIDTH == 8
    paced = Pacer()
    assert _pacing.fanout_width(paced) == _pacing.FANOUT_WIDTH
    assert _pacing.fanout_width(paced, scopes=3) == _pacing.TOTAL_WIDTH // 3
    assert _pacing.fanout_width(paced, scopes=1000) == 1
    assert _pacing.pool_size(1) == _pacing.FANOUT_WIDTH and _pacing.pool_size(None) == _pacing.TOTAL_WIDTH
    assert _pacing.pool_size(3) == _pacing.TOTAL_WIDTH
