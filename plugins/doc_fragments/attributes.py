# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Attributes shared by the modules of upgradegate.azure: READ_ONLY for those that only read, CHANGES_AZURE for those that change Azure."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same options, the second run indicates no change.
      - This assumes that Azure has not changed in a relevant way in between.
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
  idempotent:
    support: full
    details: The module only reads, so it never indicates a change.
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
  idempotent:
    support: full
    details: The module reads what Azure has first and writes only the difference, so a second run with the same options changes nothing.
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
