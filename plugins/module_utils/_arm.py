# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Resource Manager client: one pooled session, retries, throttling, paging, errors.

It knows nothing of facts or credentials: it asks a token source for a
bearer token before every request and hands back parsed JSON bodies.
"""

import http.client
import json
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._pacing import UNPACED_WIDTH, Unpaced
from ansible_collections.upgradegate.azure.plugins.module_utils._retry import RETRY_STATUSES, Backoff, parse_retry_after
from ansible_collections.upgradegate.azure.plugins.module_utils._session import new_session
from ansible_collections.upgradegate.azure.plugins.module_utils._version import COLLECTION_VERSION

try:
    import requests
    import urllib3
except ImportError:  # the modules report the missing library before building a client
    requests = None

USER_AGENT = "upgradegate.azure/%s" % COLLECTION_VERSION
# Requests in flight at once when many resources are read without pacing, and the connections a client
# keeps in its pool by default (pacing sets its own width: _pacing).
FAN_OUT = UNPACED_WIDTH
_SNIPPET = 200
# A listing stops with an error after this many pages (an endless chain of nextLinks).
MAX_PAGES = 1000
_CHUNK = 65536


class _Overrun(Exception):
    """The body did not arrive within the request's time."""


class _TlsFailure(ArmError):
    """A certificate that is not trusted: retrying at once would not help (a later poll of the gate may)."""


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
    body = _json(response.content)
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


