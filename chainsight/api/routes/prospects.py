"""Prospects: of one core (``/api/v1/cores/{id}/prospects``) and of every core (``/api/v1/prospects``).

No ``from __future__ import annotations`` here: FastAPI reads the :class:`Filters` dataclass's
annotations as objects, and on FastAPI 0.115 a postponed (string) annotation does not resolve.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from chainsight.api._deps import AnyReader
from chainsight.api._models import ProspectPage
from chainsight.api._tabular import EXPORT_RESPONSES, Fmt, export
from chainsight.api.routes._common import ExportLimit, Limit, Skip, Text, page_json
from chainsight.api.routes.cores import CoreId
from chainsight.graph.stores.protocol import PROSPECT_COLUMNS, ProspectFilter

router = APIRouter(tags=["prospects"])

Kind = Literal["deepen", "acquire", "credit_team", "existing"]
Segment = Literal["closure_warning", "tier_threshold", "volatile_active", "low_yield", "chain_potential"]
Stage = Literal["entry", "growth", "stable", "warning", "lost"]


@dataclass
class Filters:
    """The prospect filters of every prospect route (query parameters)."""

    kind: Annotated[list[Kind] | None, Query(description="repeatable; default deepen and acquire")] = None
    direction: Annotated[Literal["up", "down"] | None, Query(description="up: suppliers, down: customers")] = None
    tier: Annotated[int | None, Query(ge=1, le=10, description="only this tier (1 = direct)")] = None
    segment: Segment | None = None
    stage: Stage | None = None
    eligible: Annotated[bool | None, Query(description="only firms the 小额无贷户 rule admits (or not)")] = None
    branch: Text = None
    manager: Text = None
    min_score: Annotated[float | None, Query(ge=0.0, le=1.0)] = None
    name: Annotated[str | None, Query(max_length=100, description="name contains this")] = None
    sort: Annotated[Literal["rank", "score", "name"], Query(description="rank, score or name")] = "rank"

    def store_filter(self) -> ProspectFilter:
        return ProspectFilter(kinds=tuple(self.kind) if self.kind else ("deepen", "acquire"),
                              direction=self.direction, tier=self.tier, segment=self.segment,
                              stage=self.stage, eligible=self.eligible, branch=self.branch,
                              manager=self.manager, min_score=self.min_score, name_contains=self.name or None)


FiltersDep = Annotated[Filters, Depends()]


@router.get("/cores/{core_id}/prospects", response_model=ProspectPage, operation_id="listCoreProspects")
def core_prospects(reader: AnyReader, core_id: CoreId, f: FiltersDep, skip: Skip = 0,
                   limit: Limit = 50) -> dict[str, Any]:
    """A core's prospects you may see, ranked, filtered and paged, each with its evidence."""
    wanted = f.store_filter()
    return reader.remembered(("prospects", core_id, wanted, f.sort, skip, limit), lambda: page_json(
        reader.prospects(core_id, wanted, f.sort, skip, limit), PROSPECT_COLUMNS))


@router.get("/cores/{core_id}/prospects.{fmt}", operation_id="exportCoreProspects", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_core_prospects(reader: AnyReader, core_id: CoreId, fmt: Fmt, f: FiltersDep, skip: Skip = 0,
                          limit: ExportLimit = 1000) -> Response:
    """A core's prospects as CSV or XLSX."""
    page = reader.prospects(core_id, f.store_filter(), f.sort, skip, limit)
    return export(page.data, fmt, "prospects", reader.principal)


@router.get("/prospects", response_model=ProspectPage, operation_id="listProspects")
def all_prospects(reader: AnyReader, f: FiltersDep, skip: Skip = 0, limit: Limit = 50) -> dict[str, Any]:
    """The prospects of every core you may see, filtered and paged."""
    wanted = f.store_filter()
    return reader.remembered(("prospects", None, wanted, f.sort, skip, limit), lambda: page_json(
        reader.prospects(None, wanted, f.sort, skip, limit), PROSPECT_COLUMNS))


@router.get("/prospects.{fmt}", operation_id="exportProspects", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_prospects(reader: AnyReader, fmt: Fmt, f: FiltersDep, skip: Skip = 0,
                     limit: ExportLimit = 1000) -> Response:
    """The prospects of every core as CSV or XLSX."""
    return export(reader.prospects(None, f.store_filter(), f.sort, skip, limit).data, fmt, "prospects",
                  reader.principal)
