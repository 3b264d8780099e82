"""End to end on a hand-written statement extract that looks nothing like a Chinese bank's.

``;``-separated, every field quoted, YYMMDD dates, a ``.asc`` extension, transaction codes instead of
memos, no names at all (accounts only), interest, fees and penalties posted without a counterparty.
The expected counts per class are worked out below in plain Python from the rows as written, never
from the pipeline.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest

from chainsight.ingest.pipeline import ingest

MANIFEST = """
name = "foreign"
[[sources]]
path = "trans.asc"
profile = "berka"

[profiles.berka]
layout = "statement"
format = "csv"
delimiter = ";"
encoding = "utf-8"
date_formats = ["%y%m%d"]
debit_values = ["VYDAJ"]
credit_values = ["PRIJEM"]
identify_by = ["uscc", "name", "account"]
[profiles.berka.columns]
serial = "trans_id"
own_account = "account_id"
date = "date"
direction = "type"
amount = "amount"
balance = "balance"
memo = "k_symbol"
counterparty_bank = "bank"
counterparty_account = "account"

# Order matters: "SANKC. UROK" (penalty interest) also contains "UROK" (interest).
[[rules]]
flow_class = "penalty"
memo = ["SANKC"]
needs_counterparty = false
[[rules]]
flow_class = "interest"
memo = ["UROK"]
[[rules]]
flow_class = "fee"
memo = ["SLUZBY"]
[[rules]]
flow_class = "household"
memo = ["sipo"]
case_sensitive = false
[[rules]]
flow_class = "insurance"
memo = ["POJISTNE"]
[[rules]]
flow_class = "pension"
memo = ["DUCHOD"]
"""

HEADER = ["trans_id", "account_id", "date", "type", "amount", "balance", "k_symbol", "bank", "account"]


def _rows(seed: int = 11) -> list[list[str]]:
    """Rows as the extract writes them: own accounts 1–6, counterparties at other banks 9001–9012."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    codes = ["", "", "", "UROK", "SLUZBY", "SANKC. UROK", "SIPO", "Sipo", "POJISTNE", "DUCHOD"]
    for i in range(1, 241):
        code = rng.choice(codes)
        no_cp = code in {"UROK", "SLUZBY", "SANKC. UROK"} or (code == "" and rng.random() < 0.1)
        day = f"9{rng.randint(3, 8)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        if rng.random() < 0.03:
            day = "931340"  # not a date
        amount = f"{rng.randint(0, 90000) / 100:.2f}" if rng.random() > 0.03 else "0.00"
        rows.append([str(i), str(rng.randint(1, 6)), day, rng.choice(["PRIJEM", "VYDAJ"]), amount,
                     f"{rng.randint(0, 10**6) / 100:.2f}", code,
                     "" if no_cp else rng.choice(["AB", "CD", "EF"]),
                     "" if no_cp else str(9000 + rng.randint(1, 12))])
    return rows


