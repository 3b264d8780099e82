"""``analyze``: from the staged flow graph to cores, chains, eligibility, prospects, leakage and alerts.

The flow edges are read from the staging database once, into DataFrames and then sparse arrays; every
algorithm below is a pure function; the result is one :class:`Analysis` value that a
:class:`~chainsight.graph.store.GraphStore` publishes.

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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chainsight.errors import ConfigError, NotAnalysed
from chainsight.graph.chains import ChainRules, chain_members
from chainsight.graph.cores import CoreScoring, score_cores
from chainsight.graph.eligibility import DEFAULT_CAP, no_loan_eligibility
from chainsight.graph.leakage import AlertRules, alerts, leakage
from chainsight.graph.prospects import ProspectScoring, rank_prospects

Progress = Callable[[str, int, int], None]


class AnalysisConfig(BaseModel):
    """Every rule and weight of the analysis; load from TOML with :meth:`from_toml`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date | None = Field(None, description="eligibility date; default the manifest's as_of, "
                                                 "else 31 Dec of the latest full year in the data")
    no_loan_cap: float = DEFAULT_CAP
    cores: CoreScoring = Field(default_factory=CoreScoring)
    chains: ChainRules = Field(default_factory=ChainRules)
    prospects: ProspectScoring = Field(default_factory=ProspectScoring)
    alerts: AlertRules = Field(default_factory=AlertRules)

    @classmethod
    def from_toml(cls, path: str | Path) -> AnalysisConfig:
        """Read ``[cores]``, ``[chains]``, ``[prospects]``, ``[alerts]`` … from a TOML file."""
        try:
            return cls.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc


@dataclass
class Analysis:
    """Everything ``analyze`` computed, as DataFrames ready to publish."""

    meta: dict[str, Any]
    firms: pd.DataFrame          # every enterprise with customer attributes, eligibility, metrics
    cores: pd.DataFrame          # the analysed cores, best first (subset of the scored firms)
    members: pd.DataFrame        # chain membership per core
    prospects: pd.DataFrame      # ranked prospects per core with segment, stage, products, reasons
    leakage: pd.DataFrame        # per core: off-us shares of payments and receipts
    leakage_top: pd.DataFrame    # per core: top external counterparties
    alerts: pd.DataFrame         # per core: changes between the two latest periods
    flows: pd.DataFrame          # trade edges (payer_id, payee_id, amount, count, months …)
    balances: pd.DataFrame = field(default_factory=pd.DataFrame)


def _quiet(step: str, done: int, total: int) -> None:
    """Default progress: silent."""


def _latest_full_year_end(flow_months: pd.DataFrame) -> date:
    """31 December of the latest year whose December is in the data (else the year before the last)."""
    last = pd.Timestamp(flow_months["month"].max()) if len(flow_months) else pd.Timestamp.today()
    year = last.year if last.month == 12 else last.year - 1
    return date(year, 12, 31)


