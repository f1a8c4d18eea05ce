# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Resource Manager client: one pooled session, retries, throttling, paging, errors.

It knows nothing of facts or credentials: it asks a token source for a
bearer token before every request and hands back parsed JSON bodies.
"""

import json
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._pacing import Unpaced
from ansible_collections.upgradegate.azure.plugins.module_utils._retry import RETRY_STATUSES, Backoff, parse_retry_after
from ansible_collections.upgradegate.azure.plugins.module_utils._version import COLLECTION_VERSION

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # the modules report the missing library before building a client
    requests = None

USER_AGENT = "upgradegate.azure/%s" % COLLECTION_VERSION
_SNIPPET = 200


class ArmResponse:
    """A successful response: parsed body, status, headers and any Retry-After."""

    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers
        self.retry_after = parse_retry_after(headers)
        self.request_id = headers.get("x-ms-request-id")


def _origin(url):
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _snippet(text):
    return " ".join(text.split())[:_SNIPPET]


def _error_from_response(response, method, path):
    """An ArmError with Azure's code and message, or the start of a body that is not JSON."""
    headers = response.headers
    context = dict(
        status=response.status_code, method=method, path=path,
        request_id=headers.get("x-ms-request-id"), correlation_id=headers.get("x-ms-correlation-request-id"),
    )
    kind = "not_found" if response.status_code == 404 else "auth" if response.status_code == 401 else "api"
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(error, dict) and (error.get("code") or error.get("message")):
        code, text = error.get("code"), error.get("message")
        detail = "%s: %s" % (code, text)
    else:
        code, text = None, None
        content_type = headers.get("content-type", "no content type")
        shown = _snippet(response.text or "")
        detail = "a body that is not an Azure error (%s): %r" % (content_type, shown) if shown else "an empty body"
    ids = "x-ms-request-id: %s, correlation id: %s" % (context["request_id"], context["correlation_id"])
    message = "%s %s failed with HTTP %d, %s (%s)" % (method, path, response.status_code, detail, ids)
    return ArmError(message, kind=kind, code=code, azure_message=text, **context)


