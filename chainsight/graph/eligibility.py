"""The small no-loan customer rule (小额无贷户), exactly as the bank defines it.

As of the reference date (31 December of a year), a customer is a *small no-loan customer* when all of:

1. it is a corporate customer — interbank (同业), housing-fund (住房资金类) and institutional (机构)
   customers never are (rule ``excluded_type``);
2. it has no on- or off-balance-sheet credit line (无表内外授信; rule ``has_credit``);
3. it has no loan balance (rule ``has_loan``);
4. its demand + time + notice + agreement (协定) + margin (保证金) deposits add up to **at most**
   500,000 CNY, inclusive (rule ``deposits_over_cap``).

The first rule that fails is recorded; a customer that passes all four is ``eligible``. Amounts are
compared in whole cents, so 500,000.00 is in and 500,000.01 is out.

Examples
--------
>>> import pandas as pd
>>> customers = pd.DataFrame({
...     "customer_id": ["A", "B", "C"], "customer_type": ["corporate", "corporate", "interbank"],
...     "credit_on_balance": [0, 0, 0], "credit_off_balance": [0, 0, 0], "loan_balance": [0, 0, 0],
...     "dep_demand": [300000.0, 300000.0, 1.0], "dep_time": [200000.0, 200000.01, 0],
...     "dep_notice": [0, 0, 0], "dep_agreement": [0, 0, 0], "dep_margin": [0, 0, 0]})
>>> no_loan_eligibility(customers)[["customer_id", "eligible", "eligibility_rule"]].values.tolist()
[['A', True, 'eligible'], ['B', False, 'deposits_over_cap'], ['C', False, 'excluded_type']]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

DEPOSITS = ("dep_demand", "dep_time", "dep_notice", "dep_agreement", "dep_margin")
DEFAULT_CAP = 500_000.0


def _cents(frame: pd.DataFrame, columns: tuple[str, ...]) -> npt.NDArray[np.int64]:
    values = frame[list(columns)].apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(float)
    cents: npt.NDArray[np.int64] = np.rint(values * 100).astype(np.int64)
    return cents


def no_loan_eligibility(customers: pd.DataFrame, cap: float = DEFAULT_CAP) -> pd.DataFrame:
    """Apply the rule to every customer.

    Parameters
    ----------
    customers : DataFrame with ``customer_id``, ``customer_type``, ``credit_on_balance``,
        ``credit_off_balance``, ``loan_balance`` and the five deposit columns.
    cap : the deposit ceiling in CNY, inclusive.

    Returns
    -------
    DataFrame
        The input with ``deposits`` (sum of the five), ``eligible`` and ``eligibility_rule`` added.
    """
    out = customers.copy()
    deposits = _cents(out, DEPOSITS).sum(axis=1)
    credit = _cents(out, ("credit_on_balance", "credit_off_balance"))
    loan = _cents(out, ("loan_balance",))[:, 0]
    rule = np.select(
        [out["customer_type"].ne("corporate").to_numpy(), (credit > 0).any(axis=1), loan > 0,
         deposits > int(round(cap * 100))],
        ["excluded_type", "has_credit", "has_loan", "deposits_over_cap"],
        default="eligible")
    out["deposits"] = deposits / 100.0
    out["eligibility_rule"] = rule
    out["eligible"] = rule == "eligible"
    return out
