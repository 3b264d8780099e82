"""Any ASCII-compatible encoding a profile names is read; one that is not is refused before reading."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chainsight.errors import ConfigError
from chainsight.ingest.manifest import load_manifest
from chainsight.ingest.pipeline import ingest

MANIFEST = """
[[sources]]
path = "export.csv"
profile = "p"
[profiles.p]
layout = "payments"
encoding = "{encoding}"
delimiter = ";"
[profiles.p.columns]
payer_account = "Konto"
payer_name = "Zahler"
payee_account = "Gegenkonto"
payee_name = "Empfänger"
amount = "Betrag"
date = "Datum"
memo = "Verwendungszweck"
"""

ROWS = [("Konto", "Zahler", "Gegenkonto", "Empfänger", "Betrag", "Datum", "Verwendungszweck"),
        ("100", "Müller Maschinenbau GmbH", "200", "Straße & Söhne s.r.o.", "1200.50", "2024-03-05", "Lieferung"),
        ("100", "Müller Maschinenbau GmbH", "201", "Žluťoučký kůň a.s.", "99.00", "2024-03-06", "Záloha")]


def _write(tmp_path: Path, encoding: str, rows: list[tuple[str, ...]]) -> Path:
    text = "\r\n".join(";".join(r) for r in rows) + "\r\n"
    (tmp_path / "export.csv").write_bytes(text.encode(encoding))
    manifest = MANIFEST.replace("{encoding}", encoding).replace("Empfänger", rows[0][3])
    (tmp_path / "chainsight.toml").write_text(manifest, encoding="utf-8")
    return tmp_path / "chainsight.toml"


@pytest.mark.parametrize("encoding, rows", [
    ("latin-1", ROWS[:2]), ("cp1252", ROWS[:2]), ("cp1250", ROWS), ("iso8859-2", ROWS), ("utf-8", ROWS),
])
def test_a_european_export_is_read_in_its_own_encoding(tmp_path: Path, encoding: str,
                                                       rows: list[tuple[str, ...]]) -> None:
    report = ingest(_write(tmp_path, encoding, rows), tmp_path / "s.duckdb")
    assert report.ok, report.errors
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    got = con.execute("SELECT payer_name, payee_name, CAST(amount AS VARCHAR), memo FROM transaction_details "
                      "ORDER BY line").fetchall()
    con.close()
    assert got == [(r[1], r[3], r[4], r[6]) for r in rows[1:]]


def test_shift_jis_is_read(tmp_path: Path) -> None:
    # 表 and ソ end in the byte 0x5C (a backslash in ASCII): it must stay part of its character.
    header = (*ROWS[0][:3], "受取人", *ROWS[0][4:])
    rows = [header, ("100", "株式会社表示", "200", "ソフト工業", "5000", "2024-03-05", "代金")]
    report = ingest(_write(tmp_path, "shift_jis", rows), tmp_path / "s.duckdb")
    assert report.ok, report.errors
    assert report.files[0].tally is not None and report.files[0].tally.loaded == 1
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT payer_name, payee_name FROM transaction_details").fetchall() == [
        ("株式会社表示", "ソフト工業")]
    con.close()


def _unicode_text(tmp_path: Path, encoding: str, bom: bytes = b"") -> Path:
    """Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated, CRLF; line 3 has a bad date."""
    rows = [*ROWS, ("100", "Müller Maschinenbau GmbH", "202", "Łódź Sp. z o.o.", "5.00", "2024-13-40", "Fehler")]
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    (tmp_path / "export.csv").write_bytes(bom + text.encode(encoding))
    manifest = MANIFEST.replace('delimiter = ";"', 'delimiter = "\\t"')
    (tmp_path / "chainsight.toml").write_text(manifest.replace("{encoding}", "auto" if bom else encoding),
                                              encoding="utf-8")
    return tmp_path / "chainsight.toml"


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("utf-16-le", b"")])
def test_excel_unicode_text_utf16_is_read_and_its_rejects_keep_their_line(tmp_path: Path, encoding: str,
                                                                           bom: bytes) -> None:
    # With a BOM, encoding = "auto" tells UTF-16; without one, the profile names utf-16-le.
    report = ingest(_unicode_text(tmp_path, encoding, bom), tmp_path / "s.duckdb")
    assert report.ok, report.errors
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    got = con.execute("SELECT line, payee_name, CAST(amount AS VARCHAR) FROM transaction_details "
                      "ORDER BY line").fetchall()
    rejects = con.execute("SELECT line, reason, raw_row FROM rejects").fetchall()
    con.close()
    assert got == [(2, "Straße & Söhne s.r.o.", "1200.50"), (3, "Žluťoučký kůň a.s.", "99.00")]
    assert rejects == [(4, "bad_date", "100\tMüller Maschinenbau GmbH\t202\tŁódź Sp. z o.o.\t5.00\t2024-13-40\tFehler")]


def test_check_samples_a_utf16_file_on_its_characters(tmp_path: Path) -> None:
    from chainsight.ingest.check import check

    result = check(_unicode_text(tmp_path, "utf-16-le", b"\xff\xfe"), rows=2)  # the header and 2 rows
    (sample,) = result.files
    assert sample.error is None and sample.tally is not None
    assert (sample.tally.rows_read, sample.tally.loaded, sample.reject_share) == (2, 2, 0.0)


@pytest.mark.parametrize("encoding, problem", [
    ("utf-32", "not ASCII-compatible"), ("cp037", "not ASCII-compatible"), ("base64", "not ASCII-compatible"),
    ("klingon", "unknown encoding"),
])
def test_an_encoding_that_cannot_be_read_is_refused_with_the_manifest(tmp_path: Path, encoding: str,
                                                                      problem: str) -> None:
    (tmp_path / "export.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(MANIFEST.replace("{encoding}", encoding), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"profiles.p.encoding: .*{problem}"):
        load_manifest(tmp_path / "chainsight.toml")


def test_the_master_encoding_is_checked_too(tmp_path: Path) -> None:
    text = MANIFEST.replace("{encoding}", "utf-8") + '[master]\ncustomers = "c.csv"\naccounts = "a.csv"\n' \
        'encoding = "utf-32"\n'
    (tmp_path / "export.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="master.encoding: .*not ASCII-compatible"):
        load_manifest(tmp_path / "chainsight.toml")