def _expected(rows: list[list[str]]) -> Counter[str]:
    """Each row's fate from the rules above, applied by hand in their order."""
    fates: Counter[str] = Counter()
    for _, _, day, _, amount, _, code, _, cp in rows:
        month = int(day[2:4])
        cls = ("penalty" if "SANKC" in code else "interest" if "UROK" in code else "fee" if "SLUZBY" in code
               else "household" if "sipo" in code.lower() else "insurance" if "POJISTNE" in code
               else "pension" if "DUCHOD" in code else "trade")
        if not cp and cls not in {"penalty", "interest", "fee"}:
            fates["rejected:missing_counterparty"] += 1
        elif not 1 <= month <= 12:
            fates["rejected:bad_date"] += 1
        elif float(amount) == 0:
            fates["excluded:zero_amount"] += 1
        elif cls == "trade":
            fates["loaded"] += 1
        else:
            fates[f"excluded:{cls}"] += 1
    return fates


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    with (tmp_path / "trans.asc").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(_rows())
    (tmp_path / "chainsight.toml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path / "chainsight.toml"


def test_per_class_counts_equal_the_hand_worked_ones(extract: Path, tmp_path: Path) -> None:
    expected = _expected(_rows())
    assert expected["loaded"] > 50 and expected["excluded:interest"] > 10 and expected["excluded:penalty"] > 10
    report = ingest(extract, tmp_path / "s.duckdb")
    assert report.ok, report.errors
    (file,) = report.files
    assert file.tally is not None
    got: Counter[str] = Counter({"loaded": file.tally.loaded})
    got.update({f"excluded:{k}": v for k, v in file.tally.excluded.items()})
    got.update({f"rejected:{k}": v for k, v in file.tally.rejected.items()})
    assert +got == +expected
    assert file.tally.rows_read == 240 == file.tally.accounted()


def test_without_account_identity_every_trade_row_is_unresolved(extract: Path, tmp_path: Path) -> None:
    extract.write_text(MANIFEST.replace('identify_by = ["uscc", "name", "account"]\n', ""), encoding="utf-8")
    report = ingest(extract, tmp_path / "s.duckdb")
    (file,) = report.files
    assert file.tally is not None and file.tally.loaded == 0
    assert file.tally.excluded["unresolved_party"] == _expected(_rows())["loaded"]


def test_an_account_only_payments_extract_resolves_each_account_to_its_own_firm(tmp_path: Path) -> None:
    # Payment-simulation style: time as a step number turned into a date by hand, accounts only.
    lines = ["step,nameOrig,nameDest,amount,date", "1,C100,M200,10.00,2024-01-01",
             "2,C100,M200,20.00,2024-01-02", "3,C101,M200,5.00,2024-01-02", "4,C100,C101,7.00,2024-01-03"]
    (tmp_path / "sim.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(
        '[[sources]]\npath = "sim.csv"\nprofile = "sim"\n[profiles.sim]\nlayout = "payments"\n'
        'identify_by = ["uscc", "name", "account"]\n[profiles.sim.columns]\npayer_account = "nameOrig"\n'
        'payee_account = "nameDest"\namount = "amount"\ndate = "date"\n', encoding="utf-8")
    ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb")
    import duckdb

    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    flows = con.execute("""SELECT pa.account, qa.account, f.amount, f.count FROM flows f
        JOIN accounts pa ON pa.enterprise_id = f.payer_id JOIN accounts qa ON qa.enterprise_id = f.payee_id
        ORDER BY 1, 2""").fetchall()
    con.close()
    assert flows == [("C100", "C101", 7.0, 1), ("C100", "M200", 30.0, 2), ("C101", "M200", 5.0, 1)]


def test_identify_by_must_keep_uscc_and_name() -> None:
    from pydantic import ValidationError

    from chainsight.ingest.manifest import Profile

    with pytest.raises(ValidationError, match="identify_by"):
        Profile(layout="payments", identify_by=("account",), columns={
            "payer_account": "a", "payee_account": "b", "amount": "c", "date": "d"})


def test_a_payment_simulation_with_steps_for_time_loads_without_a_date_column(tmp_path: Path) -> None:
    # PaySim-like: step = hour of the simulation, accounts only. Step 1 is 2024-01-01 00:00, so
    # step 24 is still 1 January, step 25 is 2 January, step 745 is 1 February (744 hours = 31 days).
    lines = ["step,type,amount,nameOrig,nameDest", "1,PAYMENT,10.00,C1,M1", "24,PAYMENT,20.00,C1,M1",
             "25,PAYMENT,5.00,C1,M1", "745,PAYMENT,7.00,C2,M1", "x,PAYMENT,1.00,C2,M1", "0,PAYMENT,1.00,C2,M1"]
    (tmp_path / "sim.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(
        '[[sources]]\npath = "sim.csv"\nprofile = "sim"\n[profiles.sim]\nlayout = "payments"\n'
        'step_start = 2024-01-01\nstep_unit = "hour"\n'
        'identify_by = ["uscc", "name", "account"]\n[profiles.sim.columns]\npayer_account = "nameOrig"\n'
        'payee_account = "nameDest"\namount = "amount"\ndate = "step"\nmemo = "type"\n', encoding="utf-8")
    report = ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb")
    import duckdb

    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    dates = con.execute("SELECT line, CAST(date AS VARCHAR) FROM transaction_details ORDER BY line").fetchall()
    rejects = con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall()
    con.close()
    assert dates == [(2, "2024-01-01"), (3, "2024-01-01"), (4, "2024-01-02"), (5, "2024-02-01")]
    assert rejects == [(6, "bad_date"), (7, "bad_date")]
    assert report.totals.rows_read == 6
