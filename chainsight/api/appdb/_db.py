"""The app database: :meth:`AppDB.open` a URL, use it, :meth:`AppDB.close` it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import TracebackType

from pwdlib import PasswordHash

from chainsight.api.appdb._assign import Assignments
from chainsight.api.appdb._audit import Audit
from chainsight.api.appdb._base import Clock
from chainsight.api.appdb._engine import make_engine
from chainsight.api.appdb._keys import Keys
from chainsight.api.appdb._migrate import upgrade
from chainsight.api.appdb._users import HASHER, SESSION_TTL, Users
from chainsight.api.appdb._work import Work


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AppDB(Users, Keys, Audit, Assignments, Work):
    """Users, API keys, sessions, the audit log, firm assignments, claims and outcomes in one SQL database.

    Open it with :meth:`open`; it is safe to share between threads (SQLAlchemy's pool).
    """

    @classmethod
    def open(cls, url: str, *, clock: Clock = _utc_now, session_ttl: timedelta = SESSION_TTL,
             hasher: PasswordHash = HASHER) -> AppDB:
        """Connect to ``url`` and migrate it to the newest schema (under a lock; idempotent).

        ``clock`` (aware UTC datetimes), ``session_ttl`` and the password ``hasher`` (tests use cheaper
        argon2id parameters) are there for tests and deployments.
        Raises :class:`~chainsight.errors.AppDBUnavailable` when the database cannot be used.
        """
        engine = make_engine(url)
        db = cls(engine, clock)
        db.session_ttl = session_ttl
        db.hasher = hasher
        try:
            with db._unavailable():
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return db

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> AppDB:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
