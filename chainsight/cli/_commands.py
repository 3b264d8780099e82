"""The commands. Each runs inside :class:`~chainsight.cli._console.ReportingGroup`, so an error is one line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import chainsight
from chainsight.cli._access import audit, keys_app, users_app
from chainsight.cli._assign import assign, assignments
from chainsight.cli._serve import serve
from chainsight.cli._console import ReportingGroup, err, out
from chainsight.cli._export import emit, writable, write_text
from chainsight.cli._neo4j_export import export_app
from chainsight.cli._options import (
    DbOption, Direction, Engine, FormatOption, Kind, OutputOption, Scale, Segment, Sort, Stage, StoreName,
    StoreOption,
)
from chainsight.config import Settings
from chainsight.errors import ConfigError, NotFound
from chainsight.graph.analysis import AnalysisConfig
from chainsight.ingest.pipeline import ingest as run_ingest
from chainsight.ingest.report import IngestReport
from chainsight.ingest.staging import connect, table_exists

app = typer.Typer(help="ChainSight: find supply-chain cores in payment flows and rank the firms around them.",
                  no_args_is_help=True, add_completion=False, cls=ReportingGroup)
app.add_typer(export_app, name="export")

app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.command("audit")(audit)
app.command("assign")(assign)
app.command("assignments")(assignments)
app.command("serve")(serve)

Update = Callable[[str, int, int], None]


@contextmanager
def _bar(title: str) -> Iterator[Update]:
    """A rich progress bar whose callback has ingest's ``progress(step, done, total)`` shape."""
    # Steps name files, which are data: the description column must not read markup.
    columns = (TextColumn("{task.description}", style="bold", markup=False), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None)

        yield update


#: ``ingest --max-reject-rate``: a run with more rejected payment rows than this share exits 3.
DEFAULT_MAX_REJECT_RATE = 0.5


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write the demo bank into",
                                          file_okay=False)],
    scale: Annotated[Scale, typer.Option(help="tiny ≈ 200 firms · small ≈ 2k firms/100k rows · "
                                              "medium ≈ 20k/1M · large ≈ 200k/10M")] = "small",
    seed: Annotated[int, typer.Option(help="same seed, same bytes")] = 7,
) -> None:
    """Write a realistic demo bank: GBK statements, an Excel file, a Parquet file, a master and truth."""
    # Imported here: the generator is large and no other command needs it.
    from chainsight.demo import generate

    with _bar("generating") as update:
        summary = generate(out_dir, scale=scale, seed=seed,
                           progress=lambda step, frac: update(step, int(frac * 100), 100))
    exported = sum(summary.rows.get(k, 0) for k in ("csv", "xlsx", "parquet"))
    out.print(f"wrote {exported:,} export rows for {summary.firms:,} firms "
              f"({summary.customers:,} our customers, {summary.cores} planted cores) to "
              f"{escape(str(out_dir))}")
    out.print(f"manifest: {escape(str(out_dir / 'chainsight.toml'))}")
    out.print(f"later period (for `chainsight backtest`): {escape(str(out_dir / 'later' / 'chainsight.toml'))}")


@app.command()
def ingest(
    manifest: Annotated[Path, typer.Argument(help="dataset manifest (chainsight.toml, or its folder)",
                                             exists=True)],
    db: Annotated[Path, typer.Option(help="staging DuckDB file (created if missing)",
                                     dir_okay=False)] = Path("chainsight.duckdb"),
    report: Annotated[Path | None, typer.Option(help="write the JSON report here (its folder must exist)",
                                                callback=writable)] = None,
    memory_limit: Annotated[str, typer.Option(help="DuckDB memory limit, e.g. 4GB or 512MB")] = "4GB",
    replace: Annotated[bool, typer.Option(help="empty a database that holds another manifest's dataset "
                                               "instead of refusing it")] = False,
    max_reject_rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="exit with code 3 when more than this share of the payment rows is "
        "rejected (the data is loaded all the same); 1 never fails")] = DEFAULT_MAX_REJECT_RATE,
) -> None:
    """Load a manifest's exports into the staging database; print where every row went.

    Exit codes: 0 loaded; 1 a file was unusable; 2 the manifest or an option is wrong; 3 more than
    ``--max-reject-rate`` of the payment rows were rejected.
    """
    threads = Settings().duckdb_threads  # CHAINSIGHT_DUCKDB_THREADS, read here at the edge
    with _bar("ingesting") as update:
        result = run_ingest(manifest, db, progress=update, memory_limit=memory_limit, threads=threads,
                            replace=replace)
    if report is not None:
        write_text(report, json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    print_report(result)
    for message in result.errors:
        err.print(Text.assemble(("unusable input: ", "bold red"), message), soft_wrap=True)
    if not result.ok:
        raise typer.Exit(1)
    if result.reject_share > max_reject_rate:
        err.print(Text(f"{result.reject_share:.1%} of the payment rows were rejected, more than "
                       f"--max-reject-rate {max_reject_rate:.1%}: check the manifest's column mapping, "
                       "delimiter and date formats (chainsight rejects --db … lists them)"), soft_wrap=True)
        raise typer.Exit(3)


@app.command()
def check(
    manifest: Annotated[Path, typer.Argument(help="dataset manifest (chainsight.toml, or its folder)",
                                             exists=True)],
    rows: Annotated[int, typer.Option(help="how many rows of each file to try", min=1)] = 1000,
    max_reject_rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="exit with code 3 when a file's sample has more than this share of its rows "
        "rejected")] = DEFAULT_MAX_REJECT_RATE,
) -> None:
    """Dry run: ingest the first rows of every file into a throw-away database and show the outcome.

    Per file: the column mapping found, the delimiter its lines really have when the profile's is
    another, a few parsed rows, the share of rows that would be rejected and why, and the classes the
    rules assign. Exit 1 when a file or the master is unusable, 3 when a file's sample has more than
    ``--max-reject-rate`` of its rows rejected.
    """
    from chainsight.cli._check import any_problem, print_check, too_many_rejects
    from chainsight.ingest.check import check as run_check

    result = run_check(manifest, rows=rows)
    print_check(result)
    if any_problem(result):
        raise typer.Exit(1)
    if too_many_rejects(result, max_reject_rate):
        raise typer.Exit(3)


