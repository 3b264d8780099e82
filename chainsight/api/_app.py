"""``create_app(settings, store=None)``: the FastAPI app whose lifespan owns the store and app database.

Examples
--------
>>> from chainsight.config import Settings
>>> app = create_app(Settings(db_path="bank.duckdb"))
>>> app.title, app.openapi()["paths"]["/health"]["get"]["operationId"]
('ChainSight', 'health')
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from chainsight.api import _errors
from chainsight.api._deps import AppState, KeyCache, State
from chainsight.api._scope import Index
from chainsight.api.pages import PAGES_STATIC
from chainsight.api.pages import router as pages_router
from chainsight.api.pages._auth import SignInRequired, sign_in_redirect
from chainsight.api.pages._security import SecurityHeaders
from chainsight.api.routes import assignments, cores, firms, meta, prospects, work
from chainsight.config import Settings
from chainsight.errors import ConfigError
from chainsight.graph.stores.protocol import GraphStore

STATIC = Path(__file__).parent / "static"
PREFIX = "/api/v1"


SERVER_RETRY_SECONDS = 2.0  # a person waits on every request: a Neo4j that is down is a 503 at once


def server_store(settings: Settings) -> GraphStore:
    """The store a server reads: Neo4j, or the CURRENT snapshot of the local analysis.

    A served Neo4j store retries a failing read for at most :data:`SERVER_RETRY_SECONDS` (the
    command line's loads keep the configured budget): the caller gets a 503 quickly and the next
    request tries the server again. A staging file analysed before snapshots existed gets one now
    (its ``cs_`` tables copied).
    """
    if settings.store == "neo4j":
        from chainsight.graph.stores.neo4j_store import Neo4jStore

        budget = min(settings.neo4j.retry_seconds, SERVER_RETRY_SECONDS)
        return Neo4jStore(settings.neo4j.model_copy(update={"retry_seconds": budget}))
    from chainsight.graph.stores.snapshots import SnapshotStore, current_snapshot, snapshot_existing

    db = settings.db_path
    if not db.is_file():
        raise ConfigError(f"no staging database at {db}: run `chainsight ingest` and `chainsight analyze`")
    if current_snapshot(db) is None:
        snapshot_existing(db)
    return SnapshotStore(db)


def open_appdb(settings: Settings) -> AppState:
    """The app database the settings name (migrated to the newest schema)."""
    from chainsight.api.appdb import AppDB, default_url

    return AppDB.open(settings.app_db or default_url(settings.db_path))


def _index(store: GraphStore) -> Index:
    """The access rule's index; over a snapshot store it follows CURRENT and remembers answers."""
    from chainsight.graph.stores.snapshots import SnapshotStore

    return Index(store, version=store.version) if isinstance(store, SnapshotStore) else Index(store)


def create_app(settings: Settings, store: GraphStore | None = None, appdb: AppState | None = None) -> FastAPI:
    """The API over ``store`` (default: :func:`server_store`) and ``appdb`` (default: the settings' URL).

    Both are opened when the app starts and closed when it stops; given ones are closed too.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened_store = store or server_store(settings)
        opened_db = appdb or open_appdb(settings)
        app.state.cs = State(settings, opened_store, opened_db, _index(opened_store), KeyCache(opened_db))
        try:
            yield
        finally:
            opened_store.close()
            opened_db.close()

    app = FastAPIOffline(
        title="ChainSight", version="1", lifespan=lifespan, favicon_url="/favicon.ico",
        description="Supply-chain prospects over HTTP: cores, chains, prospects, leakage and alerts, "
                    "scoped to the caller's branches, masked for managers, every access audited.",
        openapi_tags=[{"name": "cores"}, {"name": "prospects"}, {"name": "enterprises"},
                      {"name": "work"}, {"name": "assignments"},
                      {"name": "meta"}])
    _errors.install(app)
    app.add_exception_handler(SignInRequired, sign_in_redirect)
    app.add_middleware(SecurityHeaders)
    app.mount("/static/pages", StaticFiles(directory=PAGES_STATIC), name="pages-static")
    app.include_router(meta.health)
    for router in (cores.router, prospects.router, firms.router, work.router, assignments.router, meta.router):
        app.include_router(router, prefix=PREFIX, responses=_errors.ERRORS)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    app.include_router(pages_router)
    return app
