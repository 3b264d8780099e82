"""A dataset in another currency than CNY: every sentence says its currency; the 小额无贷户 ceiling must be restated."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainsight.cli import app
from chainsight.errors import ConfigError
from chainsight.graph.analysis import AnalysisConfig, analyze
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.staging import connect
from tests.conftest import ACCOUNTS, CUSTOMERS

MANIFEST = """
currency = "EUR"
as_of = 2024-12-31
[[sources]]
path = "pay.csv"
profile = "p"
[profiles.p]
layout = "payments"
identify_by = ["uscc", "name", "account"]
[profiles.p.columns]
payer_account = "from"
payee_account = "to"
amount = "amount"
date = "date"
"""


def _dataset(tmp_path: Path, master: bool) -> Path:
    """Core K (account 1001) pays six suppliers and is paid by six buyers every month of 2024."""
    rows = ["from,to,amount,date"]
    for month in range(1, 13):
        rows += [f"1001,S{i},€{10_000 * i}.00,2024-{month:02d}-10" for i in range(1, 7)]
        rows += [f"B{i},1001,€{20_000 * i}.00,2024-{month:02d}-20" for i in range(1, 7)]
    (tmp_path / "pay.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = MANIFEST
    if master:
        (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
        (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
        text += '[master]\ncustomers = "customers.csv"\naccounts = "accounts.csv"\n'
    (tmp_path / "chainsight.toml").write_text(text, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert ingest(tmp_path / "chainsight.toml", db).ok
    return db


def _analyze(db: Path, config: AnalysisConfig | None = None):  # type: ignore[no-untyped-def]
    con = connect(db, read_only=True)
    try:
        return analyze(con, config)
    finally:
        con.close()


def test_every_sentence_says_the_datasets_currency(tmp_path: Path) -> None:
    result = _analyze(_dataset(tmp_path, master=False))
    assert result.meta["currency"] == "EUR"
    (core,) = result.cores.to_dict("records")
    # K pays 12 x (10k + … + 60k) = 2.52m and is paid 12 x (20k + … + 120k) = 5.04m.
    assert core["explanation"].startswith("Pays 6 suppliers EUR 2.52m and is paid by 6 customers EUR 5.04m")
    assert "2.52m" not in core["explanation_zh"] and "252万 EUR" in core["explanation_zh"]
    texts = [*result.prospects["reasons_en"], *result.prospects["reasons_zh"], core["explanation"],
             core["explanation_zh"], *result.alerts.get("detail_en", [])]
    assert len(result.prospects) == 12 and all("CNY" not in t and "元" not in t for t in texts)
    assert all("EUR " in t for t in result.prospects["reasons_en"])


def test_a_non_cny_dataset_with_a_master_must_restate_the_no_loan_cap(tmp_path: Path) -> None:
    db = _dataset(tmp_path, master=True)
    with pytest.raises(ConfigError, match="amounts are in EUR, but the 小额无贷户 deposit ceiling no_loan_cap "
                                          "is 500,000 CNY: set no_loan_cap in EUR"):
        _analyze(db)
    result = runner.invoke(app, ["analyze", "--db", str(db)])
    assert result.exit_code == 2 and "set no_loan_cap in EUR" in " ".join(result.output.split())
    config = tmp_path / "analysis.toml"
    config.write_text("no_loan_cap = 65000\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", "--db", str(db), "--config", str(config)])
    assert result.exit_code == 0, result.output


runner = CliRunner()
