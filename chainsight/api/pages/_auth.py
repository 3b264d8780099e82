"""Who is looking at a page: the session's principal, or a redirect to the sign-in page.

A page takes :data:`PageReader` (any signed-in role) like an API route takes ``AnyReader``: the same
:class:`~chainsight.api._scope.Reader` (scoped, masked, audited). Without a live session the browser is
sent to ``/sign-in?next=<the page>`` (303) instead of getting the API's 401 JSON.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from chainsight.api._deps import SESSION_COOKIE, audit, state
from chainsight.api._scope import Reader
from chainsight.api.principal import Principal

__all__ = ["PagePrincipal", "PageReader", "SignInRequired", "page_principal", "page_reader", "sign_in_redirect"]


class SignInRequired(Exception):
    """No live session: :func:`sign_in_redirect` (installed by ``create_app``) sends the browser to sign-in."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def sign_in_redirect(request: Request, exc: Exception) -> RedirectResponse:
    """303 to the sign-in page, remembering the page asked for (a local path only)."""
    target = exc.next_url if isinstance(exc, SignInRequired) else "/"
    return RedirectResponse(f"/sign-in?next={quote(target, safe='/')}", status_code=303)


def page_principal(request: Request) -> Principal:
    """The signed-in user of ``request`` (sessions only: pages never take API keys)."""
    token = request.cookies.get(SESSION_COOKIE)
    found = state(request).appdb.authenticate_session(token) if token else None
    if found is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return found


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def page_reader(request: Request, who: PagePrincipal) -> Reader:
    """A :class:`Reader` for the signed-in user: the same rule, masking and audit as the API's."""
    cs = state(request)
    assigned = set() if who.sees_all_branches else cs.appdb.assignments_for(who.branches)
    return Reader(cs.store, cs.index, who, assigned, audit(request, who))


PageReader = Annotated[Reader, Depends(page_reader)]
