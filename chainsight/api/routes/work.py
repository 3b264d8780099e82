"""Working a list: take and release a prospect, record its outcomes, list "my prospects", every outcome I
may see (CSV/XLSX too) and a firm's claim history.

Every route first reads the firm through the :class:`~chainsight.api._scope.Reader` (the one access
rule): a firm the caller may not see is 404 before anything is taken or recorded, and the access is
audited like any read. Managers and admins take prospects and record outcomes; analysts read them.
Changing routes take an API key (``Authorization: Bearer``), or a sign-in session whose request carries
its CSRF token in the ``X-CSRF-Token`` header (the token of the pages' forms): a cookie alone, which
another site can make a browser send, changes nothing.

No ``from __future__ import annotations`` here: FastAPI 0.115 must see the annotations as objects.
"""

from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Any

import pandas as pd

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from chainsight.api._deps import AnyReader, reader, state
from chainsight.api._errors import Problem
from chainsight.api._scope import Reader
from chainsight.api._tabular import EXPORT_RESPONSES, Fmt, export
from chainsight.api.routes._common import Limit, Skip
from chainsight.api.appdb._work import OutcomeKind
from chainsight.api.pages._security import check_csrf
from chainsight.errors import AccessDenied, NotFound

router = APIRouter(tags=["work"])
FirmId = Annotated[str, Path(max_length=64)]


def _writer(request: Request, who: Annotated[Reader, Depends(reader("admin", "manager"))]) -> Reader:
    if who.principal.kind != "key" and not check_csrf(request, request.headers.get("x-csrf-token")):
        raise AccessDenied("a change by a signed-in session needs its CSRF token in the X-CSRF-Token header")
    return who


Writer = Annotated[Reader, Depends(_writer)]


class ClaimOut(BaseModel):
    """A prospect taken by a manager."""

    enterprise_id: str
    manager: str
    taken_at: datetime


class OutcomeIn(BaseModel):
    """One step with a prospect: ``product`` for product_sold, ``reason`` for declined."""

    kind: OutcomeKind
    on_date: date
    note: str = Field("", max_length=2000)
    product: str | None = Field(None, min_length=1, max_length=100)
    reason: str | None = Field(None, min_length=1, max_length=500)
    follow_up: date | None = None


class OutcomeOut(BaseModel):
    """A recorded outcome (never changed: a correction is a newer one)."""

    id: int
    enterprise_id: str
    kind: str
    product: str | None
    reason: str | None
    on_date: date
    note: str
    follow_up: date | None
    recorded_by: str
    recorded_at: datetime


class MyProspect(BaseModel):
    """A prospect I have taken or an admin assigned to me, its latest outcome, whether a follow-up is due."""

    enterprise_id: str
    name: str | None
    taken_at: datetime | None = Field(description="when I took it (null: assigned to me, not taken)")
    assigned_at: datetime | None = Field(None, description="when an admin assigned it to me (null: not assigned)")
    assigned_by: str | None = None
    last_outcome: OutcomeOut | None
    follow_up_due: bool


def _outcome(o: Any) -> dict[str, Any]:
    return {"id": o.id, "enterprise_id": o.firm_id, "kind": o.kind, "product": o.product, "reason": o.reason,
            "on_date": o.on_date, "note": o.note, "follow_up": o.follow_up, "recorded_by": o.recorded_by,
            "recorded_at": o.recorded_at}


def _card(who: Reader, firm_id: str) -> dict[str, Any]:
    """The firm as the caller may see it (404 when not visible), read and audited by the Reader."""
    return who.enterprise(firm_id)


@router.post("/enterprises/{enterprise_id}/take", response_model=ClaimOut, operation_id="takeProspect")
def take(request: Request, who: Writer, enterprise_id: FirmId) -> dict[str, Any]:
    """Take a prospect you can see (assign it to yourself); 403 when another manager has it."""
    _card(who, enterprise_id)
    claim = state(request).appdb.take(enterprise_id, by=who.principal)
    return {"enterprise_id": claim.firm_id, "manager": claim.manager, "taken_at": claim.taken_at}


