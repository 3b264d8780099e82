"""A real served app for the API tests: uvicorn in a thread over the small demo bank.

The app database is a real one (SQLite file, or the PostgreSQL URL in ``CHAINSIGHT_TEST_PG_URL``),
with one key per role: ``admin``, ``analyst``, ``manager`` of branch A and ``manager_b`` of branch B.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from chainsight.api import create_app
from chainsight.api.appdb import AppDB
from chainsight.config import Settings
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import GraphStore

BRANCH_A, BRANCH_B = "0101", "0102"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running app: its base URL, the app database and a key per role."""

    url: str
    appdb: AppDB
    keys: dict[str, str]

    def client(self, role: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def serve(settings: Settings, app_db_url: str, store: GraphStore | None = None) -> Iterator[Served]:
    """Serve ``create_app(settings, store)`` on a free port until the generator is closed."""
    appdb = AppDB.open(app_db_url)
    keys = {role: appdb.create_key(role, grant, branches)[1] for role, grant, branches in (
        ("admin", "admin", []), ("analyst", "analyst", []), ("manager", "manager", [BRANCH_A]),
        ("manager_b", "manager", [BRANCH_B]))}
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store=store, appdb=appdb), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", appdb, keys)
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def published(small_analysis: Analysis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small bank's analysis published to a local store file of its own."""
    db = tmp_path_factory.mktemp("api") / "bank.duckdb"
    LocalStore(db).publish(small_analysis)
    return db


@pytest.fixture(scope="module")
def served(published: Path) -> Iterator[Served]:
    """The app served over ``published`` with a SQLite app database beside it."""
    gen = serve(Settings(db_path=published), f"sqlite:///{published.with_suffix('.app.sqlite')}")
    yield next(gen)
    gen.close()


@pytest.fixture(scope="module")
def top_core(small_analysis: Analysis) -> str:
    """The best core of the small bank (a customer of branch A)."""
    return str(small_analysis.cores.sort_values("rank")["enterprise_id"].iloc[0])