class ArmClient:
    """Requests to one Resource Manager endpoint, safe to share between threads.

    ``tokens`` has ``token()`` (asked before every request) and ``renew()``
    (after a 401, once per request). Retries follow ``backoff``; a 429's
    Retry-After holds back every request of this client, not just the one
    that was throttled. ``deadline`` (a ``clock()`` value) stops retrying
    when the next attempt could not start before it. ``pacer`` (_pacing)
    paces every attempt by the throttling budget the answers report.
    """

    def __init__(self, base_url, tokens, verify=True, timeout=30.0, pool_size=8, backoff=None,
                 clock=time.monotonic, sleep=time.sleep, session=None, pacer=None):
        self.base_url = base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self._tokens = tokens
        self._verify = verify
        self._timeout = timeout
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = 0.0
        self._session = session or self._new_session(pool_size)
        self.pacer = pacer or Unpaced()

    @staticmethod
    def _new_session(pool_size):
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(1, pool_size), max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["User-Agent"] = "%s %s" % (USER_AGENT, session.headers.get("User-Agent", ""))
        return session

    def close(self):
        self._session.close()

    def url(self, path, api_version):
        return "%s%s?%s" % (self.base_url, path, urlencode({"api-version": api_version}))

    def get(self, path, api_version, deadline=None):
        """GET one resource; returns an ArmResponse or raises ArmError."""
        return self.request("GET", self.url(path, api_version), deadline)

    def list(self, path, api_version, deadline=None):
        """Every item of a list, following nextLink. On failure, ArmError.partial holds the items read so far."""
        items = []
        url = self.url(path, api_version)
        seen = set()
        while url:
            seen.add(url)
            try:
                body = self.request("GET", url, deadline).body
            except ArmError as exc:
                exc.partial = items
                raise
            page = body.get("value") if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise ArmError("GET %s returned a list without a 'value' array" % urlsplit(url).path, kind="protocol",
                               method="GET", path=urlsplit(url).path, partial=items)
            items.extend(item for item in page if isinstance(item, dict))
            url = body.get("nextLink") or None
            if url:
                self._check_next_link(url, items, seen)
        return items

    def _check_next_link(self, url, items, seen):
        if not isinstance(url, str) or _origin(url) != self._origin:
            raise ArmError(
                "refusing to follow nextLink %r: it is not on the Resource Manager endpoint %s (no request was sent to it)"
                % (url, self.base_url), kind="protocol", code="ForeignNextLink", partial=items,
            )
        if url in seen:
            raise ArmError("nextLink %r repeats an earlier page" % url, kind="protocol", code="RepeatedNextLink", partial=items)

    def request(self, method, url, deadline=None):
        """One logical request with retries; returns an ArmResponse whose body is parsed JSON."""
        path = urlsplit(url).path
        headers = {"x-ms-client-request-id": str(uuid.uuid4()), "Accept": "application/json"}
        attempt = 0
        renewed = False
        while True:
            self._hold_back(deadline, method, path)
            headers["Authorization"] = "Bearer " + self._tokens.token()
            try:
                response = self.pacer.call(method, path, deadline, lambda: self._session.request(
                    method, url, headers=headers, timeout=self._timeout, verify=self._verify, allow_redirects=False))
            except requests.exceptions.SSLError as exc:
                raise ArmError("%s %s: TLS failure talking to %s: %s (set ca_path to a CA bundle that signs its certificate)"
                               % (method, path, self.base_url, exc),
                               kind="transport", method=method, path=path) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                failure = ArmError("%s %s: %s after %d attempt(s): %s" % (method, path, type(exc).__name__, attempt + 1, exc),
                                   kind="transport", method=method, path=path)
                attempt = self._retry_or_raise(failure, attempt, None, deadline)
                continue
            status = response.status_code
            if status == 401 and not renewed:
                renewed = True
                self._tokens.renew()
                continue
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers)
                if status == 429 and retry_after:
                    self._hold_all(retry_after)
                attempt = self._retry_or_raise(_error_from_response(response, method, path), attempt, retry_after, deadline)
                continue
            if status >= 400:
                raise _error_from_response(response, method, path)
            return self._parsed(response, method, path)

    def _retry_or_raise(self, failure, attempt, retry_after, deadline):
        if attempt >= self._backoff.retries:
            raise failure
        delay = retry_after if retry_after is not None else self._backoff.delay(attempt)
        if deadline is not None and self._clock() + delay > deadline:
            raise failure
        self._sleep(delay)
        return attempt + 1

    def _hold_all(self, seconds):
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def _hold_back(self, deadline, method, path):
        """Wait while a 429's Retry-After holds every request of this client back."""
        with self._lock:
            wait = self._not_before - self._clock()
        if wait <= 0:
            return
        if deadline is not None and self._clock() + wait > deadline:
            raise ArmError("%s %s: throttled by Azure beyond the deadline (Retry-After %.1f s)" % (method, path, wait),
                           kind="api", status=429, code="TooManyRequests", method=method, path=path)
        self._sleep(wait)

    @staticmethod
    def _parsed(response, method, path):
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            shown = _snippet(response.text or "")
            raise ArmError(
                "%s %s returned HTTP %d with %s (x-ms-request-id: %s)" % (
                    method, path, response.status_code,
                    "a body that is not a JSON object: %r" % shown if shown else "an empty body",
                    response.headers.get("x-ms-request-id")),
                kind="protocol", status=response.status_code, method=method, path=path,
                request_id=response.headers.get("x-ms-request-id"),
                correlation_id=response.headers.get("x-ms-correlation-request-id"),
            )
        return ArmResponse(response.status_code, body, response.headers)
