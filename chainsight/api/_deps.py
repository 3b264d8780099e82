"""Who is asking and what they may read: the dependencies every data route takes.

``Authorization: Bearer <key>`` (machine clients) or the session cookie (the pages) gives a
:class:`~chainsight.api.principal.Principal`; :func:`reader` checks the route's roles (403) and
hands the route a :class:`~chainsight.api._scope.Reader` bound to that principal, which scopes,
masks and audits every read. Nothing else in the API reads the store.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from chainsight.api._scope import Index, Reader
from chainsight.api.principal import Principal, Role
from chainsight.config import Settings
from chainsight.errors import AccessDenied, AppDBUnavailable, AuthError
from chainsight.graph.stores.protocol import GraphStore

SESSION_COOKIE = "chainsight_session"
#: How long a verified API key is trusted without asking the app database again (a revoked key
#: stops working within this many seconds).
KEY_CACHE_SECONDS = 5.0


class AppState(Protocol):
    """What the API needs of the app database (:class:`chainsight.api.appdb.AppDB`)."""

    #: How long a session lasts from sign-in (the session cookie's max-age).
    session_ttl: timedelta

    def authenticate_key(self, secret: str) -> Principal | None: ...
    def authenticate_session(self, token: str) -> Principal | None: ...
    def sign_in(self, name: str, password: str, client: str) -> str | None: ...
    def sign_out(self, token: str) -> None: ...
    def assignments_for(self, branches: Any) -> set[str]: ...
    def append_audit(self, principal: Principal | None, route: str, params: Any, rows: int, client: str,
                     status: int) -> None: ...
    def take(self, firm_id: str, *, by: Principal) -> Any: ...
    def release(self, firm_id: str, *, by: Principal) -> bool: ...
    def claims_of(self, manager: str) -> list[Any]: ...
    def claims_on(self, firm_ids: Any) -> dict[str, Any]: ...
    def record_outcome(self, firm_id: str, kind: str, *, on_date: date, note: str = "",
                       product: str | None = None, reason: str | None = None,
                       follow_up: date | None = None, by: Principal) -> Any: ...
    def outcomes_of(self, firm_ids: Any) -> list[Any]: ...
    def all_outcomes(self, recorded_by: str | None = None) -> list[Any]: ...
    def claim_history(self, firm_ids: Any) -> list[Any]: ...
    def check_target(self, branch: str | None, manager: str | None) -> tuple[str | None, str | None]: ...
    def assign(self, firm_id: str, branch: str | None = None, manager: str | None = None, *,
               by: Principal) -> None: ...
    def assign_many(self, firm_ids: Any, branch: str | None = None, manager: str | None = None, *,
                    by: Principal) -> int: ...
    def assignments(self, branch: str | None = None, manager: str | None = None) -> list[Any]: ...
    def assigned_to(self, manager: str) -> list[Any]: ...
    def assignment_history(self, firm_ids: Any = None, limit: int = 1000) -> list[Any]: ...
    def close(self) -> None: ...


@dataclass
class KeyCache:
    """Verified keys for a few seconds, by the SHA-256 of the secret (the secret is not kept)."""

    appdb: AppState
    seconds: float = KEY_CACHE_SECONDS
    _seen: dict[str, tuple[float, Principal]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def principal(self, secret: str) -> Principal | None:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(digest)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        found = self.appdb.authenticate_key(secret)
        with self._lock:
            if found is None:
                self._seen.pop(digest, None)
            else:
                if len(self._seen) > 10_000:
                    self._seen.clear()
                self._seen[digest] = (now, found)
        return found


@dataclass
class State:
    """What the app's lifespan owns: settings, the store, the app database and their caches."""

    settings: Settings
    store: GraphStore
    appdb: AppState
    index: Index
    keys: KeyCache


_bearer = HTTPBearer(auto_error=False, description="an API key from `chainsight keys create`")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="a session of the pages")


def state(request: Request) -> State:
    """The app's :class:`State`."""
    value: State = request.app.state.cs
    return value


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def audit(request: Request, principal: Principal | None) -> Callable[[str, int, int], None]:
    """A function that puts one access of ``request`` on record; a failed write refuses the read."""
    appdb = state(request).appdb
    route = request.url.path
    params = dict(request.query_params)
    client = _client(request)

    def write(what: str, rows: int, status: int) -> None:
        try:
            appdb.append_audit(principal, route, params, rows, client, status)
        except Exception as exc:
            raise AppDBUnavailable(f"the audit log cannot be written ({type(exc).__name__}): "
                                   "nothing is served unaudited") from exc

    return write


def principal(request: Request,
              bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
              session: Annotated[str | None, Depends(_cookie)]) -> Principal:
    """The caller, from the API key or the session cookie; 401 (audited) when neither is valid."""
    cs = state(request)
    found = None
    if bearer is not None:
        found = cs.keys.principal(bearer.credentials)
    elif session:
        found = cs.appdb.authenticate_session(session)
    if found is None:
        audit(request, None)("auth", 0, 401)
        raise AuthError("give a valid API key (Authorization: Bearer <key>) or sign in")
    return found


def reader(*roles: Role) -> Callable[..., Reader]:
    """A dependency giving the route a :class:`Reader` for callers whose role is one of ``roles``."""

    def dependency(request: Request, who: Annotated[Principal, Depends(principal)]) -> Reader:
        record = audit(request, who)
        if who.role not in roles:
            record("forbidden", 0, 403)
            raise AccessDenied(f"the {who.role} role may not use {request.url.path}")
        cs = state(request)
        assigned = set() if who.sees_all_branches else cs.appdb.assignments_for(who.branches)
        return Reader(cs.store, cs.index, who, assigned, record)

    return dependency


ANYONE: tuple[Role, ...] = ("admin", "analyst", "manager")
#: Every data route a manager may use too (scoped to their branches).
AnyReader = Annotated[Reader, Depends(reader(*ANYONE))]
#: Bank-wide figures: analysts and admins.
AnalystReader = Annotated[Reader, Depends(reader("admin", "analyst"))]
