"""``analyze``: from the staged flow graph to cores, chains, eligibility, prospects, leakage and alerts.

The flow edges are read from the staging database once, into DataFrames and then sparse arrays; every
algorithm below is a pure function; the result is one :class:`Analysis` value that a
:class:`~chainsight.graph.stores.protocol.GraphStore` publishes.

Everything is judged as of one date (:func:`analysis_date`): flows and month-end balances after it
feed nothing, accounts closed after it count as open, and the customer master must describe that
very day. ``meta["warnings"]`` carries, one sentence each, what the analyst should know about it.

Examples
--------
>>> cfg = AnalysisConfig()
>>> cfg.cores.min_suppliers, cfg.chains.depth, cfg.no_loan_cap
(5, 2, 500000.0)
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chainsight._columns import MONEY_COLUMNS
from chainsight.errors import ConfigError, NotAnalysed
from chainsight.graph.chains import ChainRules, chain_membership, rule_reason
from chainsight.graph.cores import CoreScoring, score_cores, trading_ties
from chainsight.graph.eligibility import DEFAULT_CAP, no_loan_eligibility
from chainsight.graph.hubs import HubRules, hub_firms
from chainsight.graph.leakage import AlertRules, alerts, leakage
from chainsight.graph.prospects import ProspectScoring, rank_prospects
from chainsight.graph.result import Analysis
from chainsight.graph.thresholds import require_own_currency
from chainsight.ingest.links import MENTION_RULES
from chainsight.ingest.staging import table_exists

Progress = Callable[[str, int, int], None]


class AnalysisConfig(BaseModel):
    """Every rule and weight of the analysis; load from TOML with :meth:`from_toml`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date | None = Field(None, description="eligibility date; default the manifest's as_of, else "
                                                 "the master's, else 31 Dec of the latest year whose "
                                                 "December is in the data, else the data's last month "
                                                 "end; it must be the master's snapshot date")
    no_loan_cap: float = Field(DEFAULT_CAP, ge=0, description="the 小额无贷户 deposit ceiling, inclusive "
                               "(CNY; a dataset in another currency states it in its own)")
    cores: CoreScoring = Field(default_factory=CoreScoring)
    chains: ChainRules = Field(default_factory=ChainRules)
    hubs: HubRules = Field(default_factory=HubRules)
    prospects: ProspectScoring = Field(default_factory=ProspectScoring)
    alerts: AlertRules = Field(default_factory=AlertRules)

    @classmethod
    def from_toml(cls, path: str | Path) -> AnalysisConfig:
        """Read ``[cores]``, ``[chains]``, ``[prospects]``, ``[alerts]`` … from a TOML file."""
        try:
            return cls.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc


def _quiet(step: str, done: int, total: int) -> None:
    """Default progress: silent."""


def default_as_of(months: list[date]) -> tuple[date, list[str]]:
    """31 December of the latest year whose December is in the data; else the data's last month end.

    ``months`` are the first days of the months the flows cover. Data without a December (a few
    months of one year) is analysed as of its last month end, with a warning: a year end before the
    data would leave every flow out.

    >>> default_as_of([date(2023, 11, 1), date(2023, 12, 1), date(2024, 3, 1)])
    (datetime.date(2023, 12, 31), [])
    >>> default_as_of([date(2024, 3, 1), date(2024, 8, 1)])[0]
    datetime.date(2024, 8, 31)
    """
    decembers = [m for m in months if m.month == 12]
    if decembers:
        return date(max(decembers).year, 12, 31), []
    if not months:
        today = date.today()
        return date(today.year - 1, 12, 31), []
    last = (pd.Timestamp(max(months)) + pd.offsets.MonthEnd(0)).date()
    return last, [f"The data holds no December, so the analysis is as of its last month end, {last}; the "
                  "小额无贷户 rule is defined on year-end balances: set as_of to choose the date."]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def analysis_date(con: duckdb.DuckDBPyConnection, requested: date | None) -> tuple[date, list[str]]:
    """The as-of date of the analysis and the warnings about it, in one sentence each.

    The date is ``requested``, else the manifest's ``as_of``, else the master's, else
    :func:`default_as_of` of the months in the flows. The customer master must state its snapshot date
    (``[master] as_of`` or the manifest's ``as_of``) and it must be the analysis date: the 小额无贷户
    rule judges balances of that day.

    Raises
    ------
    ConfigError
        When the master states no snapshot date, or one other than the analysis date.
    NotAnalysed
        When the staging database has no flows, or predates the master's snapshot table.
    """
    try:
        declared = _scalar(con, "SELECT as_of FROM dataset")
        months = [r[0] for r in con.execute("SELECT DISTINCT month FROM flow_months").fetchall()]
    except duckdb.CatalogException as exc:
        raise NotAnalysed("the database has no staged flows: run `chainsight ingest` first") from exc
    if not table_exists(con, "master_snapshot"):
        raise NotAnalysed("the staging database was written before the master kept its snapshot date: "
                          "run `chainsight ingest` again")
    stated = _scalar(con, "SELECT as_of FROM master_snapshot")
    snapshot = stated or declared
    warnings: list[str] = []
    as_of: date | None = requested or declared or snapshot
    if as_of is None:
        as_of, warnings = default_as_of(months)
    if _scalar(con, "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM customer_rejects)"):
        if snapshot is None:
            raise ConfigError("The customer master states no snapshot date: set as_of under [master] (or the "
                              "manifest's as_of) to the day its balances describe.")
        if snapshot != as_of:
            raise ConfigError(f"The customer master describes {snapshot} but the analysis is as of {as_of}: "
                              "analyse as of the master's date, or ingest the master of the analysis date.")
        if (as_of.month, as_of.day) != (12, 31):
            warnings.append(f"The customer master describes {as_of}, not 31 December: the 小额无贷户 rule is "
                            "defined on year-end balances.")
    month_end = (pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)).date()
    if as_of != month_end:
        warnings.append(f"{as_of} is not a month end: flows are kept by month, so payments up to {month_end} "
                        "still count.")
    return as_of, warnings


