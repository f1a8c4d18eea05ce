# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Following a write to its end: Azure's long-running operations, one helper for every module that changes Azure.

A write answers at once (200/201/204 with no monitor header: the operation has
already ended) or hands back a monitor: ``Azure-AsyncOperation`` (an operation
status resource ``{status, error}``) or ``Location`` (202 while running, then
the final answer). ``follow`` polls the monitor, honouring ``Retry-After``,
until the operation ends or ``deadline`` (a ``clock()`` value) would pass. It
never follows a monitor URL off the Resource Manager endpoint.
"""

import time
from urllib.parse import urlsplit

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError

SUCCEEDED = "succeeded"
FAILED = frozenset(("failed", "canceled", "cancelled"))
# Between polls when Azure gives no Retry-After, and the most we wait between two polls whatever it says.
DEFAULT_INTERVAL = 5.0
MAX_INTERVAL = 60.0


def monitor_of(response):
    """(header name, URL) of the monitor to poll, or None when the write has already ended."""
    for name in ("Azure-AsyncOperation", "Location"):
        url = response.headers.get(name)
        if url:
            return name, url
    return None


def follow(client, response, what, deadline, clock=time.monotonic, sleep=time.sleep, interval=DEFAULT_INTERVAL):
    """The final ArmResponse of a write whose first answer is ``response``; raises ArmError when it failed or timed out.

    ``what`` names the operation for messages, e.g. ``"POST .../updateRuns/run-7/start"``. With
    Azure-AsyncOperation the result is the operation status; with Location, the final answer (read the
    resource again for its new state either way).
    """
    monitor = monitor_of(response)
    if monitor is None:
        return response
    header, url = monitor
    client.check_origin(url, "%s header" % header)
    wait = response.retry_after
    polls = 0
    while True:
        delay = interval if wait is None else min(max(wait, 0.0), MAX_INTERVAL)
        if clock() + delay > deadline:
            raise ArmError("%s was accepted but had not finished when the timeout ran out (%d poll%s of its operation)"
                           % (what, polls, "" if polls == 1 else "s"), kind="timeout", code="OperationTimedOut",
                           method="GET", path=urlsplit(url).path)
        sleep(delay)
        polls += 1
        answer = client.request("GET", url, deadline, body_optional=True)
        if header == "Location":
            if answer.status == 202:
                wait = answer.retry_after
                continue
            return answer
        status = str((answer.body or {}).get("status") or "").lower()
        if status == SUCCEEDED:
            return answer
        if status in FAILED:
            raise operation_error(what, answer)
        wait = answer.retry_after


def operation_error(what, answer):
    """An ArmError from an operation status that ended Failed or Canceled, with Azure's code and words."""
    body = answer.body or {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code, text = error.get("code"), error.get("message")
    status = body.get("status")
    detail = "%s: %s" % (code, text) if code or text else "no error details"
    return ArmError("%s ended %s: %s (operation %s)" % (what, status, detail, body.get("name") or body.get("id")),
                    kind="api", status=answer.status, code=code or status, azure_message=text,
                    request_id=answer.request_id, method="GET")