def read_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The staged tables analysis needs, each read once."""
    try:
        return {
            # Integer codes (position in the id-sorted enterprise table) come from DuckDB, so the
            # graph build never hashes millions of id strings in Python.
            "flows": con.execute("""
                WITH ids AS (SELECT enterprise_id, row_number() OVER (ORDER BY enterprise_id) - 1 AS code
                             FROM enterprises)
                SELECT f.*, p.code AS payer_code, q.code AS payee_code
                FROM flows f JOIN ids p ON p.enterprise_id = f.payer_id JOIN ids q ON q.enterprise_id = f.payee_id
                ORDER BY f.payer_id, f.payee_id""").df(),
            "flow_months": con.execute("SELECT * FROM flow_months ORDER BY ALL").df(),
            "enterprises": con.execute("SELECT * FROM enterprises ORDER BY enterprise_id").df(),
            "customers": con.execute("SELECT * FROM customers ORDER BY customer_id").df(),
            "accounts": con.execute("SELECT * FROM our_accounts ORDER BY account_no").df(),
            "dataset": con.execute("SELECT * FROM dataset").df(),
            "balances": con.execute("""SELECT c.enterprise_id, b.month, sum(b.balance)::DOUBLE AS balance
                FROM monthly_balances b JOIN customers c USING (customer_id)
                GROUP BY ALL ORDER BY ALL""").df(),
        }
    except duckdb.CatalogException as exc:
        raise NotAnalysed("the database has no staged flows: run `chainsight ingest` first") from exc


def _score(flows: pd.DataFrame, enterprises: pd.DataFrame, scoring: CoreScoring) -> pd.DataFrame:
    """Core scores over integer-coded edges, mapped back to enterprise ids (same order and ties:
    codes follow the sorted ids)."""
    ids = enterprises["enterprise_id"].to_numpy()
    edges = pd.DataFrame({"payer": flows["payer_code"].to_numpy(), "payee": flows["payee_code"].to_numpy(),
                          "amount": flows["amount"].to_numpy(), "count": flows["count"].to_numpy(),
                          "active_months": flows["active_months"].to_numpy()})
    names = pd.Series(enterprises["name"].to_numpy(), index=pd.RangeIndex(len(ids)))
    scored = score_cores(edges, names, scoring)
    scored["enterprise_id"] = ids[scored["enterprise_id"].to_numpy(dtype="int64")]
    return scored


def _firms(inputs: dict[str, pd.DataFrame], scored: pd.DataFrame, cap: float) -> pd.DataFrame:
    """One row per enterprise: identity, customer attributes, eligibility and core metrics."""
    customers = no_loan_eligibility(inputs["customers"], cap)
    customers = customers.sort_values("customer_id").drop_duplicates("enterprise_id")
    closed = inputs["accounts"].assign(closed_flag=inputs["accounts"]["closed"].notna()) \
        .groupby("enterprise_id")["closed_flag"].any().rename("account_closed")
    keep = ["enterprise_id", "customer_type", "credit_on_balance", "credit_off_balance", "loan_balance",
            "dep_demand", "dep_time", "dep_notice", "dep_agreement", "dep_margin", "deposits", "ebanking",
            "products", "eligible", "eligibility_rule"]
    firms = inputs["enterprises"].drop(columns=["customer_type"]).merge(
        customers[keep], on="enterprise_id", how="left")
    firms = firms.merge(closed, left_on="enterprise_id", right_index=True, how="left")
    firms["account_closed"] = firms["account_closed"].fillna(False).astype(bool)
    firms["eligible"] = firms["eligible"].fillna(False).astype(bool)
    firms["eligibility_rule"] = firms["eligibility_rule"].fillna("not_customer")
    firms["ebanking"] = firms["ebanking"].fillna(False).astype(bool)
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
    inputs = read_inputs(con)
    flows, flow_months = inputs["flows"], inputs["flow_months"]
    if flows.empty:
        raise NotAnalysed("there are no trade flows to analyse: check the ingest report")
    names = inputs["enterprises"].set_index("enterprise_id")["name"]
    progress(steps[1], 1, len(steps))
    scored = _score(flows, inputs["enterprises"], config.cores)
    candidates = scored[scored["is_core"]]
    floor = config.chains.min_score_ratio * (candidates["score"].max() if len(candidates) else 0.0)
    core_rows = candidates[candidates["score"] >= floor].head(config.chains.max_cores).reset_index(drop=True)
    core_ids = core_rows["enterprise_id"].tolist()
    progress(steps[2], 2, len(steps))
    members = chain_members(flows, flow_months, core_ids, config.chains)
    firms = _firms(inputs, scored, config.no_loan_cap)
    progress(steps[3], 3, len(steps))
    prospects = rank_prospects(members, firms, inputs["balances"], config.prospects)
    progress(steps[4], 4, len(steps))
    leak, leak_top = leakage(flows, core_ids, names)
    found = alerts(flow_months, core_ids, names, config.alerts)
    cores = _core_table(core_rows, members)
    declared = inputs["dataset"]["as_of"].dropna()
    as_of = config.as_of or (pd.Timestamp(declared.iloc[0]).date() if len(declared)
                             else _latest_full_year_end(flow_months))
    meta = {"analysed_at": datetime.now().isoformat(timespec="seconds"), "as_of": as_of.isoformat(),
            "n_enterprises": len(firms), "n_flows": len(flows), "n_cores": len(cores),
            "n_members": len(members), "n_prospects": len(prospects),
            "config": json.loads(config.model_dump_json())}
    progress("done", len(steps), len(steps))
    return Analysis(meta=meta, firms=firms, cores=cores, members=members, prospects=prospects,
                    leakage=leak, leakage_top=leak_top, alerts=found, flows=flows,
                    balances=inputs["balances"])


def _core_table(core_rows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Cores with the size of their chains by side and tier."""
    counts = members.pivot_table(index="core_id", columns=["direction", "tier"], values="enterprise_id",
                                 aggfunc="count", fill_value=0)
    labels: list[Any] = list(counts.columns)
    counts.columns = pd.Index([f"n_{side}{tier}" for side, tier in labels])
    cores = core_rows.merge(counts, left_on="enterprise_id", right_index=True, how="left")
    for col in ("n_up1", "n_up2", "n_down1", "n_down2"):
        cores[col] = cores.get(col, pd.Series(0, index=cores.index)).fillna(0).astype(int)
    cores["rank"] = range(1, len(cores) + 1)
    return cores
