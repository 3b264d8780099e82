"""Assignments (admins only): put prospects in a branch or with a manager, one, by ids or a filtered list.

Every firm is read through the :class:`~chainsight.api._scope.Reader` first (audited), the change is
audited too, and ``assignment_history`` keeps who assigned what to whom and when. ``dry_run`` answers
what would be assigned without assigning. Like the work routes, a change takes an API key, or a signed-in
session with its CSRF token in the ``X-CSRF-Token`` header.

No ``from __future__ import annotations`` here: FastAPI 0.115 must see the annotations as objects.
"""

from datetime import datetime
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from chainsight.api import _assigning
from chainsight.api._deps import audit, reader, state
from chainsight.api._errors import Problem
from chainsight.api._scope import Reader
from chainsight.api._tabular import EXPORT_RESPONSES, Fmt, export
from chainsight.api.routes.cores import CoreId
from chainsight.api.routes.prospects import FiltersDep
from chainsight.api.pages._security import check_csrf
from chainsight.api.routes.work import FirmId
from chainsight.errors import AccessDenied, NotFound

router = APIRouter(tags=["assignments"])
Name = Annotated[str | None, Field(None, min_length=1, max_length=64)]
#: Declared on every route that reads a JSON body.
BAD_BODY: dict[int | str, dict[str, Any]] = {400: {"model": Problem, "description": "the body is not JSON"}}
BulkLimit = Annotated[int, Query(ge=1, le=10_000, description="assign at most this many of the list (1–10,000)")]


def _admin(who: Annotated[Reader, Depends(reader("admin"))]) -> Reader:
    return who


def _admin_writer(request: Request, who: Annotated[Reader, Depends(reader("admin"))]) -> Reader:
    if who.principal.kind != "key" and not check_csrf(request, request.headers.get("x-csrf-token")):
        raise AccessDenied("a change by a signed-in session needs its CSRF token in the X-CSRF-Token header")
    return who


Admin = Annotated[Reader, Depends(_admin)]
AdminWriter = Annotated[Reader, Depends(_admin_writer)]


class AssignTo(BaseModel):
    """Where the firms go: a branch, a manager (then their branch unless given) or both."""

    branch: Name = None
    manager: Name = None
    dry_run: bool = Field(False, description="only say what would be assigned")


class AssignIds(AssignTo):
    """Firms chosen by id."""

    enterprise_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=1000)


class Skipped(BaseModel):
    """A firm left out, and why."""

    enterprise_id: str
    reason: str


class AssignResult(BaseModel):
    """What was (or, with ``dry_run``, would be) assigned."""

    branch: str | None
    manager: str | None
    dry_run: bool
    count: int
    enterprise_ids: list[str]
    skipped: list[Skipped]
    matched: int = Field(description="rows of the filtered list in all (0 when chosen by id)")


class AssignmentOut(BaseModel):
    """A firm's assignment, or one event of the history (branch and manager null: removed)."""

    enterprise_id: str
    branch: str | None
    manager: str | None
    assigned_by: str
    assigned_at: datetime


def _done(request: Request, who: Reader, rows: list[_assigning.Row], to: AssignTo, matched: int = 0
          ) -> dict[str, Any]:
    planned = _assigning.apply(state(request).appdb, who, rows, to.branch, to.manager, dry_run=to.dry_run,
                               matched=matched)
    audit(request, who.principal)("assign-dry-run" if to.dry_run else "assign", len(planned.firms), 200)
    return {"branch": planned.branch, "manager": planned.manager, "dry_run": to.dry_run,
            "count": len(planned.firms), "enterprise_ids": planned.firms, "matched": planned.matched,
            "skipped": [{"enterprise_id": f, "reason": r} for f, r in planned.skipped.items()]}


def _assignment(a: Any) -> dict[str, Any]:
    return {"enterprise_id": a.firm_id, "branch": a.branch, "manager": a.manager, "assigned_by": a.assigned_by,
            "assigned_at": a.assigned_at}


@router.post("/enterprises/{enterprise_id}/assignment", response_model=AssignResult,
             operation_id="assignProspect", responses=BAD_BODY)
