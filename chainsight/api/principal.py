"""Who is asking: the one value the access rule, the routes and the audit log share.

A :class:`Principal` is what authentication produces (from an API key or a session cookie) and what
every data access is scoped and audited by.

Examples
--------
>>> p = Principal(kind="user", id=7, name="wang", role="manager", branches=frozenset({"BR01"}))
>>> p.sees_all_branches, p.sees_account_numbers
(False, False)
>>> Principal(kind="key", id=1, name="crm", role="analyst", branches=frozenset()).sees_account_numbers
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "analyst", "manager"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "manager")


@dataclass(frozen=True)
class Principal:
    """An authenticated user (``kind="user"``) or API key (``kind="key"``) with its role and branches.

    ``branches`` matters for managers only: admins and analysts see every branch.
    """

    kind: Literal["user", "key"]
    id: int
    name: str
    role: Role
    branches: frozenset[str]

    @property
    def sees_all_branches(self) -> bool:
        """Admins and analysts read the whole bank; a manager only their branches."""
        return self.role != "manager"

    @property
    def sees_account_numbers(self) -> bool:
        """Account numbers are shown in full to analysts and admins, masked for managers."""
        return self.role != "manager"
