"""Named lists: save firms (by id or a filtered prospect list), share them with a branch or a team, read them.

Who sees a list: its owner, admins, and members of a branch or team (credit, retail, institutional) it is
shared with. Seeing a list is not seeing its firms: each firm is shown only if the reader's own access
rule shows it (the :class:`~chainsight.api._scope.Reader`); the others are counted in ``hidden`` ("N
firms you may not see") and named nowhere. A list the caller may not see is 404, like a firm. Managers and
admins save and share; analysts read the lists shared with them. Every read and change is audited.

No ``from __future__ import annotations`` here: FastAPI 0.115 must see the annotations as objects.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from chainsight.api._deps import AnyReader, audit, state
from chainsight.api._scope import Reader
from chainsight.api._tabular import EXPORT_RESPONSES, Fmt, export
from chainsight.api.appdb._lists import NamedList
from chainsight.api.routes.assignments import BAD_BODY, BulkLimit
from chainsight.api.routes.prospects import FiltersDep
from chainsight.api.routes.work import Writer
from chainsight.errors import NotFound
from chainsight.graph.stores.protocol import PROSPECT_COLUMNS, ProspectFilter, plain, records

router = APIRouter(tags=["lists"])
ListId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FirmIds = list[Annotated[str, Field(min_length=1, max_length=64)]]


class ListIn(BaseModel):
    """A list's name and note."""

    name: str = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=2000)


class ListOfIds(ListIn):
    """A list of firms chosen by id (each one you can see)."""

    enterprise_ids: FirmIds = Field(min_length=1, max_length=5000)


class Share(BaseModel):
    """A branch (``kind=branch``, its code) or a team (``kind=team``: credit, retail or institutional)."""

    kind: Literal["branch", "team"]
    target: str = Field(min_length=1, max_length=64)


class ListSummary(BaseModel):
    """A list without its firms."""

    id: int
    name: str
    owner: str
    note: str
    source: dict[str, Any] | None
    created_at: datetime
    size: int = Field(description="firms saved in it (some may be ones you may not see)")
    shares: list[Share]


class ListFirm(BaseModel):
    """A firm of a list, with its best prospect row you can see."""

    enterprise_id: str
    name: str | None
    is_customer: bool | None
    branch: str | None
    core_id: str | None
    kind: str | None
    score: float | None
    products: list[str] | None
    reasons_zh: str | None


class ListOut(ListSummary):
    """A list with the firms you may see; ``hidden``: how many of its firms you may not see."""

    firms: list[ListFirm]
    hidden: int


class ListPage(BaseModel):
    """The lists you see, newest first."""

    data: list[ListSummary]
    count: int


def _team(request: Request, who: Reader) -> str | None:
    return state(request).appdb.team_of(who.principal.name) if who.principal.kind == "user" else None


def visible_list(request: Request, who: Reader, list_id: int) -> NamedList:
    """The list if the caller sees it; 404 (audited) otherwise — a list they may not see does not exist."""
    found: NamedList | None
    try:
        found = state(request).appdb.named_list(list_id)
    except NotFound:
        found = None
    if found is None or not found.visible_to(who.principal, _team(request, who)):
        audit(request, who.principal)("list", 0, 404)
        raise NotFound(f"no list {list_id}")
    return found


def _summary(found: NamedList) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "owner": found.owner, "note": found.note, "source": found.source,
            "created_at": found.created_at, "size": len(found.firm_ids),
            "shares": [{"kind": k, "target": t} for k, t in found.shares]}


FIRM_FIELDS = ("enterprise_id", "name", "is_customer", "branch", "core_id", "kind", "score", "products",
               "reasons_zh")


def _firm(row: dict[str, Any]) -> dict[str, Any]:
    """A list row from a prospect row or a card (its best prospect row you can see), as plain values."""
    rows: list[dict[str, Any]] = row.get("prospects") or []
    best: dict[str, Any] = min(rows, key=lambda p: (p.get("rank") or 0, str(p.get("core_id"))), default={})
    merged = {**best, **{k: v for k, v in row.items() if k != "prospects" and k in FIRM_FIELDS}}
    if "core_id" in best:
        merged["core_id"] = best["core_id"]
    return {k: plain(merged.get(k)) for k in FIRM_FIELDS}


def _full(who: Reader, found: NamedList) -> dict[str, Any]:
    """The list with the firms ``who`` may see: the visible prospect rows in one scoped read, then the
    cards of the few firms that are no visible prospect (each judged by the same rule, one audit entry)."""
    wanted = list(dict.fromkeys(found.firm_ids))
    best: dict[str, dict[str, Any]] = {}
    if wanted:
        page = who.prospects(None, ProspectFilter(kinds=None), "rank", 0, None)
        for row in records(page.data[page.data["enterprise_id"].isin(wanted)], PROSPECT_COLUMNS):
            best.setdefault(str(row["enterprise_id"]), row)
    rest = [f for f in wanted if f not in best]
    cards, hidden = who.firms(rest) if rest else ([], 0)
    shown = {**{f: _firm(r) for f, r in best.items()}, **{str(c["enterprise_id"]): _firm(c) for c in cards}}
    return {**_summary(found), "firms": [shown[f] for f in wanted if f in shown], "hidden": hidden}