def dataset_currency(con: duckdb.DuckDBPyConnection, config: AnalysisConfig) -> str:
    """The currency the manifest states for the staged amounts (CNY for a database staged without one).

    Every money threshold of ``config`` defaults to CNY (:mod:`chainsight.graph.thresholds`): a
    dataset in another currency must state those that would judge it in its own currency, or a rule
    would compare euros with yuan.

    Raises
    ------
    ConfigError
        When the dataset is not in CNY and a money threshold that judges it is still a CNY default.
    """
    columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() "
                                         "WHERE table_name = 'dataset' AND NOT internal").fetchall()}
    currency = str(_scalar(con, "SELECT currency FROM dataset") or "CNY") if "currency" in columns else "CNY"
    master = bool(_scalar(con, "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM customer_rejects)"))
    require_own_currency(config, currency, master=master)
    return currency


def read_inputs(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, pd.DataFrame]:
    """The staged tables analysis needs, each read once, as they stood on ``as_of``.

    Flows of months after ``as_of``'s month and month-end balances after it are left out: they say
    nothing about the firms on that day. ``flows`` is re-aggregated from the kept months.
    """
    month = date(as_of.year, as_of.month, 1)
    try:
        return {
            # Integer codes (position in the id-sorted enterprise table) come from DuckDB, so the
            # graph build never hashes millions of id strings in Python.
            "flows": con.execute("""
                WITH ids AS (SELECT enterprise_id, row_number() OVER (ORDER BY enterprise_id) - 1 AS code
                             FROM enterprises),
                f AS (SELECT payer_id, payee_id, sum(amount) AS amount, sum(count) AS count,
                             min(first_date) AS first_date, max(last_date) AS last_date,
                             count(*) AS active_months, sum(amount_payer_ours) AS amount_payer_ours,
                             sum(amount_payee_ours) AS amount_payee_ours
                      FROM flow_months WHERE month <= ? GROUP BY ALL)
                SELECT f.*, p.code AS payer_code, q.code AS payee_code
                FROM f JOIN ids p ON p.enterprise_id = f.payer_id JOIN ids q ON q.enterprise_id = f.payee_id
                ORDER BY f.payer_id, f.payee_id""", [month]).df(),
            "flow_months": con.execute("SELECT * FROM flow_months WHERE month <= ? ORDER BY ALL", [month]).df(),
            "enterprises": con.execute("SELECT * FROM enterprises ORDER BY enterprise_id").df(),
            "customers": con.execute("SELECT * FROM customers ORDER BY customer_id").df(),
            "customer_rejects": con.execute("SELECT enterprise_id, customer_id, reason FROM customer_rejects "
                                            "ORDER BY line").df(),
            "accounts": con.execute("SELECT * FROM our_accounts ORDER BY account_no").df(),
            "balances": con.execute("""SELECT k.enterprise_id, b.month, sum(b.balance)::DOUBLE AS balance
                FROM monthly_balances b JOIN known_customers k USING (customer_id) WHERE b.month <= ?
                GROUP BY ALL ORDER BY ALL""", [month]).df(),
        }
    except duckdb.CatalogException as exc:
        raise NotAnalysed("the database has no staged flows: run `chainsight ingest` first") from exc


