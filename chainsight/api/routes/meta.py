"""``/health`` (no sign-in: load balancers ask it) and ``/api/v1/summary`` (the dataset)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from chainsight.api._deps import AnalystReader, state
from chainsight.api._errors import ERRORS, Problem, problem, status_of
from chainsight.api._models import Health, Summary
from chainsight.errors import StoreError

health = APIRouter(tags=["meta"])
router = APIRouter(tags=["meta"])


@health.get("/health", response_model=Health, operation_id="health",
            responses={503: {"model": Problem, "description": "the store cannot be read"}})
def get_health(request: Request) -> Any:
    """Whether the store answers; 503 with the reason when it does not."""
    cs = state(request)
    try:
        cs.store.cores(limit=1)
    except StoreError as exc:
        status, code = status_of(exc)
        if code != "not_analysed":
            return problem(status, code, str(exc))
        return {"status": "ok", "store": cs.settings.store, "analysed": False}
    return {"status": "ok", "store": cs.settings.store, "analysed": True}


@router.get("/summary", response_model=Summary, operation_id="getSummary", responses=ERRORS)
def get_summary(reader: AnalystReader) -> dict[str, Any]:
    """The published analysis: when, as of which date, how many cores, members and prospects."""
    return reader.summary()

