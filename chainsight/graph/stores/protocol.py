"""The one seam between analytics and everything that reads them: the :class:`GraphStore` protocol.

The API, the views and the notebooks see only this protocol. Two real stores implement it —
:class:`~chainsight.graph.stores.local.LocalStore` (a DuckDB file, the embedded default) and
:class:`~chainsight.graph.stores.neo4j_store.Neo4jStore` (a Neo4j server over Bolt) — and one test suite
runs against both: a question the two answer differently is a bug.

Every list a store returns is a pandas DataFrame with the columns named here, in this order, sorted
deterministically (ties broken by ``enterprise_id``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, NamedTuple, Protocol, runtime_checkable

import networkx as nx
import numpy as np
import pandas as pd

from chainsight.graph.result import Analysis

CORE_COLUMNS = (
    "enterprise_id", "name", "rank", "score", "is_customer", "branch", "manager", "n_suppliers",
    "n_customers", "out_strength", "in_strength", "pagerank", "pagerank_rev", "hub", "authority",
    "betweenness", "position", "active_months", "n_up1", "n_up2", "n_down1", "n_down2",
    "explanation", "explanation_zh",
)
MEMBER_COLUMNS = (
    "core_id", "enterprise_id", "name", "direction", "tier", "via_id", "amount", "count",
    "active_months", "share_of_core", "dependency", "trend", "ppr", "n_cores", "is_customer",
    "eligible", "branch",
)
PROSPECT_COLUMNS = (
    "core_id", "enterprise_id", "name", "rank", "score", "kind", "eligible", "is_customer",
    "direction", "tier", "via_id", "segment", "segment_zh", "stage", "stage_zh", "products",
    "reasons_en", "reasons_zh", "branch", "manager", "c_strength", "c_regularity", "c_dependency",
    "c_tier_decay", "c_multi_core", "c_growth", "c_tier_gap", "evidence",
)
EDGE_COLUMNS = ("payer_id", "payee_id", "amount", "count", "active_months")
#: A tie the analysis looked at and left out of a core's chain, with the rule that left it out.
EXCLUDED_COLUMNS = ("core_id", "enterprise_id", "name", "direction", "tier", "via_id", "amount", "count",
                    "active_months", "share_of_core", "dependency", "rule", "reason")
#: A mention (account, name) merged into a firm: the USCC it carried, the rule that made it the firm's
#: (``chainsight.ingest.links.MENTION_RULES``) with its sentence, and the evidence (file and line of
#: the row, or the customer record); ``candidates``: the firms an ambiguous name could be.
ENTITY_LINK_COLUMNS = ("enterprise_id", "name", "account", "uscc", "rule", "reason", "file", "line",
                       "customer_id", "candidates", "rows")
ALERT_COLUMNS = (
    "core_id", "enterprise_id", "name", "direction", "kind", "severity", "previous_amount",
    "recent_amount", "previous_share", "recent_share", "detail_en", "detail_zh",
)
LEAKAGE_COLUMNS = (
    "core_id", "paid_total", "paid_offus", "paid_offus_share", "received_total", "received_offus",
    "received_offus_share", "n_external_counterparties",
)
LEAKAGE_TOP_COLUMNS = ("core_id", "enterprise_id", "name", "direction", "amount_offus", "share_of_core",
                       "rank")

ProspectKind = Literal["deepen", "acquire", "credit_team", "existing"]
SORTS = {"rank": ("rank", True), "score": ("score", False), "name": ("name", True)}


@dataclass(frozen=True)
class ProspectFilter:
    """What a prospect list is narrowed to; ``None`` means no restriction.

    By default only the two marketing kinds are listed: our eligible no-loan customers (``deepen``)
    and firms banking elsewhere (``acquire``); customers with credit go to the credit team.
    """

    kinds: tuple[str, ...] | None = ("deepen", "acquire")
    direction: Literal["up", "down"] | None = None
    tier: int | None = None
    segment: str | None = None
    stage: str | None = None
    eligible: bool | None = None
    branch: str | None = None
    manager: str | None = None
    min_score: float | None = None
    name_contains: str | None = None


@dataclass(frozen=True)
class Scope:
    """Who may see what — the access rule's parameters, which every store translates into its query.

    A reader whose scope is ``Scope(branches, assigned)`` sees, of a list about cores' chains:

    * a **firm that is our customer** (``is_customer`` in the firm table) when its ``branch`` is in
      ``branches``;
    * a **firm at another bank** when it is in ``assigned`` (an admin put it in one of those branches),
      or when the row is about a core that is our customer in one of ``branches``;
    * only rows whose **core** is visible by the same two rules (judged as a firm in no chain).

    ``None`` instead of a scope means everything (analysts, admins). :meth:`firm` is the rule in
    Python (for single firms); :func:`chainsight.graph.stores.local.scope_where` and the Cypher
    ``_SCOPE`` fragment are the same rule as query text; the store tests check that all three agree.

    >>> s = Scope(frozenset({"B1"}), frozenset({"X"}))
    >>> s.firm("A", True, "B1", core_served=False), s.firm("A", True, "B2", core_served=True)
    (True, False)
    >>> s.firm("X", False, None, core_served=False), s.firm("Y", False, None, core_served=True)
    (True, True)
    """

    branches: frozenset[str]
    assigned: frozenset[str] = frozenset()

    def firm(self, firm_id: str, is_customer: bool, branch: str | None, *, core_served: bool) -> bool:
        """Whether a firm is visible; ``core_served``: the row's core is our customer in ``branches``."""
        if is_customer:
            return branch in self.branches
        return firm_id in self.assigned or core_served

    def params(self) -> tuple[list[str], list[str]]:
        """The branches and assigned firms as sorted lists (query parameters)."""
        return sorted(self.branches), sorted(self.assigned)


