"""What the routers share: paging parameters, a page as JSON, the export route decorator."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from chainsight.graph.stores.protocol import Page, records

Skip = Annotated[int, Query(ge=0, le=10**9, description="leave out the first N")]
Limit = Annotated[int, Query(ge=1, le=1000, description="at most this many (1–1000)")]
ExportLimit = Annotated[int, Query(ge=1, le=100_000, description="at most this many rows (1–100,000)")]
Text = Annotated[str | None, Query(max_length=100)]


def page_json(page: Page, columns: tuple[str, ...]) -> dict[str, Any]:
    """``{"data": [...], "count": n}`` of a store page."""
    return {"data": records(page.data, columns), "count": page.count}
