"""The small no-loan customer rule (小额无贷户), judged per firm and failing closed.

As of the master's snapshot date (31 December of a year), a firm is a *small no-loan customer* when,
over **all** its customer records (one firm may hold several customer ids):

1. every record is a corporate customer — interbank (同业), housing-fund (住房资金类) and
   institutional (机构) customers never are;
2. no record has an on- or off-balance-sheet credit line (无表内外授信);
3. no record has a loan balance;
4. the demand + time + notice + agreement (协定) + margin (保证金) deposits of all records add up
   to **at most** 500,000 CNY, inclusive (compared in whole cents: 500,000.00 in, 500,000.01 out);
5. and every one of those facts is known: a blank, unparsable or negative amount is unknown, never
   0, and a firm with a rejected master row cannot be judged.

A firm that fails gets the first rule of :data:`RULES` that holds. Certain exclusions come before
unknowns: a firm with a loan on one record is ``has_loan`` even when another record is unreadable
(and a known deposit sum over the cap stays over it whatever an unknown part adds).

Examples
--------
>>> import pandas as pd
>>> customers = pd.DataFrame({
...     "customer_id": ["A", "B", "C", "D1", "D2"], "enterprise_id": ["a", "b", "c", "d", "d"],
...     "customer_type": ["corporate", "corporate", "interbank", "corporate", "corporate"],
...     "credit_on_balance": 0.0, "credit_off_balance": 0.0, "loan_balance": [0, 0, 0, 0, None],
...     "dep_demand": [300000.0, 300000.0, 1.0, 1.0, 1.0], "dep_time": [200000.0, 200000.01, 0, 0, 0],
...     "dep_notice": 0.0, "dep_agreement": 0.0, "dep_margin": 0.0})
>>> firms = no_loan_eligibility(customers)
>>> firms["eligibility_rule"].tolist(), firms["deposits"].tolist()
(['eligible', 'deposits_over_cap', 'excluded_type', 'unknown_loan'], [500000.0, 500000.01, 1.0, 2.0])
>>> firms.loc[3, "records"]
[{'customer_id': 'D1', 'rule': 'eligible'}, {'customer_id': 'D2', 'rule': 'unknown_loan'}]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainsight._columns import CREDIT_COLUMNS, DEPOSIT_COLUMNS, LOAN_COLUMNS, MONEY_COLUMNS

DEFAULT_CAP = 500_000.0

#: Every verdict of the rule, in the order it is tried, with its meaning (English, Chinese).
RULES: dict[str, tuple[str, str]] = {
    "excluded_type": ("an interbank, housing-fund or institutional customer, never in the group",
                      "同业、住房资金类或机构客户，不属于小额无贷户"),
    "has_credit": ("an on- or off-balance-sheet credit line on one of its records", "有表内或表外授信"),
    "has_loan": ("a loan balance on one of its records", "有贷款余额"),
    "deposits_over_cap": ("deposits of all its records over the cap", "各客户号存款合计超过上限"),
    "master_rejected": ("a customer-master row of it was rejected, so it cannot be judged",
                        "客户信息有被拒绝的记录，无法判定"),
    "unknown_credit": ("a credit line is blank or unreadable in the master", "授信金额缺失或无法识别"),
    "unknown_loan": ("a loan balance is blank or unreadable in the master", "贷款余额缺失或无法识别"),
    "unknown_deposits": ("a deposit balance is blank or unreadable in the master", "存款余额缺失或无法识别"),
    "eligible": ("a small no-loan customer", "小额无贷户"),
}

_REJECTED_COLUMNS = ("enterprise_id", "customer_id", "reason")
_Cents = npt.NDArray[np.float64]


def _cents(frame: pd.DataFrame, columns: tuple[str, ...]) -> _Cents:
    """Whole cents per cell; NaN where the amount is blank, unparsable or negative (unknown)."""
    values = frame[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    values = np.where(values >= 0, values, np.nan)  # NaN >= 0 is False: NaN stays NaN
    cents: _Cents = np.rint(values * 100)
    return cents


def _verdicts(conditions: list[npt.NDArray[np.bool_]]) -> npt.NDArray[np.str_]:
    """The first rule of ``RULES`` whose condition holds (``conditions`` in that order, ``eligible`` last)."""
    return np.select(conditions, list(RULES)[:len(conditions)], default="eligible")


def _money_column(cents: _Cents, firm: npt.NDArray[np.int64], n_firms: int,
                  unknown_firm: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Per-firm sum in CNY of one money column; NaN when any part of it is unknown."""
    total = np.bincount(firm, weights=np.nan_to_num(cents), minlength=n_firms)
    missing = np.bincount(firm, weights=np.isnan(cents), minlength=n_firms) > 0
    return np.where(missing | unknown_firm, np.nan, total / 100.0)


