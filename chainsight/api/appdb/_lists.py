"""Named lists of firms, saved by a manager or an admin and shared with a branch or a team (联动营销).

A list is who saved it, its name, its firms in order and the filters it was saved from. Its owner (or
an admin) shares it with a branch or with one of :data:`TEAMS`; the owner, admins and the members of a
branch or team it is shared with see it. Seeing a list is not seeing its firms: the routes show each
firm only through the reader's own access rule. The access rule is not here.

Examples
--------
>>> from chainsight.api.appdb import AppDB
>>> db = AppDB.open("sqlite://")
>>> wang = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"B1"}))
>>> li = Principal(kind="user", id=2, name="li", role="manager", branches=frozenset({"B2"}))
>>> saved = db.save_list("代发工资 top 20", ["F2", "F1", "F2"], by=wang)
>>> saved.firm_ids, db.lists_for(li, team=None)
(['F2', 'F1'], [])
>>> db.share_list(saved.id, "team", "credit", by=wang)
>>> [x.name for x in db.lists_for(li, team="credit")], db.named_list(saved.id).shares
(['代发工资 top 20'], [('team', 'credit')])
>>> db.close()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa

from chainsight.api.appdb._base import Base, check_name
from chainsight.api.appdb._schema import list_firms, list_shares, lists
from chainsight.api.principal import Principal
from chainsight.errors import AccessDenied, ConfigError, NotFound

Team = Literal["credit", "retail", "institutional"]
#: The teams a list can be shared with (联动营销: 公司信贷 credit, 零售 retail, 机构 institutional).
TEAMS: tuple[str, ...] = get_args(Team)
ShareKind = Literal["branch", "team"]
#: The most firms one list holds.
MAX_FIRMS = 5000


@dataclass(frozen=True)
class NamedList:
    """A saved list: its firms in order and who it is shared with (``(kind, target)`` pairs)."""

    id: int
    name: str
    owner: str
    note: str
    source: dict[str, Any] | None
    created_at: datetime
    firm_ids: list[str]
    shares: list[tuple[str, str]]

    def visible_to(self, who: Principal, team: str | None) -> bool:
        """The owner, admins, and members of a branch or team the list is shared with see it."""
        if who.role == "admin" or who.name == self.owner:
            return True
        mine = {("branch", b) for b in who.branches} | ({("team", team)} if team else set())
        return bool(mine & set(self.shares))


def check_share(kind: str, target: str) -> tuple[str, str]:
    """A share's kind (branch or team) and target; a team is one of :data:`TEAMS`.

    >>> check_share("team", "retail"), check_share("branch", "0101")
    (('team', 'retail'), ('branch', '0101'))
    >>> check_share("team", "sales")
    Traceback (most recent call last):
    ...
    chainsight.errors.ConfigError: a team is one of credit, retail, institutional, not 'sales'
    """
    if kind == "team":
        if target not in TEAMS:
            raise ConfigError(f"a team is one of {', '.join(TEAMS)}, not {target!r}")
    elif kind == "branch":
        check_name(target, "branch")
    else:
        raise ConfigError(f"a list is shared with a branch or a team, not a {kind!r}")
    return kind, target


class Lists(Base):
    """Save, read, share and delete named lists."""

    def save_list(self, name: str, firm_ids: Iterable[str], *, by: Principal, note: str = "",
                  source: dict[str, Any] | None = None) -> NamedList:
        """Save a list of firms (each once, in order) owned by ``by`` (a manager or an admin)."""
        if by.role not in ("admin", "manager"):
            raise AccessDenied("managers and admins save lists")
        name = " ".join(name.split())
        if not 1 <= len(name) <= 100:
            raise ConfigError("a list's name is 1-100 characters")
        firms = list(dict.fromkeys(firm_ids))
        if len(firms) > MAX_FIRMS:
            raise ConfigError(f"a list holds at most {MAX_FIRMS:,} firms, not {len(firms):,}")
        now = self._now()
        with self._write() as c:
            list_id = c.execute(sa.insert(lists).values(name=name, owner=by.name, note=note, source=source,
                                                        created_at=now).returning(lists.c.id)).scalar_one()
            if firms:
                c.execute(sa.insert(list_firms), [{"list_id": list_id, "firm_id": f, "position": i}
                                                  for i, f in enumerate(firms)])
        return NamedList(list_id, name, by.name, note, source, now, firms, [])

    def named_list(self, list_id: int) -> NamedList:
        """One list; :class:`NotFound` when there is none with that id."""
        found = self._lists(lists.c.id == list_id)
        if not found:
            raise NotFound(f"no list {list_id}")
        return found[0]

    def lists_for(self, who: Principal, team: str | None) -> list[NamedList]:
        """The lists ``who`` (of ``team``) sees, newest first."""
        if who.role == "admin":
            return self._lists(sa.true())
        targets = [sa.and_(list_shares.c.kind == "branch", list_shares.c.target.in_(sorted(who.branches)))]
        if team:
            targets.append(sa.and_(list_shares.c.kind == "team", list_shares.c.target == team))
        shared = sa.select(list_shares.c.list_id).where(sa.or_(*targets))
        return self._lists(sa.or_(lists.c.owner == who.name, lists.c.id.in_(shared)))

    def share_list(self, list_id: int, kind: str, target: str, *, by: Principal) -> None:
        """Share a list with a branch or a team (its owner or an admin); sharing again is a no-op."""
        kind, target = check_share(kind, target)
        self._owned(list_id, by, "share")
        with self._write() as c:
            held = c.execute(sa.select(list_shares.c.list_id).where(
                list_shares.c.list_id == list_id, list_shares.c.kind == kind, list_shares.c.target == target)).first()
            if held is None:
                c.execute(sa.insert(list_shares).values(list_id=list_id, kind=kind, target=target, shared_by=by.name,
                                                        shared_at=self._now()))

    def unshare_list(self, list_id: int, kind: str, target: str, *, by: Principal) -> bool:
        """Stop sharing a list with a branch or team; ``False`` when it was not shared with it."""
        self._owned(list_id, by, "unshare")
        with self._write() as c:
            gone = c.execute(sa.delete(list_shares).where(
                list_shares.c.list_id == list_id, list_shares.c.kind == kind, list_shares.c.target == target))
        return bool(gone.rowcount)

    def delete_list(self, list_id: int, *, by: Principal) -> None:
        """Delete a list with its firms and shares (its owner or an admin)."""
        self._owned(list_id, by, "delete")
        with self._write() as c:
            c.execute(sa.delete(list_shares).where(list_shares.c.list_id == list_id))
            c.execute(sa.delete(list_firms).where(list_firms.c.list_id == list_id))
            c.execute(sa.delete(lists).where(lists.c.id == list_id))

    def _owned(self, list_id: int, by: Principal, what: str) -> NamedList:
        found = self.named_list(list_id)
        if by.role != "admin" and by.name != found.owner:
            raise AccessDenied(f"only {found.owner} (its owner) or an admin may {what} this list")
        return found

    def _lists(self, where: Any) -> list[NamedList]:
        with self._read() as c:
            heads = c.execute(sa.select(lists).where(where).order_by(lists.c.id.desc())).all()
            ids = [h.id for h in heads]
            firms: dict[int, list[str]] = {i: [] for i in ids}
            shares: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
            if ids:
                for r in c.execute(sa.select(list_firms).where(list_firms.c.list_id.in_(ids))
                                   .order_by(list_firms.c.list_id, list_firms.c.position)):
                    firms[r.list_id].append(r.firm_id)
                for r in c.execute(sa.select(list_shares).where(list_shares.c.list_id.in_(ids))
                                   .order_by(list_shares.c.kind, list_shares.c.target)):
                    shares[r.list_id].append((r.kind, r.target))
        return [NamedList(h.id, h.name, h.owner, h.note, h.source, h.created_at, firms[h.id], shares[h.id])
                for h in heads]