class Page(NamedTuple):
    """One page of a list and the size of the whole list."""

    data: pd.DataFrame
    count: int  # type: ignore[assignment]  # shadows tuple.count on purpose: it is the total


@dataclass
class Chain:
    """A core, its chain members (tier ≤ depth) and the trade edges among them."""

    core: dict[str, Any]
    members: pd.DataFrame
    edges: pd.DataFrame

    def to_networkx(self) -> nx.DiGraph:
        """The chain as a directed graph: nodes carry member attributes, edges ``amount``/``count``.

        Edges point with the money (payer → payee), so suppliers are successors of the core.
        """
        graph = nx.DiGraph(core_id=self.core["enterprise_id"])
        graph.add_node(self.core["enterprise_id"], name=self.core.get("name"), role="core", tier=0,
                       direction="core")
        for row in self.members.to_dict("records"):
            attrs = {str(k): v for k, v in row.items() if k not in ("enterprise_id", "core_id")}
            graph.add_node(row["enterprise_id"], role="member", **attrs)
        for row in self.edges.to_dict("records"):
            graph.add_edge(row["payer_id"], row["payee_id"], amount=row["amount"], count=row["count"],
                           active_months=row["active_months"])
        return graph


@dataclass
class Leakage:
    """How much of a core's business runs through other banks, and with whom."""

    summary: dict[str, Any]
    top: pd.DataFrame = field(default_factory=pd.DataFrame)


