"""Rank the firms around each core enterprise as prospects, and say why.

Each chain member gets a score (a weighted mean of seven components in [0, 1]), a kind (``deepen``
our eligible small no-loan customer, ``acquire`` a firm banking elsewhere, ``credit_team`` our
customer with loans or credit, ``existing`` our other customers), a segment and a lifecycle stage,
the products worth proposing, and reasons in English and Chinese with the numbers behind them.
Pure function over DataFrames: no I/O, no settings lookups.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from chainsight._format import money_en as _money_en, money_zh as _money_zh
from chainsight.graph import _prospect_rules as rules
from chainsight.graph import chains
from chainsight.graph._prospect_rules import PRODUCTS, SEGMENTS, STAGES
from chainsight.graph._prospect_scoring import COMPONENTS, KINDS, ComponentWeights, Kind, ProspectScoring
from chainsight.graph.eligibility import RULES

__all__ = ["COMPONENTS", "KINDS", "PRODUCTS", "SEGMENTS", "STAGES", "ComponentWeights", "ProspectScoring",
           "rank_prospects"]

#: What the ranking reads of :data:`chainsight.graph.chains.MEMBER_COLUMNS`: all but the dates.
MEMBER_COLUMNS = tuple(c for c in chains.MEMBER_COLUMNS if c not in ("first_date", "last_date"))
FIRM_COLUMNS = ("enterprise_id", "name", "is_customer", "customer_type", "branch", "manager", "eligible",
                "eligibility_rule", "deposits", "credit_on_balance", "credit_off_balance", "loan_balance",
                "ebanking", "products", "n_accounts", "account_closed")
def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}")


def _flag(s: pd.Series) -> rules.BoolArray:
    """True only for real booleans / integers that are true; NaN, None and text are False."""
    return np.array([isinstance(v, (bool, np.bool_, int, np.integer)) and bool(v) for v in s.tolist()],
                    dtype=bool)


def _num(s: pd.Series) -> rules.FloatArray:
    return pd.to_numeric(s, errors="coerce").to_numpy(np.float64)


_EVIDENCE = ("amount", "count", "active_months", "months_in_period", "share_of_core", "dependency", "trend",
             "n_cores", "deposits", "next_tier", "gap_to_tier", "ppr", "balance_cv", "balance_drop")
_INTS = {"count", "active_months", "months_in_period", "n_cores"}
_UNJUDGED = ("master_rejected", "unknown_credit", "unknown_loan", "unknown_deposits")
_WHY = {"deposits_over_cap": ("deposits over the cap", "存款超过上限"), **{r: RULES[r] for r in _UNJUDGED}}


def _pct(x: float, digits: int) -> str:
    return "n/a" if x != x else f"{x:.{digits}%}"


def _reason(r: dict[str, Any], recent_months: int, currency: str = "CNY",
            cap: float | None = None) -> tuple[str, str]:
    """The English and the Chinese reason for one member (``r``: its facts), amounts in ``currency``;
    ``cap`` (the 小额无贷户 ceiling, in ``currency``) is stated when the firm's deposits are over it."""
    money_en, money_zh = partial(_money_en, currency=currency), partial(_money_zh, currency=currency)
    amt, zamt = money_en(r["amount"]), money_zh(r["amount"])
    share, dep = _pct(r["share_of_core"], 1), _pct(r["dependency"], 0)
    act, n, up, via = int(r["active_months"]), int(r["months_in_period"]), r["direction"] == "up", r["via"]
    if r["tier"] == 1:  # the tie is with the core itself
        who, whose, src = "the core", "the core's", "the core"
        who_zh, whose_zh, src_zh = "核心企业", "核心企业", "核心企业"
    else:  # the tie is with the tier-1 firm it reaches the core through
        who, whose, src = f"{via}, a tier-1 {'supplier' if up else 'buyer'} of the core,", f"{via}'s", via
        who_zh, whose_zh, src_zh = f"一级{'供应商' if up else '客户'}{via}", "其", "该企业"
    when = f"{n}个月中{act}个月有交易"
    if up:
        en = (f"Supplies {who} {amt} over {act} of {n} months ({share} of {whose} spend); "
              f"{dep} of its receipts come from {src}")
        zh = f"向{who_zh}供货{zamt}，{when}，占{whose_zh}采购额的{share}；其收款的{dep}来自{src_zh}"
    else:
        en = (f"Buys from {who} {amt} over {act} of {n} months ({share} of {whose} receipts); "
              f"{dep} of its spend goes to {src}")
        zh = f"从{who_zh}采购{zamt}，{when}，占{whose_zh}销售收款的{share}；其付款的{dep}流向{src_zh}"
    deposits, kind = r["deposits"], r["kind"]
    if kind == "deepen":
        en += f"; eligible small no-loan customer, deposits {money_en(deposits)}"
        zh += f"；小额无贷户，存款{money_zh(deposits)}"
        if r["next_tier"] == r["next_tier"]:
            gap, tier = r["gap_to_tier"], r["next_tier"]
            en += f", {money_en(gap)} short of the {money_en(tier).removeprefix(currency + ' ')} tier"
            zh += f"，距{money_zh(tier)}资金段还差{money_zh(gap)}"
    elif kind == "acquire":
        en, zh = en + "; banks elsewhere (not our customer): a firm to acquire", zh + "；他行客户，可拓户营销"
    elif kind == "credit_team":
        loan, credit = r["loan"], r["credit"]
        en += (f"; our customer with loans or credit (loans {money_en(loan)}, credit {money_en(credit)}): "
               "for the credit team")
        zh += f"；我行有贷/授信客户（贷款{money_zh(loan)}，授信{money_zh(credit)}），转授信团队跟进"
    else:
        rule, ctype = r["eligibility_rule"], r["customer_type"]
        why_en, why_zh = (f"{ctype} customer", f"{ctype}类客户") if rule == "excluded_type" else \
            _WHY.get(rule, (rule, rule))
        if rule == "deposits_over_cap" and cap is not None:
            why_en, why_zh = f"deposits over the {money_en(cap)} cap", f"存款超过{money_zh(cap)}上限"
        en += f"; our customer outside the small no-loan group ({why_en}), deposits {money_en(deposits)}"
        zh += f"；我行客户，非小额无贷户（{why_zh}），存款{money_zh(deposits)}"
    en, zh = en + ".", zh + "。"
    if r["segment"] == "closure_warning" and r["account_closed"]:
        en, zh = en + " Closure warning: an account was closed in the period.", zh + "销户预警：期内有账户销户。"
    elif r["segment"] == "closure_warning":
        drop = _pct(r["balance_drop"], 0)
        en += f" Closure warning: month-end balances fell {drop} in the last {recent_months} months."
        zh += f"销户预警：近{recent_months}个月月末余额下降{drop}。"
    return en, zh


