"""Users with a role and branches, passwords hashed with argon2 (pwdlib), sessions, throttled sign-in.

A session token is a random secret handed to the browser once; the database keeps its SHA-256 only.
Sign-in is throttled per name *and* client address: after :data:`MAX_FAILURES` failures within
:data:`FAILURE_WINDOW` the next try raises :class:`~chainsight.errors.TooManyAttempts` (even with the
right password) until the oldest failure leaves the window. An unknown name costs the same argon2
check as a known one, so timing does not tell which names exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from pwdlib import PasswordHash

from chainsight.api.appdb._base import Base, check_grant, check_name, digest
from chainsight.api.appdb._lists import check_share
from chainsight.api.appdb._schema import sessions, sign_in_failures, users
from chainsight.api.principal import Principal, Role
from chainsight.errors import ConfigError, NotFound, TooManyAttempts

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
#: How long a session lasts from sign-in (absolute, not sliding).
SESSION_TTL = timedelta(hours=8)
MIN_PASSWORD = 8

#: argon2id with pwdlib's recommended parameters (64 MiB, 3 passes, 4 lanes).
HASHER = PasswordHash.recommended()


@dataclass(frozen=True)
class User:
    """A user as ``chainsight users list`` shows it (never the password hash)."""

    id: int
    name: str
    role: Role
    branches: frozenset[str]
    created_at: datetime
    disabled_at: datetime | None
    team: str | None = None  # credit, retail or institutional: lists shared with the team reach them

    @property
    def disabled(self) -> bool:
        """A disabled user cannot sign in and their sessions are gone."""
        return self.disabled_at is not None


class Users(Base):
    """Users, their sessions and the sign-in throttle."""

    session_ttl: timedelta = SESSION_TTL
    #: A hash made with other parameters is replaced by one with these at the next sign-in.
    hasher: PasswordHash = HASHER
    _decoy: str | None = None

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def add_user(self, name: str, password: str, role: str, branches: frozenset[str] | list[str] = frozenset(),
                 team: str | None = None) -> User:
        """Create a user (optionally of a team); :class:`ConfigError` for a taken name, a short password,
        a bad role or team."""
        check_name(name, "user name")
        if team is not None:
            check_share("team", team)
        grant_role, listed = check_grant(role, branches)
        if len(password) < MIN_PASSWORD:
            raise ConfigError(f"a password has at least {MIN_PASSWORD} characters")
        now = self._now()
        hashed = self.hasher.hash(password)
        try:
            with self._write() as c:
                user_id = c.execute(sa.insert(users).values(
                    name=name, password_hash=hashed, role=grant_role, branches=listed, team=team,
                    created_at=now).returning(users.c.id)).scalar_one()
        except sa.exc.IntegrityError as exc:
            raise ConfigError(f"a user called {name} exists") from exc
        return User(user_id, name, grant_role, frozenset(listed), now, None, team)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        with self._read() as c:
            rows = c.execute(sa.select(users).order_by(users.c.name)).all()
        return [User(r.id, r.name, r.role, frozenset(r.branches), r.created_at, r.disabled_at, r.team)
                for r in rows]

    def team_of(self, name: str) -> str | None:
        """The team of the user called ``name`` (``None``: no team, or no such user, e.g. an API key)."""
        with self._read() as c:
            team: str | None = c.execute(sa.select(users.c.team).where(users.c.name == name)).scalar()
        return team

    def disable_user(self, name: str) -> None:
        """Disable a user and end their sessions; :class:`NotFound` for an unknown name."""
        with self._write() as c:
            user_id = c.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if user_id is None:
                raise NotFound(f"no user called {name}")
            c.execute(sa.update(users).where(users.c.id == user_id, users.c.disabled_at.is_(None))
                      .values(disabled_at=self._now()))
            c.execute(sa.delete(sessions).where(sessions.c.user_id == user_id))

    def sign_in(self, name: str, password: str, client: str) -> str | None:
        """A new session token for the right password of an enabled user, else ``None``.

        Raises :class:`TooManyAttempts` while ``name`` from ``client`` is throttled.
        """
        now = self._now()
        since = now - FAILURE_WINDOW
        with self._read() as c:
            failures = c.execute(sa.select(sign_in_failures.c.at).where(
                sign_in_failures.c.name == name, sign_in_failures.c.client == client,
                sign_in_failures.c.at > since).order_by(sign_in_failures.c.at)).scalars().all()
            user = c.execute(sa.select(users.c.id, users.c.password_hash, users.c.disabled_at)
                             .where(users.c.name == name)).first()
        if len(failures) >= MAX_FAILURES:
            wait = failures[-MAX_FAILURES] + FAILURE_WINDOW - now
            raise TooManyAttempts(name, max(1, int(wait.total_seconds()) + 1))
        # The slow check runs outside any transaction: it must not hold SQLite's write lock.
        valid, rehashed = self.hasher.verify_and_update(password,
                                                        user.password_hash if user else self._decoy_hash())
        with self._write() as c:
            if not (valid and user is not None and user.disabled_at is None):
                c.execute(sa.delete(sign_in_failures).where(sign_in_failures.c.at <= since))
                c.execute(sa.insert(sign_in_failures).values(name=name, client=client, at=now))
                return None
            c.execute(sa.delete(sign_in_failures).where(sign_in_failures.c.name == name,
                                                        sign_in_failures.c.client == client))
            c.execute(sa.delete(sessions).where(sessions.c.user_id == user.id, sessions.c.expires_at <= now))
            if rehashed is not None:
                c.execute(sa.update(users).where(users.c.id == user.id).values(password_hash=rehashed))
            token = secrets.token_urlsafe(32)
            c.execute(sa.insert(sessions).values(token_hash=digest(token), user_id=user.id, client=client,
                                                 created_at=now, expires_at=now + self.session_ttl))
        return token

    def authenticate_session(self, token: str) -> Principal | None:
        """The user of a live session, or ``None`` (unknown, signed out, expired, user disabled)."""
        query = (sa.select(users.c.id, users.c.name, users.c.role, users.c.branches)
                 .join(sessions, sessions.c.user_id == users.c.id)
                 .where(sessions.c.token_hash == digest(token), sessions.c.expires_at > self._now(),
                        users.c.disabled_at.is_(None)))
        with self._read() as c:
            row = c.execute(query).first()
        if row is None:
            return None
        return Principal(kind="user", id=row.id, name=row.name, role=row.role, branches=frozenset(row.branches))

    def sign_out(self, token: str) -> None:
        """End a session (nothing happens for an unknown token)."""
        with self._write() as c:
            c.execute(sa.delete(sessions).where(sessions.c.token_hash == digest(token)))
