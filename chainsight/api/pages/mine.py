"""``/mine``: "my prospects" — what I have taken or an admin assigned to me, follow-ups due first, by status.

The rows are those of the API's ``/api/v1/my/prospects`` (:func:`~chainsight.api.routes.work.mine_rows`):
each firm read through the :class:`~chainsight.api._scope.Reader`, so a firm I may no longer see is left
out, names are those I may read and every read is audited. A prospect's status is the kind of its latest
outcome (``new`` before any). Each row carries the take (an assignment not yet taken) or release button
and the record-outcome form.

Examples
--------
>>> rows = [{"status": "visited", "follow_up_due": False, "follow_up": None, "taken_at": 2},
...         {"status": "new", "follow_up_due": False, "follow_up": None, "taken_at": 1},
...         {"status": "contacted", "follow_up_due": True, "follow_up": "2026-12-01", "taken_at": 3}]
>>> [r["status"] for r in ordered(rows)]
['contacted', 'new', 'visited']
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from chainsight.api.appdb._work import OUTCOME_KINDS
from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._render import render
from chainsight.api.routes.work import mine_rows

__all__ = ["STATUSES", "ordered", "router"]

router = APIRouter()
#: The statuses in the order a manager works them: not contacted yet, then each outcome kind.
STATUSES: tuple[str, ...] = ("new", *OUTCOME_KINDS)
Status = Literal["all", "new", "contacted", "visited", "account_opened", "product_sold", "declined"]


def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Follow-ups due first (the oldest due first), then by status, then the longest held (taken, else
    assigned) first."""
    return sorted(rows, key=lambda r: (not r["follow_up_due"], str(r["follow_up"] or "") if r["follow_up_due"]
                                       else "", STATUSES.index(r["status"]),
                                       r["taken_at"] or r.get("assigned_at")))


@router.get("/mine", response_class=HTMLResponse)
def mine(request: Request, reader: PageReader, status: Annotated[Status, Query()] = "all") -> HTMLResponse:
    """My prospects, due follow-ups first; ``status`` keeps one status only."""
    rows = []
    for row in mine_rows(request, reader, assigned=True):
        last = row["last_outcome"]
        rows.append({**row, "status": last["kind"] if last else "new",
                     "follow_up": last["follow_up"] if last else None})
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    shown = ordered([r for r in rows if status in ("all", r["status"])])
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(request, "mine.html.j2", who=reader.principal, nav="mine", rows=shown, total=len(rows),
                  counts=counts, statuses=STATUSES, wanted=status, due=sum(r["follow_up_due"] for r in rows),
                  back=back)
