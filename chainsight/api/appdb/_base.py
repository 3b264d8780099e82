"""What every part of :class:`~chainsight.api.appdb.AppDB` shares: the engine, the clock, transactions.

A database that fails underneath (PostgreSQL down, the SQLite file gone) raises
:class:`~chainsight.errors.AppDBUnavailable`, never a driver error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from chainsight.api.appdb._engine import WRITE
from chainsight.api.principal import ROLES, Role
from chainsight.errors import AppDBUnavailable, ConfigError

Clock = Callable[[], datetime]

_NAME = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")


class Base:
    """The engine and the clock; ``_read``/``_write`` transactions that turn outages into our error."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    @property
    def url(self) -> str:
        """The database URL with its password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    def _now(self) -> datetime:
        return self._clock()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._unavailable(), self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # A read is one statement (or two that need not agree): no BEGIN/COMMIT round trips.
                connection.execution_options(isolation_level="AUTOCOMMIT")
            with connection.begin():
                yield connection

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._unavailable(), self._engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection

    @contextmanager
    def _unavailable(self) -> Iterator[None]:
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            reason = " ".join(str(exc.orig).split())  # psycopg's messages run over several lines
            raise AppDBUnavailable(f"the app database {self.url} cannot be reached: {reason}") from exc


def digest(secret: str) -> str:
    """SHA-256 of a random secret (API key, session token), hex: fast to check, useless to a thief.

    A random 256-bit secret needs no slow hash: there is no dictionary to try it against.

    Examples
    --------
    >>> digest("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str, what: str = "name") -> str:
    """A user or key name: 1–64 characters, no spaces or control characters.

    Examples
    --------
    >>> check_name("wang.li")
    'wang.li'
    >>> check_name("a b")
    Traceback (most recent call last):
    ...
    chainsight.errors.ConfigError: a name is 1-64 characters without spaces or control characters, not 'a b'
    """
    if not _NAME.fullmatch(name):
        raise ConfigError(f"a {what} is 1-64 characters without spaces or control characters, not {name!r}")
    return name


def check_grant(role: str, branches: Iterable[str]) -> tuple[Role, list[str]]:
    """A role of :data:`ROLES` and its branches, sorted; a manager needs at least one branch.

    Examples
    --------
    >>> check_grant("manager", ["B2", "B1", "B2"])
    ('manager', ['B1', 'B2'])
    >>> check_grant("manager", [])
    Traceback (most recent call last):
    ...
    chainsight.errors.ConfigError: a manager needs at least one branch (they see only their branches)
    """
    if role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    listed = sorted({check_name(b, "branch") for b in branches})
    if role == "manager" and not listed:
        raise ConfigError("a manager needs at least one branch (they see only their branches)")
    return role, listed
