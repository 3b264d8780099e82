"""``chainsight check``: print what the pipeline makes of the first rows of every file (data as Text only)."""

from __future__ import annotations

import pandas as pd
from rich.table import Table
from rich.text import Text

from chainsight.cli._console import out
from chainsight.ingest.check import CheckResult, FileCheck


def _cell(value: object) -> Text:
    return Text("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def print_file(f: FileCheck) -> None:
    """One file's mapping, sample rows, reject share with reasons, and classes."""
    out.print(Text.assemble(("\n" + f.file, "bold"), f"  ({f.layout})"))
    if f.mapping:
        table = Table(title="column mapping", title_justify="left")
        for col in ("field", "header", "column"):
            table.add_column(col)
        for field_, header, at in f.mapping:
            table.add_row(Text(field_), Text(header), str(at))
        out.print(table)
    if f.delimiter is not None and f.delimiter not in (f.error or ""):
        out.print(Text.assemble(("  delimiter: ", "bold yellow"), f.delimiter))
    if f.error:
        out.print(Text.assemble(("  unusable: ", "bold red"), f.error))
        return
    t = f.tally
    if t is None:
        return
    rejected = sum(t.rejected.values())
    out.print(Text(f"  {t.rows_read:,} sample rows: {t.loaded:,} loaded, {sum(t.excluded.values()):,} excluded, "
                   f"{rejected:,} rejected ({f.reject_share:.1%})"))
    if t.rejected:
        out.print(Text("  rejected: " + _counts(t.rejected)))
        for r in f.rejects.itertuples(index=False):
            out.print(Text(f"    line {r.line} {r.reason}: {r.raw_row}"))
    if f.classes:
        out.print(Text("  classes: " + _counts(f.classes)))
    if f.evidence:
        out.print(Text("  parties identified by: " + "; ".join(
            f"{party} {', '.join(evidence)}" for party, evidence in f.evidence.items())))
    for party, n in f.unresolved.items():
        hint = "" if "account" in f.evidence.get(party, ()) else (
            f": an account without a name or USCC; to make it a firm of its own, set identify_by = "
            f'{{ {party} = ["uscc", "name", "account"] }}')
        out.print(Text(f"  unresolved_party: {n:,} rows whose {party} cannot be told{hint}"))
    if len(f.samples):
        table = Table(title="parsed rows", title_justify="left")
        for col in f.samples.columns:
            table.add_column(str(col))
        for row in f.samples.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        out.print(table)


def print_check(result: CheckResult) -> None:
    """The whole check, file by file, then the master's problems."""
    out.print(Text(f"chainsight check {result.manifest}: the first {result.rows:,} rows of each file"))
    for f in result.files:
        print_file(f)
    for message in result.master_errors:
        out.print(Text.assemble(("master unusable: ", "bold red"), message))


def any_problem(result: CheckResult) -> bool:
    """True when a file or the master could not be used."""
    return bool(result.master_errors) or any(f.error for f in result.files)


def too_many_rejects(result: CheckResult, max_reject_rate: float) -> list[FileCheck]:
    """The files whose sample has more than ``max_reject_rate`` of its rows rejected; each is printed."""
    over = [f for f in result.files if f.reject_share > max_reject_rate]
    for f in over:
        out.print(Text.assemble(("too many rejects: ", "bold red"), f"{f.file}: {f.reject_share:.1%} of the "
                                f"sample rows, more than --max-reject-rate {max_reject_rate:.1%}"))
    return over


__all__ = ["any_problem", "print_check", "too_many_rejects"]
