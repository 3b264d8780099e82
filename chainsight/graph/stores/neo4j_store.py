"""``Neo4jStore``: the analysis in a Neo4j server over Bolt, behind the same protocol as LocalStore.

Writes are ``UNWIND $rows … MERGE`` in batches (``NEO4J_BATCH_SIZE``); reads go through
``driver.execute_query(..., result_transformer_=neo4j.Result.to_df)``; all Cypher lives in
:mod:`chainsight.graph.stores.cypher`. Every publish tags what it writes with a new run id and finally
removes whatever an earlier run left, so an interrupted publish is repaired by running it again.

Connection problems (server down, wrong password) surface as
:class:`~chainsight.errors.StoreUnavailable` with the URI in the message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import neo4j
import pandas as pd
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from chainsight.config import Neo4jSettings
from chainsight.errors import NotAnalysed, NotFound, StoreError, StoreUnavailable
from chainsight.graph.result import Analysis, left_out_sentence
from chainsight.graph.stores import cypher
from chainsight.graph.stores.graph_rows import graph_rows
from chainsight.graph.stores.local import FIRM_COLUMNS
from chainsight.graph.stores.protocol import (
    ALERT_COLUMNS, CORE_COLUMNS, EDGE_COLUMNS, ENTITY_LINK_COLUMNS, EXCLUDED_COLUMNS, LEAKAGE_TOP_COLUMNS,
    MEMBER_COLUMNS, PROSPECT_COLUMNS, Chain, Leakage, Page, ProspectFilter, Scope, check_sort, records, records_frame,
)

Progress = Callable[[str, int, int], None]
_SORTS = {"rank": cypher.PROSPECTS_BY_RANK, "score": cypher.PROSPECTS_BY_SCORE,
          "name": cypher.PROSPECTS_BY_NAME}
_ALL = 2**62  # LIMIT for "no limit": Cypher needs a number
_EDGE_PROPS = cypher.PAYS_PROPERTIES


def _quiet(step: str, done: int, total: int) -> None:
    """Default progress: silent."""


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


class Neo4jStore:
    """A :class:`~chainsight.graph.stores.protocol.GraphStore` in Neo4j (local launcher, cluster or Aura)."""

    def __init__(self, settings: Neo4jSettings | None = None) -> None:
        self.settings = settings or Neo4jSettings()
        auth = (self.settings.username, self.settings.password) if self.settings.password else None
        self._driver = neo4j.GraphDatabase.driver(self.settings.uri, auth=auth,
                                                  connection_timeout=10,
                                                  max_transaction_retry_time=self.settings.retry_seconds)

    # -- plumbing -----------------------------------------------------------------------------
    def _fail(self, exc: Exception) -> StoreError:
        if isinstance(exc, (ServiceUnavailable, SessionExpired, AuthError, OSError)):
            return StoreUnavailable(f"Neo4j at {self.settings.uri} is unavailable: {exc}")
        return StoreError(f"Neo4j at {self.settings.uri} failed: {exc}")

    def _run(self, query: str, routing: neo4j.RoutingControl, params: dict[str, Any]) -> pd.DataFrame:
        try:
            frame: pd.DataFrame = self._driver.execute_query(
                query, params, database_=self.settings.database, routing_=routing,
                result_transformer_=neo4j.Result.to_df)
            return frame
        except (Neo4jError, ServiceUnavailable, SessionExpired, OSError) as exc:
            raise self._fail(exc) from exc

    def _read(self, query: str, **params: Any) -> pd.DataFrame:
        return self._run(query, neo4j.RoutingControl.READ, params)

    def _write(self, query: str, **params: Any) -> pd.DataFrame:
        return self._run(query, neo4j.RoutingControl.WRITE, params)

    def _jsons(self, query: str, **params: Any) -> list[dict[str, Any]]:
        frame = self._read(query, **params)
        return [json.loads(text) for text in frame["json"]] if len(frame) else []

    def _count(self, query: str, **params: Any) -> int:
        return int(self._read(query, **params)["n"].iloc[0])

    def verify(self) -> None:
        """Check the server answers (raises StoreUnavailable with the reason when it does not)."""
        try:
            self._driver.verify_connectivity()
        except (Neo4jError, ServiceUnavailable, SessionExpired, OSError, ValueError) as exc:
            raise self._fail(exc) from exc

    def close(self) -> None:
        """Close the driver."""
        self._driver.close()

    # -- write --------------------------------------------------------------------------------
    def load(self, query: str, rows: list[dict[str, Any]], run: str, *, batch_size: int | None = None,
             progress: Progress = _quiet, step: str = "") -> None:
        """Run ``query`` (an ``UNWIND $rows`` statement) over ``rows`` in batches."""
        size = batch_size or self.settings.batch_size
        for done, batch in enumerate(_batches(rows, size)):
            progress(step, done * size, len(rows))
            self._write(query, rows=batch, run=run)
        progress(step, len(rows), len(rows))

    def load_pays(self, flows: list[dict[str, Any]], run: str, *, batch_size: int | None = None,
                  progress: Progress = _quiet) -> None:
        """Merge ``(payer)-[:PAYS]->(payee)`` for each flow record, in batches.

        Each record holds ``payer_id``, ``payee_id`` and the :data:`~chainsight.graph.stores.cypher.PAYS_PROPERTIES`
        (None or absent removes the property). Endpoints are addressed by the element ids read at the start,
        which is sound because only a publish deletes enterprises and one runs at a time per
        database. Both enterprises must already be loaded; raises
        :class:`~chainsight.errors.StoreError` naming the first one that is not, or when a batch
        finds fewer endpoints than it has rows (an enterprise deleted meanwhile: publish again).
        """
        ids = self._write(cypher.ENTERPRISE_ELEMENT_IDS)
        element = dict(zip(ids["enterprise_id"], ids["element_id"], strict=True)) if len(ids) else {}
        size = batch_size or self.settings.batch_size
        for done, batch in enumerate(_batches(flows, size)):
            progress("payments", done * size, len(flows))
            columns: dict[str, list[Any]] = {"payer": [], "payee": []}
            columns.update({key: [row.get(key) for row in batch] for key in _EDGE_PROPS})
            for row in batch:
                for end, key in (("payer", "payer_id"), ("payee", "payee_id")):
                    try:
                        columns[end].append(element[row[key]])
                    except KeyError:
                        raise StoreError(f"Neo4j at {self.settings.uri}: flow {row['payer_id']} → "
                                         f"{row['payee_id']} names enterprise {row[key]}, which is "
                                         "not loaded") from None
            found = int(self._write(cypher.MERGE_PAYS, run=run, **columns)["n"].iloc[0])
            if found != len(batch):
                raise StoreError(f"Neo4j at {self.settings.uri}: only {found} of {len(batch)} PAYS "
                                 "edges found both enterprises (deleted during the load?); publish again")
        progress("payments", len(flows), len(flows))

    def publish(self, analysis: Analysis, *, progress: Progress = _quiet) -> None:
        """Write ``analysis`` as the graph model of :mod:`chainsight.graph.stores.cypher`, idempotently."""
        self.verify()
        run = f"{time.time_ns()}"
        for statement in cypher.SCHEMA:
            self._write(statement)
        rows = graph_rows(analysis)
        self.load(cypher.MERGE_ENTERPRISES, rows.enterprises, run, progress=progress, step="enterprises")
        self.load(cypher.MERGE_BRANCHES, rows.branches, run, progress=progress, step="branches")
        self.load_pays(rows.pays, run, progress=progress)
        self.load(cypher.SET_CORES, rows.cores, run, step="cores")
        self.load(cypher.MERGE_IN_CHAIN, rows.chains, run, progress=progress, step="chains")
        self.load(cypher.MERGE_LEAKS_TO, rows.leaks, run, step="leakage")
        self.load(cypher.MERGE_ALERTS, rows.alerts, run, step="alerts")
        self.load(cypher.MERGE_LEFT_OUT_OF, rows.excluded, run, progress=progress, step="excluded ties")
        self._write(cypher.SET_META, meta=rows.meta, run=run)
        self._write(cypher.SET_EXCLUDED_PUBLISHED, run=run)
        self._write(cypher.SET_LINKS_PUBLISHED, run=run)
        self._remove_stale(run)

    def _remove_stale(self, run: str) -> None:
        """Delete, in batches, what earlier (or interrupted) publishes wrote and this one did not."""
        batch = self.settings.batch_size
        for query in (cypher.DELETE_STALE_RELS, cypher.DELETE_STALE_NODES):
            while int(self._write(query, run=run, batch=batch)["n"].iloc[0]) > 0:
                pass
        self._write(cypher.UNSET_STALE_CORES, run=run)

    def clear(self) -> None:
        """Delete every node and relationship of the database, in batches (constraints stay)."""
        while int(self._write(cypher.CLEAR_BATCH, batch=self.settings.batch_size)["n"].iloc[0]) > 0:
            pass

    def gds_centrality(self, alpha: float = 0.85, tol: float = 1e-10) -> pd.DataFrame:
        """PageRank (flow graph and reverse, L1-normalised) and degrees computed by GDS in Neo4j.

        Returns one row per enterprise: ``enterprise_id, pagerank, pagerank_rev, n_suppliers,
        n_customers``; also writes ``gds_pagerank``/``gds_pagerank_rev`` onto the nodes.
        """
        graph = "chainsight_flows"
        parts = {}
        for orientation, rank_col, degree_col in (("NATURAL", "pagerank", "n_suppliers"),
                                                  ("REVERSE", "pagerank_rev", "n_customers")):
            self._write(cypher.GDS_DROP, graph=graph)
            self._write(cypher.GDS_PROJECT, graph=graph, reverse=orientation == "REVERSE")
            try:
                rank = self._read(cypher.GDS_PAGERANK, graph=graph, alpha=alpha, tol=tol)
                degree = self._read(cypher.GDS_DEGREE, graph=graph)
            finally:
                self._write(cypher.GDS_DROP, graph=graph)
            total = rank["score"].sum()
            parts[rank_col] = rank.set_index("enterprise_id")["score"] / (total if total > 0 else 1.0)
            parts[degree_col] = degree.set_index("enterprise_id")["score"].astype("int64")
        # A payer's suppliers are its out-neighbours: NATURAL degree; customers: REVERSE degree.
        frame = pd.DataFrame(parts).rename_axis("enterprise_id").reset_index()
        self.load(cypher.GDS_WRITE_BACK, records(frame, ("enterprise_id", "pagerank", "pagerank_rev")),
                  run="gds")
        return frame

    def counts(self) -> tuple[int, int]:
        """(nodes, relationships) in the database."""
        frame = self._read(cypher.COUNTS)
        return int(frame["nodes"].iloc[0]), int(frame["rels"].iloc[0])

    # -- read ---------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The published analysis' metadata, or ``{"analysed": False}``."""
        frame = self._read(cypher.META)
        if frame.empty:
            return {"analysed": False}
        return {"analysed": True, **json.loads(frame["meta"].iloc[0])}

    def _require_analysis(self) -> None:
        if self._read(cypher.META).empty:
            raise NotAnalysed(f"Neo4j at {self.settings.uri} holds no analysis: run "
                              "`chainsight analyze --store neo4j`")

    def cores(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """Cores, best first."""
        self._require_analysis()
        rows = self._jsons(cypher.CORES, skip=skip, limit=_ALL if limit is None else limit)
        return Page(records_frame(rows, CORE_COLUMNS), self._count(cypher.COUNT_CORES))

    def firms(self, *, skip: int = 0, limit: int | None = None) -> Page:
        """Every analysed firm by ``enterprise_id``, with the values the analysis judged it on."""
        self._require_analysis()
        rows = self._jsons(cypher.FIRMS, skip=skip, limit=_ALL if limit is None else limit)
        return Page(records_frame(rows, FIRM_COLUMNS), self._count(cypher.COUNT_FIRMS))

    def _core(self, core_id: str) -> dict[str, Any]:
        rows = self._jsons(cypher.CORE, core_id=core_id)
        if not rows:
            self._require_analysis()  # an empty store is NotAnalysed, as in LocalStore
            raise NotFound(f"{core_id} is not an analysed core")
        return rows[0]

    def chain(self, core_id: str, depth: int = 2) -> Chain:
        """The core, its members up to ``depth`` and the trade edges among them."""
        core = self._core(core_id)
        members = records_frame(self._jsons(cypher.CHAIN_MEMBERS, core_id=core_id, depth=depth),
                                MEMBER_COLUMNS)
        nodes = [core_id, *members["enterprise_id"].tolist()]
        edges = self._read(cypher.CHAIN_EDGES, nodes=nodes)
        return Chain(core, members, records_frame(records(edges, EDGE_COLUMNS), EDGE_COLUMNS))

    def prospects(self, core_id: str | None = None, *, filters: ProspectFilter | None = None,
                  sort: str = "rank", skip: int = 0, limit: int | None = 100, scope: Scope | None = None) -> Page:
        """Prospects matching ``filters`` that ``scope`` may see, sorted, one page of them and the total."""
        check_sort(sort)
        self._require_analysis()
        f = filters or ProspectFilter()
        params = {"core_id": core_id, "kinds": list(f.kinds) if f.kinds is not None else None,
                  "direction": f.direction, "tier": f.tier, "segment": f.segment, "stage": f.stage,
                  "eligible": f.eligible, "branch": f.branch, "manager": f.manager,
                  "min_score": f.min_score, "name_contains": f.name_contains, **_scope(scope)}
        rows = self._jsons(_SORTS[sort], skip=skip, limit=_ALL if limit is None else limit, **params)
        return Page(records_frame(rows, PROSPECT_COLUMNS), self._count(cypher.COUNT_PROSPECTS, **params))

    def enterprise(self, enterprise_id: str) -> dict[str, Any]:
        """A firm's attributes, the chains it belongs to and its prospect rows."""
        frame = self._read(cypher.ENTERPRISE, enterprise_id=enterprise_id)
        if frame.empty:
            self._require_analysis()
            raise NotFound(f"no enterprise {enterprise_id}")
        card: dict[str, Any] = json.loads(frame["json"].iloc[0])
        card["chains"] = self._jsons(cypher.ENTERPRISE_CHAINS, enterprise_id=enterprise_id)
        card["prospects"] = self._jsons(cypher.ENTERPRISE_PROSPECTS, enterprise_id=enterprise_id)
        try:
            card["excluded"] = records(self.excluded(enterprise_id=enterprise_id).data, EXCLUDED_COLUMNS)
        except NotAnalysed:
            card["excluded"] = None
        return card

    def excluded(self, core_id: str | None = None, enterprise_id: str | None = None, *, skip: int = 0,
                 limit: int | None = None) -> Page:
        """Ties left out of chains, by core, tier, side, amount (largest first) and firm."""
        self._require_analysis()
        published = self._read(cypher.EXCLUDED_PUBLISHED)
        if published.empty or not bool(published["published"].iloc[0]):
            raise NotAnalysed(f"Neo4j at {self.settings.uri}: excluded ties not analysed: run "
                              "`chainsight analyze`")
        params = {"core_id": core_id, "enterprise_id": enterprise_id}
        rows = self._jsons(cypher.EXCLUDED, skip=skip, limit=_ALL if limit is None else limit, **params)
        return Page(records_frame(rows, EXCLUDED_COLUMNS), self._count(cypher.COUNT_EXCLUDED, **params))

    def why_missing(self, core_id: str, enterprise_id: str) -> list[str]:
        """One sentence per tie of ``enterprise_id`` left out of ``core_id``'s chain, in the analysis' currency."""
        currency = str(self.summary().get("currency") or "CNY")
        return [left_out_sentence(r, currency) for r in records(self.excluded(core_id, enterprise_id).data,
                                                                EXCLUDED_COLUMNS)]

    def entity_links(self, enterprise_id: str) -> pd.DataFrame:
        """The mentions merged into ``enterprise_id``, each with its rule and evidence, most used first."""
        frame = self._read(cypher.ENTERPRISE_LINKS, enterprise_id=enterprise_id)
        if frame.empty:
            self._require_analysis()
            raise NotFound(f"no enterprise {enterprise_id}")
        published = self._read(cypher.LINKS_PUBLISHED)
        if published.empty or not bool(published["published"].iloc[0]):
            raise NotAnalysed(f"Neo4j at {self.settings.uri}: entity links not published: run "
                              "`chainsight analyze`")
        text = frame["json"].iloc[0]
        rows = json.loads(text) if isinstance(text, str) else []
        return records_frame(rows, ENTITY_LINK_COLUMNS)

    def leakage(self, core_id: str) -> Leakage:
        """Off-us shares and top external counterparties of one core."""
        self._core(core_id)
        summary = self._jsons(cypher.LEAKAGE, core_id=core_id)[0]
        top = records_frame(self._jsons(cypher.LEAKAGE_TOP, core_id=core_id), LEAKAGE_TOP_COLUMNS)
        return Leakage(summary, top)

    def alerts(self, core_id: str | None = None, *, kinds: tuple[str, ...] | None = None,
               skip: int = 0, limit: int | None = None, scope: Scope | None = None) -> Page:
        """Alerts that ``scope`` may see, most severe first."""
        self._require_analysis()
        params = {"core_id": core_id, "kinds": list(kinds) if kinds is not None else None, **_scope(scope)}
        rows = self._jsons(cypher.ALERTS, skip=skip, limit=_ALL if limit is None else limit, **params)
        return Page(records_frame(rows, ALERT_COLUMNS), self._count(cypher.COUNT_ALERTS, **params))


def _scope(scope: Scope | None) -> dict[str, Any]:
    """The ``$branches`` and ``$assigned`` parameters of the Cypher access rule (null: everything)."""
    if scope is None:
        return {"branches": None, "assigned": None}
    branches, assigned = scope.params()
    return {"branches": branches, "assigned": assigned}


__all__ = ["Neo4jStore"]