def _json(content):
    """The parsed body, or None for a body that is not JSON (nested too deep to parse included)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _read_timeout(response, seconds):
    """Bound the next socket read of a streamed response (best effort: urllib3 2 keeps the socket on its connection)."""
    sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:
            pass


def _read_body(response, until, clock):
    """The whole body of a streamed response, or _Overrun when it is still coming at ``until``.

    Each read returns what has arrived (``read1``), so a server that trickles
    a few bytes at a time cannot stretch the request past its time.
    """
    if response.raw is None or getattr(response, "_content_consumed", False):
        return response.content
    read = getattr(response.raw, "read1", None)
    chunks = []
    while True:
        remaining = until - clock()
        if remaining <= 0:
            raise _Overrun()
        _read_timeout(response, remaining)
        chunk = read(_CHUNK, decode_content=True) if read is not None else response.raw.read(_CHUNK, decode_content=True)
        if not chunk:
            break
        chunks.append(chunk)
    content = b"".join(chunks)
    response._content = content  # pylint: disable=protected-access
    response._content_consumed = True  # pylint: disable=protected-access
    return content


def _new_item(item, ids):
    """True the first time an item is seen: the same id (in any case) on two pages is one resource."""
    key = item.get("id")
    if not isinstance(key, str) or not key:
        return True
    key = key.lower()
    if key in ids:
        return False
    ids.add(key)
    return True


class ArmClient:
    """Requests to one Resource Manager endpoint, safe to share between threads.

    ``tokens`` has ``token(within)`` (asked before every request) and ``renew(within)``
    (after a 401, once per request). Retries follow ``backoff``; a 429's
    Retry-After holds back every request of this client, not just the one
    that was throttled. ``deadline`` (a ``clock()`` value) stops retrying
    when the next attempt could not start before it. ``pacer`` (_pacing)
    paces every attempt by the throttling budget the answers report.
    """

    def __init__(self, base_url, tokens, verify=True, timeout=30.0, pool_size=FAN_OUT, backoff=None,
                 clock=time.monotonic, sleep=time.sleep, session=None, deadline=None, pacer=None):
        self.base_url = base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self._tokens = tokens
        self._verify = bool(verify)  # what to trust is in the session's TLS context (_session)
        self._session = session or new_session(self.base_url, verify, pool_size, USER_AGENT)
        self._timeout = timeout
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._not_before = 0.0
        # The deadline of requests that name none (a clock() value): the module's overall bound.
        self.deadline = deadline
        self.pacer = pacer or Unpaced()

    def close(self):
        self._session.close()

    def url(self, path, api_version):
        return "%s%s?%s" % (self.base_url, path, urlencode({"api-version": api_version}))

    def get(self, path, api_version, deadline=None):
        """GET one resource; returns an ArmResponse or raises ArmError."""
        return self.request("GET", self.url(path, api_version), deadline)

    def send(self, method, path, api_version, body=None, headers=None, deadline=None):
        """A write (PUT, PATCH, POST, DELETE): returns the first ArmResponse, whose body may be None (202, 204).

        Follow a long-running operation with ``_lro.follow``; ``headers`` carries If-Match / If-None-Match.
        """
        return self.request(method, self.url(path, api_version), deadline, body=body, headers=headers)

    def check_origin(self, url, what, partial=None):
        """Refuse a URL Azure handed back (nextLink, operation monitor) that is not on this endpoint: no token is sent there."""
        if not isinstance(url, str) or _origin(url) != self._origin:
            raise ArmError(
                "refusing to follow %s %r: it is not on the Resource Manager endpoint %s (no request was sent to it)"
                % (what, url, self.base_url), kind="protocol", code="ForeignNextLink" if what == "nextLink" else "ForeignLink",
                partial=partial,
            )

    def list(self, path, api_version, deadline=None):
        """Every item of a list, following nextLink. On failure, ArmError.partial holds the items read so far."""
        items = []
        for page in self.pages(path, api_version, deadline):
            items.extend(page)
        return items

    def pages(self, path, api_version, deadline=None):
        """Each page's new items as soon as the page is read, following nextLink (a generator).

        An item whose id an earlier page had is left out; a page that brings
        nothing new ends the listing. On failure, ArmError.partial holds the
        items of every page before.
        """
        items = []
        url = self.url(path, api_version)
        seen = set()
        ids = set()
        while url:
            if len(seen) >= MAX_PAGES:
                raise ArmError("GET %s: gave up after %d pages, the listing does not end (nextLink %r)" % (path, MAX_PAGES, url),
                               kind="protocol", code="TooManyPages", method="GET", path=path, partial=items)
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
            fresh = [item for item in page if isinstance(item, dict) and _new_item(item, ids)]
            items.extend(fresh)
            url = body.get("nextLink") or None
            if url and not fresh:  # a page that brings nothing new ends the listing
                url = None
            if url:
                self._check_next_link(url, items, seen)
            yield fresh

    def _check_next_link(self, url, items, seen):
        self.check_origin(url, "nextLink", partial=items)
        if url in seen:
            raise ArmError("nextLink %r repeats an earlier page" % url, kind="protocol", code="RepeatedNextLink", partial=items)

    def request(self, method, url, deadline=None, body=None, headers=None, body_optional=None):
        """One logical request with retries; returns an ArmResponse whose body is parsed JSON.

        Each attempt (its token, connection, headers and whole body) ends
        within ``timeout`` seconds; every failure on the way is an ArmError.
        A GET must answer a JSON object unless ``body_optional`` (an operation
        monitor); a write may answer with no body (202 Accepted, 204 No Content).
        """
        path = urlsplit(url).path
        deadline = self.deadline if deadline is None else deadline
        extra = headers
        headers = {"x-ms-client-request-id": str(uuid.uuid4()), "Accept": "application/json"}
        headers.update(extra or {})
        payload = None if body is None else json.dumps(body).encode("utf-8")
        if payload is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        renewed = renew = False
        while True:
            self._hold_back(deadline, method, path)
            until = self._clock() + self._timeout
            try:
                ask = self._tokens.renew if renew else self._tokens.token
                headers["Authorization"] = "Bearer " + ask(within=self._timeout)
                renew = False
                response = self._send(method, url, headers, until, path, attempt, payload, deadline)
            except ArmError as failure:
                if not failure.transient or isinstance(failure, _TlsFailure):
                    raise
                attempt = self._retry_or_raise(failure, attempt, None, deadline)
                continue
            status = response.status_code
            if status == 401 and not renewed:
                renewed = renew = True
                continue
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers)
                if status == 429 and retry_after:
                    self._hold_all(retry_after)
                attempt = self._retry_or_raise(_error_from_response(response, method, path), attempt, retry_after, deadline)
                continue
            if status >= 400:
                raise _error_from_response(response, method, path)
            return self._parsed(response, method, path, body_optional=method != "GET" if body_optional is None else body_optional)

    def _send(self, method, url, headers, until, path, attempt, payload=None, deadline=None):
        """One attempt: the response with its whole body read by ``until``, or an ArmError (kind ``transport``)."""
        def failed(what):
            return ArmError("%s %s: %s after %d attempt(s)" % (method, path, what, attempt + 1), kind="transport", method=method, path=path)

        response = None
        try:
            remaining = max(until - self._clock(), 0.001)
            response = self.pacer.call(method, path, deadline, lambda: self._session.request(
                method, url, headers=headers, data=payload, timeout=(remaining, remaining), verify=self._verify,
                allow_redirects=False, stream=True))
            _read_body(response, until, self._clock)
            return response
        except _Overrun:
            raise failed("Timeout: the response was not complete within request_timeout %s s" % self._timeout) from None
        except requests.exceptions.SSLError as exc:
            raise _TlsFailure("%s %s: TLS failure talking to %s: %s (set ca_path to a CA bundle that signs its certificate)"
                              % (method, path, self.base_url, exc), kind="transport", method=method, path=path) from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, ValueError) as exc:
            # Connection refused or reset, timeouts, a body cut short or that is not the gzip it claims to be.
            raise failed("%s: %s" % (type(exc).__name__, " ".join(str(exc).split())[:_SNIPPET])) from None
        finally:
            if response is not None:
                response.close()

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
    def _parsed(response, method, path, body_optional=False):
        if body_optional and not response.content:
            return ArmResponse(response.status_code, None, response.headers)
        body = _json(response.content)
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