@router.delete("/enterprises/{enterprise_id}/take", status_code=204, response_class=Response,
               operation_id="releaseProspect")
def release(request: Request, who: Writer, enterprise_id: FirmId) -> Response:
    """Give a prospect back (you took it, or you are an admin); 404 when nobody had taken it."""
    _card(who, enterprise_id)
    if not state(request).appdb.release(enterprise_id, by=who.principal):
        raise NotFound(f"nobody has taken {enterprise_id}")
    return Response(status_code=204)


@router.post("/enterprises/{enterprise_id}/outcomes", response_model=OutcomeOut, status_code=201,
             operation_id="recordOutcome", responses={400: {"model": Problem, "description": "the body is not JSON"}})
def record_outcome(request: Request, who: Writer, enterprise_id: FirmId, body: OutcomeIn) -> dict[str, Any]:
    """Record what happened with a prospect you can see: contacted, visited, account opened, product
    sold (which), declined (why), with its date, a note and a follow-up date."""
    _card(who, enterprise_id)
    outcome = state(request).appdb.record_outcome(
        enterprise_id, body.kind, on_date=body.on_date, note=body.note, product=body.product,
        reason=body.reason, follow_up=body.follow_up, by=who.principal)
    return _outcome(outcome)


@router.get("/enterprises/{enterprise_id}/outcomes", response_model=list[OutcomeOut],
            operation_id="listOutcomes")
def list_outcomes(request: Request, who: AnyReader, enterprise_id: FirmId) -> list[dict[str, Any]]:
    """The outcomes recorded on a firm you can see, newest first."""
    _card(who, enterprise_id)
    return [_outcome(o) for o in state(request).appdb.outcomes_of([enterprise_id])]


def _name(who: Reader, firm_id: str) -> str | None:
    name = _card(who, firm_id).get("name")
    return None if name is None else str(name)


def mine_rows(request: Request, who: Reader, due: bool = False, assigned: bool = False) -> list[dict[str, Any]]:
    """What the caller has taken (oldest first) and, with ``assigned``, what an admin assigned to them and
    they have not taken (``taken_at`` None), still visible to them, each with its name, latest outcome and
    whether it is due (the pages' "my prospects" reads the same rows)."""
    appdb = state(request).appdb
    today = datetime.now(UTC).date()
    to_me = {a.firm_id: a for a in appdb.assigned_to(who.principal.name)}
    taken = {c.firm_id: c for c in appdb.claims_of(who.principal.name)}
    wanted = [*taken, *(f for f in to_me if assigned and f not in taken)]
    latest: dict[str, Any] = {}
    for outcome in appdb.outcomes_of(wanted):  # newest first: keep the first seen
        latest.setdefault(outcome.firm_id, outcome)
    rows = []
    for firm_id in wanted:
        try:  # the name is remembered per analysis and access; every call is audited as the first read was
            name = who.remembered(("name", firm_id), partial(_name, who, firm_id))
        except NotFound:
            continue  # taken or assigned before the caller's access changed: no longer theirs to see
        last = latest.get(firm_id)
        is_due = last is not None and last.follow_up is not None and last.follow_up <= today
        if due and not is_due:
            continue
        claim, assignment = taken.get(firm_id), to_me.get(firm_id)
        rows.append({"enterprise_id": firm_id, "name": name,
                     "taken_at": claim.taken_at if claim else None,
                     "assigned_at": assignment.assigned_at if assignment else None,
                     "assigned_by": assignment.assigned_by if assignment else None,
                     "last_outcome": _outcome(last) if last else None, "follow_up_due": is_due})
    return rows


Due = Annotated[bool, Query(description="only those whose latest follow-up date is today or past")]


