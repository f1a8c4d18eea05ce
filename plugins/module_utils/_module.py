# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module does around its one job: check, connect, run, and report failures with what was read."""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.upgradegate.azure.plugins.module_utils._arm import FAN_OUT
from ansible_collections.upgradegate.azure.plugins.module_utils._connection import connect, missing_library
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ArmError, ValidationError


def run_module(module, validate, work, empty, partial_key=None, pool_size=None):
    """Validate the options, connect, call ``work(connection, params)``, and exit.

    ``empty`` is the result of a module that has read nothing: every key
    documented as returned always, so failures carry them too. ``work``
    returns the result dict; one with ``failed: true`` ends in fail_json. An
    ArmError's ``partial`` (what was read before the failure) is returned
    under ``partial_key``. ``pool_size(params)`` sizes the connection pool
    for modules whose concurrency depends on their options.
    """
    missing = missing_library()
    if missing:
        module.fail_json(msg=missing_required_lib(missing), **empty)
    connection = None
    try:
        validate(module.params)
        connection = connect(module.params, pool_size=pool_size(module.params) if pool_size else FAN_OUT)
        module.no_log_values.update(connection.secrets)
        result = work(connection, module.params)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), field=exc.field, **empty)
    except ArmError as exc:
        failed = dict(empty)
        if partial_key and exc.partial is not None:
            failed[partial_key] = exc.partial
        module.fail_json(msg=str(exc), error=exc.to_dict(), **failed)
    finally:
        if connection is not None:
            connection.client.close()
    result.setdefault("changed", False)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)