def _explain(facts: dict[str, Any], scoring: ProspectScoring, currency: str = "CNY", cap: float | None = None
             ) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """Reasons (English, Chinese) and the evidence dict of every member; NaN evidence becomes None."""
    keys = list(facts)
    lists = [facts[k] if isinstance(facts[k], list) else np.asarray(facts[k]).tolist() for k in keys]
    en, zh, evidence = [], [], []
    for values in zip(*lists):
        r = dict(zip(keys, values))
        e, z = _reason(r, scoring.recent_months, currency, cap)
        en.append(e)
        zh.append(z)
        ev: dict[str, Any] = {k: None if r[k] != r[k] else int(r[k]) if k in _INTS else r[k]
                              for k in _EVIDENCE}
        ev["eligibility_rule"], ev["records"] = r["eligibility_rule"], r["records"]
        ev["monthly"] = r["monthly"]
        evidence.append(ev)
    return en, zh, evidence


def rank_prospects(members: pd.DataFrame, firms: pd.DataFrame, balances: pd.DataFrame,
                   scoring: ProspectScoring, currency: str = "CNY", cap: float | None = None) -> pd.DataFrame:
    """Score, classify and rank every chain member of every core.

    Parameters
    ----------
    members : one row per (core_id, enterprise_id), the core excluded; columns ``MEMBER_COLUMNS``
    firms : one row per enterprise_id; columns ``FIRM_COLUMNS``, and optionally ``records`` (the
        firm's customer records with their verdicts, copied into the evidence). A member missing here
        counts as a firm banking elsewhere, named by its id.
    balances : month-end total deposits (``enterprise_id``, ``month``, ``balance``); may be empty
    scoring : the rules and thresholds
    currency : the ISO code the reasons write amounts in (the dataset's)
    cap : the 小额无贷户 deposit ceiling the firms were judged with (in ``currency``), stated in the
        reason of a firm over it; None: the reason says "over the cap"

    Returns
    -------
    pandas.DataFrame
        One row per member, sorted by ``core_id`` then ``rank``. ``rank`` is 1..n within a core:
        members of ``scoring.lead_kinds`` first, then the others, each by score descending, ties by
        ``enterprise_id``. Components, segments, stages and products follow the rules listed in
        :mod:`chainsight.graph._prospect_rules`; ``evidence`` holds the numbers behind the reasons and
        ``monthly``, the tie's amount in each month of the period (oldest first).

    Examples
    --------
    >>> m = pd.DataFrame([dict(core_id="K", enterprise_id="S", direction="up", tier=1, via_id="K",
    ...     amount=1.2e6, count=24, active_months=12, months_in_period=12, share_of_core=0.08,
    ...     dependency=0.6, trend=0.1, monthly=[1e5] * 12, ppr=1.0, n_cores=1)])
    >>> f = pd.DataFrame([dict(enterprise_id="S", name="甲公司", is_customer=True, customer_type="corporate",
    ...     branch="B1", manager="M1", eligible=True, eligibility_rule="eligible", deposits=420_000.0,
    ...     credit_on_balance=0.0, credit_off_balance=0.0, loan_balance=0.0, ebanking=True,
    ...     products="企业网银", n_accounts=1, account_closed=False)])
    >>> b = pd.DataFrame({"enterprise_id": "S", "balance": 420_000.0,
    ...                   "month": pd.date_range("2024-01-01", periods=12, freq="MS")})
    >>> out = rank_prospects(m, f, b, ProspectScoring())
    >>> out[["rank", "kind", "segment", "stage"]].values.tolist()
    [[1, 'deepen', 'tier_threshold', 'stable']]
    >>> out.loc[0, "products"]
    ['结算套餐', '法人理财', '交易银行', '贸易融资', '账户信使']
    >>> out.loc[0, "reasons_en"].split("; ")[-1]
    'eligible small no-loan customer, deposits CNY 420k, CNY 80k short of the 500k tier.'
    """
    _require(members, MEMBER_COLUMNS, "members")
    _require(firms, FIRM_COLUMNS, "firms")
    _require(balances, ("enterprise_id", "month", "balance"), "balances")
    if members.duplicated(["core_id", "enterprise_id"]).any():
        raise ValueError("members must hold one row per (core_id, enterprise_id)")
    if firms["enterprise_id"].duplicated().any():
        raise ValueError("firms must hold one row per enterprise_id")
    m = members.reset_index(drop=True)
    by_id = firms.set_index("enterprise_id")
    f = by_id.reindex(m["enterprise_id"]).reset_index(drop=True)

    is_customer = _flag(f["is_customer"])
    eligible = _flag(f["eligible"]) & is_customer
    rule = np.where(is_customer & f["eligibility_rule"].notna().to_numpy(),
                    f["eligibility_rule"].to_numpy(object), "not_customer")
    # Unknown amounts stay NaN: a reason says "n/a", never "CNY 0", for a loan nobody knows.
    credit = _num(f["credit_on_balance"]) + _num(f["credit_off_balance"])
    loan = _num(f["loan_balance"])
    with_credit = is_customer & ((credit > 0) | (loan > 0) | np.isin(rule, ["has_loan", "has_credit"]))
    kind = np.select([~is_customer, eligible, with_credit], ["acquire", "deepen", "credit_team"], "existing")

    deposits = np.where(is_customer, _num(f["deposits"]), np.nan)
    next_tier, closeness = rules.tier_position(deposits, scoring.tier_thresholds)
    comp = rules.components(m, np.where(is_customer, closeness, 0.0), scoring)
    w = np.array([getattr(scoring.weights, c) for c in COMPONENTS])
    score = np.column_stack([comp[c] for c in COMPONENTS]) @ w / w.sum()

    ids = pd.Index(m["enterprise_id"].unique())
    bal = rules.balance_features(balances, ids, scoring)
    at = ids.get_indexer(m["enterprise_id"])
    cv, floor, drop = (np.where(is_customer, x[at], np.nan) for x in (bal.cv, bal.floor, bal.drop))
    amount, months, closed = _num(m["amount"]), _num(m["months_in_period"]), _flag(f["account_closed"])
    monthly_trade = np.divide(amount, months, out=np.zeros_like(amount), where=months > 0)
    segment = rules.segments(is_customer, closed, drop, comp["tier_gap"], cv, comp["regularity"], deposits,
                             monthly_trade, scoring)
    trade = rules.series_stats(rules.left_padded(m["monthly"]), scoring.recent_months)
    stage = np.where(is_customer & bal.stats.started[at], rules.stages(bal.stats, scoring)[at],
                     rules.stages(trade, scoring))

    wanted = rules.wanted_products(pd.DataFrame({
        "is_customer": is_customer, "ebanking": _flag(f["ebanking"]) & is_customer,
        "regularity": comp["regularity"], "count": _num(m["count"]), "amount": amount,
        "n_accounts": np.nan_to_num(_num(f["n_accounts"])), "n_cores": _num(m["n_cores"]),
        "idle": np.where(np.isnan(floor), deposits, floor), "cv": cv, "tier": _num(m["tier"]),
        "dependency": _num(m["dependency"])}), scoring)
    products = rules.suggested_products(wanted, rules.held_products(f["products"]))

    via = m["via_id"].map(by_id["name"]).astype(object)
    facts = {"direction": m["direction"], "tier": _num(m["tier"]), "via": via.where(via.notna(), m["via_id"]),
             **{c: _num(m[c]) for c in ("amount", "count", "active_months", "months_in_period", "share_of_core",
                                        "dependency", "trend", "n_cores", "ppr")},
             "deposits": deposits, "next_tier": next_tier, "gap_to_tier": next_tier - deposits,
             "eligibility_rule": rule, "balance_cv": cv, "balance_drop": drop, "loan": loan, "credit": credit,
             "kind": kind, "segment": segment, "account_closed": closed, "customer_type": f["customer_type"],
             "records": [r if isinstance(r, list) else None
                         for r in (f["records"] if "records" in f else [None] * len(f))],
             "monthly": [[round(float(x), 2) for x in series] for series in m["monthly"]]}
    en, zh, evidence = _explain(facts, scoring, currency, cap)

    names = f["name"].astype(object)
    out = pd.DataFrame({
        "core_id": m["core_id"], "enterprise_id": m["enterprise_id"],
        "name": names.where(names.notna(), m["enterprise_id"]), "rank": 0, "score": score,
        **{f"c_{c}": comp[c] for c in COMPONENTS}, "kind": kind, "eligible": eligible,
        "direction": m["direction"], "tier": m["tier"].astype(np.int64), "segment": segment,
        "segment_zh": [SEGMENTS[s] for s in segment], "stage": stage, "stage_zh": [STAGES[s] for s in stage],
        "products": products, "reasons_en": en, "reasons_zh": zh, "evidence": evidence,
        "branch": f["branch"], "manager": f["manager"], "is_customer": is_customer, "via_id": m["via_id"]})
    behind = ~np.isin(kind, sorted(scoring.lead_kinds))
    order = np.lexsort((out["enterprise_id"].to_numpy(str), -score, behind, out["core_id"].to_numpy(str)))
    out = out.iloc[order].reset_index(drop=True)
    out["rank"] = out.groupby("core_id", sort=False).cumcount().to_numpy(np.int64) + 1
    return out