@runtime_checkable
class GraphStore(Protocol):
    """Where a published analysis lives and how everything reads it."""

    def publish(self, analysis: Analysis) -> None:
        """Replace the store's content with ``analysis`` (idempotent: publishing twice = once)."""

    def summary(self) -> dict[str, Any]:
        """When it was analysed, as of which date, and how many cores, members and prospects."""

    def cores(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """The analysed cores, best first (``CORE_COLUMNS``)."""

    def chain(self, core_id: str, depth: int = 2) -> Chain:
        """One core's chain up to ``depth`` tiers (``MEMBER_COLUMNS``, ``EDGE_COLUMNS``)."""

    def firms(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """Every analysed firm by ``enterprise_id``: identity, customer values, eligibility, core metrics
        (``FIRM_COLUMNS`` of :mod:`chainsight.graph.stores.local`)."""

    def prospects(self, core_id: str | None = None, *, filters: ProspectFilter | None = None,
                  sort: str = "rank", skip: int = 0, limit: int | None = 100, scope: Scope | None = None) -> Page:
        """Ranked prospects of one core (or of every core), filtered and paged (``PROSPECT_COLUMNS``);
        with ``scope``, only the rows it may see (paged and counted after the rule)."""

    def enterprise(self, enterprise_id: str) -> dict[str, Any]:
        """One firm with its evidence: attributes, the chains it is in, its prospect rows, and the ties
        it was left out of (``excluded``, each with its rule; None when the store predates them)."""

    def excluded(self, core_id: str | None = None, enterprise_id: str | None = None, *, skip: int = 0,
                 limit: int | None = None) -> Page:
        """Ties left out of chains, each with its rule (``EXCLUDED_COLUMNS``), by core, tier, side, amount.

        Raises :class:`~chainsight.errors.NotAnalysed` when the store was published before excluded
        ties were (run ``chainsight analyze`` again).
        """

    def why_missing(self, core_id: str, enterprise_id: str) -> list[str]:
        """Why a firm is not (or not only) in a core's chain: one sentence per tie left out."""

    def entity_links(self, enterprise_id: str) -> pd.DataFrame:
        """Why merged: the mentions (names, USCCs, accounts) resolved to the firm, each with its rule and
        evidence, most used first (``ENTITY_LINK_COLUMNS``).

        Raises :class:`~chainsight.errors.NotFound` for an unknown firm and
        :class:`~chainsight.errors.NotAnalysed` when the store was published before links were.
        """

    def leakage(self, core_id: str) -> Leakage:
        """Off-us shares of the core's payments and receipts and its top external counterparties."""

    def alerts(self, core_id: str | None = None, *, kinds: tuple[str, ...] | None = None,
               skip: int = 0, limit: int | None = None, scope: Scope | None = None) -> Page:
        """Changes between the two latest periods (``ALERT_COLUMNS``); with ``scope``, only visible rows."""

    def close(self) -> None:
        """Release connections."""


def plain(value: Any) -> Any:
    """A value as plain Python: numpy scalars unwrapped, arrays as lists, NaN/NaT/NA as None.

    >>> import numpy as np
    >>> plain(np.int64(3)), plain(float("nan")), plain(np.array([1.5])), plain(pd.NA)
    (3, None, [1.5], None)
    """
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    return value


def plain_column(series: pd.Series) -> list[Any]:
    """One column as plain Python values — :func:`plain` of each cell, column-wise where the dtype allows.

    >>> plain_column(pd.Series([1.5, float("nan")])), plain_column(pd.Series([1, 2]))
    ([1.5, None], [1, 2])
    """
    dtype = series.dtype
    values = series.tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return values
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [None if v != v else v for v in values]
    return [v if v is None or type(v) is str else plain(v) for v in values]


def records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of ``frame`` as plain dicts over exactly ``columns`` (missing ones None)."""
    empty = [None] * len(frame)
    cells = [plain_column(frame[c]) if c in frame.columns else empty for c in columns]
    return [dict(zip(columns, row)) for row in zip(*cells)] if columns else [{} for _ in empty]


def records_frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The DataFrame every store returns: built from plain dicts, so both stores type it alike."""
    return pd.DataFrame([{c: plain(r.get(c)) for c in columns} for r in rows], columns=list(columns))


def plain_frame(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``records_frame(records(frame, columns), columns)`` built column by column (the same frame, faster)."""
    if frame.empty:
        return records_frame([], columns)
    empty = [None] * len(frame)
    return pd.DataFrame({c: plain_column(frame[c]) if c in frame.columns else empty for c in columns},
                        columns=list(columns))


def ordered(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with exactly ``columns`` in that order (missing ones as None), index reset."""
    out = frame.copy()
    for col in columns:
        if col not in out:
            out[col] = None
    return out[list(columns)].reset_index(drop=True)


def excluded_rows(analysis: Analysis) -> pd.DataFrame:
    """The analysis' excluded ties with each firm's name, as both stores publish them."""
    excluded = analysis.excluded
    if excluded.empty:
        return pd.DataFrame(columns=list(EXCLUDED_COLUMNS))
    names = analysis.firms[["enterprise_id", "name"]] if "name" in analysis.firms else None
    if names is not None and "name" not in excluded:
        excluded = excluded.merge(names, on="enterprise_id", how="left")
    return ordered(excluded, EXCLUDED_COLUMNS)


def entity_link_rows(analysis: Analysis) -> pd.DataFrame:
    """The analysis' entity links over exactly ``ENTITY_LINK_COLUMNS``, in their published order."""
    return plain_frame(analysis.entity_links, ENTITY_LINK_COLUMNS)


def check_sort(sort: str) -> tuple[str, bool]:
    """The column and direction of a prospect sort key; unknown keys are a ValueError."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {sorted(SORTS)}")
    return SORTS[sort]
