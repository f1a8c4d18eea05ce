# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""How a failed read is explained: the operation first, then Azure's words, then what to do, each once."""

import inspect

import yaml

from ansible_collections.upgradegate.azure.plugins.module_utils import _pacing
from ansible_collections.upgradegate.azure.plugins.module_utils._arm import FAN_OUT
from ansible_collections.upgradegate.azure.plugins.module_utils._connection import connect
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError
from ansible_collections.upgradegate.azure.plugins.module_utils._readers import ROLLING_UPGRADE_READ, explain, rolling_upgrades
from ansible_collections.upgradegate.azure.plugins.modules import vmss_rolling_upgrade_info

WHAT = "the latest rolling upgrade of scale set 'vmss-web' in resource group 'rg-app'"
PATH = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web"
AZURE = "The client 'c' with object id 'o' does not have authorization to perform action '%s' over scope '%s'." % (ROLLING_UPGRADE_READ, PATH)


def forbidden(azure_message=AZURE, code="AuthorizationFailed"):
    return ArmError("GET %s/rollingUpgrades/latest failed with HTTP 403, %s: %s (x-ms-request-id: r-1, correlation id: c-1)" % (
        PATH, code, azure_message), status=403, code=code, azure_message=azure_message, request_id="r-1", correlation_id="c-1",
        method="GET", path=PATH + "/rollingUpgrades/latest")


def test_a_403_says_what_was_read_then_azures_words_then_the_permission_once_each():
    message = str(explain(forbidden(), ROLLING_UPGRADE_READ, WHAT))
    assert message.startswith("reading " + WHAT + ": HTTP 403, AuthorizationFailed: " + AZURE)
    assert message.endswith("(x-ms-request-id: r-1, correlation id: c-1); grant the identity a role with that permission, such as Reader")
    assert message.count(WHAT) == 1 and message.count(ROLLING_UPGRADE_READ) == 1 and message.count("r-1") == 1
    assert len(message) - len(AZURE) < 250


def test_a_403_whose_message_does_not_name_the_permission_gets_it_named():
    message = str(explain(forbidden("Access denied."), ROLLING_UPGRADE_READ, WHAT))
    assert message == ("reading %s: HTTP 403, AuthorizationFailed: Access denied. (x-ms-request-id: r-1, correlation id: c-1); "
                       "grant the identity a role with the permission %s, such as Reader" % (WHAT, ROLLING_UPGRADE_READ))


def test_a_missing_resource_group_is_said_after_the_context():
    error = ArmError("GET /x failed with HTTP 404, ResourceGroupNotFound: gone", kind="not_found", status=404, code="ResourceGroupNotFound")
    message = str(explain(error, ROLLING_UPGRADE_READ, WHAT))
    assert message.startswith("reading %s: GET /x failed" % WHAT) and message.endswith("does not exist or is not visible to this identity")


def test_an_error_is_explained_once_however_often_it_passes_through():
    error = explain(explain(forbidden(), ROLLING_UPGRADE_READ, WHAT), ROLLING_UPGRADE_READ, WHAT)
    assert str(error).count("reading ") == 1 and str(error).count("grant the identity") == 1


def test_the_fan_out_the_info_module_documents_is_the_one_the_readers_use():
    documented = " ".join(yaml.safe_load(vmss_rolling_upgrade_info.DOCUMENTATION)["description"][1].split())
    assert "up to %d at a time per subscription" % _pacing.FANOUT_WIDTH in documented
    assert inspect.signature(rolling_upgrades).parameters["workers"].default is None  # the pacer's width
    assert _pacing.fanout_width(_pacing.Pacer()) == _pacing.FANOUT_WIDTH
    assert _pacing.fanout_width(_pacing.Unpaced()) == FAN_OUT == _pacing.UNPACED_WIDTH
    assert inspect.signature(connect).parameters["pool_size"].default == FAN_OUT


def _consume(pages):
    """What the caller of _read_ahead gets, within 5 s: (pages, error); a hang fails the test instead of stopping it."""
    import threading

    from ansible_collections.upgradegate.azure.plugins.module_utils._readers import _read_ahead

    got, error = [], []

    def run():
        try:
            for page in _read_ahead(pages):
                got.append(page)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            error.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "the caller of _read_ahead was left waiting"
    return got, error


def _listing(*steps):
    for step in steps:
        if isinstance(step, Exception):
            raise step
        yield step


def test_read_ahead_hands_over_every_page_in_order():
    assert _consume(_listing([1, 2], [3], [])) == ([[1, 2], [3], []], [])


def test_read_ahead_hands_over_the_pages_before_a_failure_then_the_failure_whatever_it_is():
    for failure in (ArmError("page 3 failed", status=503), RuntimeError("a bug in the listing")):
        assert _consume(_listing([1], [2], failure, [4])) == ([[1], [2]], [failure])
