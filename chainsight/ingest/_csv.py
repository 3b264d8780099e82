"""CSV (and TSV, ``.txt``) files into ``raw``, with the physical line of every row.

CSV files go through DuckDB's parallel reader. Files in another encoding are first transcoded to UTF-8
(:mod:`chainsight.ingest._encoding`); a file mixing ``\\r\\n`` and ``\\n`` endings is rewritten with one kind.
Physical lines come from :mod:`chainsight.ingest._lines`, so blank lines and quoted newlines do not shift
them. A quote that opens a field and never closes would swallow every line after it: such a line is
rejected as ``unterminated_quote`` and the rest of the file is read as if it were empty.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from chainsight.errors import UnusableInputError
from chainsight.ingest._encoding import codec_for, sniff_encoding, transcode_to_utf8
from chainsight.ingest._lines import LineIndex, normalise_newlines
from chainsight.ingest._raw import MalformedLine, RawRead, drop_raw, first_line, quietly
from chainsight.ingest._sql import ident

_MAX_REPAIRS = 50
_SNIFF_BYTES = 1 << 16
#: Delimiters :func:`sniff_delimiter` tries, in order of preference when two split a file alike.
DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(path: Path, encoding: str = "auto", lines: int = 20) -> str | None:
    """The delimiter that splits the first ``lines`` records of ``path`` alike into the most fields.

    A candidate of :data:`DELIMITERS` counts when every one of those records (quotes honoured) has
    the same number of fields, more than one; ``None`` when none does. ``chainsight check`` names it
    when the profile says otherwise.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text('"id";"amount"\\n"1";"1,50"\\n"2";"7,00"\\n', encoding="utf-8")
    >>> sniff_delimiter(p)
    ';'
    """
    codec = codec_for(encoding)
    try:
        codec = sniff_encoding(path) if codec == "auto" else codec
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except (OSError, UnusableInputError):
        return None
    text = head.decode(codec, errors="replace").lstrip("\ufeff")
    if len(head) == _SNIFF_BYTES:  # the last line may be cut
        text = text[: text.rfind("\n") + 1]
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        try:
            widths = {len(r) for _, r in zip(range(lines), csv.reader(io.StringIO(text), delimiter=delimiter))
                      if r}
        except csv.Error:
            continue
        if len(widths) == 1 and (width := widths.pop()) > 1 and (best is None or width > best[0]):
            best = (width, delimiter)
    return best[1] if best else None


def delimiter_advice(path: Path, encoding: str, delimiter: str) -> str | None:
    """A sentence naming the delimiter ``path`` really has, when :func:`sniff_delimiter` finds another."""
    found = sniff_delimiter(path, encoding)
    if found is None or found == delimiter:
        return None
    shown = {"\t": "\\t"}.get(found, found)
    return f"the file's lines split alike on {shown!r}, not on the profile's {delimiter!r}: set delimiter = \"{shown}\""


class _WrongEncoding(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, delimiter: str) -> RawRead:
    """Read a delimited text file in ``encoding`` (``auto``: UTF-8 or GB18030, sniffed) into ``raw``."""
    try:
        wanted = codec_for(encoding)
    except ValueError as exc:
        raise UnusableInputError(str(path), str(exc)) from None
    chosen = sniff_encoding(path) if wanted == "auto" else wanted
    try:
        return _scan_csv(con, path, chosen, delimiter)
    except _WrongEncoding as exc:
        if wanted == "auto" and chosen == "utf-8":
            try:
                return _scan_csv(con, path, "gb18030", delimiter)
            except _WrongEncoding:
                pass
        hint = " (it looks like GBK: set encoding = \"gbk\" or \"auto\")" if chosen == "utf-8" else ""
        raise UnusableInputError(str(path), f"undecodable bytes on line {exc.line}: not {chosen}{hint}") from None


def _scan_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, delimiter: str) -> RawRead:
    with tempfile.TemporaryDirectory(prefix="chainsight-") as tmp:
        view = path
        if encoding != "utf-8":
            view = Path(tmp) / "utf8.csv"
            transcode_to_utf8(path, encoding, view)
        lines = LineIndex.of(view)
        if lines.mixed:
            normalised = Path(tmp) / "lf.csv"
            normalise_newlines(view, normalised)
            view, lines = normalised, LineIndex.of(normalised)
        header, header_lines = _csv_header(path, view, delimiter)
        unterminated: list[MalformedLine] = []
        for attempt in range(_MAX_REPAIRS):
            malformed = _parse_csv(con, path, view, lines, delimiter, len(header))
            spanning = [m for m in malformed if m.problem == "spans lines"]
            if not spanning:
                break
            # A record that runs over several lines and still does not fit the header is a quote that
            # opened and never closed: reject its first line and read the rest as if it were empty.
            # Only the first such record is sure: the parser's recovery after it can misread later lines.
            opened = min(spanning, key=lambda m: m.line)
            unterminated.append(MalformedLine(opened.line, opened.text, "unterminated quote",
                                              "unterminated_quote"))
            repaired = Path(tmp) / f"repair{attempt}.csv"
            _blank_lines(view, lines, {opened.line}, repaired)
            view, lines = repaired, LineIndex.of(repaired)
        else:
            raise UnusableInputError(str(path), f"more than {_MAX_REPAIRS} unterminated quotes, the first "
                                     f"on line {unterminated[0].line}; check the quoting or the delimiter")
        malformed = sorted(malformed + unterminated, key=lambda m: m.line)
        _number_csv_lines(con, path, lines, header_lines, [m.line for m in malformed])
    return RawRead(header=header, malformed=malformed, encoding=encoding)


def _csv_header(path: Path, view: Path, delimiter: str) -> tuple[tuple[str, ...], int]:
    """The header cells as text (quotes honoured, BOM and spaces stripped) and how many lines it spans."""
    try:
        with view.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, quotechar='"', doublequote=True)
            cells = next(reader, None)
            spans = reader.line_num
    except UnicodeDecodeError as exc:
        raise _WrongEncoding(1) from exc
    except csv.Error as exc:
        raise UnusableInputError(str(path), f"the header line cannot be read: {exc}") from exc
    if not cells or all(not c.strip() for c in cells):
        raise UnusableInputError(str(path), "the first line is empty: expected a header line")
    cells[0] = cells[0].lstrip("\ufeff")
    return tuple(c.strip() for c in cells), spans


def _parse_csv(con: duckdb.DuckDBPyConnection, path: Path, view: Path, lines: LineIndex,
               delimiter: str, width: int) -> list[MalformedLine]:
    """Parse ``view`` into ``raw_parsed`` (file order); return the records it could not split."""
    drop_raw(con)
    columns = {f"c{i + 1}": "VARCHAR" for i in range(width)}
    # Only this read needs file order (its rowids number the lines); everything else may reorder.
    con.execute("SET preserve_insertion_order = true")
    try:
        con.execute(
            "CREATE TEMP TABLE raw_parsed AS SELECT * FROM read_csv(?, all_varchar = true, header = true, "
            "delim = ?, quote = '\"', escape = '\"', store_rejects = true, "
            "rejects_scan = 'reject_scans_cs', rejects_table = 'reject_errors_cs', "
            "auto_detect = false, columns = ?)", [str(view), delimiter, columns])
        rejected = con.execute(
            "SELECT line_byte_position, first(csv_line ORDER BY byte_position), "
            "list(DISTINCT error_type ORDER BY error_type) FROM reject_errors_cs "
            "GROUP BY line_byte_position ORDER BY line_byte_position").fetchall()
    except duckdb.Error as exc:
        raise UnusableInputError(str(path), f"cannot be read as CSV: {first_line(exc)}") from exc
    finally:
        quietly(con, "SET preserve_insertion_order = false")  # connect()'s setting, not DuckDB's default
        quietly(con, "DROP TABLE IF EXISTS reject_errors_cs; DROP TABLE IF EXISTS reject_scans_cs")
    mm = np.memmap(view, dtype=np.uint8, mode="r") if lines.size else np.zeros(0, dtype=np.uint8)
    out = []
    for position, text, kinds in rejected:
        line = _locate(lines, mm, int(position), str(text))
        if line is None:
            raise UnusableInputError(str(path), "cannot tell which line a malformed record is on "
                                     f"(byte {position}): {str(text)[:60]!r}")
        spans = str(text).strip("\r\n").count("\n") > 0
        if "INVALID ENCODING" in kinds:
            # DuckDB also says so for some records it cannot split; believe it only if the bytes agree.
            last = min(line + str(text).strip("\r\n").count("\n"), lines.n_lines)
            try:
                bytes(mm[int(lines.starts[line - 1]):int(lines.ends[last - 1])]).decode("utf-8")
                kinds = [k for k in kinds if k != "INVALID ENCODING"] or ["MALFORMED"]
            except UnicodeDecodeError:
                raise _WrongEncoding(line) from None
        out.append(MalformedLine(line, lines.text(mm, line), "spans lines" if spans else ", ".join(kinds).lower()))
    return out


def _locate(lines: LineIndex, mm: np.ndarray, position: int, text: str) -> int | None:
    """The physical line where a record DuckDB rejected starts, checked against the record's text.

    DuckDB reports a 1-based byte position, and after a ``\\r\\n`` it points at the ``\\n``; it
    shortens the text of a very long record, so the line need only start with it.
    """
    lead = len(text) - len(text.lstrip("\r\n"))
    first = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
    first = first[:200] if len(first) < 200 else first[:199]  # a cut may split the last character
    for offset in (position - 1 + lead, position + lead, position - 2 + lead, position - 1):
        line = lines.line_at(offset)
        if 1 <= line <= lines.n_lines and lines.text(mm, line).startswith(first):
            return line
    return None


def _blank_lines(src: Path, lines: LineIndex, blank: set[int], dst: Path) -> None:
    """Copy ``src`` to ``dst`` with the given lines emptied (their line breaks kept, so numbers hold)."""
    mm = np.memmap(src, dtype=np.uint8, mode="r")
    with dst.open("wb") as out:
        at = 0
        for line in sorted(blank):
            out.write(mm[at:int(lines.starts[line - 1])].tobytes())
            at = int(lines.ends[line - 1])
        out.write(mm[at:].tobytes())


def _number_csv_lines(con: duckdb.DuckDBPyConnection, path: Path, lines: LineIndex, header_lines: int,
                      rejected: list[int]) -> None:
    """Give each parsed row its physical line; ``raw`` becomes a view over ``raw_parsed`` (no copy).

    Rows are in file order. The k-th row sits on the k-th line that is not blank, not the header, not
    rejected and not the continuation of an earlier row with a quoted newline.
    """
    first_rowid, n_rows = con.execute("SELECT coalesce(min(rowid), 0), count(*) FROM raw_parsed").fetchall()[0]
    usable = ~lines.blank()
    usable[:header_lines] = False
    starts = np.flatnonzero(usable).astype(np.int64) + 1
    starts = starts[~np.isin(starts, np.asarray(rejected, dtype=np.int64))]
    if starts.size != n_rows:
        starts = _drop_continuations(con, starts, int(first_rowid))
    if starts.size != n_rows:
        raise UnusableInputError(str(path), f"{n_rows} records were parsed from {starts.size} lines; "
                                 "the quoting may be broken (a bug report with the file would help)")
    g = f"(rowid - {int(first_rowid)})"
    offsets = starts - np.arange(starts.size, dtype=np.int64)
    change = np.flatnonzero(np.diff(offsets)) + 1 if offsets.size else np.zeros(0, dtype=np.int64)
    if change.size == 0:
        base = int(offsets[0]) if offsets.size else 0
        con.execute(f"CREATE TEMP VIEW raw AS SELECT {g} + {base} AS _line, * FROM raw_parsed")
        return
    run_starts = np.concatenate([[0], change])
    shifts = pd.DataFrame({"g": run_starts, "off": offsets[run_starts]})
    con.register("_shifts", shifts)
    con.execute("CREATE OR REPLACE TEMP TABLE raw_shifts AS SELECT CAST(g AS BIGINT) AS g, "
                "CAST(off AS BIGINT) AS off FROM _shifts")
    con.unregister("_shifts")
    con.execute(f"""CREATE TEMP VIEW raw AS
        SELECT p._g + s.off AS _line, p.* EXCLUDE (_g)
        FROM (SELECT {g} AS _g, * FROM raw_parsed) p ASOF JOIN raw_shifts s ON p._g >= s.g""")


def _drop_continuations(con: duckdb.DuckDBPyConnection, starts: np.ndarray, first_rowid: int) -> np.ndarray:
    """Remove from ``starts`` the later lines of every row whose quoted fields hold line breaks."""
    names = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('raw_parsed')").fetchall()]
    joined = "concat(" + ", ".join(ident(n) for n in names) + ")"
    spanning = con.execute(
        f"SELECT rowid - {first_rowid} AS g, length({joined}) - length(replace({joined}, chr(10), '')) AS n "
        f"FROM raw_parsed WHERE strpos({joined}, chr(10)) > 0 ORDER BY g").fetchall()
    keep = np.ones(starts.size, dtype=bool)
    removed = 0
    for g, breaks in spanning:
        at = int(g) + removed
        if at >= starts.size:
            break
        last = starts[at] + int(breaks)
        n = int(np.searchsorted(starts, last, side="right")) - (at + 1)
        keep[at + 1:at + 1 + n] = False
        removed += n
    return starts[keep]
