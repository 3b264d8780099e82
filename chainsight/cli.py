"""The ``chainsight`` command line: demo · synth · ingest · rejects · analyze · cores · prospects.

Settings are read once here, at the edge, and passed down. Progress is shown with a rich bar; every
error we raise on purpose ends as one clear line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import chainsight
from chainsight.config import Settings
from chainsight.errors import ChainSightError, ConfigError
from chainsight.graph.analysis import AnalysisConfig
from chainsight.ingest.pipeline import ingest as run_ingest
from chainsight.ingest.report import IngestReport
from chainsight.ingest.staging import connect
from chainsight.ingest.synth import generate

app = typer.Typer(help="ChainSight: find supply-chain cores in payment flows and rank the firms around them.",
                  no_args_is_help=True, add_completion=False)
# Piped output (CI logs, files) gets a wide console instead of rich's 80-column default.
out = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)

Scale = Literal["tiny", "small", "medium", "large"]
Format = Literal["table", "csv", "json", "xlsx"]
StoreName = Literal["local", "neo4j"]
# Options shared by the reading commands.
DbOption = Annotated[Path, typer.Option(help="staging DuckDB file")]
FormatOption = Annotated[Format, typer.Option("--format")]
OutputOption = Annotated[Path | None, typer.Option(help="file to write instead of stdout")]
StoreOption = Annotated[StoreName, typer.Option(help="read from the DuckDB file or from Neo4j")]


@contextmanager
def _bar(title: str) -> Iterator[object]:
    """A rich progress bar whose callback has ingest's ``progress(step, done, total)`` shape."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None)

        yield update


