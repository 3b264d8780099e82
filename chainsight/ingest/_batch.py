"""Many files of one profile staged by one statement: small files cost little.

Planning the cleaning statement of :func:`chainsight.ingest.clean.stage_raw` (a few hundred
expressions) takes DuckDB far longer than running it over a statement file of a few thousand rows,
so ingest does not stage file by file. Each file is read as before (its own ``raw``, its own
lines and rejects) and its rows are appended to the temp table ``raw_batch`` with the batch position
``_k``; when the next file maps its columns differently, or the batch is full, the pipeline stages
the whole batch in one transaction and one statement (all of its files arrive, or none).

The per-file SQL left — registering the file, its rejects quoted as written, its row count — is done
once per batch too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from chainsight.ingest._raw import MalformedLine
from chainsight.ingest.manifest import Profile
from chainsight.ingest.readers import FileState, physical_lines

#: A batch is staged when it holds this many files or rows (memory stays bounded).
MAX_FILES = 500
MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class Pending:
    """A file read into ``raw_batch`` and not yet staged."""

    path: Path
    name: str
    digest: str
    state: FileState
    malformed: list[MalformedLine]
    encoding: str | None
    rows: int


@dataclass
class Batch:
    """Files read with one profile and one column mapping, waiting to be staged together."""

    profile: Profile
    positions: dict[str, int]
    width: int
    files: list[Pending] = field(default_factory=list)
    rows: int = 0

    def takes(self, profile: Profile, positions: dict[str, int], width: int) -> bool:
        """Whether a file read with this mapping can join (same profile object, same columns, room)."""
        return (profile is self.profile and positions == self.positions and width == self.width
                and len(self.files) < MAX_FILES and self.rows < MAX_ROWS)

    def add(self, con: duckdb.DuckDBPyConnection, pending: Pending) -> None:
        """Append the rows of ``raw`` (the file just read) as batch file number ``len(files)``."""
        k = len(self.files)
        if k == 0:
            con.execute("CREATE OR REPLACE TEMP TABLE raw_batch AS SELECT CAST(0 AS INTEGER) AS _k, * "
                        "FROM raw LIMIT 0")
        con.execute(f"INSERT INTO raw_batch SELECT {k}, * FROM raw")
        self.files.append(pending)
        self.rows += pending.rows


def source_for(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> str:
    """The view ``raw_staging``: the batch's rows with their registered ``_file_id``; its name."""
    con.register("_batch_ids", pd.DataFrame({"_k": range(len(file_ids)), "file_id": file_ids}))
    con.execute("CREATE OR REPLACE TEMP TABLE batch_ids AS SELECT CAST(_k AS INTEGER) AS _k, "
                "CAST(file_id AS BIGINT) AS file_id FROM _batch_ids")
    con.unregister("_batch_ids")
    con.execute("CREATE OR REPLACE TEMP VIEW raw_staging AS SELECT b.file_id AS _file_id, r.* EXCLUDE (_k) "
                "FROM raw_batch r JOIN batch_ids b USING (_k)")
    return "raw_staging"


def finish(con: duckdb.DuckDBPyConnection, batch: Batch, file_ids: list[int]) -> None:
    """After staging: rejects quoted as written, unsplittable lines, and each file's ``rows_read``."""
    texts = [f for f, p in zip(file_ids, batch.files, strict=True) if p.encoding is not None]
    if texts:
        wanted: dict[int, list[int]] = {}
        for fid, line in con.execute("SELECT file_id, line FROM rejects WHERE file_id IN (SELECT unnest(?))",
                                     [texts]).fetchall():
            wanted.setdefault(int(fid), []).append(int(line))
        by_id = dict(zip(file_ids, batch.files, strict=True))
        rows = [(fid, line, text) for fid, lines in wanted.items()
                for line, text in physical_lines(by_id[fid].path, str(by_id[fid].encoding), lines).items()]
        if rows:
            con.register("_as_written", pd.DataFrame(rows, columns=["file_id", "line", "text"]))
            con.execute("UPDATE rejects SET raw_row = w.text FROM _as_written w "
                        "WHERE rejects.file_id = w.file_id AND rejects.line = w.line")
            con.unregister("_as_written")
    malformed = [(fid, m.line, m.reason, m.text) for fid, p in zip(file_ids, batch.files, strict=True)
                 for m in p.malformed]
    if malformed:
        con.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)", malformed)
    con.register("_read", pd.DataFrame({"file_id": file_ids,
                                        "n": [p.rows + len(p.malformed) for p in batch.files]}))
    con.execute("UPDATE files SET rows_read = r.n FROM _read r WHERE files.file_id = r.file_id")
    con.unregister("_read")
    con.execute("DROP VIEW IF EXISTS raw_staging; DROP TABLE IF EXISTS batch_ids; DROP TABLE IF EXISTS raw_batch")
