"""Assignments: an admin puts firms in a branch and/or with a manager; every change is kept.

``assignments`` holds each firm's current assignment (it feeds the access rule: a firm at another bank
assigned to a branch is visible to that branch's managers); ``assignment_history`` keeps every
assignment and removal ever made — who, what, to whom, when — and the database refuses to change it.
The access rule is not here: the callers read each firm through the Reader first.

Examples
--------
>>> from chainsight.api.appdb import AppDB
>>> db = AppDB.open("sqlite://")
>>> root = Principal(kind="user", id=1, name="root", role="admin", branches=frozenset())
>>> db.assign_many(["F1", "F2"], branch="B1", manager="wang", by=root)
2
>>> db.assign("F2", by=root)  # neither branch nor manager: no longer assigned
>>> [a.firm_id for a in db.assigned_to("wang")], sorted(db.assignments_for(["B1"]))
(['F1'], ['F1'])
>>> [(e.firm_id, e.branch) for e in db.assignment_history()]
[('F2', None), ('F2', 'B1'), ('F1', 'B1')]
>>> db.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from chainsight.api.appdb._base import Base, check_name
from chainsight.api.appdb._schema import assignment_history, assignments, users
from chainsight.api.principal import Principal
from chainsight.errors import AccessDenied, ConfigError

#: Firms per statement (well below SQLite's and PostgreSQL's parameter limits).
CHUNK = 500


@dataclass(frozen=True)
class Assignment:
    """A firm's assignment (current, or one event of its history: both ``None`` = removed)."""

    firm_id: str
    branch: str | None
    manager: str | None
    assigned_by: str
    assigned_at: datetime


def chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    """``items`` in slices of at most ``size``.

    >>> list(chunks(["a", "b", "c"], 2))
    [['a', 'b'], ['c']]
    """
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Assignments(Base):
    """Assign firms to branches and managers; read current assignments and their history."""

    def assign(self, firm_id: str, branch: str | None = None, manager: str | None = None, *,
               by: Principal) -> None:
        """Put a firm in ``branch`` (and with ``manager``); both ``None`` removes the assignment."""
        self.assign_many([firm_id], branch, manager, by=by)

    def assign_many(self, firm_ids: Iterable[str], branch: str | None = None, manager: str | None = None, *,
                    by: Principal) -> int:
        """Assign every firm of ``firm_ids`` (one transaction, one history row each); how many."""
        if by.role != "admin":
            raise AccessDenied("only an admin assigns firms to branches and managers")
        for value, what in ((branch, "branch"), (manager, "manager")):
            if value is not None:
                check_name(value, what)
        wanted = list(dict.fromkeys(firm_ids))
        now = self._now()
        rows = [{"firm_id": f, "branch": branch, "manager": manager, "assigned_by": by.name, "assigned_at": now}
                for f in wanted]
        if not rows:
            return 0
        with self._write() as c:
            for part in chunks(wanted):
                c.execute(sa.delete(assignments).where(assignments.c.firm_id.in_(part)))
            if branch is not None or manager is not None:
                c.execute(sa.insert(assignments), rows)
            c.execute(sa.insert(assignment_history), rows)
        return len(rows)

    def check_target(self, branch: str | None, manager: str | None) -> tuple[str | None, str | None]:
        """The branch and manager an assignment goes to, checked against the users.

        A manager must be an enabled user with the manager role; without ``branch`` the assignment goes
        to the manager's branch (a manager of several branches needs ``branch``, one of theirs).
        """
        if branch is None and manager is None:
            raise ConfigError("an assignment names a branch, a manager or both")
        if branch is not None:
            check_name(branch, "branch")
        if manager is None:
            return branch, None
        with self._read() as c:
            user = c.execute(sa.select(users.c.role, users.c.branches, users.c.disabled_at)
                             .where(users.c.name == manager)).first()
        if user is None or user.disabled_at is not None or user.role != "manager":
            raise ConfigError(f"{manager} is not an enabled user with the manager role")
        theirs = sorted(user.branches)
        if branch is None:
            if len(theirs) != 1:
                raise ConfigError(f"{manager} has branches {', '.join(theirs)}: name the branch")
            return theirs[0], manager
        if branch not in theirs:
            raise ConfigError(f"{manager} is not a manager of branch {branch} (theirs: {', '.join(theirs)})")
        return branch, manager

    def assignments_for(self, branches: Iterable[str]) -> set[str]:
        """The ids of the firms assigned to any of ``branches``."""
        wanted = list(branches)
        if not wanted:
            return set()
        with self._read() as c:
            return set(c.execute(sa.select(assignments.c.firm_id)
                                 .where(assignments.c.branch.in_(wanted))).scalars())

    def assigned_to(self, manager: str) -> list[Assignment]:
        """The firms assigned to ``manager`` now, oldest assignment first."""
        return self.assignments(manager=manager)

    def assignments(self, branch: str | None = None, manager: str | None = None) -> list[Assignment]:
        """Current assignments (optionally to one branch and/or manager), oldest first."""
        query = sa.select(assignments).order_by(assignments.c.assigned_at, assignments.c.firm_id)
        if branch is not None:
            query = query.where(assignments.c.branch == branch)
        if manager is not None:
            query = query.where(assignments.c.manager == manager)
        with self._read() as c:
            return [Assignment(**r._mapping) for r in c.execute(query).all()]

    def assignment_history(self, firm_ids: Iterable[str] | None = None, limit: int = 1000) -> list[Assignment]:
        """Every assignment event (of ``firm_ids`` if given), newest first, at most ``limit``."""
        query = sa.select(assignment_history).order_by(assignment_history.c.id.desc()).limit(limit)
        if firm_ids is not None:
            query = query.where(assignment_history.c.firm_id.in_(list(firm_ids)))
        with self._read() as c:
            return [Assignment(r.firm_id, r.branch, r.manager, r.assigned_by, r.assigned_at)
                    for r in c.execute(query).all()]
