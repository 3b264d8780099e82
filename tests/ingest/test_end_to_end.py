"""End to end on the small demo bank, checked against its ground truth (never read by the pipeline)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def rows(small_bank: tuple[Path, Path]) -> pd.DataFrame:
    """Every export row with its truth (txn id, class) and what the pipeline did with it."""
    data, db = small_bank
    con = duckdb.connect(str(db), read_only=True)
    fate = con.execute("""
        SELECT f.path AS file, t.line, t.status, t.reason, t.flow_class, t.payer_id, t.payee_id
        FROM transactions t JOIN files f USING (file_id)
        UNION ALL
        SELECT f.path, r.line, 'rejected', r.reason, NULL, NULL, NULL
        FROM rejects r JOIN files f USING (file_id) WHERE f.layout <> 'master'""").df()
    con.close()
    truth = pd.read_csv(data / "truth" / "rows.csv", dtype={"file": str, "line": int, "txn_id": str})
    classes = pd.read_csv(data / "truth" / "flow_class.csv", dtype=str)
    truth = truth.merge(classes, on="txn_id", how="left", suffixes=("", "_true"))
    return truth.merge(fate, on=["file", "line"], how="outer", indicator=True,
                       suffixes=("_true", ""))


def test_the_identity_holds_for_every_file(small_bank: tuple[Path, Path]) -> None:
    _, db = small_bank
    con = duckdb.connect(str(db), read_only=True)
    gaps = con.execute("""
        SELECT f.path, f.rows_read,
               (SELECT count(*) FROM transactions t WHERE t.file_id = f.file_id)
             + (SELECT count(*) FROM rejects r WHERE r.file_id = f.file_id) AS accounted
        FROM files f WHERE f.layout <> 'master'""").fetchall()
    con.close()
    assert gaps and all(read == accounted for _, read, accounted in gaps)


def test_every_export_row_is_accounted_for_exactly_once(rows: pd.DataFrame) -> None:
    assert (rows["_merge"] == "both").all(), rows[rows["_merge"] != "both"].head()
    assert not rows.duplicated(["file", "line"]).any()


def test_each_payment_counts_once_and_no_genuine_one_is_removed(rows: pd.DataFrame) -> None:
    kept = rows[(rows["status"] != "rejected")
                & ~rows["reason"].isin(["duplicate_row", "mirror_duplicate"])]
    per_txn = kept.groupby("txn_id").size()
    assert per_txn.max() == 1, per_txn[per_txn > 1].head()
    seen = set(rows.loc[rows["status"] != "rejected", "txn_id"])
    assert set(per_txn.index) == seen  # a payment with any usable row keeps exactly one


def test_non_trade_classification_agrees_with_truth(rows: pd.DataFrame) -> None:
    kept = rows[(rows["status"] != "rejected")
                & ~rows["reason"].isin(["duplicate_row", "mirror_duplicate"])]
    agreement = (kept["flow_class"] == kept["flow_class_true"]).mean()
    assert agreement >= 0.98, kept.groupby(["flow_class_true", "flow_class"]).size()


def test_reversed_payments_are_the_planted_ones(small_bank: tuple[Path, Path], rows: pd.DataFrame) -> None:
    data, _ = small_bank
    planted = set(pd.read_csv(data / "truth" / "reversals.csv", dtype=str)["original_txn_id"])
    reversed_ = set(rows.loc[rows["reason"] == "reversed", "txn_id"])
    assert len(reversed_ & planted) >= 0.95 * len(planted)
    assert len(reversed_ - planted) <= 0.05 * len(planted)


def test_injected_defects_are_rejected_or_repaired_with_the_right_reason(
        small_bank: tuple[Path, Path], rows: pd.DataFrame) -> None:
    data, _ = small_bank
    defects = pd.read_csv(data / "truth" / "defects.csv", dtype={"line": int}, keep_default_na=False)
    seen = defects.rename(columns={"reason": "expected"}).merge(
        rows[["file", "line", "status", "reason", "flow_class_true"]], on=["file", "line"], how="left")
    assert seen["status"].notna().all()
    # The generator blanks the counterparty of any row, interest and fee postings included; those need
    # none (a statement posts them without one), so they are excluded as their true class instead.
    no_cp_needed = (seen["expected"] == "missing_counterparty") & seen["flow_class_true"].isin(["interest", "fee"])
    assert no_cp_needed.sum() > 0
    seen.loc[no_cp_needed, "outcome"] = "excluded"
    seen.loc[no_cp_needed, "expected"] = seen.loc[no_cp_needed, "flow_class_true"]
    rejected = seen[seen["outcome"] == "rejected"]
    assert len(rejected) > 0 and (rejected["status"] == "rejected").all()
    assert (rejected["reason"] == rejected["expected"]).all(), rejected[
        rejected["reason"] != rejected["expected"]].head()
    repaired = seen[seen["outcome"] == "repaired"]
    assert len(repaired) > 0
    assert (repaired["status"] != "rejected").all(), repaired[repaired["status"] == "rejected"].head()
    excluded = seen[seen["outcome"] == "excluded"]
    assert len(excluded) > 0 and (excluded["reason"] == excluded["expected"]).all()


def test_planted_name_variants_resolve_to_one_enterprise(small_bank: tuple[Path, Path],
                                                         pipeline_id: Callable[[str], str]) -> None:
    data, db = small_bank
    variants = pd.read_csv(data / "truth" / "name_variants.csv", dtype=str)
    variants = variants[variants["ambiguous"] == "false"]  # another name altogether may be another firm's
    variants["enterprise_id"] = variants.pop("firm").map(pipeline_id)
    con = duckdb.connect(str(db), read_only=True)
    names = con.execute("SELECT name, enterprise_id FROM enterprise_names").df()
    con.close()
    found = variants.merge(names, left_on="variant", right_on="name", how="inner",
                           suffixes=("_true", ""))
    assert len(found) >= 0.9 * len(variants)  # a few variants only appear on rejected rows
    assert (found["enterprise_id"] == found["enterprise_id_true"]).all(), found[
        found["enterprise_id"] != found["enterprise_id_true"]].head()
