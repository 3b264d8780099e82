"""What protects the pages: security headers on every response and a CSRF token bound to the session.

**Headers.** :class:`SecurityHeaders` adds to every response that does not set its own: a
Content-Security-Policy that allows only this app's own scripts, styles and images (no inline script,
no ``eval``, no framing by other sites, forms post only here), ``X-Content-Type-Options: nosniff``,
``Referrer-Policy: no-referrer`` and ``X-Frame-Options: SAMEORIGIN``; HTML pages also get
``Cache-Control: no-store`` (a shared intranet PC must not keep a manager's list in its cache).

**CSRF.** Every form carries ``csrf``, the HMAC of the session token (or, before sign-in, of the
pre-session cookie) — unguessable without the HTTP-only cookie, so another site cannot forge a post;
:func:`check_csrf` compares in constant time.

Examples
--------
>>> a, b = token_for("session-a"), token_for("session-b")
>>> len(a), a == token_for("session-a"), a == b, token_for("")
(43, True, False, '')
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chainsight.api._deps import SESSION_COOKIE

__all__ = ["CSP", "DOCS_CSP", "PRESESSION_COOKIE", "SecurityHeaders", "check_csrf", "csrf_token", "token_for"]

#: The policy of every page: our own files only, nothing inline, nothing from outside.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
#: The interactive API docs (``/docs``, ``/redoc``, served offline) start with an inline script of FastAPI's.
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'")
#: A random value set with the sign-in form, so that form carries a CSRF token before any session exists.
PRESESSION_COOKIE = "chainsight_presession"

_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"SAMEORIGIN"))


def token_for(secret: str) -> str:
    """The CSRF token of a session (or pre-session) secret; empty for no secret."""
    if not secret:
        return ""
    digest = hmac.new(secret.encode(), b"chainsight-csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_token(request: Request) -> str:
    """The token the forms of ``request``'s page carry: from its session, else its pre-session cookie."""
    return token_for(request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE) or "")


def check_csrf(request: Request, submitted: str | None) -> bool:
    """Whether ``submitted`` is the token of ``request``'s session (constant-time; empty never matches)."""
    expected = csrf_token(request)
    return bool(expected) and bool(submitted) and hmac.compare_digest(expected, submitted or "")


class SecurityHeaders:
    """ASGI middleware: the headers above on every response that has not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in _HEADERS if h[0] not in present]
                if b"content-security-policy" not in present:
                    docs = scope["path"].startswith(("/docs", "/redoc"))
                    headers.append((b"content-security-policy", (DOCS_CSP if docs else CSP).encode()))
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
