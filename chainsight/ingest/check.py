"""``chainsight check``: the real pipeline run on the first rows of every file, to see a manifest's effect.

Nothing here re-implements ingest. The first ``rows`` records of each source file are copied to a
temporary folder (CSV and other text: the header and the next ``rows`` physical lines, bytes as they
are; Parquet: the first ``rows`` rows; Excel: the whole workbook), the customer master is used as it
is, and :func:`chainsight.ingest.pipeline.ingest` loads the copy into a temporary database. What
``check`` shows — the column mapping, parsed rows, reject shares and classes — is read back from
that database.

Examples
--------
>>> import tempfile, pathlib
>>> from chainsight.demo import generate
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = generate(folder, scale="tiny", seed=1)
>>> result = check(folder / "chainsight.toml", rows=50)
>>> all(f.tally is not None and f.tally.rows_read <= 50 for f in result.files if not f.file.endswith(".xlsx"))
True
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from chainsight.errors import UnusableInputError
from chainsight.ingest._csv import delimiter_advice
from chainsight.ingest._encoding import WIDE, codec_for, sniff_encoding
from chainsight.ingest._sql import literal
from chainsight.ingest.clean import map_columns
from chainsight.ingest.manifest import PARTIES, Manifest, Profile, Source, load_manifest
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.readers import file_kind, read_into
from chainsight.ingest.report import Tally
from chainsight.ingest.resolve import PAYEE_PARTY, PAYER_PARTY

#: Parsed columns shown for each sample row.
SAMPLE_COLUMNS = ("line", "CAST(CAST(date AS DATE) AS VARCHAR) AS date", "payer_account", "payer_name",
                  "payee_account", "payee_name", "CAST(amount AS VARCHAR) AS amount", "memo", "flow_class",
                  "status", "reason")


@dataclass
class FileCheck:
    """What the sample of one file came to."""

    file: str
    layout: str
    mapping: list[tuple[str, str, int]] = field(default_factory=list)  # (field, header text, 1-based column)
    tally: Tally | None = None
    classes: dict[str, int] = field(default_factory=dict)
    samples: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)
    error: str | None = None
    #: a sentence naming the delimiter the file's first lines really have, when it is not the profile's
    delimiter: str | None = None
    #: what identifies a party of each party column (``identify_by``), e.g. ``{"payee": ("uscc", "name")}``
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: sample rows excluded ``unresolved_party``, by the party column whose side could not be told
    unresolved: dict[str, int] = field(default_factory=dict)

    @property
    def reject_share(self) -> float:
        """Rejected sample rows over sample rows read."""
        t = self.tally
        return sum(t.rejected.values()) / t.rows_read if t and t.rows_read else 0.0


@dataclass
class CheckResult:
    """Every file's check, and the master's problems if any."""

    manifest: str
    rows: int
    files: list[FileCheck]
    master_errors: list[str]


def _encoding_of(src: Path, profile: Profile) -> str | None:
    """The codec a text file is read in, None when it cannot be told (the sample's ingest says why)."""
    try:
        codec = codec_for(profile.encoding)
        return sniff_encoding(src) if codec == "auto" else codec
    except (OSError, UnusableInputError):
        return None


def _sample(src: Path, dst: Path, profile: Profile, rows: int) -> None:
    kind = file_kind(src, profile.format)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if kind == "parquet":
        con = duckdb.connect()
        try:
            con.execute(f"COPY (SELECT * FROM read_parquet(?) LIMIT {int(rows)}) TO {literal(dst.as_posix())} "
                        "(FORMAT parquet)", [str(src)])
        finally:
            con.close()
    elif kind == "xlsx":
        shutil.copyfile(src, dst)
    else:
        keep = profile.header_row + rows
        codec = _encoding_of(src, profile)
        if codec in WIDE:  # a line break is two bytes: cut the decoded text, write it back alike
            with src.open(encoding=codec, newline="") as tin, dst.open("w", encoding=codec, newline="") as tout:
                tout.writelines(itertools.islice(tin, keep))
            return
        with src.open("rb") as fin, dst.open("wb") as fout:
            fout.writelines(itertools.islice(fin, keep))


def _mapping(path: Path, profile: Profile) -> list[tuple[str, str, int]]:
    con = duckdb.connect()
    try:
        raw = read_into(con, path, encoding=profile.encoding, delimiter=profile.delimiter, sheet=profile.sheet,
                        header_row=profile.header_row, file_format=profile.format)
        positions = map_columns(profile, raw.header, path.name)
    finally:
        con.close()
    return [(f, raw.header[i], i + 1) for f, i in positions.items()]


def check(manifest: str | Path | Manifest, *, rows: int = 1000) -> CheckResult:
    """Ingest the first ``rows`` records of every file of ``manifest`` into a throw-away database."""
    spec = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    files = spec.files()
    with tempfile.TemporaryDirectory(prefix="chainsight-check-") as tmp:
        root = Path(tmp)
        sources: list[Source] = []
        layouts: dict[str, str] = {}
        for path, profile in files:
            name = spec.display_name(path)
            rel = name if not Path(name).is_absolute() else f"abs/{len(sources)}/{path.name}"
            _sample(path, root / "data" / rel, profile, rows)
            src = next(s for s in spec.sources if spec.profiles[s.profile] is profile)
            sources.append(Source(path=rel, profile=src.profile))
            layouts[rel] = profile.layout
        master = spec.master
        if master is not None:  # the master is read whole, from where it is
            master = master.model_copy(update={k: str((spec.root / v).resolve()) for k, v in (
                ("customers", master.customers), ("accounts", master.accounts),
                ("monthly_balances", master.monthly_balances)) if v})
        sample = spec.model_copy(update={"root": root / "data", "sources": tuple(sources), "master": master,
                                         "manifest_file": spec.manifest_file})
        report = ingest(sample, root / "check.duckdb")
        con = duckdb.connect(str(root / "check.duckdb"), read_only=True)
        try:
            checks = [_file_check(con, sample, f.file, layouts.get(f.file, f.layout or ""), f.tally, f.error)
                      for f in report.files if f.layout != "master"]
        finally:
            con.close()
        master_errors = [f.error for f in report.files if f.layout == "master" and f.error]
    return CheckResult(manifest=str(spec.manifest_file or spec.root), rows=rows, files=checks,
                       master_errors=master_errors)


def _file_check(con: duckdb.DuckDBPyConnection, sample: Manifest, name: str, layout: str,
                tally: Tally | None, error: str | None) -> FileCheck:
    result = FileCheck(file=name, layout=layout, tally=tally, error=error)
    profile = sample.profiles[next(s.profile for s in sample.sources if s.path == name)]
    result.evidence = {party: profile.evidence(party) for party in PARTIES[profile.layout]}
    if file_kind(sample.root / name, profile.format) == "csv":
        result.delimiter = delimiter_advice(sample.root / name, profile.encoding, profile.delimiter)
    try:
        result.mapping = _mapping(sample.root / name, profile)
    except UnusableInputError as exc:
        result.error = result.error or exc.problem
    if error is not None:
        return result
    row = con.execute("SELECT file_id FROM files WHERE path = ?", [name]).fetchone()
    if row is None:
        return result
    fid = int(row[0])
    result.classes = {str(k): int(n) for k, n in con.execute(
        "SELECT flow_class, count(*) FROM transactions WHERE file_id = ? GROUP BY 1 ORDER BY 2 DESC, 1",
        [fid]).fetchall()}
    result.unresolved = {str(k): int(n) for k, n in con.execute(f"""
        SELECT party, count(*) FROM (
            SELECT {PAYER_PARTY} AS party FROM transaction_details
            WHERE file_id = ? AND reason = 'unresolved_party' AND payer_id IS NULL
            UNION ALL
            SELECT {PAYEE_PARTY} FROM transaction_details
            WHERE file_id = ? AND reason = 'unresolved_party' AND payee_id IS NULL)
        GROUP BY 1 ORDER BY 1""", [fid, fid]).fetchall()}
    result.samples = con.execute(
        f"SELECT {', '.join(SAMPLE_COLUMNS)} FROM transaction_details WHERE file_id = ? ORDER BY line LIMIT 3",
        [fid]).df()
    result.rejects = con.execute(
        "SELECT line, reason, raw_row FROM rejects WHERE file_id = ? ORDER BY line LIMIT 3", [fid]).df()
    return result