def no_loan_eligibility(customers: pd.DataFrame, cap: float = DEFAULT_CAP,
                        rejected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Judge every firm of the master.

    Parameters
    ----------
    customers : DataFrame
        One row per loaded customer record: ``customer_id``, ``enterprise_id``, ``customer_type``
        (``corporate``, ``institutional``, ``interbank``, ``housing_fund``), ``credit_on_balance``,
        ``credit_off_balance``, ``loan_balance`` and the five deposit columns (CNY; NaN = unknown).
    cap : float
        The deposit ceiling in CNY, inclusive.
    rejected : DataFrame, optional
        The master rows that were rejected (``enterprise_id``, ``customer_id``, ``reason``); rows
        without an enterprise cannot name a firm and are ignored.

    Returns
    -------
    DataFrame
        One row per ``enterprise_id``, sorted by it: ``customer_id`` (the first record),
        ``customer_type`` (the excluding type if any record has one, else ``corporate``), the money
        columns summed over the records (NaN when any part is unknown or a record was rejected),
        ``deposits``, ``eligible``, ``eligibility_rule`` (a key of :data:`RULES`) and ``records``:
        the customer ids with each record's own verdict (a rejected row also says why).
    """
    rejected = (rejected if rejected is not None else pd.DataFrame(columns=list(_REJECTED_COLUMNS)))
    rejected = rejected.loc[rejected["enterprise_id"].notna(), list(_REJECTED_COLUMNS)]
    records = customers.sort_values("customer_id", kind="stable").reset_index(drop=True)
    firm_ids = np.array(sorted(set(records["enterprise_id"]) | set(rejected["enterprise_id"])), dtype=object)
    n = len(firm_ids)
    firm = np.searchsorted(firm_ids, records["enterprise_id"].to_numpy(object)).astype(np.int64) if n else \
        np.zeros(0, np.int64)

    credit, loan = _cents(records, CREDIT_COLUMNS), _cents(records, LOAN_COLUMNS)[:, 0]
    deposit_cells = _cents(records, DEPOSIT_COLUMNS)
    deposits = deposit_cells.sum(axis=1)  # NaN when any of the five is unknown
    other_type = records["customer_type"].ne("corporate").to_numpy(bool)
    has_credit = np.asarray((np.nan_to_num(credit) > 0).any(axis=1), dtype=bool)
    has_loan = np.asarray(np.nan_to_num(loan) > 0, dtype=bool)
    unknown = [np.isnan(credit).any(axis=1), np.isnan(loan), np.isnan(deposits)]

    def any_of(flag: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        return np.bincount(firm, weights=flag, minlength=n) > 0

    was_rejected = np.isin(firm_ids, rejected["enterprise_id"].to_numpy(object))
    known_deposits = np.bincount(firm, weights=np.nan_to_num(deposits), minlength=n)
    cap_cents = int(round(cap * 100))
    rule = _verdicts([any_of(other_type), any_of(has_credit), any_of(has_loan), known_deposits > cap_cents,
                      was_rejected, *(any_of(u) for u in unknown)])
    record_rule = _verdicts([other_type, has_credit, has_loan, np.nan_to_num(deposits) > cap_cents,
                             np.zeros(len(records), bool), *unknown])

    out = pd.DataFrame({"enterprise_id": firm_ids})
    out["customer_id"] = pd.Series(_first(records, rejected, firm_ids), dtype=object)
    types = records.assign(_other=other_type).sort_values("_other", ascending=False, kind="stable")
    out["customer_type"] = (types.drop_duplicates("enterprise_id").set_index("enterprise_id")["customer_type"]
                            .reindex(firm_ids).to_numpy(object))
    for column, cents in zip(MONEY_COLUMNS, [*credit.T, loan, *deposit_cells.T], strict=True):
        out[column] = _money_column(cents, firm, n, was_rejected)
    out["deposits"] = _money_column(deposits, firm, n, was_rejected)
    out["eligibility_rule"] = rule
    out["eligible"] = rule == "eligible"
    out["records"] = pd.Series(_records(records, firm, record_rule, rejected, firm_ids), dtype=object)
    return out


def _first(records: pd.DataFrame, rejected: pd.DataFrame, firm_ids: npt.NDArray[Any]) -> list[object]:
    """The first loaded customer id of each firm, else its first rejected one (None if it has none)."""
    def first(frame: pd.DataFrame) -> pd.Series:
        ordered = frame.dropna(subset=["customer_id"]).sort_values("customer_id", kind="stable")
        firsts = ordered.drop_duplicates("enterprise_id").set_index("enterprise_id")["customer_id"]
        return firsts.reindex(firm_ids)

    loaded, fallback = first(records), first(rejected)
    return [a if isinstance(a, str) else b if isinstance(b, str) else None
            for a, b in zip(loaded.tolist(), fallback.tolist(), strict=True)]


def _records(records: pd.DataFrame, firm: npt.NDArray[np.int64], record_rule: npt.NDArray[np.str_],
             rejected: pd.DataFrame, firm_ids: npt.NDArray[Any]) -> list[list[dict[str, Any]]]:
    """Per firm, its loaded records then its rejected ones, each with its own verdict."""
    out: list[list[dict[str, Any]]] = [[] for _ in range(len(firm_ids))]
    for i, cid, verdict in zip(firm.tolist(), records["customer_id"].tolist(), record_rule.tolist()):
        out[i].append({"customer_id": cid, "rule": verdict})
    at = {eid: i for i, eid in enumerate(firm_ids.tolist())}
    for eid, cid, reason in rejected.itertuples(index=False):
        out[at[eid]].append({"customer_id": None if pd.isna(cid) else cid, "rule": "master_rejected",
                             "reject_reason": reason})
    return out
