"""Fixtures of the app database tests: a fresh app database per test (``app_db_url``: each backend)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

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


@pytest.fixture
def appdb(app_db_url: str, clock: FakeClock) -> Iterator[AppDB]:
    """A migrated, empty app database on the test's clock."""
    db = AppDB.open(app_db_url, clock=clock)
    yield db
    db.close()


