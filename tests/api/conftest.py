"""Fixtures of the app database tests: a fresh app database per test (``app_db_url``: each backend)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from chainsight.api.appdb import AppDB


class FakeClock:
    """A clock the test moves by hand: sessions expire and throttles lift without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


#: Real argon2id with cheap parameters (1 MiB, 1 pass): the default costs ~1 s a hash on a busy CI box.
CHEAP = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@pytest.fixture
def appdb(app_db_url: str, clock: FakeClock) -> Iterator[AppDB]:
    """A migrated, empty app database on the test's clock, hashing passwords with :data:`CHEAP`."""
    db = AppDB.open(app_db_url, clock=clock, hasher=CHEAP)
    yield db
    db.close()