def print_report(report: IngestReport) -> None:
    """The summary table: one line per file and the totals, with the accounting identity checked."""
    table = Table(title="Ingest report", show_lines=False)
    for col in ("file", "status", "rows read", "loaded", "excluded", "rejected"):
        table.add_column(col, justify="right" if col not in {"file", "status"} else "left")
    for f in report.files:
        t = f.tally
        if t is None:
            table.add_row(Text(f.file), Text(f.status), "", "", "", "")
            continue
        table.add_row(Text(f.file), Text(f.status), f"{t.rows_read:,}", f"{t.loaded:,}",
                      f"{sum(t.excluded.values()):,}", f"{sum(t.rejected.values()):,}")
    tot = report.totals
    table.add_row("[bold]payment rows", "", f"[bold]{tot.rows_read:,}", f"[bold]{tot.loaded:,}",
                  f"[bold]{sum(tot.excluded.values()):,}", f"[bold]{sum(tot.rejected.values()):,}")
    mst = report.master_totals
    if mst.rows_read:
        table.add_row("master rows", "", f"{mst.rows_read:,}", f"{mst.loaded:,}", "",
                      f"{sum(mst.rejected.values()):,}")
    out.print(table)
    reasons = Table(title="Why rows were not loaded")
    reasons.add_column("bucket")
    reasons.add_column("reason")
    reasons.add_column("rows", justify="right")
    for bucket, counts in (("excluded", tot.excluded), ("rejected", tot.rejected)):
        for reason, n in counts.items():
            reasons.add_row(bucket, Text(reason), f"{n:,}")
    out.print(reasons)
    verdict = "holds" if tot.rows_read == tot.accounted() else "[bold red]BROKEN"
    out.print(f"rows_read {tot.rows_read:,} = loaded + excluded + rejected {tot.accounted():,}: {verdict}")


@app.command()
def rejects(
    db: DbOption = Path("chainsight.duckdb"),
    file: Annotated[str | None, typer.Option(help="only this file (path as in the report)")] = None,
    reason: Annotated[str | None, typer.Option(help="only this reason, e.g. bad_date")] = None,
    limit: Annotated[int, typer.Option(help="how many", min=1)] = 50,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
) -> None:
    """The rows ingest rejected: file, line, reason and the raw row, to fix at the source."""
    con = connect(db, read_only=True)
    try:
        if not (table_exists(con, "rejects") and table_exists(con, "files")):
            raise ConfigError(f"{db} is not a staging database (no rejects table): "
                              "run `chainsight ingest` first")
        frame = con.execute(
            "SELECT f.path AS file, r.line, r.reason, r.raw_row FROM rejects r JOIN files f USING (file_id) "
            "WHERE (? IS NULL OR f.path = ?) AND (? IS NULL OR r.reason = ?) ORDER BY f.path, r.line LIMIT ?",
            [file, file, reason, reason, limit]).df()
    finally:
        con.close()
    emit(frame, format, output, "Rejected rows", ["file", "line", "reason", "raw_row"])


def _session(db: Path, store: StoreName) -> chainsight.ChainSight:
    return chainsight.open(db, settings=Settings(db_path=db, store=store))


