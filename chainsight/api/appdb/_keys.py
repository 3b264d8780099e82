"""API keys for machine clients: bound to a role and branches, shown once, stored as a hash, revocable.

A key reads ``cs_<key id>_<secret>``. The key id is public (it names the key in ``chainsight keys``
and the audit log) and indexed, so a lookup is one indexed read and a constant-time comparison of
SHA-256 digests: no slow hash on every request, and the database never holds a usable key.

Examples
--------
>>> _split("cs_0123456789ab_" + "x" * 43)
('0123456789ab', True)
>>> _split("Bearer nonsense")
(None, False)
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from chainsight.api.appdb._base import Base, check_grant, check_name, digest
from chainsight.api.appdb._schema import api_keys
from chainsight.api.principal import Principal, Role
from chainsight.errors import NotFound

_KEY = re.compile(r"cs_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")


def _split(secret: str) -> tuple[str | None, bool]:
    match = _KEY.fullmatch(secret)
    return (match.group(1), True) if match else (None, False)


@dataclass(frozen=True)
class ApiKey:
    """A key as ``chainsight keys list`` shows it (never the secret or its hash)."""

    key_id: str
    name: str
    role: Role
    branches: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None


class Keys(Base):
    """Create, list, revoke and check API keys."""

    def create_key(self, name: str, role: str, branches: frozenset[str] | list[str] = frozenset(),
                   ) -> tuple[str, str]:
        """A new key: ``(key_id, secret)``. The secret is returned this once and never again."""
        check_name(name, "key name")
        grant_role, listed = check_grant(role, branches)
        key_id = secrets.token_hex(6)
        secret = f"cs_{key_id}_{secrets.token_urlsafe(32)}"
        with self._write() as c:
            c.execute(sa.insert(api_keys).values(key_id=key_id, name=name, secret_hash=digest(secret),
                                                 role=grant_role, branches=listed, created_at=self._now()))
        return key_id, secret

    def list_keys(self) -> list[ApiKey]:
        """Every key, revoked ones too, newest first."""
        with self._read() as c:
            rows = c.execute(sa.select(api_keys).order_by(api_keys.c.id.desc())).all()
        return [ApiKey(r.key_id, r.name, r.role, frozenset(r.branches), r.created_at, r.revoked_at)
                for r in rows]

    def revoke_key(self, key_id: str) -> None:
        """Revoke a key for good (revoking it again changes nothing); :class:`NotFound` if unknown."""
        with self._write() as c:
            found = c.execute(sa.select(api_keys.c.id).where(api_keys.c.key_id == key_id)).scalar()
            if found is None:
                raise NotFound(f"no API key with id {key_id}")
            c.execute(sa.update(api_keys).where(api_keys.c.id == found, api_keys.c.revoked_at.is_(None))
                      .values(revoked_at=self._now()))

    def authenticate_key(self, secret: str) -> Principal | None:
        """The key's principal, or ``None`` for a malformed, unknown or revoked key."""
        key_id, well_formed = _split(secret)
        if not well_formed:
            return None
        with self._read() as c:
            row = c.execute(sa.select(api_keys).where(api_keys.c.key_id == key_id,
                                                      api_keys.c.revoked_at.is_(None))).first()
        if row is None or not hmac.compare_digest(row.secret_hash, digest(secret)):
            return None
        return Principal(kind="key", id=row.id, name=row.name, role=row.role, branches=frozenset(row.branches))
