"""``/api/v1/cores``: the cores, one core, its chain and its leakage."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from chainsight.api._deps import AnyReader
from chainsight.api._models import ChainOut, Core, CorePage, LeakageOut
from chainsight.api._tabular import EXPORT_RESPONSES, Fmt, export
from chainsight.api.routes._common import ExportLimit, Limit, Skip, page_json
from chainsight.graph.stores.protocol import (
    CORE_COLUMNS, EDGE_COLUMNS, LEAKAGE_COLUMNS, LEAKAGE_TOP_COLUMNS, MEMBER_COLUMNS, plain, records,
)

router = APIRouter(prefix="/cores", tags=["cores"])
CoreSort = Annotated[Literal["rank", "score", "name"], Query(description="rank, score (best first) or name")]
CoreId = Annotated[str, Path(max_length=100, description="the core's enterprise id")]
Depth = Annotated[int, Query(ge=1, le=3, description="tiers up and down the chain (1–3)")]
Search = Annotated[str | None, Query(max_length=100, description="name or id contains this")]


@router.get("", response_model=CorePage, operation_id="listCores")
def list_cores(reader: AnyReader, q: Search = None, sort: CoreSort = "rank", skip: Skip = 0,
               limit: Limit = 50) -> dict[str, Any]:
    """The cores you may see, best first; search by name or id."""
    return reader.remembered(("cores", q, sort, skip, limit), lambda: page_json(
        reader.cores(name=q, sort=sort, skip=skip, limit=limit), CORE_COLUMNS))


@router.get("/export.{fmt}", operation_id="exportCores", response_class=Response, responses=EXPORT_RESPONSES)
def export_cores(reader: AnyReader, fmt: Fmt, q: Search = None, sort: CoreSort = "rank", skip: Skip = 0,
                 limit: ExportLimit = 1000) -> Response:
    """The core list as CSV or XLSX."""
    return export(reader.cores(name=q, sort=sort, skip=skip, limit=limit).data, fmt, "cores", reader.principal)


@router.get("/{core_id}", response_model=Core, operation_id="getCore")
def get_core(reader: AnyReader, core_id: CoreId) -> dict[str, Any]:
    """One core with its score components and the explanation of its score."""
    return reader.remembered(("core", core_id), lambda: {c: plain(v) for c, v in reader.core(core_id).items()})


@router.get("/{core_id}/chain", response_model=ChainOut, operation_id="getChain")
def get_chain(reader: AnyReader, core_id: CoreId, depth: Depth = 2) -> dict[str, Any]:
    """A core's chain: the members you may see up to ``depth`` tiers and the trade edges among them."""
    def answer() -> dict[str, Any]:
        chain = reader.chain(core_id, depth)
        return {"core": {c: plain(v) for c, v in chain.core.items()},
                "members": records(chain.members, MEMBER_COLUMNS), "edges": records(chain.edges, EDGE_COLUMNS)}

    return reader.remembered(("chain", core_id, depth), answer)


@router.get("/{core_id}/chain.{fmt}", operation_id="exportChain", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_chain(reader: AnyReader, core_id: CoreId, fmt: Fmt, depth: Depth = 2) -> Response:
    """A core's chain members as CSV or XLSX."""
    return export(reader.chain(core_id, depth).members, fmt, "chain", reader.principal)


@router.get("/{core_id}/leakage", response_model=LeakageOut, operation_id="getLeakage")
def get_leakage(reader: AnyReader, core_id: CoreId) -> dict[str, Any]:
    """How much of the core's payments and receipts run through other banks, and with whom."""
    def answer() -> dict[str, Any]:
        leak = reader.leakage(core_id)
        return {"summary": {c: plain(leak.summary.get(c)) for c in LEAKAGE_COLUMNS},
                "top": records(leak.top, LEAKAGE_TOP_COLUMNS)}

    return reader.remembered(("leakage", core_id), answer)


@router.get("/{core_id}/leakage.{fmt}", operation_id="exportLeakage", response_class=Response,
            responses=EXPORT_RESPONSES)
def export_leakage(reader: AnyReader, core_id: CoreId, fmt: Fmt) -> Response:
    """The core's top counterparties at other banks as CSV or XLSX."""
    return export(reader.leakage(core_id).top, fmt, "leakage", reader.principal)

