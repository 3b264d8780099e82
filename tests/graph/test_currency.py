"""A dataset in another currency than CNY: every sentence says its currency; every CNY money threshold must be restated."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainsight.cli import app
from chainsight.errors import ConfigError
from chainsight.graph.analysis import AnalysisConfig, analyze
from chainsight.graph.thresholds import MONEY_THRESHOLDS
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


#: The money thresholds of the analysis that judge flows, restated in EUR (hand-picked values).
EUR_FLOWS = """
[chains]
min_tie_amount = 2500
[prospects]
strength_scale = 1250
cash_mgmt_amount = 1250000
[alerts]
min_amount = 1250
"""
#: …and with a master also those that judge its customers.
EUR_ALL = """no_loan_cap = 65000
[chains]
min_tie_amount = 2500
[prospects]
strength_scale = 1250
cash_mgmt_amount = 1250000
tier_thresholds = [0, 1250, 6500, 13000, 40000, 65000, 130000, 650000]
low_yield_deposits = 1250
wealth_idle_balance = 13000
[alerts]
min_amount = 1250
"""
#: Every money threshold of the analysis with a non-zero CNY default, read off the config classes by hand.
FLOW_KEYS = ["chains.min_tie_amount", "prospects.strength_scale", "prospects.cash_mgmt_amount", "alerts.min_amount"]
MASTER_KEYS = ["no_loan_cap", "prospects.tier_thresholds", "prospects.low_yield_deposits",
               "prospects.wealth_idle_balance"]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "analysis.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_sentence_says_the_datasets_currency(tmp_path: Path) -> None:
    config = AnalysisConfig.from_toml(_config(tmp_path, EUR_FLOWS))
    result = _analyze(_dataset(tmp_path, master=False), config)
    assert result.meta["currency"] == "EUR"
    (core,) = result.cores.to_dict("records")
    # K pays 12 x (10k + … + 60k) = 2.52m and is paid 12 x (20k + … + 120k) = 5.04m.
    assert core["explanation"].startswith("Pays 6 suppliers EUR 2.52m and is paid by 6 customers EUR 5.04m")
    assert "2.52m" not in core["explanation_zh"] and "252万 EUR" in core["explanation_zh"]
    texts = [*result.prospects["reasons_en"], *result.prospects["reasons_zh"], core["explanation"],
             core["explanation_zh"], *result.alerts.get("detail_en", [])]
    assert len(result.prospects) == 12 and all("CNY" not in t and "元" not in t for t in texts)
    assert all("EUR " in t for t in result.prospects["reasons_en"])


@pytest.mark.parametrize("master", [False, True])
def test_a_non_cny_dataset_must_restate_every_money_threshold_that_judges_it(tmp_path: Path, master: bool) -> None:
    db = _dataset(tmp_path, master=master)
    expected = FLOW_KEYS + MASTER_KEYS if master else FLOW_KEYS
    with pytest.raises(ConfigError) as info:
        _analyze(db)
    message = str(info.value)
    assert message.startswith(f"The dataset's amounts are in EUR, but {len(expected)} money thresholds of the "
                              "analysis are still the default in CNY, which ChainSight does not convert: ")
    named = [k for k in (*FLOW_KEYS, *MASTER_KEYS, "chains.min_amount") if f"{k} = " in message]
    assert sorted(named) == sorted(expected)
    # each is shown with its CNY default, as the config classes state it
    for shown in ("chains.min_tie_amount = 20,000 CNY", "prospects.cash_mgmt_amount = 10,000,000 CNY",
                  "alerts.min_amount = 10,000 CNY", "prospects.strength_scale = 10,000 CNY"):
        assert shown in message
    if master:
        assert "no_loan_cap = 500,000 CNY (the 小额无贷户 deposit ceiling)" in message
        assert ("prospects.tier_thresholds = 0, 10,000, 50,000, 100,000, 300,000, 500,000, 1,000,000, "
                "5,000,000 CNY") in message
    assert "Set each in EUR in the analysis TOML (chainsight analyze --config FILE)" in message
    result = runner.invoke(app, ["analyze", "--db", str(db)])
    assert result.exit_code == 2 and "Set each in EUR" in " ".join(result.output.split())
    # restating all but one still names that one alone
    text = EUR_ALL if master else EUR_FLOWS
    partial_text = text.replace("min_amount = 1250\n", "")
    result = runner.invoke(app, ["analyze", "--db", str(db), "--config", str(_config(tmp_path, partial_text))])
    out = " ".join(result.output.split())
    assert result.exit_code == 2 and "a money threshold of the analysis is still the default in CNY" in out
    assert "alerts.min_amount = 10,000 CNY" in out and "chains.min_tie_amount" not in out
    result = runner.invoke(app, ["analyze", "--db", str(db), "--config", str(_config(tmp_path, text))])
    assert result.exit_code == 0, result.output


def test_a_cny_dataset_keeps_every_default(tmp_path: Path) -> None:
    (tmp_path / "pay.csv").write_text("from,to,amount,date\nA,B,100.00,2024-01-10\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(MANIFEST.replace('currency = "EUR"\n', ""), encoding="utf-8")
    assert ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb").ok
    assert _analyze(tmp_path / "s.duckdb").meta["currency"] == "CNY"


def test_every_money_field_of_the_analysis_config_is_a_checked_threshold() -> None:
    """A money field is one whose documentation says CNY: each must be in MONEY_THRESHOLDS, and no other."""
    schema = AnalysisConfig.model_json_schema()
    tables = {"ChainRules": "chains", "ProspectScoring": "prospects", "AlertRules": "alerts",
              "CoreScoring": "cores", "HubRules": "hubs", "ComponentWeights": "prospects.weights"}
    money = [k for k, v in schema["properties"].items() if "CNY" in v.get("description", "")]
    for name, definition in schema["$defs"].items():
        money += [f"{tables[name]}.{k}" for k, v in definition.get("properties", {}).items()
                  if "CNY" in v.get("description", "")]
    assert sorted(money) == sorted([*FLOW_KEYS, *MASTER_KEYS, "chains.min_amount"])
    assert sorted(t.key for t in MONEY_THRESHOLDS) == sorted(money)


runner = CliRunner()


def test_a_tie_left_out_for_its_amount_says_the_minimum_in_the_datasets_currency(tmp_path: Path) -> None:
    # S1 is paid 12 x 10,000 = 120,000 EUR in 2024: under a minimum of 150,000 EUR; S2 gets 240,000.
    config = AnalysisConfig.from_toml(_config(tmp_path, EUR_FLOWS.replace("min_tie_amount = 2500",
                                                                          "min_tie_amount = 150000")))
    result = _analyze(_dataset(tmp_path, master=False), config)
    left_out = result.excluded[result.excluded["rule"] == "tie_amount"]
    (s1,) = left_out.to_dict("records")
    assert s1["amount"] == 120_000
    assert s1["reason"] == "the tie's amount is below the minimum of EUR 150k (chains.min_tie_amount)"
