"""The golden "1+N" extract through the real ingest and analysis, checked exactly against the answers
worked out by hand in ``expected.py`` (the reasoning is there)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from chainsight.graph.result import Analysis
from chainsight.ingest.staging import connect


def _expected() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden_expected", Path(__file__).parent / "expected.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPECTED = _expected()


def _names(analysis: Analysis) -> pd.Series:
    names = analysis.firms.set_index("enterprise_id")["name"]
    assert not names.duplicated().any()
    return names


def test_the_one_core(golden_analysis: Analysis) -> None:
    names = _names(golden_analysis)
    assert names.reindex(golden_analysis.cores["enterprise_id"]).tolist() == EXPECTED.CORES


def test_chains_tier_direction_and_via(golden_analysis: Analysis) -> None:
    names = _names(golden_analysis)
    m = golden_analysis.members
    assert set(names.reindex(m["core_id"])) == {EXPECTED.CORE}
    got = set(zip(names.reindex(m["enterprise_id"]), m["direction"], m["tier"].astype(int),
                  names.reindex(m["via_id"])))
    assert got == EXPECTED.MEMBERS
    amounts = dict(zip(names.reindex(m["enterprise_id"]), m["amount"]))
    assert {k: amounts[k] for k in EXPECTED.AMOUNTS} == EXPECTED.AMOUNTS


def test_every_tie_left_out_keeps_its_rule(golden_analysis: Analysis) -> None:
    names = _names(golden_analysis)
    x = golden_analysis.excluded
    got = set(zip(names.reindex(x["enterprise_id"]), x["direction"], x["tier"].astype(int), x["rule"]))
    assert got == EXPECTED.EXCLUDED


def test_eligibility_case_by_case(golden_analysis: Analysis) -> None:
    records = golden_analysis.firms.dropna(subset=["records"])
    got = {r["customer_id"]: r["rule"] for recs in records["records"] for r in recs}
    assert got == EXPECTED.ELIGIBILITY


def _fates(golden_bank: Path) -> dict[tuple[str, str], int]:
    con = connect(golden_bank, read_only=True)
    try:
        rows = con.execute("SELECT status, coalesce(reason, flow_class), count(*) FROM transactions "
                           "GROUP BY ALL").fetchall()
        rejected = con.execute("SELECT reason, count(*) FROM rejects GROUP BY ALL").fetchall()
    finally:
        con.close()
    return {**{(s, r): n for s, r, n in rows}, **{("rejected", r): n for r, n in rejected}}


def test_trade_rows_are_classified_as_worked_out(golden_bank: Path) -> None:
    fates = _fates(golden_bank)
    trade_like = {k: v for k, v in EXPECTED.ROW_FATES.items() if k[1] not in ("interest", "fee")}
    assert {k: v for k, v in fates.items() if k in trade_like} == trade_like
    assert sum(fates.values()) == sum(EXPECTED.ROW_FATES.values()) == 136


def test_postings_without_counterparty_are_non_trade(golden_bank: Path) -> None:
    fates = _fates(golden_bank)
    assert fates.get(("excluded", "interest")) == 2 and fates.get(("excluded", "fee")) == 2


def test_a_manager_can_ask_why_a_firm_is_missing(golden_analysis: Analysis) -> None:
    from chainsight.graph.chains import why_missing

    ids = {name: eid for eid, name in _names(golden_analysis).items()}
    core = ids[EXPECTED.CORE]
    (power,) = why_missing(golden_analysis.excluded, core, ids["国网苏州供电公司"])
    assert power.startswith("tier-1 up via") and "CNY 18,000, 6 payments, 6 months" in power
    assert "below the minimum" in power
    (scrap,) = why_missing(golden_analysis.excluded, core, ids["浙江戊钢铁有限公司"])
    assert "dominant net flow" in scrap
    assert why_missing(golden_analysis.excluded, core, ids["苏州甲材料有限公司"]) == []
