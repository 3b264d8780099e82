"""``LocalStore``: the embedded default — the analysis published into tables of a DuckDB file.

It can be the staging file itself (the demo does that) or any other file. Tables are prefixed ``cs_``
and replaced whole, in one transaction, on every publish; reads are parameterised SQL with a
deterministic order.

Examples
--------
>>> store = LocalStore(":memory:")
>>> store.summary()["analysed"]
False
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from chainsight.errors import NotAnalysed, NotFound, StoreUnavailable
from chainsight.graph.result import Analysis, left_out_sentence
from chainsight.graph.stores.protocol import (
    ALERT_COLUMNS, CORE_COLUMNS, EDGE_COLUMNS, ENTITY_LINK_COLUMNS, EXCLUDED_COLUMNS, LEAKAGE_COLUMNS,
    LEAKAGE_TOP_COLUMNS, MEMBER_COLUMNS, PROSPECT_COLUMNS, Chain, Leakage, Page, ProspectFilter, Scope, check_sort,
    entity_link_rows, excluded_rows, ordered, plain, plain_frame, records,
)

FIRM_COLUMNS = (
    "enterprise_id", "name", "uscc", "is_customer", "customer_id", "customer_type", "branch", "manager",
    "n_accounts", "n_accounts_ours", "n_names", "eligible", "eligibility_rule", "deposits",
    "credit_on_balance", "credit_off_balance", "loan_balance", "ebanking", "products", "core_rank",
    "core_score", "is_core", "out_strength", "in_strength", "n_suppliers", "n_customers", "pagerank",
    "pagerank_rev", "hub", "authority", "betweenness", "position", "active_months",
)


def _page(sql: str, params: list[Any], skip: int, limit: int | None) -> tuple[str, list[Any]]:
    tail = " LIMIT ? OFFSET ?" if limit is not None else " OFFSET ?"
    return sql + tail, params + ([limit, skip] if limit is not None else [skip])


def prospect_where(core_id: str | None, f: ProspectFilter) -> tuple[str, list[Any]]:
    """SQL WHERE clause and parameters for a prospect filter (shared shape with the Cypher one)."""
    clauses: list[str] = ["TRUE"]
    params: list[Any] = []
    if core_id is not None:
        clauses.append("core_id = ?")
        params.append(core_id)
    if f.kinds is not None:
        clauses.append("list_contains(?, kind)")
        params.append(list(f.kinds))
    for column in ("direction", "tier", "segment", "stage", "eligible", "branch", "manager"):
        value = getattr(f, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.min_score is not None:
        clauses.append("score >= ?")
        params.append(f.min_score)
    if f.name_contains:
        clauses.append("contains(name, ?)")
        params.append(f.name_contains)
    return " AND ".join(clauses), params


_CUSTOMERS_IN = "SELECT enterprise_id FROM cs_firms WHERE is_customer AND list_contains(?, branch)"
_CUSTOMERS = "SELECT enterprise_id FROM cs_firms WHERE is_customer"


def _visible_firm(firm: str, core: str | None, scope: Scope) -> tuple[str, list[Any]]:
    branches, assigned = scope.params()
    served = f" OR {core} IN ({_CUSTOMERS_IN})" if core else ""
    sql = (f"({firm} IN ({_CUSTOMERS_IN}) OR ({firm} NOT IN ({_CUSTOMERS}) "
           f"AND (list_contains(?, {firm}){served})))")
    return sql, [branches, assigned, *([branches] if core else [])]


def scope_where(scope: Scope | None) -> tuple[str, list[Any]]:
    """SQL condition and parameters of :class:`Scope`'s rule for a table with ``core_id, enterprise_id``.

    Customer status and branch come from ``cs_firms``; ``None`` is no restriction.

    >>> scope_where(None)
    ('TRUE', [])
    >>> scope_where(Scope(frozenset({"B1"})))[1]
    [['B1'], [], ['B1'], [], ['B1']]
    """
    if scope is None:
        return "TRUE", []
    core_sql, core_params = _visible_firm("core_id", None, scope)
    firm_sql, firm_params = _visible_firm("enterprise_id", "core_id", scope)
    return f"{core_sql} AND {firm_sql}", core_params + firm_params


class LocalStore:
    """A :class:`~chainsight.graph.stores.protocol.GraphStore` in a DuckDB file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._read_only = False

    # -- connection -------------------------------------------------------------------------
    def _connect(self, write: bool = False) -> duckdb.DuckDBPyConnection:
        if self._con is not None and (not write or not self._read_only):
            return self._con
        self.close()
        memory = self.path == ":memory:"
        read_only = not write and not memory and Path(self.path).exists()
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc
        self._read_only = read_only
        return self._con

    def close(self) -> None:
        """Release the DuckDB connection."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def _query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        con = self._connect()
        try:
            return con.execute(sql, params or []).df()
        except duckdb.CatalogException as exc:
            raise NotAnalysed(f"{self.path} holds no analysis: run `chainsight analyze`") from exc

    # -- write ------------------------------------------------------------------------------
    def publish(self, analysis: Analysis) -> None:
        """Replace every ``cs_`` table with ``analysis``, all or nothing."""
        nodes = set(analysis.cores["enterprise_id"]) | set(analysis.members["enterprise_id"])
        flows = analysis.flows
        edges = flows[flows["payer_id"].isin(nodes) & flows["payee_id"].isin(nodes)]
        prospects = analysis.prospects.copy()
        prospects["evidence"] = [json.dumps(e, ensure_ascii=False, default=_jsonable)
                                 for e in prospects["evidence"]]
        prospects["products"] = [list(p) for p in prospects["products"]]
        firms = analysis.firms.copy()
        firms["is_core"] = firms["enterprise_id"].isin(analysis.cores["enterprise_id"])
        tables = {
            "cs_firms": ordered(firms, FIRM_COLUMNS),
            "cs_cores": ordered(_with_firm(analysis.cores, firms), CORE_COLUMNS),
            "cs_members": ordered(_with_firm(analysis.members, firms), MEMBER_COLUMNS),
            "cs_prospects": ordered(prospects, PROSPECT_COLUMNS),
            "cs_edges": ordered(edges, EDGE_COLUMNS),
            "cs_leakage": ordered(analysis.leakage, LEAKAGE_COLUMNS),
            "cs_leakage_top": ordered(analysis.leakage_top, LEAKAGE_TOP_COLUMNS),
            "cs_alerts": ordered(analysis.alerts, ALERT_COLUMNS),
            "cs_excluded": ordered(excluded_rows(analysis), EXCLUDED_COLUMNS),
            "cs_entity_links": _sequenced(entity_link_rows(analysis)),
            "cs_meta": pd.DataFrame({"meta": [json.dumps(analysis.meta, default=_jsonable)]}),
        }
        con = self._connect(write=True)
        con.execute("BEGIN TRANSACTION")
        try:
            for name, frame in tables.items():
                con.register("_frame", frame)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame")
                con.unregister("_frame")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.close()
        if self.path != ":memory:":
            # A served app reads the snapshot, never this file: analyze and ingest stay unblocked.
            from chainsight.graph.stores.snapshots import write_snapshot  # it builds on this module

            write_snapshot(self.path, tables)

    # -- read -------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The published analysis' metadata, or ``{"analysed": False}``."""
        try:
            meta = self._query("SELECT meta FROM cs_meta")["meta"].iloc[0]
        except (NotAnalysed, StoreUnavailable, duckdb.Error):
            return {"analysed": False}
        return {"analysed": True, **json.loads(meta)}

    def cores(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """Cores, best first."""
        sql, params = _page("SELECT * FROM cs_cores ORDER BY rank, enterprise_id", [], skip, limit)
        total = int(self._query("SELECT count(*) AS n FROM cs_cores")["n"].iloc[0])
        return Page(self._frame(sql, params, CORE_COLUMNS), total)

    def firms(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """Every analysed firm by ``enterprise_id``, with the values the analysis judged it on."""
        sql, params = _page("SELECT * FROM cs_firms ORDER BY enterprise_id", [], skip, limit)
        total = int(self._query("SELECT count(*) AS n FROM cs_firms")["n"].iloc[0])
        return Page(self._frame(sql, params, FIRM_COLUMNS), total)

    def _frame(self, sql: str, params: list[Any], columns: tuple[str, ...]) -> pd.DataFrame:
        return plain_frame(self._query(sql, params), columns)

    def _core(self, core_id: str) -> dict[str, Any]:
        rows = self._query("SELECT * FROM cs_cores WHERE enterprise_id = ?", [core_id])
        if rows.empty:
            raise NotFound(f"{core_id} is not an analysed core")
        return records(rows, CORE_COLUMNS)[0]

    def chain(self, core_id: str, depth: int = 2) -> Chain:
        """The core, its members up to ``depth`` and the trade edges among them."""
        core = self._core(core_id)
        members = self._frame("SELECT * FROM cs_members WHERE core_id = ? AND tier <= ? "
                              "ORDER BY tier, direction, amount DESC, enterprise_id", [core_id, depth],
                              MEMBER_COLUMNS)
        nodes = [core_id, *members["enterprise_id"].tolist()]
        edges = self._frame("SELECT * FROM cs_edges WHERE list_contains(?, payer_id) AND "
                            "list_contains(?, payee_id) ORDER BY payer_id, payee_id", [nodes, nodes],
                            EDGE_COLUMNS)
        return Chain(core, members, edges)

    def prospects(self, core_id: str | None = None, *, filters: ProspectFilter | None = None,
                  sort: str = "rank", skip: int = 0, limit: int | None = 100, scope: Scope | None = None) -> Page:
        """Prospects matching ``filters`` that ``scope`` may see, sorted, one page of them and the total."""
        column, ascending = check_sort(sort)
        where, params = prospect_where(core_id, filters or ProspectFilter())
        scoped, scope_params = scope_where(scope)
        where, params = f"{where} AND {scoped}", params + scope_params
        order = f"{column} {'ASC' if ascending else 'DESC'}, core_id, enterprise_id"
        sql, paged = _page(f"SELECT *, count(*) OVER () AS _total FROM cs_prospects WHERE {where} "
                           f"ORDER BY {order}", params, skip, limit)
        rows = self._query(sql, paged)
        if rows.empty:  # a page past the end still says how many there are
            total = int(self._query(f"SELECT count(*) AS n FROM cs_prospects WHERE {where}", params)["n"].iloc[0])
        else:
            total = int(rows["_total"].iloc[0])
        rows["evidence"] = [json.loads(e) for e in rows["evidence"]]
        return Page(plain_frame(rows, PROSPECT_COLUMNS), total)

    def enterprise(self, enterprise_id: str) -> dict[str, Any]:
        """A firm's attributes, the chains it belongs to and its prospect rows."""
        firm = self._query("SELECT * FROM cs_firms WHERE enterprise_id = ?", [enterprise_id])
        if firm.empty:
            raise NotFound(f"no enterprise {enterprise_id}")
        card = records(firm, FIRM_COLUMNS)[0]
        card["chains"] = records(self._query("SELECT * FROM cs_members WHERE enterprise_id = ? "
                                             "ORDER BY core_id", [enterprise_id]), MEMBER_COLUMNS)
        rows = records(self._query("SELECT * FROM cs_prospects WHERE enterprise_id = ? "
                                   "ORDER BY rank, core_id", [enterprise_id]), PROSPECT_COLUMNS)
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        card["prospects"] = rows
        try:
            card["excluded"] = records(self.excluded(enterprise_id=enterprise_id).data, EXCLUDED_COLUMNS)
        except NotAnalysed:
            card["excluded"] = None
        return card

    def excluded(self, core_id: str | None = None, enterprise_id: str | None = None, *, skip: int = 0,
                 limit: int | None = None) -> Page:
        """Ties left out of chains, by core, tier, side, amount (largest first) and firm."""
        if not self._has("cs_excluded"):
            self._query("SELECT meta FROM cs_meta")  # no analysis at all: NotAnalysed from there
            raise NotAnalysed(f"{self.path}: excluded ties not analysed: run `chainsight analyze`")
        where = "(? IS NULL OR core_id = ?) AND (? IS NULL OR enterprise_id = ?)"
        params: list[Any] = [core_id, core_id, enterprise_id, enterprise_id]
        sql, paged = _page(f"SELECT * FROM cs_excluded WHERE {where} ORDER BY core_id, tier, direction, "
                           "amount DESC, enterprise_id", params, skip, limit)
        total = int(self._query(f"SELECT count(*) AS n FROM cs_excluded WHERE {where}", params)["n"].iloc[0])
        return Page(self._frame(sql, paged, EXCLUDED_COLUMNS), total)

    def why_missing(self, core_id: str, enterprise_id: str) -> list[str]:
        """One sentence per tie of ``enterprise_id`` left out of ``core_id``'s chain, in the analysis' currency."""
        currency = str(self.summary().get("currency") or "CNY")
        return [left_out_sentence(r, currency) for r in records(self.excluded(core_id, enterprise_id).data,
                                                                EXCLUDED_COLUMNS)]

    def entity_links(self, enterprise_id: str) -> pd.DataFrame:
        """The mentions merged into ``enterprise_id``, each with its rule and evidence, most used first."""
        found = self._query("SELECT count(*) AS n FROM cs_firms WHERE enterprise_id = ?", [enterprise_id])
        if int(found["n"].iloc[0]) == 0:
            raise NotFound(f"no enterprise {enterprise_id}")
        if not self._has("cs_entity_links"):
            raise NotAnalysed(f"{self.path}: entity links not published: run `chainsight analyze`")
        return self._frame("SELECT * FROM cs_entity_links WHERE enterprise_id = ? ORDER BY seq", [enterprise_id],
                           ENTITY_LINK_COLUMNS)

    def _has(self, table: str) -> bool:
        found = self._connect().execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                                        "AND schema_name = 'main'", [table]).fetchone()
        return bool(found and found[0])

    def leakage(self, core_id: str) -> Leakage:
        """Off-us shares and top external counterparties of one core."""
        self._core(core_id)
        rows = records(self._query("SELECT * FROM cs_leakage WHERE core_id = ?", [core_id]), LEAKAGE_COLUMNS)
        top = self._frame("SELECT * FROM cs_leakage_top WHERE core_id = ? "
                          "ORDER BY direction, rank, enterprise_id", [core_id], LEAKAGE_TOP_COLUMNS)
        return Leakage(rows[0] if rows else {"core_id": core_id}, top)

    def alerts(self, core_id: str | None = None, *, kinds: tuple[str, ...] | None = None,
               skip: int = 0, limit: int | None = None, scope: Scope | None = None) -> Page:
        """Alerts that ``scope`` may see, most severe first."""
        clauses: list[str] = ["TRUE"]
        params: list[Any] = []
        if core_id is not None:
            clauses.append("core_id = ?")
            params.append(core_id)
        if kinds is not None:
            clauses.append("list_contains(?, kind)")
            params.append(list(kinds))
        scoped, scope_params = scope_where(scope)
        where = " AND ".join([*clauses, scoped])
        params += scope_params
        order = ("CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, core_id, kind, "
                 "enterprise_id")
        sql, paged = _page(f"SELECT * FROM cs_alerts WHERE {where} ORDER BY {order}", params, skip, limit)
        total = int(self._query(f"SELECT count(*) AS n FROM cs_alerts WHERE {where}", params)["n"].iloc[0])
        return Page(self._frame(sql, paged, ALERT_COLUMNS), total)


def _with_firm(frame: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Add name, branch, manager, is_customer and eligibility from the firm table where missing."""
    extra = [c for c in ("name", "branch", "manager", "is_customer", "eligible") if c not in frame]
    if not extra:
        return frame
    return frame.merge(firms[["enterprise_id", *extra]], on="enterprise_id", how="left")


def _sequenced(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``seq``, its row order, so reads return the rows in the order they were published.

    An empty frame keeps text columns (a column of no values would be typed NULL, a list one INTEGER).
    """
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="string") for c in frame.columns})
    return frame.assign(seq=np.arange(len(frame), dtype="int64"))


def _jsonable(value: object) -> object:
    converted = plain(value)
    return converted if converted is not value else str(value)