def _score(flows: pd.DataFrame, enterprises: pd.DataFrame, scoring: CoreScoring,
           currency: str = "CNY") -> pd.DataFrame:
    """Core scores over integer-coded edges, mapped back to enterprise ids (same order and ties:
    codes follow the sorted ids)."""
    ids = enterprises["enterprise_id"].to_numpy()
    # the balance rule weighs all the trade a firm pays and is paid, not only the ties scored
    totals = pd.DataFrame({"paid": flows.groupby("payer_code")["amount"].sum(),
                           "received": flows.groupby("payee_code")["amount"].sum()}).fillna(0.0)
    flows = trading_ties(flows, scoring)
    edges = pd.DataFrame({"payer": flows["payer_code"].to_numpy(), "payee": flows["payee_code"].to_numpy(),
                          "amount": flows["amount"].to_numpy(), "count": flows["count"].to_numpy(),
                          "active_months": flows["active_months"].to_numpy()})
    names = pd.Series(enterprises["name"].to_numpy(), index=pd.RangeIndex(len(ids)))
    scored = score_cores(edges, names, scoring, currency=currency, totals=totals)
    scored["enterprise_id"] = ids[scored["enterprise_id"].to_numpy(dtype="int64")]
    return scored


def pick_cores(flows: pd.DataFrame, enterprises: pd.DataFrame, config: AnalysisConfig,
               currency: str = "CNY") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every firm scored, the hubs, and the cores chains are built for (best first).

    ``flows`` are the staged trade edges with ``payer_code``/``payee_code`` (positions in the
    id-sorted ``enterprises``). The score runs over :func:`~chainsight.graph.cores.trading_ties`;
    a hub is not a core unless ``config.cores.allow_hubs``.
    """
    names = enterprises.set_index("enterprise_id")["name"]
    hubs = hub_firms(flows, names, config.hubs)
    scored = _score(flows, enterprises, config.cores, currency)
    # no trading tie at all leaves an empty, object-typed frame: select rows, never columns
    candidates = scored[scored["is_core"].astype(bool).to_numpy()]
    if not config.cores.allow_hubs:
        candidates = candidates[~candidates["enterprise_id"].isin(hubs["enterprise_id"])]
    floor = config.chains.min_score_ratio * (candidates["score"].max() if len(candidates) else 0.0)
    core_rows = candidates[candidates["score"] >= floor].head(config.chains.max_cores).reset_index(drop=True)
    return scored, hubs, core_rows


def _products(values: pd.Series) -> str:
    """The products of all a firm's records, ``;``-separated, each once, in first-seen order."""
    held = (p for v in values if isinstance(v, str) for p in v.replace("；", ";").split(";") if p)
    return ";".join(dict.fromkeys(held))


def _firms(inputs: dict[str, pd.DataFrame], scored: pd.DataFrame, cap: float, as_of: date) -> pd.DataFrame:
    """One row per enterprise: identity, customer attributes, eligibility and core metrics."""
    customers = inputs["customers"]
    judged = no_loan_eligibility(customers, cap, inputs["customer_rejects"])
    held = customers.groupby("enterprise_id").agg(ebanking=("ebanking", "any"), products=("products", _products))
    accounts = inputs["accounts"]
    # An account closed after as_of was open on that day.
    closed = accounts.assign(closed_flag=pd.to_datetime(accounts["closed"]) <= pd.Timestamp(as_of)) \
        .groupby("enterprise_id")["closed_flag"].any().rename("account_closed")
    keep = ["enterprise_id", "customer_type", *MONEY_COLUMNS, "deposits", "eligible", "eligibility_rule",
            "records"]
    firms = inputs["enterprises"].drop(columns=["customer_type"]).merge(
        judged[keep], on="enterprise_id", how="left")
    firms = firms.merge(held, left_on="enterprise_id", right_index=True, how="left")
    firms = firms.merge(closed, left_on="enterprise_id", right_index=True, how="left")
    firms["account_closed"] = firms["account_closed"].astype("boolean").fillna(False).astype(bool)
    firms["eligible"] = firms["eligible"].astype("boolean").fillna(False).astype(bool)
    firms["eligibility_rule"] = firms["eligibility_rule"].fillna("not_customer")
    firms["ebanking"] = firms["ebanking"].astype("boolean").fillna(False).astype(bool)
    firms["products"] = firms["products"].fillna("")
    metrics = scored.drop(columns=["name", "explanation", "explanation_zh"])
    metrics = metrics.rename(columns={"rank": "core_rank", "score": "core_score"})
    return firms.merge(metrics, on="enterprise_id", how="left").sort_values("enterprise_id",
                                                                            ignore_index=True)


