"""``/lists``: the named lists I see (mine, and those shared with my branches or my team) and each one's firms.

The same reads as the API's ``/api/v1/lists`` (:mod:`chainsight.api.routes.lists`): a list I may not see
is the 404 page; of a list I see, each firm shows only within my own access and the others are only
counted ("N firms you may not see"), named nowhere. Saving and sharing a list go through the API
(``saveList``, ``saveProspectList``, ``shareList``) or these pages' forms: the core page saves its filtered
prospects as a list (and an admin assigns them to a manager or a branch), a list's owner (or an admin)
shares it with a branch or a team.
"""

from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chainsight.api import _assigning
from chainsight.api._deps import audit, state
from chainsight.api._scope import Reader
from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._forms import require_csrf, with_notice
from chainsight.api.pages._i18n import language
from chainsight.api.pages._render import render
from chainsight.api.pages.core import prospect_filter
from chainsight.api.routes.lists import get_list, list_lists, visible_list
from chainsight.errors import AccessDenied, ConfigError, NotFound
from chainsight.views._style import KINDS

__all__ = ["forms", "router"]

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
    cores = reader.cores().data
    core_names = dict(zip(cores["enterprise_id"].astype(str), cores["name"], strict=True))
    firms = [{**f, "kind_words": KINDS[str(f["kind"])][words] if f.get("kind") in KINDS else "",
              "core_name": core_names.get(str(f.get("core_id")))} for f in full["firms"]]
    return render(request, "list.html.j2", who=reader.principal, nav="lists", found=full, firms=firms)


#: The changing forms of the lists (CSRF checked; analysts read only).
forms = APIRouter(dependencies=[Depends(require_csrf)])


def _changer(reader: Reader) -> None:
    if reader.principal.role not in ("admin", "manager"):
        raise AccessDenied("analysts read lists; managers and admins save and share them")


@forms.post("/cores/{core_id}/lists")
def save_from_core(request: Request, reader: PageReader, core_id: Annotated[str, Path(max_length=100)],
                   name: Annotated[str, Form(max_length=200)], filters: Annotated[str, Form(max_length=4000)] = ""
                   ) -> RedirectResponse:
    """Save the core's prospects under the filters the page shows (at most 5,000) as a named list."""
    reader.core(core_id)  # an invisible core is the 404 page
    _changer(reader)
    chosen, applied = prospect_filter(parse_qs(filters))
    page = reader.prospects(core_id, chosen, "rank", 0, 5000)
    try:
        saved = state(request).appdb.save_list(name, [str(x) for x in page.data["enterprise_id"]],
                                               by=reader.principal, source={"core_id": core_id, **applied})
    except ConfigError:
        return RedirectResponse(with_notice(f"/cores/{quote(core_id)}", "invalid_list"), status_code=303)
    audit(request, reader.principal)("list-save", len(saved.firm_ids), 201)
    return RedirectResponse(with_notice(f"/lists/{saved.id}", "list_saved"), status_code=303)


@forms.post("/lists/{list_id}/shares")
def share(request: Request, reader: PageReader, list_id: Annotated[int, Path(ge=1)],
          kind: Annotated[str, Form(max_length=10)], target: Annotated[str, Form(max_length=100)]
          ) -> RedirectResponse:
    """Share a list I own (or any, as an admin) with a branch or a team; 403 page for others."""
    found = visible_list(request, reader, list_id)
    _changer(reader)
    try:
        state(request).appdb.share_list(found.id, kind, target.strip(), by=reader.principal)
    except ConfigError:
        return RedirectResponse(with_notice(f"/lists/{found.id}", "invalid_share"), status_code=303)
    audit(request, reader.principal)("list-share", 1, 200)
    return RedirectResponse(with_notice(f"/lists/{found.id}", "list_shared"), status_code=303)


@forms.post("/cores/{core_id}/assign")
def assign_from_core(request: Request, reader: PageReader, core_id: Annotated[str, Path(max_length=100)],
                     manager: Annotated[str, Form(max_length=100)] = "", branch: Annotated[str, Form(max_length=64)] = "",
                     filters: Annotated[str, Form(max_length=4000)] = "") -> RedirectResponse:
    """An admin assigns the core's prospects under the filters the page shows (at most 5,000) to a manager
    or a branch; our customers of another branch are left out (the access rule would hide them there)."""
    reader.core(core_id)
    if reader.principal.role != "admin":
        raise AccessDenied("only an admin assigns prospects to managers and branches")
    chosen, _ = prospect_filter(parse_qs(filters))
    rows, matched = _assigning.by_filter(reader, core_id, chosen, "rank", 5000)
    try:
        planned = _assigning.apply(state(request).appdb, reader, rows, branch.strip() or None,
                                   manager.strip() or None, dry_run=False, matched=matched)
    except (ConfigError, NotFound):
        return RedirectResponse(with_notice(f"/cores/{quote(core_id)}", "invalid_assign"), status_code=303)
    audit(request, reader.principal)("assign", len(planned.firms), 200)
    return RedirectResponse(with_notice(f"/cores/{quote(core_id)}", "assigned"), status_code=303)
