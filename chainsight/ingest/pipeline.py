"""``ingest``: a manifest's files into the staging database, idempotently, with a full accounting.

Steps: for each file read → map columns; consecutive files of one profile and mapping are then
cleaned/validated into ``staged`` and ``rejects`` together (:mod:`chainsight.ingest._batch`, one
transaction per batch); then the customer master; then, over everything staged, resolve entities →
classify → de-duplicate → aggregate into ``transactions``, ``flows`` and ``enterprises``.

A file whose SHA-256 is already staged under the same path is not read again, so re-running a manifest
is a no-op and a manifest with an added month reads only the new files; a file that changed is
replaced; a file no longer in the manifest is dropped. A file that cannot be used at all is reported
and leaves the database as it was for that file.

Examples
--------
>>> import tempfile, pathlib
>>> from chainsight.demo import generate
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = generate(folder, scale="tiny", seed=1)
>>> report = ingest(folder / "chainsight.toml", folder / "staging.duckdb")
>>> report.totals.rows_read == report.totals.accounted()
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import duckdb

from chainsight.errors import UnusableInputError
from chainsight.ingest import master as master_io
from chainsight.ingest._csv import delimiter_advice
from chainsight.ingest.clean import map_columns, stage_raw
from chainsight.ingest.derive import build_transactions
from chainsight.ingest.flows import build_flows
from chainsight.ingest.manifest import IDENTIFIER_FIELDS, Manifest, Profile, load_manifest
from chainsight.ingest._batch import Batch, Pending, finish, source_for
from chainsight.ingest.readers import FileState, RawRead, drop_raw, file_digest, file_kind, read_into
from chainsight.ingest.report import FileReport, FileStatus, IngestReport, Tally
from chainsight.ingest.resolve import resolve_parties
from chainsight.ingest.staging import claim, connect, map_store_errors, table_exists

#: ``progress(step, done, total)``: the caller decides how to show it (rich bar, tqdm, nothing).
Progress = Callable[[str, int, int], None]


def _quiet(step: str, done: int, total: int) -> None:
    """The default progress: say nothing."""


def ingest(manifest: str | Path | Manifest, db_path: str | Path, *, progress: Progress = _quiet,
           memory_limit: str = "4GB", threads: int = 0, replace: bool = False) -> IngestReport:
    """Ingest every file of ``manifest`` into the DuckDB file ``db_path`` and return the report.

    A database belongs to the manifest that first filled it: another manifest is refused with a
    :class:`ConfigError` unless ``replace`` is true, which empties the database first. Every failure
    that is not about one file (the disk is full, the database is locked) is a :class:`ChainSightError`.
    """
    spec = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    files = spec.files()
    started = datetime.now()
    with map_store_errors(db_path):
        con = connect(db_path, memory_limit=memory_limit, threads=threads)
        try:
            claim(con, spec, replace=replace)
            reports = _stage_files(con, spec, files, progress)
            reports += _load_master(con, spec)
            progress("resolving, classifying, de-duplicating", 0, 1)
            _derive(con, spec, files)
            progress("resolving, classifying, de-duplicating", 1, 1)
            named = str(spec.manifest_file or spec.root)
            report = IngestReport(manifest=named, started_at=started.isoformat(timespec="seconds"),
                                  finished_at=datetime.now().isoformat(timespec="seconds"),
                                  files=_tally_files(con, reports))
            con.execute("INSERT INTO ingest_runs VALUES (nextval('run_ids'), ?, ?, ?, ?)",
                        [named, started, datetime.now(), json.dumps(report.to_json())])
            return report
        finally:
            con.close()


def _stage_files(con: duckdb.DuckDBPyConnection, spec: Manifest, files: list[tuple[Path, Profile]],
                 progress: Progress) -> list[FileReport]:
    known = {path: (digest, how) for path, digest, how in con.execute(
        "SELECT path, sha256, profile FROM files WHERE layout <> 'master'").fetchall()}
    wanted = {spec.display_name(p) for p, _ in files}
    reports: list[FileReport] = []
    for gone in sorted(set(known) - wanted):
        _in_transaction(con, partial(_drop_file, con, gone))
        reports.append(FileReport(file=gone, status="removed"))
    batch: Batch | None = None
    for done, (path, profile) in enumerate(files):
        name = spec.display_name(path)
        progress(f"reading {name}", done, len(files))
        try:
            state = FileState.of(path)
            digest = file_digest(path)
        except OSError as exc:
            reports.append(_failed(con, name, profile, known, f"cannot be read: {exc.strerror or exc}"))
            continue
        if known.get(name) == (digest, profile_name(profile, spec)):
            reports.append(FileReport(file=name, status="unchanged", layout=profile.layout))
            continue
        status: FileStatus = "changed" if name in known else "new"
        try:
            raw, positions = _read_one(con, path, state, profile)
        except UnusableInputError as exc:
            reports.append(_failed(con, name, profile, known, exc.problem))
            continue
        if batch is not None and not batch.takes(profile, positions, len(raw.header)):
            _stage_batch(con, batch, spec)
            batch = None
        batch = batch or Batch(profile, positions, len(raw.header))
        rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
        batch.add(con, Pending(path, name, digest, state, raw.malformed, raw.encoding, int(rows)))
        drop_raw(con)
        reports.append(FileReport(file=name, status=status, layout=profile.layout))
    if batch is not None:
        _stage_batch(con, batch, spec)
    progress("reading files", len(files), len(files))
    return reports


def _failed(con: duckdb.DuckDBPyConnection, name: str, profile: Profile, known: dict[str, tuple[str, str]],
            problem: str) -> FileReport:
    """Report an unusable file; its earlier version leaves the database, which then holds the good files."""
    drop_raw(con)
    if name in known:
        _in_transaction(con, partial(_drop_file, con, name))
        problem += "; its earlier version was removed from the database"
    return FileReport(file=name, status="failed", layout=profile.layout, error=f"{name}: {problem}")


def _read_one(con: duckdb.DuckDBPyConnection, path: Path, state: FileState,
              profile: Profile) -> tuple[RawRead, dict[str, int]]:
    """Read one file into ``raw`` and map its columns; nothing is staged yet (see :mod:`._batch`)."""
    try:
        raw = read_into(con, path, encoding=profile.encoding, delimiter=profile.delimiter,
                        sheet=profile.sheet, header_row=profile.header_row, file_format=profile.format)
        positions = map_columns(profile, raw.header, str(path))
    except UnusableInputError as exc:
        # A wrong delimiter shows as a missing header or unsplittable lines: name the one the file has.
        advice = delimiter_advice(path, profile.encoding, profile.delimiter) \
            if file_kind(path, profile.format) == "csv" else None
        if advice is None:
            raise
        raise UnusableInputError(str(path), f"{exc.problem}; {advice}") from None
    lossy = sorted(f for f in IDENTIFIER_FIELDS & set(positions) if raw.header[positions[f]] in raw.inexact_columns)
    if lossy:
        shown = ", ".join(f"{raw.header[positions[f]]!r} ({f})" for f in lossy)
        raise UnusableInputError(str(path), f"column(s) {shown} are stored as floating point and hold "
                                 "numbers too large to be exact, so digits are lost; export them as text")
    if FileState.of(path) != state:
        raise UnusableInputError(str(path), "the file changed while it was being read; run ingest again")
    return raw, positions


def _stage_batch(con: duckdb.DuckDBPyConnection, batch: Batch, spec: Manifest) -> None:
    """Replace the rows of every file of ``batch`` in one transaction: all of them arrive, or none.

    The reads happened before the transaction, so a file DuckDB cannot parse aborts nothing.
    """
    def stage() -> None:
        ids = []
        for pending in batch.files:
            _drop_file(con, pending.name)
            ids.append(_register(con, pending.name, pending.digest, pending.state.size, batch.profile.layout,
                                 profile_name(batch.profile, spec)))
        source = source_for(con, ids)
        stage_raw(con, None, batch.profile, batch.positions, batch.width, spec.rules, source=source,
                  currency=spec.currency, unit=spec.unit_of(batch.profile))
        finish(con, batch, ids)

    _in_transaction(con, stage)


def _in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        work()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def profile_name(profile: Profile, spec: Manifest) -> str:
    """How a file was read, for the files table: layout, encoding and a digest of what reading used.

    A file whose bytes are unchanged is read again when this changes: a corrected delimiter, date
    format, currency, unit or rule must reach the rows already staged.
    """
    how = json.dumps([profile.model_dump(mode="json"), [r.model_dump(mode="json") for r in spec.rules],
                      spec.currency, str(spec.unit_of(profile))], sort_keys=True, ensure_ascii=False)
    return f"{profile.layout}:{profile.encoding}:{hashlib.sha256(how.encode()).hexdigest()[:16]}"


def _register(con: duckdb.DuckDBPyConnection, name: str, digest: str, size: int, layout: str,
              profile: str) -> int:
    row = con.execute("INSERT INTO files (file_id, path, sha256, size, profile, layout, rows_read) "
                      "VALUES (nextval('file_ids'), ?, ?, ?, ?, ?, 0) RETURNING file_id",
                      [name, digest, size, profile, layout]).fetchone()
    assert row is not None
    return int(row[0])


def _drop_file(con: duckdb.DuckDBPyConnection, name: str) -> None:
    row = con.execute("SELECT file_id FROM files WHERE path = ?", [name]).fetchone()
    if row is None:
        return
    con.execute("DELETE FROM staged WHERE file_id = ?", [row[0]])
    con.execute("DELETE FROM rejects WHERE file_id = ?", [row[0]])
    con.execute("DELETE FROM files WHERE file_id = ?", [row[0]])


def _load_master(con: duckdb.DuckDBPyConnection, spec: Manifest) -> list[FileReport]:
    """Replace the master tables as one unit; an unusable master file keeps the previous master."""
    if spec.master is None:
        if not table_exists(con, "customer_rejects"):  # also a database from before the rejects table
            master_io.empty_master(con)
        return []
    parts = [("customers", spec.master.customers, master_io.load_customers),
             ("our_accounts", spec.master.accounts, master_io.load_accounts)]
    if spec.master.monthly_balances:
        parts.append(("monthly_balances", spec.master.monthly_balances, master_io.load_balances))
    reports: list[FileReport] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for table, rel, loader in parts:
            path = spec.root / rel
            name = spec.display_name(path)
            if not path.exists():
                raise UnusableInputError(name, "customer master file not found")
            if not path.is_file():
                raise UnusableInputError(name, "customer master path is a directory, not a file")
            _drop_file(con, name)
            file_id = _register(con, name, file_digest(path), path.stat().st_size, "master", "master")
            rows = loader(con, path, file_id, spec.master, currency=spec.currency, unit=spec.master_unit())
            con.execute("UPDATE files SET rows_read = ? WHERE file_id = ?", [rows, file_id])
            rejected = dict(con.execute("SELECT reason, count(*) FROM rejects WHERE file_id = ? "
                                        "GROUP BY reason", [file_id]).fetchall())
            loaded = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            tally = Tally(rows_read=rows, loaded=int(loaded[0]) if loaded else 0, rejected=rejected)
            reports.append(FileReport(file=name, status="new", layout="master", tally=tally))
        con.execute("COMMIT")
    except UnusableInputError as exc:
        con.execute("ROLLBACK")
        if not table_exists(con, "customer_rejects"):  # also a database from before the rejects table
            master_io.empty_master(con)
        return [FileReport(file=exc.file, status="failed", layout="master", error=str(exc))]
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if not spec.master.monthly_balances:
        con.execute("CREATE OR REPLACE TABLE monthly_balances (customer_id VARCHAR, month DATE, "
                    "balance DECIMAL(18,2))")
    return reports


def _derive(con: duckdb.DuckDBPyConnection, spec: Manifest, files: list[tuple[Path, Profile]]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TABLE dataset AS SELECT ? AS name, CAST(? AS DATE) AS as_of, "
                    "CAST(? AS VARCHAR[]) AS bank_names, ? AS currency",
                    [spec.name, spec.as_of, list(spec.bank_names), spec.currency])
        by_account = {spec.display_name(p): prof.account_parties() for p, prof in files}
        account_parties = {fid: by_account[path] for fid, path in
                           con.execute("SELECT file_id, path FROM files").fetchall() if by_account.get(path)}
        resolve_parties(con, account_parties)
        build_transactions(con, spec.rules, spec.currency)
        build_flows(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _tally_files(con: duckdb.DuckDBPyConnection, reports: list[FileReport]) -> list[FileReport]:
    """Fill each report with its counts from the database (unchanged files included)."""
    read = {p: (fid, n) for p, fid, n in con.execute("SELECT path, file_id, rows_read FROM files").fetchall()}
    status = con.execute("""SELECT file_id, status, reason, count(*) FROM transactions GROUP BY ALL""").fetchall()
    rejected = con.execute("SELECT file_id, reason, count(*) FROM rejects GROUP BY ALL").fetchall()
    out: list[FileReport] = []
    for rep in reports:
        if rep.file not in read or rep.status in {"failed", "removed"} or rep.layout == "master":
            out.append(rep)
            continue
        file_id, rows_read = read[rep.file]
        tally = Tally(rows_read=int(rows_read))
        for fid, st, reason, n in status:
            if fid == file_id:
                if st == "loaded":
                    tally.loaded += int(n)
                else:
                    tally.excluded[str(reason)] = tally.excluded.get(str(reason), 0) + int(n)
        for fid, reason, n in rejected:
            if fid == file_id:
                tally.rejected[str(reason)] = int(n)
        out.append(rep.with_tally(tally))
    return out

