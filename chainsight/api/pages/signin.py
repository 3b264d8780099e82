"""``/sign-in`` and ``/sign-out``: a session of the app database in an HTTP-only, SameSite cookie.

The sign-in form carries a CSRF token bound to a random pre-session cookie (set with the form), so
another site cannot sign a browser in as someone else. A wrong name or password gets one neutral message
(which of the two is never said); too many failures (``TooManyAttempts`` of the app database) say how long
to wait (429). Success sets the session cookie for the session's lifetime and goes to ``next`` when it is
a path of this site, else to the start page. Every sign-in, failed or not, and every sign-out is audited.

No ``from __future__ import annotations`` here: FastAPI 0.115 must see the annotations as objects.
"""

import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chainsight.api._deps import SESSION_COOKIE, state
from chainsight.api.pages._forms import local_path, require_csrf, with_notice
from chainsight.api.pages._render import render
from chainsight.api.pages._security import PRESESSION_COOKIE, token_for
from chainsight.api.principal import Principal
from chainsight.errors import TooManyAttempts

router = APIRouter()

Next = Annotated[str, Form(max_length=2000)]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _record(request: Request, who: Principal | None, name: str, status: int) -> None:
    """Put a sign-in or sign-out on the audit log: the name tried, never the password."""
    state(request).appdb.append_audit(who, request.url.path, {"name": name}, 0, _client(request), status)


def _form(request: Request, next_url: str, *, name: str = "", error: str = "", wait: int = 0,
          status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """The sign-in form; a pre-session cookie (and the token bound to it) when the browser has none."""
    presession = request.cookies.get(PRESESSION_COOKIE)
    fresh = None if presession else secrets.token_urlsafe(32)
    csrf = token_for(fresh) if fresh and not request.cookies.get(SESSION_COOKIE) else None
    response = render(request, "signin.html.j2", status=status, csrf=csrf, next_url=local_path(next_url),
                      name=name, error=error, wait=wait)
    if fresh:
        response.set_cookie(PRESESSION_COOKIE, fresh, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    """The sign-in form (``next``: the page to open after it)."""
    return _form(request, next)


@router.post("/sign-in", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def sign_in(request: Request, name: Annotated[str, Form(max_length=100)] = "",
            password: Annotated[str, Form(max_length=1000)] = "", next: Next = "/") -> Response:
    """Check the name and password: a session and 303 to ``next``, or the form again with why not."""
    appdb = state(request).appdb
    try:
        token = appdb.sign_in(name, password, _client(request))
    except TooManyAttempts as exc:
        _record(request, None, name, 429)
        minutes = max(1, math.ceil(exc.retry_after / 60))
        return _form(request, next, name=name, status=429, error="too_many", wait=minutes,
                     headers={"Retry-After": str(exc.retry_after)})
    if token is None:
        _record(request, None, name, 401)
        return _form(request, next, name=name, status=401, error="wrong")
    who = appdb.authenticate_session(token)
    _record(request, who, name, 200)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(appdb.session_ttl.total_seconds()), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(PRESESSION_COOKIE)
    return response


@router.post("/sign-out", dependencies=[Depends(require_csrf)])
def sign_out(request: Request) -> Response:
    """End the session in the app database, forget its cookie, back to the sign-in form."""
    appdb = state(request).appdb
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        who = appdb.authenticate_session(token)
        appdb.sign_out(token)
        _record(request, who, who.name if who else "", 200)
    response = RedirectResponse(with_notice("/sign-in", "signed_out"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
