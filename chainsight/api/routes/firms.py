"""``/api/v1/enterprises/{id}`` (one firm's evidence card), ``…/{id}/links`` (why merged) and
``/api/v1/alerts``.

No ``from __future__ import annotations`` here: FastAPI reads the route annotations as objects.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from chainsight.api._deps import AnyReader
from chainsight.api._models import AlertPage, Enterprise, EntityLinkPage
from chainsight.api._tabular import EXPORT_RESPONSES, Fmt, export
from chainsight.api.routes._common import ExportLimit, Limit, Skip, page_json
from chainsight.graph.stores.protocol import ALERT_COLUMNS, ENTITY_LINK_COLUMNS, Page, plain

router = APIRouter(tags=["enterprises"])
AlertKind = Literal["moved_bank", "stopped", "share_drop", "new_counterparty"]
Kinds = Annotated[list[AlertKind] | None, Query(description="repeatable; default every kind")]
CoreFilter = Annotated[str | None, Query(max_length=100, description="only this core's alerts")]


@router.get("/enterprises/{enterprise_id}", response_model=Enterprise, operation_id="getEnterprise")
def get_enterprise(reader: AnyReader,
                   enterprise_id: Annotated[str, Path(max_length=100)]) -> dict[str, Any]:
    """One firm: its attributes and evidence, the chains it is in and its prospect rows."""
    return {k: plain(v) for k, v in reader.enterprise(enterprise_id).items()}


@router.get("/enterprises/{enterprise_id}/links", response_model=EntityLinkPage, operation_id="listEntityLinks")
def list_entity_links(reader: AnyReader,
                      enterprise_id: Annotated[str, Path(max_length=100)]) -> dict[str, Any]:
    """Why merged: every name, USCC and account seen for the firm, each with the rule that made it the
    firm's and its evidence (file and line of the row, or the customer record); most used first."""
    links = reader.entity_links(enterprise_id)
    return page_json(Page(links, len(links)), ENTITY_LINK_COLUMNS)


@router.get("/alerts", response_model=AlertPage, operation_id="listAlerts")
def list_alerts(reader: AnyReader, core_id: CoreFilter = None, kind: Kinds = None, skip: Skip = 0,
                limit: Limit = 50) -> dict[str, Any]:
    """Relationships that started, stopped, shrank or moved bank between the two latest periods."""
    kinds = tuple(kind) if kind else None
    return reader.remembered(("alerts", core_id, kinds, skip, limit), lambda: page_json(
        reader.alerts(core_id, kinds, skip, limit), ALERT_COLUMNS))


@router.get("/alerts.{fmt}", operation_id="exportAlerts", response_class=Response, responses=EXPORT_RESPONSES)
def export_alerts(reader: AnyReader, fmt: Fmt, core_id: CoreFilter = None, kind: Kinds = None,
                  skip: Skip = 0, limit: ExportLimit = 1000) -> Response:
    """The alerts as CSV or XLSX."""
    page = reader.alerts(core_id, tuple(kind) if kind else None, skip, limit)
    return export(page.data, fmt, "alerts", reader.principal)