def analyze(con: duckdb.DuckDBPyConnection, config: AnalysisConfig | None = None, *,
            progress: Progress = _quiet) -> Analysis:
    """Run the whole analysis over the staging database behind ``con``."""
    config = config or AnalysisConfig()
    steps = ["reading flows", "scoring cores", "building chains", "ranking prospects", "leakage and alerts"]
    progress(steps[0], 0, len(steps))
    as_of, warnings = analysis_date(con, config.as_of)
    currency = dataset_currency(con, config)
    inputs = read_inputs(con, as_of)
    flows, flow_months = inputs["flows"], inputs["flow_months"]
    if flows.empty:
        raise NotAnalysed("there are no trade flows to analyse: check the ingest report")
    # The ties the core score runs over, published with the flows (Neo4j GDS projects the same ones).
    flows = flows.assign(trading=flows.index.isin(trading_ties(flows, config.cores).index))
    names = inputs["enterprises"].set_index("enterprise_id")["name"]
    progress(steps[1], 1, len(steps))
    scored, hubs, core_rows = pick_cores(flows, inputs["enterprises"], config, currency)
    core_ids = core_rows["enterprise_id"].tolist()
    progress(steps[2], 2, len(steps))
    members, excluded = chain_membership(flows, flow_months, core_ids, config.chains,
                                         pd.Index(hubs["enterprise_id"]))
    excluded["reason"] = excluded["rule"].map(lambda rule: rule_reason(str(rule), config.chains, currency))
    firms = _firms(inputs, scored, config.no_loan_cap, as_of)
    progress(steps[3], 3, len(steps))
    prospects = rank_prospects(members, firms, inputs["balances"], config.prospects, currency,
                               cap=config.no_loan_cap)
    progress(steps[4], 4, len(steps))
    leak, leak_top = leakage(flows, core_ids, names)
    found = alerts(flow_months, core_ids, names, config.alerts, currency)
    cores = _core_table(core_rows, members)
    links = entity_links(con, firms["enterprise_id"])
    meta = {"analysed_at": datetime.now().isoformat(timespec="seconds"), "as_of": as_of.isoformat(),
            "currency": currency, "warnings": warnings,
            "n_enterprises": len(firms), "n_flows": len(flows), "n_cores": len(cores),
            "n_members": len(members), "n_prospects": len(prospects), "n_hubs": len(hubs),
            "n_excluded_ties": len(excluded), "n_entity_links": len(links),
            "config": json.loads(config.model_dump_json())}
    progress("done", len(steps), len(steps))
    return Analysis(meta=meta, firms=firms, cores=cores, members=members, prospects=prospects,
                    leakage=leak, leakage_top=leak_top, alerts=found, flows=flows,
                    balances=inputs["balances"], excluded=excluded, hubs=hubs, entity_links=links)


def entity_links(con: duckdb.DuckDBPyConnection, firms: pd.Series) -> pd.DataFrame:
    """Each mention of an analysed firm (``entity_mentions``) with its rule's sentence and the evidence
    file's path, most used first (empty for a database staged before mentions were kept)."""
    if not table_exists(con, "entity_mentions"):
        return pd.DataFrame()
    links = con.execute("""
        SELECT m.enterprise_id, m.name, m.account, m.uscc, m.rule, f.path AS file, m.line, m.customer_id,
               m.candidates, m.rows
        FROM entity_mentions m LEFT JOIN files f USING (file_id)
        ORDER BY m.enterprise_id, m.rows DESC, m.name NULLS LAST, m.account NULLS LAST""").df()
    links = links[links["enterprise_id"].isin(firms)].reset_index(drop=True)
    links.insert(5, "reason", links["rule"].map(MENTION_RULES))
    links["line"] = [None if pd.isna(v) else int(v) for v in links["line"]]  # NULL made the column float
    return links


def _core_table(core_rows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Cores with the size of their chains by side and tier."""
    cores = core_rows.copy()
    if len(members):  # no core (or no member) is a valid answer, not a pandas error
        counts = members.pivot_table(index="core_id", columns=["direction", "tier"], values="enterprise_id",
                                     aggfunc="count", fill_value=0)
        labels: list[Any] = list(counts.columns)
        counts.columns = pd.Index([f"n_{side}{tier}" for side, tier in labels])
        cores = core_rows.merge(counts, left_on="enterprise_id", right_index=True, how="left")
    for col in ("n_up1", "n_up2", "n_down1", "n_down2"):
        cores[col] = cores.get(col, pd.Series(0, index=cores.index)).fillna(0).astype(int)
    cores["rank"] = range(1, len(cores) + 1)
    return cores
