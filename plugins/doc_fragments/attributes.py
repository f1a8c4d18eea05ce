# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Attributes shared by the modules of upgradegate.azure: those that only read, and those that change Azure."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
"""

    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: The module only reads from Azure, so it runs the same way in check mode and never reports a change.
  diff_mode:
    support: N/A
    details: The module never changes anything.
"""

    CHANGES_AZURE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: In check mode the module reads from Azure and reports what it would change, but never writes.
  diff_mode:
    support: full
    details: Returns the managed fields before and after the change.
"""

    ACTIONGROUP_ALL = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/upgradegate.azure.all) in C(module_defaults) to set defaults for this module, such as the connection options.
    support: full
    membership:
      - upgradegate.azure.all
"""