def _fail(exc: ChainSightError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(2 if isinstance(exc, ConfigError) else 1)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn a ChainSightError raised inside into one red line and exit 2 (configuration) or 1."""
    try:
        yield
    except ChainSightError as exc:
        raise _fail(exc) from exc


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write the demo bank into")],
    scale: Annotated[Scale, typer.Option(help="tiny ≈ 200 firms · small ≈ 2k firms/100k rows · "
                                              "medium ≈ 20k/1M · large ≈ 200k/10M")] = "small",
    seed: Annotated[int, typer.Option(help="same seed, same bytes")] = 7,
) -> None:
    """Write a realistic demo bank: GBK statements, an Excel file, a Parquet file, a master and truth."""
    with _bar("generating") as update:
        summary = generate(out_dir, scale=scale, seed=seed,
                           progress=lambda step, frac: update(step, int(frac * 100), 100))  # type: ignore[operator]
    exported = sum(summary.rows.get(k, 0) for k in ("csv", "xlsx", "parquet"))
    out.print(f"wrote {exported:,} export rows for {summary.firms:,} firms "
              f"({summary.customers:,} our customers, {summary.cores} planted cores) to {out_dir}")
    out.print(f"manifest: {out_dir / 'chainsight.toml'}")


@app.command()
def ingest(
    manifest: Annotated[Path, typer.Argument(help="dataset manifest (chainsight.toml)")],
    db: Annotated[Path, typer.Option(help="staging DuckDB file (created if missing)")] = Path("chainsight.duckdb"),
    report: Annotated[Path | None, typer.Option(help="write the JSON report here")] = None,
    memory_limit: Annotated[str, typer.Option(help="DuckDB memory limit")] = "4GB",
) -> None:
    """Load a manifest's exports into the staging database; print where every row went."""
    with _reported(), _bar("ingesting") as update:
        result = run_ingest(manifest, db, progress=update, memory_limit=memory_limit)  # type: ignore[arg-type]
    if report is not None:
        report.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    print_report(result)
    for message in result.errors:
        err.print(f"[bold red]unusable input:[/] {message}")
    if not result.ok:
        raise typer.Exit(1)


def print_report(report: IngestReport) -> None:
    """The summary table: one line per file and the totals, with the accounting identity checked."""
    table = Table(title="Ingest report", show_lines=False)
    for col in ("file", "status", "rows read", "loaded", "excluded", "rejected"):
        table.add_column(col, justify="right" if col not in {"file", "status"} else "left")
    for f in report.files:
        t = f.tally
        if t is None:
            table.add_row(f.file, f.status, "", "", "", "")
            continue
        table.add_row(f.file, f.status, f"{t.rows_read:,}", f"{t.loaded:,}",
                      f"{sum(t.excluded.values()):,}", f"{sum(t.rejected.values()):,}")
    tot = report.totals
    table.add_row("[bold]total", "", f"[bold]{tot.rows_read:,}", f"[bold]{tot.loaded:,}",
                  f"[bold]{sum(tot.excluded.values()):,}", f"[bold]{sum(tot.rejected.values()):,}")
    out.print(table)
    reasons = Table(title="Why rows were not loaded")
    reasons.add_column("bucket")
    reasons.add_column("reason")
    reasons.add_column("rows", justify="right")
    for bucket, counts in (("excluded", tot.excluded), ("rejected", tot.rejected)):
        for reason, n in counts.items():
            reasons.add_row(bucket, reason, f"{n:,}")
    out.print(reasons)
    verdict = "holds" if tot.rows_read == tot.accounted() else "[bold red]BROKEN"
    out.print(f"rows_read {tot.rows_read:,} = loaded + excluded + rejected {tot.accounted():,}: {verdict}")


@app.command()
def rejects(
    db: DbOption = Path("chainsight.duckdb"),
    file: Annotated[str | None, typer.Option(help="only this file (path as in the report)")] = None,
    reason: Annotated[str | None, typer.Option(help="only this reason, e.g. bad_date")] = None,
    limit: Annotated[int, typer.Option(help="how many")] = 50,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
) -> None:
    """The rows ingest rejected: file, line, reason and the raw row, to fix at the source."""
    with _reported():
        con = connect(db, read_only=True)
    try:
        frame = con.execute(
            "SELECT f.path AS file, r.line, r.reason, r.raw_row FROM rejects r JOIN files f USING (file_id) "
            "WHERE (? IS NULL OR f.path = ?) AND (? IS NULL OR r.reason = ?) ORDER BY f.path, r.line LIMIT ?",
            [file, file, reason, reason, limit]).df()
    finally:
        con.close()
    _emit(frame, format, output, "Rejected rows", ["file", "line", "reason", "raw_row"])


def _session(db: Path, store: StoreName) -> chainsight.ChainSight:
    return chainsight.open(db, settings=Settings(db_path=db, store=store))


@app.command()
def analyze(
    db: DbOption = Path("chainsight.duckdb"),
    config: Annotated[Path | None, typer.Option(help="analysis TOML ([cores], [chains], "
                                                     "[prospects], [alerts])")] = None,
    store: Annotated[StoreName, typer.Option(help="where to publish the analysis")] = "local",
    engine: Annotated[Literal["native", "gds"], typer.Option(
        help="gds: also compute PageRank and degrees with Neo4j GDS and check they give our cores")] = "native",
) -> None:
    """Score cores, build chains, rank prospects, find leakage and alerts; publish to the store."""
    if engine == "gds" and store != "neo4j":
        raise _fail(ConfigError("--engine gds needs --store neo4j (GDS runs inside Neo4j)"))
    with _reported():
        cfg = AnalysisConfig.from_toml(config) if config else AnalysisConfig()
        with _session(db, store) as cs:
            result = cs.analyze(cfg)
            check = cs.crosscheck_gds(result) if engine == "gds" else None
    meta = result.meta
    out.print(f"analysed {meta['n_flows']:,} trade edges among {meta['n_enterprises']:,} enterprises: "
              f"{meta['n_cores']} cores, {meta['n_members']:,} chain members, "
              f"{meta['n_prospects']:,} prospects (as of {meta['as_of']}); published to {store}")
    if check is not None:
        _print_crosscheck(check)
        if not check["top_cores_identical"] or check["max_score_diff"] > GDS_SCORE_TOLERANCE:
            raise typer.Exit(1)


GDS_SCORE_TOLERANCE = 1e-3


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


def _emit(frame: pd.DataFrame, fmt: Format, output: Path | None, title: str,
          columns: list[str]) -> None:
    """Write ``frame`` in ``fmt`` to ``output`` (or stdout; xlsx needs a file)."""
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso")
    elif fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "xlsx":
        if output is None:
            raise _fail(ConfigError("--format xlsx needs --output FILE.xlsx"))
        frame.assign(**{c: frame[c].astype(str) for c in frame.columns if frame[c].dtype == object}) \
            .to_excel(output, index=False)
        out.print(f"wrote {len(frame):,} rows to {output}")
        return
    else:
        table = Table(title=title)
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in frame[columns].itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        out.print(table)
        return
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return "" if value is None else str(value)


@app.command()
def cores(
    db: DbOption = Path("chainsight.duckdb"),
    top: Annotated[int, typer.Option(help="how many")] = 10,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
    store: StoreOption = "local",
) -> None:
    """The core enterprises, best first, with the evidence behind each score."""
    with _reported(), _session(db, store) as cs:
        frame = cs.cores(top=top)
    _emit(frame, format, output, "Core enterprises",
          ["rank", "enterprise_id", "name", "score", "n_suppliers", "n_customers", "n_up1", "n_down1",
           "n_up2", "n_down2"])
    if format == "table" and len(frame):
        out.print(f"[bold]Why {frame['name'].iloc[0]} ranks first:[/] {frame['explanation'].iloc[0]}")


@app.command()
def prospects(
    core: Annotated[str | None, typer.Option(help="core enterprise id (default: the top core)")] = None,
    db: DbOption = Path("chainsight.duckdb"),
    kind: Annotated[list[str] | None, typer.Option(help="deepen, acquire, credit_team, existing "
                                                        "(repeatable; default deepen+acquire)")] = None,
    direction: Annotated[str | None, typer.Option(help="up (suppliers) or down (customers)")] = None,
    limit: Annotated[int, typer.Option(help="how many")] = 20,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
    store: StoreOption = "local",
) -> None:
    """A core's prospects, ranked, with kind, segment, stage, suggested products and reasons."""
    with _reported(), _session(db, store) as cs:
        core_id = core or str(cs.cores(top=1)["enterprise_id"].iloc[0])
        frame = cs.prospects(core_id, kind=tuple(kind) if kind else ("deepen", "acquire"),
                             direction=direction, limit=limit)  # type: ignore[arg-type]
    _emit(frame, format, output, f"Prospects around {core_id}",
          ["rank", "enterprise_id", "name", "score", "kind", "direction", "tier", "segment_zh", "stage_zh",
           "products"])
    if format == "table":
        for row in frame.head(5).itertuples():
            out.print(f"[bold]{row.rank}. {row.name}[/] — {row.reasons_en}\n   {row.reasons_zh}")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="working folder")] = Path("demo"),
    scale: Annotated[Scale, typer.Option()] = "small",
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """The whole job on the embedded store: generate a demo bank, ingest, analyse, show the best."""
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
    prospects(core=None, db=db, kind=None, direction=None, limit=15, format="table", output=None,
              store="local")


def main() -> None:
    """Entry point for ``python -m chainsight``."""
    app()
