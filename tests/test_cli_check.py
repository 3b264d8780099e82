"""``chainsight check``: a dry run on the first rows of every file, on the demo bank and a broken manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainsight.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("check") / "data"
    result = runner.invoke(app, ["synth", "--out", str(folder), "--scale", "tiny", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return folder


def _lines(output: str) -> list[str]:
    return [" ".join(line.split()) for line in output.splitlines()]


def test_check_on_the_demo_bank_shows_every_file_its_mapping_shares_and_classes(demo: Path) -> None:
    result = runner.invoke(app, ["check", str(demo), "--rows", "150"])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    files = sorted(p.relative_to(demo).as_posix() for sub in ("statements", "excel", "payments")
                   for p in (demo / sub).iterdir())
    headers = [line.split(" (")[0] for line in lines if line.endswith(("(statement)", "(payments)"))]
    assert sorted(headers) == files
    assert "│ own_account │ 账号 │ 1 │" in lines  # the CSV statements' first column
    assert "│ direction │ 借贷标志 │" in " ".join(lines)  # the Excel statements' direction column
    shares = [line for line in lines if "sample rows:" in line]
    assert len(shares) == len(files)
    # Files are longer than the sample, CSV and Parquet are cut to it; the workbooks are read whole.
    csv_shares = [s for s, f in zip(shares, headers, strict=True) if not f.endswith(".xlsx")]
    assert all(s.startswith("150 sample rows:") for s in csv_shares)
    assert all(line.startswith("classes: ") and "trade" in line for line in lines if line.startswith("classes:"))
    assert sum(line.startswith("classes: ") for line in lines) == len(files)


def test_check_on_a_broken_manifest_says_what_is_wrong_and_exits_1(demo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "data"
    shutil.copytree(demo, broken)
    manifest = broken / "chainsight.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace('own_account = "账号"', 'own_account = "帐号"', 1)  # a header the files lack
    text = text.replace('[profiles.payments]\nlayout = "payments"\ndate_formats = ["%Y%m%d", "%Y-%m-%d", "%Y/%m/%d"]',
                        '[profiles.payments]\nlayout = "payments"\ndate_formats = ["%d.%m.%Y"]')
    assert text.count("帐号") == 1 and '"%d.%m.%Y"' in text
    manifest.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(manifest), "--rows", "100"])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "unusable:" in out and "'帐号' (own_account)" in out and "not in the header" in out
    payments = out.split("payments/payments_2024.parquet (payments)")[1]
    share = payments.split("rejected (")[1].split("%")[0]
    assert float(share) > 50 and "bad_date" in payments.split("classes:")[0]


def test_check_prints_data_as_text_never_markup(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("p,q,amt,d,memo\n[red]1[/red],2,5.00,2024-01-02,[bold]x\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(
        '[[sources]]\npath = "a.csv"\nprofile = "p"\n[profiles.p]\nlayout = "payments"\n'
        'identify_by = ["uscc", "name", "account"]\n[profiles.p.columns]\npayer_account = "p"\n'
        'payee_account = "q"\namount = "amt"\ndate = "d"\nmemo = "memo"\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "[red]1[/red]" in result.output and "[bold]x" in result.output


PAYMENTS = ('[[sources]]\npath = "a.csv"\nprofile = "p"\n[profiles.p]\nlayout = "payments"\n{options}'
            'identify_by = ["uscc", "name", "account"]\n[profiles.p.columns]\npayer_account = "from"\n'
            'payee_account = "to"\namount = "amount"\ndate = "date"\n')


def test_check_names_the_delimiter_a_file_really_has(tmp_path: Path) -> None:
    rows = ['"from";"to";"amount";"date"'] + [f'"A{i}";"B";"1,{i}0";"2024-01-0{i}"' for i in range(1, 8)]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(PAYMENTS.format(options=""), encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "the file's lines split alike on ';', not on the profile's ',': set delimiter = \";\"" in out
    assert out.count("split alike") == 1
    # ingest says the same in its one sentence about the unusable file
    result = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1 and "set delimiter = \";\"" in " ".join(result.output.split())
    (tmp_path / "chainsight.toml").write_text(PAYMENTS.format(options='delimiter = ";"\n'), encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "split alike" not in result.output


def test_check_exits_3_above_the_reject_rate(tmp_path: Path) -> None:
    # Six of ten dates in a form the profile does not list (31.01.2024): 60 % rejected.
    rows = ["from,to,amount,date"] + [f"A,B,10.00,2024-01-{d:02d}" for d in range(1, 5)] + \
        [f"A,B,10.00,{d:02d}.01.2024" for d in range(1, 7)]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(PAYMENTS.format(options=""), encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 3, result.output
    out = " ".join(result.output.split())
    assert "a.csv: 60.0% of the sample rows, more than --max-reject-rate 50.0%" in out
    assert runner.invoke(app, ["check", str(tmp_path), "--max-reject-rate", "0.6"]).exit_code == 0


def test_check_shows_what_identifies_each_party_column_and_which_cannot_be_told(tmp_path: Path) -> None:
    # payers named (but P3), payees bare accounts: only the payee column falls back to accounts
    rows = ["from,payer,to,amount,date", "P1,甲机械有限公司,X9,100,2024-01-05", "P3,,X9,70,2024-01-07",
            "P4,,X8,70,2024-01-08"]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = PAYMENTS.format(options="").replace('identify_by = ["uscc", "name", "account"]',
                                               'identify_by = { payee = ["uscc", "name", "account"] }')
    (tmp_path / "chainsight.toml").write_text(text + 'payer_name = "payer"\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "parties identified by: payer uscc, name; payee uscc, name, account" in out
    assert ("unresolved_party: 2 rows whose payer cannot be told: an account without a name or USCC; to make "
            'it a firm of its own, set identify_by = { payer = ["uscc", "name", "account"] }') in out
    assert "whose payee cannot be told" not in out
