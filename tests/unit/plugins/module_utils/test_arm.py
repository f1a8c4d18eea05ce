# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ARM client's request loop, driven by a scripted session and a fake clock (no sockets, no sleeping)."""

import json

import pytest
import requests

from ansible_collections.upgradegate.azure.plugins.module_utils._arm import ArmClient
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._pacing import Pacer
from ansible_collections.upgradegate.azure.plugins.module_utils._retry import Backoff, zero_delay

BASE = "https://arm.example.test"


def response(status=200, body=None, headers=None, text=None):
    made = requests.Response()
    made.status_code = status
    made.headers.update({"x-ms-request-id": "req-%d" % status, "x-ms-correlation-request-id": "corr-1"})
    made.headers.update(headers or {})
    made._content = (text if text is not None else json.dumps(body if body is not None else {"ok": True})).encode()
    return made


class Session:
    """Answers from a script: each entry is a response or an exception to raise."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def request(self, method, url, headers=None, **kwargs):
        self.calls.append({"method": method, "url": url, "headers": dict(headers), **kwargs})
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        pass


class Tokens:
    def __init__(self):
        self.issued = 0
        self.renewed = 0

    def token(self, within=None):
        self.issued += 1
        return "token-%d" % self.renewed

    def renew(self, within=None):
        self.renewed += 1
        return "token-%d" % self.renewed


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def client(session, backoff=None, clock=None):
    clock = clock or Clock()
    return ArmClient(BASE, Tokens(), backoff=backoff or zero_delay(3), clock=clock, sleep=clock.sleep, session=session)


def test_every_request_carries_a_fresh_token_a_client_request_id_and_the_api_version():
    session = Session(response(body={"name": "web"}))
    arm = client(session)
    got = arm.get("/subscriptions/s/x", "2024-07-01")
    assert got.body == {"name": "web"} and got.request_id == "req-200"
    call = session.calls[0]
    assert call["url"] == BASE + "/subscriptions/s/x?api-version=2024-07-01"
    assert call["headers"]["Authorization"] == "Bearer token-0"
    assert len(call["headers"]["x-ms-client-request-id"]) == 36
    assert call["allow_redirects"] is False


def test_a_429_waits_exactly_its_retry_after_before_retrying():
    clock = Clock()
    session = Session(response(429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "2"}), response())
    client(session, clock=clock).get("/x", "v")
    assert clock.slept == [2.0] and len(session.calls) == 2


def test_a_429_holds_back_the_next_request_of_the_same_client_too():
    clock = Clock()
    session = Session(response(429, headers={"Retry-After": "5"}), response(), response())
    arm = client(session, clock=clock)
    arm.get("/a", "v")
    clock.now -= 3  # another thread's request, issued while the hold is still 3 s from over
    arm.get("/b", "v")
    assert clock.slept == [5.0, pytest.approx(3.0)]


def test_a_429_without_retry_after_uses_the_backoff_schedule():
    clock = Clock()
    backoff = Backoff(retries=3, base=1.0, cap=8.0, rng=lambda: 1.0)
    session = Session(response(429), response(429), response())
    client(session, backoff=backoff, clock=clock).get("/x", "v")
    assert clock.slept == [1.0, 2.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_burst_shorter_than_the_budget_succeeds(status):
    session = Session(response(status), response(status), response(body={"fine": 1}))
    assert client(session).get("/x", "v").body == {"fine": 1}
    assert len({call["headers"]["x-ms-client-request-id"] for call in session.calls}) == 1


def test_a_5xx_burst_longer_than_the_budget_fails_with_the_request_id():
    session = Session(*[response(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}})] * 4)
    with pytest.raises(ArmError) as caught:
        client(session).get("/subscriptions/s/x", "v")
    error = caught.value
    assert (error.status, error.code, error.request_id, error.kind) == (503, "ServiceUnavailable", "req-503", "api")
    assert "GET /subscriptions/s/x failed with HTTP 503, ServiceUnavailable: busy (x-ms-request-id: req-503" in str(error)
    assert len(session.calls) == 4


@pytest.mark.parametrize("failure", [requests.exceptions.ConnectionError("reset"), requests.exceptions.ReadTimeout("slow")])
def test_dropped_connections_and_read_timeouts_are_retried(failure):
    session = Session(failure, response())
    assert client(session).get("/x", "v").body == {"ok": True}


def test_no_retry_starts_after_the_deadline():
    clock = Clock()
    backoff = Backoff(retries=5, base=10.0, cap=10.0, rng=lambda: 1.0)
    session = Session(response(503), response(503), response())
    with pytest.raises(ArmError, match="HTTP 503"):
        client(session, backoff=backoff, clock=clock).get("/x", "v", deadline=clock.now + 15)
    assert clock.slept == [10.0] and len(session.calls) == 2


def test_a_401_renews_the_token_once_and_retries():
    session = Session(response(401, {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}), response())
    arm = client(session)
    arm.get("/x", "v")
    assert [call["headers"]["Authorization"] for call in session.calls] == ["Bearer token-0", "Bearer token-1"]


def test_a_401_that_persists_is_an_auth_error():
    session = Session(*[response(401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}})] * 2)
    with pytest.raises(ArmError) as caught:
        client(session).get("/x", "v")
    assert (caught.value.kind, caught.value.code, len(session.calls)) == ("auth", "InvalidAuthenticationToken", 2)


def test_a_404_is_not_found_with_azure_code_and_message():
    session = Session(response(404, {"error": {"code": "ResourceGroupNotFound", "message": "Resource group 'rg' could not be found."}}))
    with pytest.raises(ArmError) as caught:
        client(session).get("/x", "v")
    assert (caught.value.kind, caught.value.code, caught.value.azure_message) == (
        "not_found", "ResourceGroupNotFound", "Resource group 'rg' could not be found.")


def test_an_html_error_page_gives_the_status_and_the_start_of_the_body():
    page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"
    session = Session(response(403, text=page, headers={"Content-Type": "text/html"}))
    with pytest.raises(ArmError) as caught:
        client(session).get("/x", "v")
    assert "HTTP 403, a body that is not an Azure error (text/html): '<html> <head><title>502 Bad Gateway</title>" in str(caught.value)


@pytest.mark.parametrize("text, shown", [("", "an empty body"), ("{not json", "a body that is not a JSON object: '{not json'"),
                                         ("[1, 2]", "a body that is not a JSON object: '[1, 2]'")])
def test_a_success_whose_body_is_not_a_json_object_is_a_protocol_error(text, shown):
    with pytest.raises(ArmError) as caught:
        client(Session(response(200, text=text))).get("/x", "v")
    assert caught.value.kind == "protocol" and shown in str(caught.value)


def test_tls_failures_are_not_retried_and_say_how_to_trust_a_ca():
    session = Session(requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(ArmError, match="TLS failure .*set ca_path") as caught:
        client(session).get("/x", "v")
    assert caught.value.kind == "transport" and len(session.calls) == 1


def test_listing_follows_next_links_on_the_same_endpoint():
    session = Session(
        response(body={"value": [{"name": "a"}, {"name": "b"}], "nextLink": BASE + "/x?api-version=v&$skiptoken=2"}),
        response(body={"value": [{"name": "c"}, "junk"]}),
    )
    assert [item["name"] for item in client(session).list("/x", "v")] == ["a", "b", "c"]
    assert session.calls[1]["url"] == BASE + "/x?api-version=v&$skiptoken=2"


@pytest.mark.parametrize("link", ["https://evil.example.test/x?page=2", "http://arm.example.test/x?page=2",
                                  "https://arm.example.test:8443/x?page=2"])
def test_a_next_link_to_another_origin_is_refused_without_a_request(link):
    session = Session(response(body={"value": [{"name": "a"}], "nextLink": link}))
    with pytest.raises(ArmError, match="refusing to follow nextLink") as caught:
        client(session).list("/x", "v")
    assert caught.value.code == "ForeignNextLink" and caught.value.partial == [{"name": "a"}]
    assert len(session.calls) == 1


def test_a_failing_page_keeps_the_items_read_before_it():
    session = Session(response(body={"value": [{"name": "a"}], "nextLink": BASE + "/x?p=2"}),
                      response(400, {"error": {"code": "BadRequest", "message": "no"}}))
    with pytest.raises(ArmError) as caught:
        client(session).list("/x", "v")
    assert caught.value.partial == [{"name": "a"}]


def test_pages_are_handed_over_one_at_a_time_before_the_next_is_requested():
    session = Session(
        response(body={"value": [{"id": "/r/a"}, {"id": "/r/b"}], "nextLink": BASE + "/x?p=2"}),
        response(body={"value": [{"id": "/R/B"}, {"id": "/r/c"}], "nextLink": BASE + "/x?p=3"}),
        response(400, {"error": {"code": "BadRequest", "message": "no"}}),
    )
    pages = client(session).pages("/x", "v")
    assert next(pages) == [{"id": "/r/a"}, {"id": "/r/b"}] and len(session.calls) == 1
    assert next(pages) == [{"id": "/r/c"}] and len(session.calls) == 2  # b again, in another case, is left out
    with pytest.raises(ArmError) as caught:
        next(pages)
    assert caught.value.partial == [{"id": "/r/a"}, {"id": "/r/b"}, {"id": "/r/c"}]


def test_error_messages_never_show_a_bearer_token():
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    session = Session(response(400, text="bad token %s here" % token))
    with pytest.raises(ArmError) as caught:
        client(session).get("/x", "v")
    assert token not in str(caught.value) and "<redacted token>" in str(caught.value)


def test_the_session_names_the_collection_and_its_version_in_the_user_agent():
    arm = ArmClient(BASE, Tokens())
    try:
        assert arm._session.headers["User-Agent"].startswith("upgradegate.azure/0.1.0 python-requests/")  # pylint: disable=protected-access
    finally:
        arm.close()


def test_a_write_sends_its_json_body_and_conditional_headers():
    session = Session(response(201, {"name": "run-1"}))
    answer = client(session).send("PUT", "/x/run-1", "2026-06-01", body={"properties": {}}, headers={"If-None-Match": "*"})
    call = session.calls[0]
    assert call["method"] == "PUT" and json.loads(call["data"]) == {"properties": {}}
    assert call["headers"]["If-None-Match"] == "*" and call["headers"]["Content-Type"] == "application/json"
    assert answer.status == 201 and answer.body == {"name": "run-1"}


def test_a_write_answered_with_no_body_is_a_response_without_body():
    answer = client(Session(response(202, text="", headers={"Location": BASE + "/op/1"}))).send("POST", "/x/start", "2026-06-01")
    assert answer.status == 202 and answer.body is None and answer.headers["Location"] == BASE + "/op/1"


def test_a_get_with_no_body_is_still_a_protocol_error():
    with pytest.raises(ArmError) as caught:
        client(Session(response(200, text=""))).get("/x", "2026-06-01")
    assert caught.value.kind == "protocol"


@pytest.mark.parametrize("failure", [
    requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(10 bytes read, 90 more expected)"),
    requests.exceptions.ContentDecodingError("Received response with content-encoding: gzip, but failed to decode it"),
    requests.exceptions.InvalidHeader("bad header"),
    ConnectionResetError(104, "Connection reset by peer"),
])
def test_every_transport_failure_is_an_arm_error_retried_and_naming_the_operation(failure):
    session = Session(failure, response())
    assert client(session).get("/subscriptions/s/x", "v").body == {"ok": True}
    session = Session(*[failure] * 4)
    with pytest.raises(ArmError) as caught:
        client(session).get("/subscriptions/s/x", "v")
    assert caught.value.kind == "transport" and caught.value.transient
    assert str(caught.value).startswith("GET /subscriptions/s/x: %s" % type(failure).__name__)


@pytest.mark.parametrize("status", [200, 500, 400])
def test_a_body_nested_too_deep_to_parse_is_not_json_not_a_recursion_error(status):
    deep = "[" * 100000 + "]" * 100000
    session = Session(*[response(status, text=deep)] * 4)
    with pytest.raises(ArmError) as caught:
        client(session).get("/x", "v")
    assert "not a JSON object" in str(caught.value) or "not an Azure error" in str(caught.value)


def test_an_absurd_retry_after_is_capped_and_the_deadline_stops_it():
    clock = Clock()
    session = Session(response(429, headers={"Retry-After": "9" * 20}), response())
    arm = client(session, clock=clock)
    assert arm.get("/x", "v").body == {"ok": True} and clock.slept == [3600.0]
    session = Session(response(429, headers={"Retry-After": "9" * 20}), response())
    arm = client(session, clock=clock)
    arm.deadline = clock.now + 60
    with pytest.raises(ArmError, match="HTTP 429"):
        arm.get("/x", "v")
    assert len(session.calls) == 1


def test_a_resource_listed_on_two_pages_is_returned_once():
    session = Session(
        response(body={"value": [{"id": "/s/a", "name": "a"}, {"id": "/s/b"}], "nextLink": BASE + "/x?p=2"}),
        response(body={"value": [{"id": "/S/A", "name": "a"}, {"id": "/s/c"}, {"name": "no-id"}]}),
    )
    assert [item.get("id") for item in client(session).list("/x", "v")] == ["/s/a", "/s/b", "/s/c", None]


def test_a_page_that_brings_nothing_new_ends_the_listing():
    session = Session(
        response(body={"value": [{"id": "/s/a"}], "nextLink": BASE + "/x?p=2"}),
        response(body={"value": [{"id": "/s/a"}], "nextLink": BASE + "/x?p=3"}),
        response(body={"value": [{"id": "/s/z"}]}),
    )
    assert client(session).list("/x", "v") == [{"id": "/s/a"}] and len(session.calls) == 2


def test_an_endless_chain_of_pages_stops_with_a_clear_error(monkeypatch):
    from ansible_collections.upgradegate.azure.plugins.module_utils import _arm

    monkeypatch.setattr(_arm, "MAX_PAGES", 5)
    session = Session(*[response(body={"value": [{"id": "/s/%d" % n}], "nextLink": BASE + "/x?p=%d" % (n + 1)}) for n in range(6)])
    with pytest.raises(ArmError, match="gave up after 5 pages") as caught:
        client(session).list("/x", "v")
    assert caught.value.code == "TooManyPages" and len(caught.value.partial) == 5 and len(session.calls) == 5


def test_every_attempt_goes_through_the_pacer_which_reads_the_budget_of_the_answer():
    clock = Clock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    path = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/v/rollingUpgrades/latest"
    session = Session(
        response(429, {"error": {"code": "SubscriptionRequestsThrottled", "message": "later"}},
                 {"Retry-After": "1", "x-ms-ratelimit-remaining-subscription-reads": "0"}),
        response(200, {"ok": 1}, {"x-ms-ratelimit-remaining-subscription-reads": "37"}),
    )
    client = ArmClient(BASE, Tokens(), backoff=zero_delay(), clock=clock, sleep=clock.sleep, session=session, pacer=pacer)
    assert client.get(path, "2024-07-01").body == {"ok": 1}
    assert len(session.calls) == 2
    assert pacer.budget("subscription/s1").level == 37  # the 429 emptied the estimate, the answer after it refilled it
    assert pacer.budget("subscription/s1").admitted == 2
