"""The work buttons of the pages: take, release and record an outcome, each a form post (CSRF checked).

Each handler reads the firm through the :class:`~chainsight.api._scope.Reader` first, so a firm the
manager may not see is the 404 page and nothing is stored; then it changes the app database and sends
the browser back (303) to the page the form came from (its ``back`` field, a path of this site only)
with a ``?notice=`` saying what happened. Analysts read only: their posts are refused (403).
The forms are the partial templates ``_work_actions.html.j2`` and ``_outcome_form.html.j2``.

No ``from __future__ import annotations`` here: FastAPI 0.115 must see the annotations as objects.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse

from chainsight.api._deps import state
from chainsight.api._scope import Reader
from chainsight.api.appdb._work import OUTCOME_KINDS
from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._forms import local_path, require_csrf, with_notice
from chainsight.errors import AccessDenied

__all__ = ["parse_day", "router"]

router = APIRouter(dependencies=[Depends(require_csrf)])
FirmId = Annotated[str, Path(max_length=100)]
Back = Annotated[str, Form(max_length=2000)]
Text = Annotated[str, Form(max_length=2000)]


def _writer(reader: Reader, firm_id: str) -> None:
    """The firm must be visible (404 otherwise, audited) and the asker a manager or an admin (403)."""
    reader.enterprise(firm_id)
    if reader.principal.role not in ("admin", "manager"):
        raise AccessDenied("analysts read prospects; managers and admins take them and record outcomes")


def _back(back: str, firm_id: str, notice: str) -> RedirectResponse:
    return RedirectResponse(with_notice(local_path(back, f"/enterprises/{firm_id}"), notice), status_code=303)


def parse_day(value: str) -> date | None:
    """A form's date field (``2026-12-03``), ``None`` when empty or not a date.

    >>> parse_day("2026-12-03"), parse_day(""), parse_day("3.12.2026")
    (datetime.date(2026, 12, 3), None, None)
    """
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@router.post("/enterprises/{enterprise_id}/take")
def take(request: Request, reader: PageReader, enterprise_id: FirmId, back: Back = "") -> RedirectResponse:
    """Take a visible prospect (assign it to me); another manager's is left as it is."""
    _writer(reader, enterprise_id)
    try:
        state(request).appdb.take(enterprise_id, by=reader.principal)
    except AccessDenied:
        return _back(back, enterprise_id, "taken_by_other")
    return _back(back, enterprise_id, "taken")


@router.post("/enterprises/{enterprise_id}/release")
def release(request: Request, reader: PageReader, enterprise_id: FirmId, back: Back = "") -> RedirectResponse:
    """Give a prospect back (its taker, or an admin)."""
    _writer(reader, enterprise_id)
    try:
        released = state(request).appdb.release(enterprise_id, by=reader.principal)
    except AccessDenied:
        return _back(back, enterprise_id, "not_yours")
    return _back(back, enterprise_id, "released" if released else "not_taken")


@router.post("/enterprises/{enterprise_id}/outcomes")
def record_outcome(request: Request, reader: PageReader, enterprise_id: FirmId, back: Back = "",
                   kind: Annotated[str, Form(max_length=40)] = "", on_date: Annotated[str, Form(max_length=20)] = "",
                   note: Text = "", product: Annotated[str, Form(max_length=100)] = "",
                   reason: Annotated[str, Form(max_length=500)] = "",
                   follow_up: Annotated[str, Form(max_length=20)] = "") -> RedirectResponse:
    """Record what happened with a visible prospect: its kind, date, note, product or reason, follow-up."""
    _writer(reader, enterprise_id)
    when, then = parse_day(on_date), parse_day(follow_up)
    product, reason = product.strip(), reason.strip()
    if (kind not in OUTCOME_KINDS or when is None or (follow_up.strip() and then is None)
            or (then is not None and then < when) or (kind == "product_sold" and not product)
            or (kind == "declined" and not reason)):
        return _back(back, enterprise_id, "invalid_outcome")
    state(request).appdb.record_outcome(enterprise_id, kind, on_date=when, note=note.strip(),
                                        product=product or None, reason=reason or None, follow_up=then,
                                        by=reader.principal)
    return _back(back, enterprise_id, "recorded")
