# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support: a connection that runs modules on this machine but says it is not ``local``, as ssh to another host would."""

from ansible.plugins.connection.local import DOCUMENTATION as LOCAL_DOCUMENTATION
from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = LOCAL_DOCUMENTATION.replace("name: local", "name: remote_standin").replace(
    "short_description: execute on controller", "short_description: test stand-in for a remote host (runs on the controller)")


class Connection(LocalConnection):
    """Everything as ``local``, but the transport name of a remote connection."""

    transport = "remote_standin"
