"""The analyst's entry point: ``cs = chainsight.open(...)`` and everything as DataFrames and graphs.

Examples
--------
>>> import tempfile, pathlib, chainsight
>>> from chainsight.demo import generate
>>> from chainsight.ingest.pipeline import ingest
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = generate(folder, scale="tiny", seed=3)
>>> _ = ingest(folder / "chainsight.toml", folder / "bank.duckdb")
>>> cs = chainsight.open(folder / "bank.duckdb")
>>> _ = cs.analyze()
>>> cores = cs.cores()
>>> list(cores.columns[:4])
['enterprise_id', 'name', 'rank', 'score']
>>> g = cs.chain(cores.enterprise_id[0], depth=1)
>>> g.graph["core_id"] == cores.enterprise_id[0]
True
>>> cs.close()
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import networkx as nx
import pandas as pd

from chainsight.config import Settings
from chainsight.errors import ConfigError
from chainsight.graph.analysis import AnalysisConfig, analyze
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import Chain, GraphStore, Leakage, ProspectFilter
from chainsight.ingest.staging import connect


def make_store(settings: Settings) -> GraphStore:
    """The store the settings name: the DuckDB file, or the Neo4j server.

    The local store must be an existing file: reading never creates a database, so a mistyped path
    is a :class:`ConfigError` rather than an empty file and an empty answer.
    """
    if settings.store == "neo4j":
        from chainsight.graph.stores.neo4j_store import Neo4jStore

        store: GraphStore = Neo4jStore(settings.neo4j)
        return store
    path = settings.db_path
    if str(path) != ":memory:" and not path.is_file():
        problem = "is a folder, not a DuckDB file" if path.is_dir() else "does not exist"
        raise ConfigError(f"no staging database at {path} ({problem}): run `chainsight ingest` first")
    return LocalStore(path)


class ChainSight:
    """A session over one bank's data: staging database plus a published analysis in a store."""

    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.store = store or make_store(settings)

    # -- analysis ---------------------------------------------------------------------------
    def analyze(self, config: AnalysisConfig | None = None, *, publish: bool = True) -> Analysis:
        """Run the analysis over the staging database and (by default) publish it to the store."""
        if isinstance(self.store, LocalStore):
            self.store.close()  # DuckDB allows one writer: the store's reader must step aside
        con = connect(self.settings.db_path, read_only=True, memory_limit=self.settings.duckdb_memory_limit,
                      threads=self.settings.duckdb_threads)
        try:
            result = analyze(con, config)
        finally:
            con.close()
        if publish:
            self.store.publish(result)
        return result

    def crosscheck_gds(self, analysis: Analysis) -> dict[str, Any]:
        """Recompute PageRank and degrees with Neo4j GDS and compare the core ranking with ours.

        Needs the Neo4j store with ``analysis`` published (and the GDS plugin on the server).
        """
        from chainsight.graph.crosscheck import compare_cores
        from chainsight.graph.stores.neo4j_store import Neo4jStore

        if not isinstance(self.store, Neo4jStore):
            raise ConfigError("the GDS engine runs inside Neo4j: use the neo4j store")
        scoring = AnalysisConfig.model_validate(analysis.meta["config"]).cores
        other = self.store.gds_centrality(alpha=scoring.alpha, tol=scoring.tol)
        metrics = analysis.firms.dropna(subset=["core_rank"])
        return compare_cores(metrics, other, scoring)

    # -- reading ----------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """When the store was analysed and how much it holds."""
        return self.store.summary()

    def cores(self, top: int | None = None) -> pd.DataFrame:
        """The core enterprises, best first, with their score components and explanations."""
        return self.store.cores(limit=top).data

    def firms(self, *, skip: int = 0, limit: int | None = None) -> pd.DataFrame:
        """Every analysed firm by id: its customer values (deposits, loans, credit), eligibility and the
        core metrics (score, suppliers, customers, PageRank …) — where the values of every firm live."""
        return self.store.firms(skip=skip, limit=limit).data

    def no_core_sentence(self, candidates: int = 3) -> str | None:
        """Why the published analysis has no core, with the closest candidates; None when it has one.

        The rules are those the analysis was published with; a candidate's suppliers (firms it pays)
        and customers (firms paying it) are counted over the staged trade flows.
        """
        if self.store.cores(limit=1).count:
            return None
        rules = self.summary().get("config", {}).get("cores", {})
        min_sup, min_cust = int(rules.get("min_suppliers", 0)), int(rules.get("min_customers", 0))
        said = [f"at least {min_sup} suppliers", f"at least {min_cust} customers"]
        if "min_active_months" in rules:
            said.append(f"a relation active in at least {rules['min_active_months']} months")
        if isinstance(self.store, LocalStore):
            self.store.close()  # one process may not open the file twice with different modes
        con = connect(self.settings.db_path, read_only=True)
        try:
            rows = con.execute("""
                WITH sup AS (SELECT payer_id AS id, count(DISTINCT payee_id) AS n FROM flows GROUP BY 1),
                     cust AS (SELECT payee_id AS id, count(DISTINCT payer_id) AS n FROM flows GROUP BY 1)
                SELECT coalesce(e.name, f.id), coalesce(sup.n, 0), coalesce(cust.n, 0)
                FROM (SELECT id FROM sup UNION SELECT id FROM cust) f
                LEFT JOIN sup USING (id) LEFT JOIN cust USING (id)
                LEFT JOIN enterprises e ON e.enterprise_id = f.id
                ORDER BY least(coalesce(sup.n, 0) / greatest(?, 1), coalesce(cust.n, 0) / greatest(?, 1)) DESC,
                         coalesce(sup.n, 0) + coalesce(cust.n, 0) DESC, 1
                LIMIT ?""", [min_sup, min_cust, candidates]).fetchall()
        finally:
            con.close()
        closest = "; ".join(f"{name} ({sup} suppliers, {cust} customers)" for name, sup, cust in rows)
        return (f"no core met the rules: {', '.join(said)}; "
                + (f"the closest candidates were {closest}" if rows else "there are no trade flows at all"))

    def chain_frame(self, core_id: str, depth: int = 2) -> Chain:
        """A core's chain as DataFrames (members, edges)."""
        return self.store.chain(core_id, depth)

    def chain(self, core_id: str, depth: int = 2) -> nx.DiGraph:
        """A core's chain as a networkx DiGraph (edges point with the money: payer → payee)."""
        return self.store.chain(core_id, depth).to_networkx()

    def view(self, core_id: str, depth: int = 2, *, max_per_side: int = 150, height: int = 640) -> Any:
        """A core's chain drawn inline in Jupyter (an ``<iframe srcdoc>``: works offline, isolated).

        The drawing is :func:`chainsight.views.render_chain`'s: suppliers left, core centre, customers
        right, prospects coloured by kind, search, filters, evidence on click, PNG export. Returns an
        ``IPython.display.HTML``; its ``.data`` is the iframe's markup, in a ``<div>``. IPython is what
        Jupyter runs on, and is not a dependency of ChainSight itself: without it this raises a
        ``ConfigError`` that says so (``chainsight.views.chain_page`` gives the same HTML as text).
        """
        try:
            from IPython.display import HTML
        except ImportError as exc:
            raise ConfigError("cs.view displays in Jupyter and needs IPython (pip install ipython); "
                              "chainsight.views.chain_page(cs.store, core_id) returns the same HTML as text") from exc

        from chainsight.views import chain_page, iframe

        document = chain_page(self.store, core_id, depth=depth, max_per_side=max_per_side,
                              height=f"{int(height)}px")
        # In a <div>: IPython warns about HTML that starts with an <iframe> (it suggests its IFrame,
        # which needs a URL; srcdoc needs none, and works offline).
        return HTML(f"<div>{iframe(document, height=height)}</div>")  # type: ignore[no-untyped-call]

    def prospects(self, core_id: str | None = None, *,
                  kind: tuple[str, ...] | str | None = ("deepen", "acquire"),
                  direction: Literal["up", "down"] | None = None, tier: int | None = None,
                  segment: str | None = None, stage: str | None = None, eligible: bool | None = None,
                  branch: str | None = None, manager: str | None = None, min_score: float | None = None,
                  name: str | None = None, sort: str = "rank", skip: int = 0,
                  limit: int | None = None) -> pd.DataFrame:
        """Ranked prospects (of one core, or of all), filtered; every row carries its evidence.

        Every filter of :class:`~chainsight.graph.stores.protocol.ProspectFilter` is a keyword here; ``None``
        leaves it open, ``kind=None`` lists every kind, ``name`` keeps names containing it, ``sort`` is
        ``rank``, ``score`` or ``name``, and ``skip``/``limit`` page the list.
        """
        kinds = (kind,) if isinstance(kind, str) else kind
        filters = ProspectFilter(kinds=kinds, direction=direction, tier=tier, segment=segment,
                                 stage=stage, eligible=eligible, branch=branch, manager=manager,
                                 min_score=min_score, name_contains=name)
        return self.store.prospects(core_id, filters=filters, sort=sort, skip=skip, limit=limit).data

    def enterprise(self, enterprise_id: str) -> dict[str, Any]:
        """One firm with its evidence card, chains, prospect rows and the ties it was left out of."""
        return self.store.enterprise(enterprise_id)

    def why_missing(self, core_id: str, enterprise_id: str) -> list[str]:
        """Why a firm is not (or not only) in a core's chain: one sentence per tie left out, with its rule."""
        return self.store.why_missing(core_id, enterprise_id)

    def leakage(self, core_id: str) -> Leakage:
        """How much of a core's business banks elsewhere, and with whom."""
        return self.store.leakage(core_id)

    def alerts(self, core_id: str | None = None, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
        """New, stopped, shrinking and moved relationships between the two latest periods."""
        return self.store.alerts(core_id, kinds=kinds).data

    # -- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        """Release the store's connections."""
        self.store.close()

    def __enter__(self) -> ChainSight:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open(path: str | Path | None = None, *, store: Literal["local", "neo4j"] | None = None,
         settings: Settings | None = None) -> ChainSight:  # noqa: A001 - the notebook idiom
    """Open a bank's ChainSight data: ``path`` is the staging DuckDB file.

    ``store="neo4j"`` reads the published analysis from Neo4j (``NEO4J_*`` variables) instead of
    the DuckDB file; analysis still reads the staged flows from ``path``. Opening never creates a
    database: with the local store a missing ``path`` is a :class:`~chainsight.errors.ConfigError`.
    """
    base = settings or Settings()
    updates: dict[str, Any] = {}
    if path is not None:
        updates["db_path"] = Path(path)
    if store is not None:
        updates["store"] = store
    return ChainSight(base.model_copy(update=updates))
