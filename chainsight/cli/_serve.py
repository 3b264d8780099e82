"""``chainsight serve``: the managers' pages and the API over one bank's data, with uvicorn.

The server reads the published snapshot of the analysis (``<db>.analysis/CURRENT``), never the
staging file, so ``chainsight ingest`` and ``chainsight analyze`` run while it serves; a new analysis
is answered from the next request on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from chainsight.cli._access import AppDbOption
from chainsight.cli._console import out
from chainsight.cli._options import DbOption, StoreOption
from chainsight.config import Settings


def settings_for(db: Path, store: str, app_db: str | None, later_db: Path | None = None) -> Settings:
    """The server's settings: the command's options over the environment.

    >>> s = settings_for(Path("bank.duckdb"), "local", None, Path("later.duckdb"))
    >>> s.later_db, s.app_db
    (PosixPath('later.duckdb'), 'sqlite:///bank.app.sqlite')
    """
    updates: dict[str, object] = {"db_path": db, "store": store}
    if app_db is not None:
        updates["app_db"] = app_db
    if later_db is not None:
        updates["later_db"] = later_db
    return Settings(**updates)  # type: ignore[arg-type]


def serve(
    db: DbOption = Path("chainsight.duckdb"),
    store: StoreOption = "local",
    host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
    app_db: AppDbOption = None,
    later_db: Annotated[Path | None, typer.Option(
        "--later-db", help="staging DuckDB of a later period, for the back-test page (default: "
        "CHAINSIGHT_LATER_DB)", dir_okay=False, show_default=False)] = None,
) -> None:
    """Serve the managers' pages (sign in at /) and the prospect API (docs at /docs) until interrupted."""
    import uvicorn

    from chainsight.api import create_app
    from chainsight.api._app import open_appdb, server_store

    settings = settings_for(db, store, app_db, later_db)
    # Opened here, not in the app's startup, so that a wrong path or URL is one line, not a trace.
    app = create_app(settings, store=server_store(settings), appdb=open_appdb(settings))
    out.print(f"serving {escape(str(db))} ({store} store) at http://{escape(host)}:{port}/  "
              f"(pages: sign in there; API docs: http://{escape(host)}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
