"""What a prospect ranking is tuned by: the kinds of prospect, the score components and their
weights, and every threshold of :func:`chainsight.graph.prospects.rank_prospects`.

Settings only, apart from the rules that read them (``_prospect_rules``) and the ranking that joins
them (``prospects``), so that neither of those imports the other's module for them.

Examples
--------
>>> ProspectScoring().weights.strength, KINDS[0], COMPONENTS[-1]
(0.25, 'deepen', 'tier_gap')
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["COMPONENTS", "KINDS", "ComponentWeights", "Kind", "ProspectScoring"]

COMPONENTS = ("strength", "regularity", "dependency", "tier_decay", "multi_core", "growth", "tier_gap")
Kind = Literal["deepen", "acquire", "credit_team", "existing"]
KINDS: tuple[Kind, ...] = ("deepen", "acquire", "credit_team", "existing")
_CONFIG = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class ComponentWeights(BaseModel):
    """Weights of the score components: any non-negative numbers, at least one positive.

    >>> ComponentWeights(strength=1.0).strength
    1.0
    """

    model_config = _CONFIG
    strength: float = Field(default=0.25, ge=0)
    """Size of the relationship: log-scaled amount relative to the core's largest member."""
    regularity: float = Field(default=0.15, ge=0)
    """Share of the period's months with trade."""
    dependency: float = Field(default=0.15, ge=0)
    """How much of the member's own receipts (suppliers) or spend (buyers) is this relationship."""
    tier_decay: float = Field(default=0.15, ge=0)
    """Closeness to the core in the chain: personalised PageRank, normalised per core."""
    multi_core: float = Field(default=0.10, ge=0)
    """Membership of several analysed chains."""
    growth: float = Field(default=0.10, ge=0)
    """Recent trend of the monthly amounts."""
    tier_gap: float = Field(default=0.10, ge=0)
    """Our customers only: closeness of deposits to the next balance tier."""

    @model_validator(mode="after")
    def _some_weight(self) -> ComponentWeights:
        if sum(getattr(self, c) for c in COMPONENTS) <= 0:
            raise ValueError("at least one component weight must be positive")
        return self


class ProspectScoring(BaseModel):
    """Every rule and threshold of :func:`~chainsight.graph.prospects.rank_prospects`, with the defaults
    managers start from.

    >>> s = ProspectScoring(near_tier_ratio=0.9)
    >>> s.near_tier_ratio, s.tier_thresholds[-1], s.weights.strength
    (0.9, 5000000.0, 0.25)
    """

    model_config = _CONFIG
    weights: ComponentWeights = ComponentWeights()
    """score = sum(weight * component) / sum(weight)."""
    lead_kinds: frozenset[Kind] = frozenset({"deepen", "acquire"})
    """Kinds ranked first within a core; the other kinds follow, ranked among themselves."""
    strength_scale: float = Field(default=10_000.0, gt=0)
    """The amount where the log scale of ``c_strength`` bends: log1p(amount / s) / log1p(core max / s)
    (CNY; a dataset in another currency states it in its own)."""
    multi_core_cap: int = Field(default=4, ge=2)
    """``c_multi_core`` = (n_cores - 1) / (cap - 1), clipped: 1 chain -> 0, ``cap`` or more -> 1."""
    tier_thresholds: tuple[float, ...] = (0.0, 1e4, 5e4, 1e5, 3e5, 5e5, 1e6, 5e6)
    """Lower bounds of the deposit tiers (资金段), strictly increasing (CNY; a dataset in another
    currency states them in its own)."""
    near_tier_ratio: float = Field(default=0.8, gt=0, le=1)
    """``tier_threshold`` segment when deposits >= this fraction of the next tier."""
    volatility_cv: float = Field(default=0.5, gt=0)
    """Month-end balances with std / mean at or above this are volatile."""
    volatility_min_months: int = Field(default=3, ge=2)
    """Months of balances needed before volatility is judged."""
    active_ratio: float = Field(default=0.5, ge=0, le=1)
    """Active = trade in at least this share of the period's months (volatile_active, 账户信使)."""
    closure_on_closed_account: bool = True
    """A customer with an account closed in the period is a closure warning."""
    closure_balance_drop: float = Field(default=0.8, gt=0, le=1)
    """...as is one whose recent balances fell by at least this fraction of their earlier level."""
    low_yield_deposits: float = Field(default=10_000.0, ge=0)
    """``low_yield`` when deposits are below this (CNY; a dataset in another currency states it in its
    own) ..."""
    low_yield_retention: float = Field(default=0.1, ge=0)
    """... or below this fraction of the member's average monthly trade amount."""
    recent_months: int = Field(default=3, ge=1)
    """Length of the recent window for stages and balance drops."""
    entry_months: int = Field(default=3, ge=0)
    """``entry`` stage when the series began at most this many months before the end."""
    growth_rise: float = Field(default=0.2, ge=0)
    """``growth`` when the recent mean is at least (1 + this) x the earlier mean."""
    warning_drop: float = Field(default=0.3, gt=0, le=1)
    """``warning`` when the recent mean is at most (1 - this) x the earlier mean."""
    settlement_regularity: float = Field(default=0.75, ge=0, le=1)
    """结算套餐 for members trading in at least this share of months ..."""
    settlement_min_count: int = Field(default=12, ge=0)
    """... with at least this many payments."""
    cash_mgmt_amount: float = Field(default=10_000_000.0, ge=0)
    """现金管理 when the relationship's amount reaches this (CNY; a dataset in another currency states it
    in its own) ..."""
    cash_mgmt_accounts: int = Field(default=3, ge=1)
    """... or the firm holds this many accounts with us ..."""
    cash_mgmt_cores: int = Field(default=3, ge=1)
    """... or it belongs to this many analysed chains."""
    wealth_idle_balance: float = Field(default=100_000.0, ge=0)
    """法人理财 when the lowest month-end balance (else deposits) reaches this, or balances are volatile
    (CNY; a dataset in another currency states it in its own)."""
    trade_dependency: float = Field(default=0.3, ge=0, le=1)
    """交易银行 and 贸易融资 for tier-1 members with at least this dependency on the core."""

    @field_validator("tier_thresholds")
    @classmethod
    def _increasing(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        t = tuple(float(x) for x in v)
        if not t or t[0] < 0 or any(b <= a for a, b in zip(t, t[1:])):
            raise ValueError("tier_thresholds must be non-empty, non-negative and strictly increasing")
        return t