@router.get("/my/prospects", response_model=list[MyProspect], operation_id="listMyProspects")
def my_prospects(request: Request, who: AnyReader, due: Due = False) -> list[dict[str, Any]]:
    """The prospects you have taken or an admin assigned to you, each with its latest outcome;
    ``due=true``: only follow-ups due."""
    return mine_rows(request, who, due, assigned=True)


@router.get("/my/prospects.{fmt}", operation_id="exportMyProspects", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_my_prospects(request: Request, who: AnyReader, fmt: Fmt, due: Due = False) -> Response:
    """The prospects you have taken or that are assigned to you, with their latest outcome, as CSV or XLSX."""
    rows = [{"enterprise_id": r["enterprise_id"], "name": r["name"], "taken_at": r["taken_at"],
             "assigned_at": r["assigned_at"], "assigned_by": r["assigned_by"],
             **{f"last_{k}": v for k, v in (r["last_outcome"] or {}).items() if k not in ("id", "enterprise_id")},
             "follow_up_due": r["follow_up_due"]} for r in mine_rows(request, who, due, assigned=True)]
    return export(pd.DataFrame(rows), fmt, "my-prospects", who.principal)


class ClaimEventOut(BaseModel):
    """One take or release of a prospect: whose claim, who did it (an admin may release), when."""

    enterprise_id: str
    manager: str
    action: str
    done_by: str
    at: datetime


@router.get("/enterprises/{enterprise_id}/claims", response_model=list[ClaimEventOut],
            operation_id="listClaimHistory")
def claim_history(request: Request, who: AnyReader, enterprise_id: FirmId) -> list[dict[str, Any]]:
    """Every take and release of a firm you can see, newest first."""
    _card(who, enterprise_id)
    return [{"enterprise_id": e.firm_id, "manager": e.manager, "action": e.action, "done_by": e.done_by,
             "at": e.at} for e in state(request).appdb.claim_history([enterprise_id])]


Mine = Annotated[bool, Query(description="only the outcomes you recorded")]


def _all_outcomes(request: Request, who: Reader, mine: bool) -> tuple[list[dict[str, Any]], int]:
    """Every outcome of a firm the caller can see, and how many firms with outcomes were left out."""
    found = state(request).appdb.all_outcomes(recorded_by=who.principal.name if mine else None)
    cards, hidden = who.firms(o.firm_id for o in found)
    names = {c["enterprise_id"]: c.get("name") for c in cards}
    return [{**_outcome(o), "name": names[o.firm_id]} for o in found if o.firm_id in names], hidden


class OutcomeRow(OutcomeOut):
    """A recorded outcome with the firm's name."""

    name: str | None


class OutcomePage(BaseModel):
    """Outcomes of the firms you can see; ``hidden``: firms with outcomes you may not see."""

    data: list[OutcomeRow]
    count: int
    hidden: int


@router.get("/outcomes", response_model=OutcomePage, operation_id="listAllOutcomes")
def all_outcomes(request: Request, who: AnyReader, mine: Mine = False, skip: Skip = 0,
                 limit: Limit = 50) -> dict[str, Any]:
    """Every outcome recorded on a firm you can see (``mine=true``: that you recorded), newest first."""
    rows, hidden = _all_outcomes(request, who, mine)
    return {"data": rows[skip:skip + limit], "count": len(rows), "hidden": hidden}


@router.get("/outcomes.{fmt}", operation_id="exportAllOutcomes", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_all_outcomes(request: Request, who: AnyReader, fmt: Fmt, mine: Mine = False) -> Response:
    """Every outcome recorded on a firm you can see, as CSV or XLSX."""
    rows, _ = _all_outcomes(request, who, mine)
    columns = ["enterprise_id", "name", "kind", "product", "reason", "on_date", "note", "follow_up",
               "recorded_by", "recorded_at"]
    return export(pd.DataFrame(rows, columns=columns), fmt, "outcomes", who.principal)
