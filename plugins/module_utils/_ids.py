# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Azure Resource Manager ids and the naming rules checked before any request.

Every check raises ValidationError naming the field and the rule, so a
module can fail before it opens a connection. ``resource_id`` builds an id
as Azure writes it (for facts); ``resource_path`` the same id with every
name %-encoded (for request URLs).
"""

import re

from urllib.parse import quote

from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

# Every pattern is used with fullmatch: with match, '$' also matches before a final newline, so "web\n" would pass.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Resource groups: letters and digits (Unicode too), '_', '(', ')', '-', '.'; not ending in '.'.
_RESOURCE_GROUP = re.compile(r"[-\w.()]{1,90}", re.UNICODE)
# Scale sets: letters, digits, '_', '.', '-'; start with a letter or digit; end with a letter, digit or '_'.
_SCALE_SET = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?")
# Fleets, update runs, stages and groups (swagger pattern of Microsoft.ContainerService 2025-03-01).
_FLEET_STYLE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
# ASCII digits only ('\d' would take any Unicode digit).
_API_VERSION = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(-[a-z]+)?")

FLEET_STYLE_RULE = "lower-case letters, digits and '-', starting and ending with a letter or digit"


def _text(field, value):
    if not isinstance(value, str) or not value:
        raise ValidationError(field, "a non-empty string is required, got %r" % (value,))
    return value


def check_subscription_id(value, field="subscription_id"):
    """A subscription id is a UUID such as 00000000-0000-0000-0000-000000000000."""
    if not _UUID.fullmatch(_text(field, value)):
        raise ValidationError(field, "%r is not a subscription id; expected a UUID like 00000000-0000-0000-0000-000000000000" % value)
    return value


def check_resource_group(value, field="resource_group"):
    if not _RESOURCE_GROUP.fullmatch(_text(field, value)) or value.endswith("."):
        raise ValidationError(
            field,
            "%r is not a valid resource group name: 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'" % value,
        )
    return value


def check_scale_set_name(value, field="name"):
    if not _SCALE_SET.fullmatch(_text(field, value)):
        raise ValidationError(
            field,
            "%r is not a valid scale set name: 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit "
            "and ending with a letter, digit or '_'" % value,
        )
    return value


def check_fleet_style_name(value, field, max_length):
    """Fleet (63), update run, stage and group names (50): the ContainerService pattern."""
    _text(field, value)
    if len(value) > max_length or not _FLEET_STYLE.fullmatch(value):
        raise ValidationError(field, "%r is not a valid name: 1 to %d %s" % (value, max_length, FLEET_STYLE_RULE))
    return value


def check_fleet_name(value, field="fleet_name"):
    return check_fleet_style_name(value, field, 63)


def check_update_run_name(value, field="name"):
    return check_fleet_style_name(value, field, 50)


def check_api_version(value, field="api_version"):
    if not _API_VERSION.fullmatch(_text(field, value)):
        raise ValidationError(field, "%r is not an api-version; expected YYYY-MM-DD with an optional suffix such as -preview" % value)
    return value


def _segment(value):
    return quote(value, safe="")


def resource_group_path(subscription_id, resource_group):
    """The URL path of a resource group, names %-encoded."""
    return "/subscriptions/%s/resourceGroups/%s" % (_segment(subscription_id), _segment(resource_group))


def resource_id(subscription_id, resource_group, provider, *types_and_names):
    """An ARM id as Azure writes it: resource_id(sub, rg, 'Microsoft.Compute', 'virtualMachineScaleSets', 'web').

    Names are taken as they are; for a request URL use :func:`resource_path`.
    """
    return _resource(lambda value: "%s" % (value,), subscription_id, resource_group, provider, types_and_names)


def resource_path(subscription_id, resource_group, provider, *types_and_names):
    """The URL path of a resource: :func:`resource_id` with every name %-encoded."""
    return _resource(_segment, subscription_id, resource_group, provider, types_and_names)


def _resource(encode, subscription_id, resource_group, provider, types_and_names):
    if len(types_and_names) % 2:
        raise ValueError("resource types and names come in pairs")
    path = "/subscriptions/%s/resourceGroups/%s/providers/%s" % (encode(subscription_id), encode(resource_group), provider)
    for part in types_and_names:
        path += "/" + encode(part)
    return path


def parse_resource_id(value):
    """Split an ARM id into its parts; None when it is not one.

    The fixed segments (subscriptions, resourceGroups, providers) are matched
    case-insensitively, as real responses mix 'resourceGroups' and
    'resourcegroups'. Returns a dict with subscription_id, resource_group
    (or None), provider (or None), and resources: [(type, name), ...].
    """
    if not isinstance(value, str):
        return None
    parts = [p for p in value.split("/") if p]
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        return None
    parsed = {"subscription_id": parts[1], "resource_group": None, "provider": None, "resources": []}
    rest = parts[2:]
    if len(rest) >= 2 and rest[0].lower() == "resourcegroups":
        parsed["resource_group"] = rest[1]
        rest = rest[2:]
    if len(rest) >= 2 and rest[0].lower() == "providers":
        parsed["provider"] = rest[1]
        rest = rest[2:]
    elif rest:
        return None
    if len(rest) % 2:
        return None
    parsed["resources"] = [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]
    return parsed
