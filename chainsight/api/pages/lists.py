"""``/lists``: the named lists I see (mine, and those shared with my branches or my team) and each one's firms.

The same reads as the API's ``/api/v1/lists`` (:mod:`chainsight.api.routes.lists`): a list I may not see
is the 404 page; of a list I see, each firm shows only within my own access and the others are only
counted ("N firms you may not see"), named nowhere. Saving and sharing a list go through the API
(``saveList``, ``saveProspectList``, ``shareList``); this page reads and exports.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._i18n import language
from chainsight.api.pages._render import render
from chainsight.api.routes.lists import get_list, list_lists
from chainsight.views._style import KINDS

__all__ = ["router"]

router = APIRouter()


@router.get("/lists", response_class=HTMLResponse)
def lists(request: Request, reader: PageReader) -> HTMLResponse:
    """The lists I see, newest first."""
    found = list_lists(request, reader)["data"]
    return render(request, "lists.html.j2", who=reader.principal, nav="lists", lists=found)


@router.get("/lists/{list_id}", response_class=HTMLResponse)
def one_list(request: Request, reader: PageReader, list_id: Annotated[int, Path(ge=1)]) -> HTMLResponse:
    """One list's firms that I may see, and how many I may not."""
    full: dict[str, Any] = get_list(request, reader, list_id)
    words = "zh" if language(request) == "zh" else "en"
    firms = [{**f, "kind_words": KINDS[str(f["kind"])][words] if f.get("kind") in KINDS else ""}
             for f in full["firms"]]
    return render(request, "list.html.j2", who=reader.principal, nav="lists", found=full, firms=firms)
