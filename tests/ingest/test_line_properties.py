"""Property test: files with blank lines, quoted newlines, stray quotes, mixed line endings and repeated
headers lose no row, and every row and reject sits on the physical line the generator wrote it on.

The expected lines come from the generator's own bookkeeping (it knows which line it wrote each row
on), never from ChainSight's line index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chainsight.ingest.pipeline import ingest
from tests.conftest import STATEMENT_HEADER, DatasetWriter

_ROW = "1001,核心制造有限公司,2024-01-{day:02d},{amount}.00,,2001,上游甲有限公司,中国工商银行,{memo},9000.00"
_EXTRA_HEADER = ',"附言,其他",附言,附言'  # a quoted header holding the delimiter, then a repeated one


@dataclass(frozen=True)
class Item:
    """One thing the generator writes: a row (maybe spanning lines), a blank line, a short or stray line."""

    kind: str  # good | blank | short | stray
    text: str


def _items() -> st.SearchStrategy[Item]:
    memo = st.sampled_from(["货款", "材料款", '"货款\n第二行"', '"多行\n\n备注"', '"含,逗号"', "备注x"])
    good = st.builds(lambda d, a, m: Item("good", _ROW.format(day=d, amount=a, memo=m)),
                     st.integers(1, 28), st.integers(1, 999), memo)
    stray = st.builds(lambda d: Item("stray", _ROW.format(day=d, amount=1, memo='"未闭合')), st.integers(1, 28))
    return st.one_of(good, good, good, stray, st.just(Item("blank", "")),
                     st.just(Item("short", "1001,核心制造有限公司,2024-01-02")))


def _write(items: list[Item], endings: list[str]) -> tuple[bytes, dict[int, str]]:
    """The file's bytes and, per physical line where a record starts, what the generator put there."""
    lines = [STATEMENT_HEADER + _EXTRA_HEADER]
    starts: dict[int, str] = {}
    for item in items:
        suffix = ",a,b,c" if item.kind in {"good", "stray"} else ""
        if item.kind != "blank":
            starts[len(lines) + 1] = item.kind
        lines.extend((item.text + suffix).split("\n"))
    breaks = [endings[i % len(endings)] for i in range(len(lines))]
    for i in range(len(lines) - 1):  # "\r" then an empty line ending "\n" would be one "\r\n"
        if breaks[i] == "\r" and lines[i + 1] == "" and breaks[i + 1].startswith("\n"):
            breaks[i] = "\r\n"  # (not "\n": after an empty line ending "\r" that would pair up again)
    body = "".join(line + brk for line, brk in zip(lines, breaks, strict=True))
    return body.encode("gbk"), starts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_items(), min_size=1, max_size=25),
       endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=3))
def test_every_record_keeps_its_physical_line(write_dataset: DatasetWriter, items: list[Item],
                                              endings: list[str]) -> None:
    manifest = write_dataset({"x.csv": []})
    data, starts = _write(items, endings)
    (manifest.parent / "statements" / "x.csv").write_bytes(data)
    db = manifest.parent / "lines.duckdb"
    db.unlink(missing_ok=True)
    report = ingest(manifest, db)
    assert report.ok, report.errors
    event(f"line endings: {'+'.join(sorted({repr(e) for e in endings}))}")
    event(f"stray quotes: {sum(i.kind == 'stray' for i in items)}")
    spanning = sum(i.kind == "good" and "\n" in i.text for i in items)
    event(f"rows spanning lines: {spanning}")
    stmt = next(f for f in report.files if f.file == "statements/x.csv")
    assert stmt.tally is not None
    assert stmt.tally.rows_read == stmt.tally.accounted() == len(starts)
    con = duckdb.connect(str(db), read_only=True)
    fid = "(SELECT file_id FROM files WHERE path = 'statements/x.csv')"
    seen = con.execute(f"SELECT line, 'row' FROM transactions WHERE file_id = {fid} UNION ALL "
                       f"SELECT line, reason FROM rejects WHERE file_id = {fid} ORDER BY 1").fetchall()
    con.close()
    assert [line for line, _ in seen] == sorted(starts)
    fate = dict(seen)
    for line, kind in starts.items():
        if kind == "short":
            assert fate[line] == "malformed_line"
        elif kind == "stray":
            assert fate[line] in {"unterminated_quote", "malformed_line"}
        else:
            assert fate[line] not in {"unterminated_quote", "malformed_line"}, (line, fate[line])
