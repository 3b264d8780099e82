"""The audit log (append only: the database refuses UPDATE, DELETE and TRUNCATE).

Every data access appends one entry: who (user or key, or nobody for a refused anonymous call), when,
the route, its parameters, the rows returned, the client address and the HTTP status. There is no
method that changes or removes an entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from chainsight.api.appdb._base import Base
from chainsight.api.appdb._schema import audit
from chainsight.api.principal import Principal


@dataclass(frozen=True)
class AuditEntry:
    """One access on record; ``user`` is a user or key name, ``None`` for an anonymous call."""

    id: int
    at: datetime
    kind: str | None
    user: str | None
    role: str | None
    route: str
    params: dict[str, Any]
    rows: int
    client: str
    status: int


class Audit(Base):
    """Append to and read the audit log."""

    def append_audit(self, principal: Principal | None, route: str, params: Mapping[str, Any], rows: int,
                     client: str, status: int) -> None:
        """Put one access on record (``principal=None``: an anonymous call, e.g. refused with 401)."""
        who: dict[str, Any] = {} if principal is None else {
            "principal_kind": principal.kind, "principal_id": principal.id,
            "principal_name": principal.name, "role": principal.role}
        with self._write() as c:
            c.execute(sa.insert(audit).values(
                at=self._now(), route=route, rows=rows, client=client, status=status,
                params=json.dumps(params, ensure_ascii=False, sort_keys=True, default=str), **who))

    def list_audit(self, limit: int = 100, since: datetime | None = None, user: str | None = None,
                   ) -> list[AuditEntry]:
        """The newest entries first, at most ``limit``, optionally from ``since`` on and of one ``user``."""
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(audit.c.at >= since)
        if user is not None:
            query = query.where(audit.c.principal_name == user)
        with self._read() as c:
            rows = c.execute(query).all()
        return [AuditEntry(r.id, r.at, r.principal_kind, r.principal_name, r.role, r.route,
                           json.loads(r.params), r.rows, r.client, r.status) for r in rows]
