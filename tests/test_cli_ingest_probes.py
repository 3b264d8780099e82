"""``chainsight ingest`` on every hostile-input probe of issue #8: the sentence, the exit status, no traceback.

The library-level behaviour (what the database then holds) is pinned in tests/ingest/test_hostile.py;
here each probe is run the way a user runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainsight.cli import app
from tests.conftest import STATEMENT_HEADER, DatasetWriter

runner = CliRunner()
CORE = "1001,核心制造有限公司"
GOOD = [f"{CORE},2024-01-{d:02d},{100 + d}.00,,2001,上游甲有限公司,中国工商银行,货款,9000.00" for d in range(1, 9)]


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())


def _edit(manifest: Path, old: str, new: str) -> None:
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new), encoding="utf-8")


Probe = Callable[[Path], None]


def _overlap(m: Path) -> None:
    _edit(m, '[[sources]]\npath = "statements/*"\nprofile = "stmt"\n',
          '[[sources]]\npath = "statements/*"\nprofile = "stmt"\n'
          '[[sources]]\npath = "statements/a*.csv"\nprofile = "stmt"\n')


@pytest.mark.parametrize("probe, status, message", [
    (_overlap, 2, "statements/a.csv is matched by two sources, 'statements/*' and 'statements/a*.csv'"),
    (lambda m: _edit(m, 'path = "statements/*"', 'path = "statements/none.csv"'), 2,
     "source 'statements/none.csv': no such file under"),
    (lambda m: _edit(m, 'path = "statements/*"', 'path = "statements"'), 2,
     "source 'statements' is a directory"),
    (lambda m: _edit(m, 'layout = "statement"', 'layout = "statement"\ndelimiter = ""'), 2,
     "delimiter must be one character other than a quote or a line break, not ''"),
    (lambda m: _edit(m, 'layout = "statement"', 'layout = "statement"\ndate_formats = ["%Q"]'), 2,
     "date format '%Q' is not valid"),
    (lambda m: _edit(m, 'encoding = "auto"', 'encoding = "utf-8"'), 1,
     "unusable input: statements/a.csv: undecodable bytes on line 1: not utf-8 (it looks like GBK"),
    (lambda m: _edit(m, 'customers = "master/customers.csv"', 'customers = "master"'), 1,
     "unusable input: master: customer master path is a directory, not a file"),
])
def test_a_bad_manifest_or_file_is_one_sentence(write_dataset: DatasetWriter, tmp_path: Path, probe: Probe,
                                                status: int, message: str) -> None:
    manifest = write_dataset({"a.csv": GOOD})
    probe(manifest)
    code, output = _run("ingest", str(manifest), "--db", str(tmp_path / "s.duckdb"))
    assert (code, message in output) == (status, True), output


def test_a_stray_quote_is_a_rejected_line_and_exit_0(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    rows = list(GOOD)
    rows[2] = rows[2].replace("货款", '"货款')
    manifest = write_dataset({"a.csv": rows})
    code, output = _run("ingest", str(manifest), "--db", str(tmp_path / "s.duckdb"))
    assert code == 0
    assert "│ rejected │ unterminated_quote │ 1 │" in output
    assert "rows_read 8 = loaded + excluded + rejected 8: holds" in output  # master rows counted apart
    assert "master rows │ │ 4 │ 4" in output
    code, output = _run("rejects", "--db", str(tmp_path / "s.duckdb"))
    assert code == 0 and "statements/a.csv │ 4 │ unterminated_quote" in output


def test_a_hostile_header_ingests_and_the_database_survives(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    header = STATEMENT_HEADER + ',"x""; COMMIT; DROP TABLE flows; --"'
    manifest = write_dataset({"a.csv": [r + ",1" for r in GOOD]}, header=header,
                             extra_manifest="as_of = 2024-12-31\n")  # under [master]: its snapshot date
    db = str(tmp_path / "s.duckdb")
    assert _run("ingest", str(manifest), "--db", db)[0] == 0
    code, output = _run("analyze", "--db", db)
    assert code == 0, output
    # the core, its supplier and the master's second customer; far too small for a core
    assert "analysed 1 trade edges among 3 enterprises: 0 cores" in output


def test_a_second_manifest_needs_replace(write_dataset: DatasetWriter, tmp_path: Path) -> None:
    first = write_dataset({"a.csv": GOOD})
    db = str(tmp_path / "s.duckdb")
    assert _run("ingest", str(first), "--db", db)[0] == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "chainsight.toml").write_text(first.read_text(encoding="utf-8").replace('"hand-made"', '"other"'),
                                           encoding="utf-8")
    for folder in ("statements", "master"):
        (other / folder).mkdir()
        for f in (tmp_path / folder).iterdir():
            (other / folder / f.name).write_bytes(f.read_bytes())
    code, output = _run("ingest", str(other), "--db", db)
    assert code == 2 and "this database holds the dataset of the manifest in" in output
    assert "--replace to empty it first" in output
    assert _run("ingest", str(other), "--db", db, "--replace")[0] == 0
