"""Working a list: a manager takes a prospect (a claim) and records outcomes on it (append only).

The access rule is not here: the routes check through the Reader that the caller may see a firm
before they call these methods. Outcomes and the claim history (every take and release) are never
changed or removed (the database refuses UPDATE and DELETE); a correction is a newer outcome.

Examples
--------
>>> from datetime import date
>>> from chainsight.api.appdb import AppDB
>>> db = AppDB.open("sqlite://")
>>> wang = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"B1"}))
>>> db.take("F1", by=wang).manager
'wang'
>>> db.record_outcome("F1", "visited", on_date=date(2026, 12, 1), note="met the CFO",
...                   follow_up=date(2026, 12, 8), by=wang).kind
'visited'
>>> [c.firm_id for c in db.claims_of("wang")], db.outcomes_of(["F1"])[0].follow_up
(['F1'], datetime.date(2026, 12, 8))
>>> db.release("F1", by=wang); [(e.action, e.manager) for e in db.claim_history(["F1"])]
True
[('release', 'wang'), ('take', 'wang')]
>>> db.close()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

import sqlalchemy as sa

from chainsight.api.appdb._base import Base
from chainsight.api.appdb._schema import claim_history, claims, outcomes
from chainsight.api.principal import Principal
from chainsight.errors import AccessDenied, ConfigError

OutcomeKind = Literal["contacted", "visited", "account_opened", "product_sold", "declined"]
OUTCOME_KINDS: tuple[str, ...] = get_args(OutcomeKind)


@dataclass(frozen=True)
class Claim:
    """A prospect taken by a manager."""

    firm_id: str
    manager: str
    taken_at: datetime


@dataclass(frozen=True)
class ClaimEvent:
    """One take or release: whose claim, and who did it (the taker, or an admin releasing it)."""

    firm_id: str
    manager: str
    action: str
    done_by: str
    at: datetime


@dataclass(frozen=True)
class Outcome:
    """One recorded step with a prospect: what happened, when, and when to follow up."""

    id: int
    firm_id: str
    kind: str
    product: str | None
    reason: str | None
    on_date: date
    note: str
    follow_up: date | None
    recorded_by: str
    recorded_at: datetime


class Work(Base):
    """Claims and outcomes."""

    def take(self, firm_id: str, *, by: Principal) -> Claim:
        """``by`` takes ``firm_id``; taking one's own again is a no-op, another manager's is refused."""
        with self._write() as c:
            held = c.execute(sa.select(claims).where(claims.c.firm_id == firm_id)).first()
            if held is not None:
                if held.manager != by.name:
                    raise AccessDenied(f"{held.manager} has already taken this prospect")
                return Claim(held.firm_id, held.manager, held.taken_at)
            now = self._now()
            c.execute(sa.insert(claims).values(firm_id=firm_id, manager=by.name, taken_at=now))
            c.execute(sa.insert(claim_history).values(firm_id=firm_id, manager=by.name, action="take",
                                                      done_by=by.name, at=now))
        return Claim(firm_id, by.name, now)

    def release(self, firm_id: str, *, by: Principal) -> bool:
        """Give a prospect back (its taker, or an admin); ``False`` when nobody had taken it."""
        with self._write() as c:
            held = c.execute(sa.select(claims).where(claims.c.firm_id == firm_id)).first()
            if held is None:
                return False
            if held.manager != by.name and by.role != "admin":
                raise AccessDenied(f"{held.manager} has taken this prospect: only they or an admin release it")
            c.execute(sa.delete(claims).where(claims.c.firm_id == firm_id))
            c.execute(sa.insert(claim_history).values(firm_id=firm_id, manager=held.manager, action="release",
                                                      done_by=by.name, at=self._now()))
        return True

    def claim_history(self, firm_ids: Iterable[str]) -> list[ClaimEvent]:
        """Every take and release of ``firm_ids``, newest first."""
        wanted = list(firm_ids)
        if not wanted:
            return []
        with self._read() as c:
            rows = c.execute(sa.select(claim_history).where(claim_history.c.firm_id.in_(wanted))
                             .order_by(claim_history.c.id.desc())).all()
        return [ClaimEvent(r.firm_id, r.manager, r.action, r.done_by, r.at) for r in rows]

    def claims_of(self, manager: str) -> list[Claim]:
        """The prospects ``manager`` has taken, oldest first."""
        with self._read() as c:
            rows = c.execute(sa.select(claims).where(claims.c.manager == manager)
                             .order_by(claims.c.taken_at, claims.c.firm_id)).all()
        return [Claim(r.firm_id, r.manager, r.taken_at) for r in rows]

    def claims_on(self, firm_ids: Iterable[str]) -> dict[str, Claim]:
        """Who has taken each of ``firm_ids`` (firms nobody has taken are left out)."""
        wanted = list(firm_ids)
        if not wanted:
            return {}
        with self._read() as c:
            rows = c.execute(sa.select(claims).where(claims.c.firm_id.in_(wanted))).all()
        return {r.firm_id: Claim(r.firm_id, r.manager, r.taken_at) for r in rows}

    def record_outcome(self, firm_id: str, kind: str, *, on_date: date, note: str = "",
                       product: str | None = None, reason: str | None = None,
                       follow_up: date | None = None, by: Principal) -> Outcome:
        """Append one outcome; ``product_sold`` needs the product, ``declined`` the reason."""
        if kind not in OUTCOME_KINDS:
            raise ConfigError(f"an outcome is one of {', '.join(OUTCOME_KINDS)}, not {kind!r}")
        if kind == "product_sold" and not product:
            raise ConfigError("a product_sold outcome names the product")
        if kind == "declined" and not reason:
            raise ConfigError("a declined outcome gives the reason")
        if follow_up is not None and follow_up < on_date:
            raise ConfigError("the follow-up date is before the outcome's date")
        now = self._now()
        values = {"firm_id": firm_id, "kind": kind, "product": product if kind == "product_sold" else None,
                  "reason": reason if kind == "declined" else None, "on_date": on_date, "note": note,
                  "follow_up": follow_up, "recorded_by": by.name, "recorded_at": now}
        with self._write() as c:
            new_id = c.execute(sa.insert(outcomes).values(**values).returning(outcomes.c.id)).scalar_one()
        return Outcome(id=new_id, **values)  # type: ignore[arg-type]

    def all_outcomes(self, recorded_by: str | None = None) -> list[Outcome]:
        """Every outcome (only those ``recorded_by`` one person if given), newest first."""
        query = sa.select(outcomes).order_by(outcomes.c.id.desc())
        if recorded_by is not None:
            query = query.where(outcomes.c.recorded_by == recorded_by)
        with self._read() as c:
            return [Outcome(**r._mapping) for r in c.execute(query).all()]

    def outcomes_of(self, firm_ids: Iterable[str]) -> list[Outcome]:
        """Every outcome of ``firm_ids``, newest first."""
        wanted = list(firm_ids)
        if not wanted:
            return []
        with self._read() as c:
            rows = c.execute(sa.select(outcomes).where(outcomes.c.firm_id.in_(wanted))
                             .order_by(outcomes.c.id.desc())).all()
        return [Outcome(**r._mapping) for r in rows]
