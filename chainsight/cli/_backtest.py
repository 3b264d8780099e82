"""``chainsight backtest``: precision@k of the prospect ranking against later data and recorded outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from chainsight.api._backtest import backtest_report
from chainsight.api.appdb import AppDB
from chainsight.cli._commands import _session, app
from chainsight.cli._console import err, out
from chainsight.cli._export import emit
from chainsight.cli._options import DbOption, FormatOption, OutputOption, StoreOption
from chainsight.config import Settings
from chainsight.errors import ConfigError
from chainsight.graph.backtest import GROWTH, KS
from chainsight.ingest.snapshot import read_snapshot

_COLUMNS = ["scope", "answer", "k", "candidates", "converted", "base_rate", "chainsight_hits",
            "chainsight_precision", "amount_hits", "amount_precision"]


def _app_db(db: Path, url: str | None) -> AppDB | None:
    """The app database to read outcomes from; None when the default SQLite file beside --db is absent."""
    if url is None:
        default = Settings(db_path=db).app_db
        assert default is not None
        if default.startswith("sqlite:///") and not Path(default.removeprefix("sqlite:///")).is_file():
            return None
        url = default
    return AppDB.open(url)


@app.command()
def backtest(
    db: DbOption = Path("chainsight.duckdb"),
    later: Annotated[Path | None, typer.Option(
        help="staging DuckDB of a later period (its customer master): who converted since",
        dir_okay=False)] = None,
    app_db: Annotated[str | None, typer.Option(
        "--app-db", help="app database with the recorded outcomes (default: CHAINSIGHT_APP_DB, else the "
        "SQLite file beside --db when it exists)", show_default=False)] = None,
    k: Annotated[list[int] | None, typer.Option("--k", help="repeatable; default 10 and 50", min=1)] = None,
    growth: Annotated[float, typer.Option(help="a deepen prospect converted when its deposits grew by "
                                               "more than this share (or it took a new product)",
                                          min=0.0)] = GROWTH,
    per_core: Annotated[bool, typer.Option("--per-core/--overall", help="also each core's own ranking")] = True,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
    store: StoreOption = "local",
) -> None:
    """Precision@k of the prospect ranking, and of a ranking by trade amount, against what happened.

    Answers: a later period's customer master (--later: a firm at another bank that is our customer by
    then, a deepen prospect whose deposits or products grew) and the outcomes managers recorded
    (account_opened or product_sold). Only deepen and acquire prospects are ranked.
    """
    ks = tuple(sorted(set(k))) if k else KS
    snapshot = read_snapshot(later) if later is not None else None  # before --db opens: it may be that file
    with _session(db, store) as cs:
        appdb = _app_db(db, app_db)
        try:
            if snapshot is None and appdb is None:
                raise ConfigError("nothing to back-test against: give --later (a later period's staging "
                                  "database) or --app-db (recorded outcomes)")
            frame = backtest_report(cs.store, later=snapshot, appdb=appdb, ks=ks, per_core=per_core,
                                    growth=growth)
        finally:
            if appdb is not None:
                appdb.close()
    emit(frame, format, output, "Back-test: precision@k of the ranking and of the amount baseline", _COLUMNS)
    if format == "table":
        for row in frame[frame["scope"] == "all"].itertuples():
            out.print(Text(f"{row.answer}, top {row.k}: ChainSight {_pct(row.chainsight_precision)}, by amount "
                           f"{_pct(row.amount_precision)}, random {_pct(row.base_rate)} "
                           f"({row.converted:,} of {row.candidates:,} prospects converted)"), soft_wrap=True)
        if "recorded" in set(frame["answer"]) and not frame.loc[frame["answer"] == "recorded", "converted"].any():
            err.print(Text("no recorded outcome is a success yet (account_opened, product_sold)"))


def _pct(value: object) -> str:
    return "n/a" if not isinstance(value, float) or value != value else f"{value:.0%}"
