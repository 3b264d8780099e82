"""The ``chainsight`` command line: demo · synth · ingest (analysis and serving commands join later).

Settings are read once here, at the edge, and passed down. Progress is shown with a rich bar; every
error we raise on purpose ends as one clear line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chainsight.errors import ChainSightError, ConfigError
from chainsight.ingest.pipeline import ingest as run_ingest
from chainsight.ingest.report import IngestReport
from chainsight.ingest.synth import generate

app = typer.Typer(help="ChainSight: find supply-chain cores in payment flows and rank the firms around them.",
                  no_args_is_help=True, add_completion=False)
out = Console()
err = Console(stderr=True)

Scale = Literal["tiny", "small", "medium", "large"]


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
    out.print(f"wrote {summary.rows_total:,} export rows for {summary.firms:,} firms "
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
    try:
        with _bar("ingesting") as update:
            result = run_ingest(manifest, db, progress=update, memory_limit=memory_limit)  # type: ignore[arg-type]
    except ChainSightError as exc:
        raise _fail(exc) from exc
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
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="working folder")] = Path("demo"),
    scale: Annotated[Scale, typer.Option()] = "small",
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """The whole job on the embedded store: generate a demo bank, ingest it, report."""
    manifest = out_dir / "data" / "chainsight.toml"
    if not manifest.exists():
        synth(out_dir / "data", scale=scale, seed=seed)
    ingest(manifest, db=out_dir / "chainsight.duckdb", report=out_dir / "ingest-report.json")


def main() -> None:
    """Entry point for ``python -m chainsight``."""
    app()
