"""One table from the :class:`~chainsight.errors.ChainSightError` tree to HTTP, and the handlers using it.

Every error leaves as ``{"error": code, "message": text}`` with the status of :data:`STATUS`, never a
stack trace; an unexpected exception is a 500 with a generic message (the trace goes to the log).

Examples
--------
>>> from chainsight.errors import NotFound, TooManyAttempts
>>> status_of(NotFound("x")), status_of(TooManyAttempts("wang", 30))
((404, 'not_found'), (429, 'too_many_attempts'))
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from chainsight.errors import (
    AccessDenied, AppDBUnavailable, AuthError, ChainSightError, ConfigError, ConvergenceError, NotAnalysed,
    NotFound, StoreError, StoreUnavailable, TooManyAttempts, UnusableInputError,
)

log = logging.getLogger("chainsight.api")

#: Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[ChainSightError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (TooManyAttempts, 429, "too_many_attempts"),
    (AuthError, 401, "not_authenticated"),
    (AccessDenied, 403, "forbidden"),
    (NotAnalysed, 503, "not_analysed"),
    (StoreUnavailable, 503, "store_unavailable"),
    (StoreError, 503, "store_error"),
    (AppDBUnavailable, 503, "app_db_unavailable"),
    (ConfigError, 422, "invalid_request"),
    (UnusableInputError, 422, "unusable_input"),
    (ConvergenceError, 500, "analysis_error"),
    (ChainSightError, 500, "error"),
)


class Problem(BaseModel):
    """The body of every error response."""

    error: str
    message: str


#: What every route may answer besides 200 (declared in the OpenAPI document).
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "description": text} for status, text in (
        (401, "no or an invalid API key / session"), (403, "your role may not use this route"),
        (404, "unknown core or enterprise (or not visible to you)"),
        (422, "a parameter outside its allowed values"),
        (503, "the store or the app database is down, or nothing is analysed yet"))}


def status_of(exc: ChainSightError) -> tuple[int, str]:
    """The HTTP status and error code of ``exc``."""
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            return status, code
    return 500, "error"  # pragma: no cover - ChainSightError is the last row


def problem(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON problem response."""
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def answer(request: Request, status: int, code: str, message: str,
           headers: dict[str, str] | None = None) -> Response:
    """The error as the asker reads it: an HTML page for the pages, a JSON problem for the API."""
    from chainsight.api.pages._render import error_page, is_page

    if is_page(request.url.path):
        return error_page(request, status, code, message)
    return problem(status, code, message, headers)


def install(app: FastAPI) -> None:
    """Make ``app`` answer every error with a problem body."""

    @app.exception_handler(ChainSightError)
    async def known(request: Request, exc: ChainSightError) -> Response:
        status, code = status_of(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return answer(request, status, code, str(exc) if status < 500 or status == 503 else "internal error",
                      headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
        return answer(request, 422, "invalid_parameter", f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return answer(request, exc.status_code, code, str(exc.detail), dict(exc.headers or {}) or None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return answer(request, 500, "internal_error", "internal error: the server log has the details")