@app.command()
def analyze(
    db: DbOption = Path("chainsight.duckdb"),
    config: Annotated[Path | None, typer.Option(help="analysis TOML with the tables cores, chains, prospects "
                                                     "and alerts; `chainsight config --schema` lists every key",
                                                exists=True, dir_okay=False)] = None,
    store: Annotated[StoreName, typer.Option(help="where to publish the analysis")] = "local",
    engine: Annotated[Engine, typer.Option(
        help="gds: also compute PageRank and degrees with Neo4j GDS and check they give our cores")] = "native",
) -> None:
    """Score cores, build chains, rank prospects, find leakage and alerts; publish to the store."""
    if engine == "gds" and store != "neo4j":
        raise ConfigError("--engine gds needs --store neo4j (GDS runs inside Neo4j)")
    cfg = AnalysisConfig.from_toml(config) if config else AnalysisConfig()
    with _session(db, store) as cs:
        result = cs.analyze(cfg)
        check = cs.crosscheck_gds(result) if engine == "gds" else None
    meta = result.meta
    out.print(f"analysed {meta['n_flows']:,} trade edges among {meta['n_enterprises']:,} enterprises: "
              f"{meta['n_cores']} cores, {meta['n_members']:,} chain members, "
              f"{meta['n_prospects']:,} prospects (as of {escape(str(meta['as_of']))}); published to {store}")
    if check is not None:
        _print_crosscheck(check)
        if not check["top_cores_identical"] or check["max_score_diff"] > GDS_SCORE_TOLERANCE:
            raise typer.Exit(1)


GDS_SCORE_TOLERANCE = 1e-3


@app.command("config")
def config_command(
    schema: Annotated[bool, typer.Option("--schema", help="print the JSON schema instead of the defaults")] = False,
) -> None:
    """The analysis configuration that `analyze --config FILE.toml` reads: its defaults, or its schema."""
    value = AnalysisConfig.model_json_schema() if schema else json.loads(AnalysisConfig().model_dump_json())
    out.print_json(json.dumps(value, ensure_ascii=False), highlight=False)


def _print_crosscheck(check: dict[str, object]) -> None:
    table = Table(title="Neo4j GDS against ChainSight's own centralities")
    for col in ("metric", "enterprises", "max |difference|", "Spearman"):
        table.add_column(col)
    values = check["values"]
    assert isinstance(values, dict)
    for metric, v in values.items():
        table.add_row(metric, f"{v['n']:,.0f}", f"{v['max_abs_diff']:.3g}", f"{v['spearman']:.6f}")
    out.print(table)
    out.print(f"core scores recomputed from GDS differ by at most {check['max_score_diff']:.3g} "
              f"(tolerance {GDS_SCORE_TOLERANCE}); top {check['top']} cores identical: "
              f"{check['top_cores_identical']}")


@app.command()
def cores(
    db: DbOption = Path("chainsight.duckdb"),
    top: Annotated[int, typer.Option(help="how many", min=1)] = 10,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
    store: StoreOption = "local",
) -> None:
    """The core enterprises, best first, with the evidence behind each score."""
    with _session(db, store) as cs:
        frame = cs.cores(top=top)
        none_why = cs.no_core_sentence() if frame.empty else None
    if none_why is not None:
        err.print(Text(none_why), soft_wrap=True)
    emit(frame, format, output, "Core enterprises",
         ["rank", "enterprise_id", "name", "score", "n_suppliers", "n_customers", "n_up1", "n_down1",
          "n_up2", "n_down2"])
    if format == "table" and len(frame):
        out.print(f"[bold]Why {escape(str(frame['name'].iloc[0]))} ranks first:[/] "
                  f"{escape(str(frame['explanation'].iloc[0]))}")


@app.command()
def firms(
    db: DbOption = Path("chainsight.duckdb"),
    skip: Annotated[int, typer.Option(help="leave out the first N", min=0)] = 0,
    limit: Annotated[int | None, typer.Option(help="how many (default: all)", min=1)] = None,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
    store: StoreOption = "local",
) -> None:
    """Every analysed firm by id: customer values, eligibility and core metrics (export with --format)."""
    with _session(db, store) as cs:
        frame = cs.firms(skip=skip, limit=limit)
    emit(frame, format, output, "Firms", ["enterprise_id", "name", "is_customer", "eligible",
                                          "eligibility_rule", "deposits", "loan_balance", "core_rank",
                                          "n_suppliers", "n_customers"])