@router.post("/lists", response_model=ListOut, status_code=201, operation_id="saveList", responses=BAD_BODY)
def save_list(request: Request, who: Writer, body: ListOfIds) -> dict[str, Any]:
    """Save a named list of firms you can see, by id (404 when one is unknown or not yours to see)."""
    for firm_id in dict.fromkeys(body.enterprise_ids):
        who.enterprise(firm_id)
    saved = state(request).appdb.save_list(body.name, body.enterprise_ids, by=who.principal, note=body.note)
    audit(request, who.principal)("list-save", len(saved.firm_ids), 201)
    return _full(who, saved)


CoreQ = Annotated[str | None, Query(max_length=100, description="one core's prospects (default: every core's)")]


@router.post("/lists/from-prospects", response_model=ListOut, status_code=201, operation_id="saveProspectList",
             responses=BAD_BODY)
def save_prospect_list(request: Request, who: Writer, f: FiltersDep, body: ListIn, core_id: CoreQ = None,
                       limit: BulkLimit = 1000) -> dict[str, Any]:
    """Save the firms of a filtered prospect list (the filters of ``listProspects``) as a named list."""
    store_filter = f.store_filter()
    page = who.prospects(core_id, store_filter, f.sort, 0, min(limit, 5000))
    source = {"core_id": core_id, "sort": f.sort, **{k: v for k, v in vars(store_filter).items() if v is not None}}
    saved = state(request).appdb.save_list(body.name, [str(x) for x in page.data["enterprise_id"]],
                                           by=who.principal, note=body.note, source=source)
    audit(request, who.principal)("list-save", len(saved.firm_ids), 201)
    return _full(who, saved)


@router.get("/lists", response_model=ListPage, operation_id="listLists")
def list_lists(request: Request, who: AnyReader) -> dict[str, Any]:
    """The lists you see: yours, and those shared with your branches or your team (admins: all)."""
    found = state(request).appdb.lists_for(who.principal, _team(request, who))
    audit(request, who.principal)("lists", len(found), 200)
    return {"data": [_summary(x) for x in found], "count": len(found)}


@router.get("/lists/{list_id}.{fmt}", operation_id="exportList", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_list(request: Request, who: AnyReader, list_id: ListId, fmt: Fmt) -> Response:
    """A list's firms you may see as CSV or XLSX (header ``X-Hidden-Firms``: how many you may not see)."""
    full = _full(who, visible_list(request, who, list_id))
    response = export(pd.DataFrame(full["firms"], columns=list(FIRM_FIELDS)), fmt, "list", who.principal)
    response.headers["X-Hidden-Firms"] = str(full["hidden"])
    return response


@router.get("/lists/{list_id}", response_model=ListOut, operation_id="getList")
def get_list(request: Request, who: AnyReader, list_id: ListId) -> dict[str, Any]:
    """A list with the firms you may see, each only within your own access; ``hidden`` counts the rest."""
    return _full(who, visible_list(request, who, list_id))


@router.delete("/lists/{list_id}", status_code=204, response_class=Response, operation_id="deleteList")
def delete_list(request: Request, who: Writer, list_id: ListId) -> Response:
    """Delete a list (its owner or an admin; 403 for others who see it)."""
    state(request).appdb.delete_list(visible_list(request, who, list_id).id, by=who.principal)
    audit(request, who.principal)("list-delete", 1, 204)
    return Response(status_code=204)


@router.post("/lists/{list_id}/shares", response_model=ListSummary, operation_id="shareList",
             responses=BAD_BODY)
def share_list(request: Request, who: Writer, list_id: ListId, body: Share) -> dict[str, Any]:
    """Share a list with a branch or a team (its owner or an admin); its members see it within their access."""
    appdb = state(request).appdb
    appdb.share_list(visible_list(request, who, list_id).id, body.kind, body.target, by=who.principal)
    audit(request, who.principal)("list-share", 1, 200)
    return _summary(appdb.named_list(list_id))


@router.delete("/lists/{list_id}/shares/{kind}/{target}", status_code=204, response_class=Response,
               operation_id="unshareList")
def unshare_list(request: Request, who: Writer, list_id: ListId, kind: Literal["branch", "team"],
                 target: Annotated[str, Path(max_length=64)]) -> Response:
    """Stop sharing a list with a branch or team; 404 when it was not shared with it."""
    if not state(request).appdb.unshare_list(visible_list(request, who, list_id).id, kind, target, by=who.principal):
        raise NotFound(f"list {list_id} is not shared with {kind} {target}")
    audit(request, who.principal)("list-unshare", 1, 204)
    return Response(status_code=204)
