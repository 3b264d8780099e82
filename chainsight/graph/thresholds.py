"""The money thresholds of the analysis: CNY by default, restated by the user for data in another currency.

Every amount a rule compares with (the 小额无贷户 ceiling, the least amount of a trade tie, the deposit
tiers …) has a default in **CNY**. ChainSight converts no currency — no rate is both right and known
offline —, so a dataset whose manifest says another ``currency`` must state each threshold that would
judge it in that currency, in the analysis TOML; :func:`require_own_currency` refuses to run on a CNY
default. A default of 0 means the same in every currency and is never refused. A threshold on deposits
or balances judges only customers of the master, so it is asked for only when there is one.

Examples
--------
>>> from chainsight.graph.analysis import AnalysisConfig
>>> [t.key for t in cny_defaults(AnalysisConfig(), master=False)]
['chains.min_tie_amount', 'prospects.strength_scale', 'prospects.cash_mgmt_amount', 'alerts.min_amount']
>>> config = AnalysisConfig.model_validate({"alerts": {"min_amount": 900}, "no_loan_cap": 65_000})
>>> [t.key for t in cny_defaults(config, master=True)][-3:]
['prospects.low_yield_deposits', 'prospects.cash_mgmt_amount', 'prospects.wealth_idle_balance']
>>> cny_defaults(config, master=True)[0].default_text()
'20,000 CNY'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from chainsight.errors import ConfigError


@dataclass(frozen=True)
class MoneyThreshold:
    """One money threshold: its TOML key (``table.key``), what it is, and whether only the master needs it."""

    key: str
    meaning: str
    master: bool
    value: Any = None

    def default_text(self) -> str:
        """The value as the error shows it, with its currency (CNY: only defaults are shown)."""
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        return ", ".join(f"{float(v):,.0f}" for v in values) + " CNY"


#: Every money threshold of the analysis, in the order of the analysis TOML's tables.
MONEY_THRESHOLDS: tuple[MoneyThreshold, ...] = (
    MoneyThreshold("no_loan_cap", "the 小额无贷户 deposit ceiling", master=True),
    MoneyThreshold("chains.min_amount", "ties below it are ignored", master=False),
    MoneyThreshold("chains.min_tie_amount", "the least amount of a trade tie", master=False),
    MoneyThreshold("prospects.strength_scale", "where the strength score's log scale bends", master=False),
    MoneyThreshold("prospects.tier_thresholds", "the deposit tiers, 资金段", master=True),
    MoneyThreshold("prospects.low_yield_deposits", "deposits below it are low_yield", master=True),
    MoneyThreshold("prospects.cash_mgmt_amount", "the relationship amount that suggests 现金管理", master=False),
    MoneyThreshold("prospects.wealth_idle_balance", "the idle balance that suggests 法人理财", master=True),
    MoneyThreshold("alerts.min_amount", "relationships below it raise no alert", master=False),
)


def _lookup(config: BaseModel, key: str) -> tuple[Any, bool]:
    """The value at ``key`` and whether the user set it (else it is the default)."""
    *tables, name = key.split(".")
    model = config
    for table in tables:
        model = getattr(model, table)
    return getattr(model, name), name in model.model_fields_set


def cny_defaults(config: BaseModel, *, master: bool) -> list[MoneyThreshold]:
    """The money thresholds of ``config`` left at a non-zero CNY default that would judge this data.

    ``master``: the dataset has a customer master (else thresholds on deposits judge nothing).
    """
    left: list[MoneyThreshold] = []
    for t in MONEY_THRESHOLDS:
        value, given = _lookup(config, t.key)
        values = value if isinstance(value, tuple) else (value,)
        if not given and (master or not t.master) and any(float(v) != 0 for v in values):
            left.append(MoneyThreshold(t.key, t.meaning, t.master, value))
    return left


def require_own_currency(config: BaseModel, currency: str, *, master: bool) -> None:
    """Refuse to judge ``currency`` amounts with CNY defaults: one sentence naming every key to set.

    >>> from chainsight.graph.analysis import AnalysisConfig
    >>> require_own_currency(AnalysisConfig(), "CNY", master=True)
    >>> require_own_currency(AnalysisConfig(), "EUR", master=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainsight.errors.ConfigError: The dataset's amounts are in EUR, but 4 money thresholds of the analysis are ...

    Raises
    ------
    ConfigError
        When ``currency`` is not CNY and a threshold that would judge the data is a CNY default.
    """
    if currency == "CNY":
        return
    left = cny_defaults(config, master=master)
    if not left:
        return
    listed = "; ".join(f"{t.key} = {t.default_text()} ({t.meaning})" for t in left)
    count = f"{len(left)} money thresholds of the analysis are" if len(left) > 1 else \
        "a money threshold of the analysis is"
    raise ConfigError(
        f"The dataset's amounts are in {currency}, but {count} still the default in CNY, which ChainSight "
        f"does not convert: {listed}. Set each in {currency} in the analysis TOML (chainsight analyze "
        f"--config FILE), e.g. {left[0].key} = … ; `chainsight config` prints every key.")
