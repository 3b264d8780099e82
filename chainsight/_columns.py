"""The customer master's money columns, said once: what the 小额无贷户 rule reads.

Ingest requires them of a master (or a profile's constant for each), staging stores them, the analysis
reads them and the rule judges a firm by them. They sit below every layer so that the pure rule in
``chainsight.graph.eligibility`` needs nothing of ingest to name them.

Examples
--------
>>> len(DEPOSIT_COLUMNS), MONEY_COLUMNS[:3]
(5, ('credit_on_balance', 'credit_off_balance', 'loan_balance'))
"""

from __future__ import annotations

__all__ = ["CREDIT_COLUMNS", "DEPOSIT_COLUMNS", "LOAN_COLUMNS", "MONEY_COLUMNS"]

#: On- and off-balance-sheet credit lines in use (CNY at the snapshot date).
CREDIT_COLUMNS = ("credit_on_balance", "credit_off_balance")
#: Outstanding loans (CNY at the snapshot date).
LOAN_COLUMNS = ("loan_balance",)
#: The five deposit kinds: demand, time, notice, agreement and margin (活期, 定期, 通知, 协定, 保证金).
DEPOSIT_COLUMNS = ("dep_demand", "dep_time", "dep_notice", "dep_agreement", "dep_margin")
#: Every money column of the master, in the order they are stored.
MONEY_COLUMNS = (*CREDIT_COLUMNS, *LOAN_COLUMNS, *DEPOSIT_COLUMNS)
