"""``/``: the start page — the cores the signed-in manager may see, searchable and sortable, paged."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._render import render
from chainsight.graph.stores.protocol import records

router = APIRouter()
PAGE_SIZE = 25


@router.get("/", response_class=HTMLResponse)
def start(request: Request, reader: PageReader,
          q: Annotated[str | None, Query(max_length=100)] = None,
          sort: Annotated[Literal["rank", "score", "name"], Query()] = "rank",
          skip: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    """My cores, best first (search by name or id; sort by rank, score or name)."""
    page = reader.cores(name=q or None, sort=sort, skip=skip, limit=PAGE_SIZE)
    cores = records(page.data, ("enterprise_id", "name", "rank", "score", "branch", "n_up1", "n_down1",
                                "out_strength", "in_strength"))
    return render(request, "start.html.j2", who=reader.principal, nav="cores", cores=cores, total=page.count,
                  q=q or "", sort=sort, skip=skip, size=PAGE_SIZE)