@app.command()
def prospects(  # noqa: PLR0913 - one option per store filter, on purpose
    core: Annotated[str | None, typer.Option(help="core enterprise id (default: the top core)")] = None,
    all_cores: Annotated[bool, typer.Option("--all-cores", help="prospects of every core")] = False,
    db: DbOption = Path("chainsight.duckdb"),
    kind: Annotated[list[Kind] | None, typer.Option(help="repeatable; default deepen and acquire")] = None,
    direction: Annotated[Direction | None, typer.Option(help="up (suppliers) or down (customers)")] = None,
    tier: Annotated[int | None, typer.Option(help="only this tier (1 = direct)", min=1)] = None,
    segment: Annotated[Segment | None, typer.Option(help="only this segment")] = None,
    stage: Annotated[Stage | None, typer.Option(help="only this lifecycle stage")] = None,
    eligible: Annotated[bool | None, typer.Option("--eligible/--not-eligible",
                                                  help="only firms the 小额无贷户 rule admits (or not)")] = None,
    branch: Annotated[str | None, typer.Option(help="only this branch")] = None,
    manager: Annotated[str | None, typer.Option(help="only this relationship manager")] = None,
    min_score: Annotated[float | None, typer.Option(help="only scores at least this", min=0.0,
                                                    max=1.0)] = None,
    name: Annotated[str | None, typer.Option(help="only names containing this")] = None,
    sort: Annotated[Sort, typer.Option(help="rank, score (best first) or name")] = "rank",
    skip: Annotated[int, typer.Option(help="leave out the first N", min=0)] = 0,
    limit: Annotated[int, typer.Option(help="how many", min=1)] = 20,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
    store: StoreOption = "local",
) -> None:
    """A core's prospects, ranked, with kind, segment, stage, suggested products and reasons."""
    if core is not None and all_cores:
        raise ConfigError("give --core or --all-cores, not both")
    with _session(db, store) as cs:
        core_id = None if all_cores else core or _top_core(cs, db)
        frame = cs.prospects(core_id, kind=tuple(k.value for k in kind) if kind else ("deepen", "acquire"),
                             direction=direction, tier=tier, segment=segment, stage=stage,
                             eligible=eligible, branch=branch, manager=manager, min_score=min_score,
                             name=name, sort=sort, skip=skip, limit=limit)
    title = f"Prospects around {core_id}" if core_id else "Prospects of every core"
    emit(frame, format, output, title,
         [*(["core_id"] if core_id is None else []), "rank", "enterprise_id", "name", "score", "kind",
          "direction", "tier", "segment_zh", "stage_zh", "products"])
    if format == "table":
        for row in frame.head(5).itertuples():
            out.print(f"[bold]{row.rank}. {escape(str(row.name))}[/] — {escape(str(row.reasons_en))}\n"
                      f"   {escape(str(row.reasons_zh))}")


def _top_core(cs: chainsight.ChainSight, db: Path) -> str:
    top = cs.cores(top=1)
    if top.empty:
        raise NotFound(f"the analysis in {db} found no core: there are no prospects to list")
    return str(top["enterprise_id"].iloc[0])


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="working folder", file_okay=False)] = Path("demo"),
    scale: Annotated[Scale, typer.Option()] = "small",
    seed: Annotated[int, typer.Option()] = 7,
    serve_it: Annotated[bool, typer.Option("--serve/--no-serve", help="end by serving the API")] = True,
    port: Annotated[int, typer.Option(help="TCP port to serve on", min=1, max=65535)] = 8000,
) -> None:
    """The whole job on the embedded store: generate a demo bank, ingest, analyse, show the best, serve.

    The demo's later period goes into ``<out>/later.duckdb``, which the server's back-test page reads.

    Serving prints the URL and one demo user and API key per role (kept in ``<out>/demo-users.txt``).
    """
    manifest = out_dir / "data" / "chainsight.toml"
    db = out_dir / "chainsight.duckdb"
    if not manifest.exists():
        synth(out_dir / "data", scale=scale, seed=seed)
    try:
        ingest(manifest, db=db, report=out_dir / "ingest-report.json")
    except typer.Exit as stop:
        if stop.exit_code:
            raise
    analyze(db=db, config=None, store="local")
    cores(db=db, top=10, format="table", output=None, store="local")
    prospects(core=None, db=db, limit=15)
    later_db = out_dir / "later.duckdb"  # the demo's later period, for the back-test page
    run_ingest(out_dir / "data" / "later" / "chainsight.toml", later_db, replace=True)
    out.print(f"later period ingested into {escape(str(later_db))} (the back-test page: /backtest)")
    if serve_it:
        from chainsight.cli._demo_users import ensure_demo_users

        out.print(Text(ensure_demo_users(db, out_dir)))
        serve(db=db, store="local", host="127.0.0.1", port=port, app_db=None, later_db=later_db)


def main() -> None:
    """Entry point for ``python -m chainsight``."""
    app(prog_name="chainsight")