def assign_one(request: Request, who: AdminWriter, enterprise_id: FirmId, body: AssignTo) -> dict[str, Any]:
    """Assign one firm to a branch and/or a manager (replacing its assignment)."""
    return _done(request, who, _assigning.by_ids(who, [enterprise_id]), body)


@router.delete("/enterprises/{enterprise_id}/assignment", status_code=204, response_class=Response,
               operation_id="unassignProspect")
def unassign(request: Request, who: AdminWriter, enterprise_id: FirmId) -> Response:
    """Remove a firm's assignment (kept in the history); 404 when it had none."""
    _assigning.by_ids(who, [enterprise_id])
    appdb = state(request).appdb
    if not [a for a in appdb.assignments() if a.firm_id == enterprise_id]:
        raise NotFound(f"{enterprise_id} is not assigned")
    appdb.assign(enterprise_id, by=who.principal)
    audit(request, who.principal)("unassign", 1, 204)
    return Response(status_code=204)


@router.post("/assignments", response_model=AssignResult, operation_id="assignProspects",
             responses=BAD_BODY)
def assign_ids(request: Request, who: AdminWriter, body: AssignIds) -> dict[str, Any]:
    """Assign firms chosen by id (up to 1,000); 404 when one is unknown."""
    return _done(request, who, _assigning.by_ids(who, body.enterprise_ids), body)


@router.post("/cores/{core_id}/prospects/assign", response_model=AssignResult,
             operation_id="assignCoreProspects", responses=BAD_BODY)
def assign_core_prospects(request: Request, who: AdminWriter, core_id: CoreId, f: FiltersDep, body: AssignTo,
                          limit: BulkLimit = 1000) -> dict[str, Any]:
    """Assign the firms of a core's filtered prospect list (the filters of ``listCoreProspects``)."""
    rows, matched = _assigning.by_filter(who, core_id, f.store_filter(), f.sort, limit)
    return _done(request, who, rows, body, matched)


@router.post("/prospects/assign", response_model=AssignResult, operation_id="assignFilteredProspects",
             responses=BAD_BODY)
def assign_prospects(request: Request, who: AdminWriter, f: FiltersDep, body: AssignTo,
                     limit: BulkLimit = 1000) -> dict[str, Any]:
    """Assign the firms of the filtered prospect list of every core (the filters of ``listProspects``)."""
    rows, matched = _assigning.by_filter(who, None, f.store_filter(), f.sort, limit)
    return _done(request, who, rows, body, matched)


BranchQ = Annotated[str | None, Query(max_length=64)]


@router.get("/assignments", response_model=list[AssignmentOut], operation_id="listAssignments")
def list_assignments(request: Request, who: Admin, branch: BranchQ = None, manager: BranchQ = None,
                     ) -> list[dict[str, Any]]:
    """Current assignments, oldest first, optionally to one branch and/or manager."""
    found = state(request).appdb.assignments(branch=branch, manager=manager)
    audit(request, who.principal)("assignments", len(found), 200)
    return [_assignment(a) for a in found]


HistoryLimit = Annotated[int, Query(ge=1, le=100_000, description="at most this many, newest first")]


def _history(request: Request, who: Reader, limit: int) -> list[dict[str, Any]]:
    found = state(request).appdb.assignment_history(limit=limit)
    audit(request, who.principal)("assignment-history", len(found), 200)
    return [_assignment(a) for a in found]


@router.get("/assignments/history", response_model=list[AssignmentOut], operation_id="listAssignmentHistory")
def assignment_history(request: Request, who: Admin, limit: HistoryLimit = 1000) -> list[dict[str, Any]]:
    """Every assignment and removal: who assigned what to whom, when (newest first)."""
    return _history(request, who, limit)


@router.get("/assignments/history.{fmt}", operation_id="exportAssignmentHistory", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_assignment_history(request: Request, who: Admin, fmt: Fmt, limit: HistoryLimit = 1000) -> Response:
    """The assignment history as CSV or XLSX."""
    return export(pd.DataFrame(_history(request, who, limit)), fmt, "assignment-history", who.principal)
