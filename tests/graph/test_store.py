"""The store test suite: every GraphStore must give the same answers, checked against the analysis.

Parametrised over ``local`` (a DuckDB file) and ``neo4j`` (a real server over Bolt; marked
integration, skipped only when no server is configured and CI does not require one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from chainsight.errors import NotAnalysed, NotFound
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import FIRM_COLUMNS, LocalStore
from chainsight.graph.stores.protocol import (
    ALERT_COLUMNS, CORE_COLUMNS, EDGE_COLUMNS, EXCLUDED_COLUMNS, MEMBER_COLUMNS, PROSPECT_COLUMNS,
    GraphStore, ProspectFilter, Scope,
)
from tests.conftest import neo4j_settings_or_skip


def _local(tmp: Path) -> GraphStore:
    return LocalStore(tmp / "store.duckdb")


def _neo4j(tmp: Path) -> GraphStore:
    settings = neo4j_settings_or_skip()
    from chainsight.graph.stores.neo4j_store import Neo4jStore

    return Neo4jStore(settings)


@pytest.fixture(scope="module", params=["local", pytest.param("neo4j", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, small_analysis: Analysis,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    make = {"local": _local, "neo4j": _neo4j}[request.param]
    published = make(tmp_path_factory.mktemp(f"store-{request.param}"))
    try:
        published.publish(small_analysis)
        yield published
    finally:
        published.close()


@pytest.fixture(scope="module")
def top_core(small_analysis: Analysis) -> str:
    return str(small_analysis.cores["enterprise_id"].iloc[0])


def _expected_prospects(analysis: Analysis, core_id: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    p = analysis.prospects
    return p[(p["core_id"] == core_id) & p["kind"].isin(kinds)].sort_values(
        ["rank", "core_id", "enterprise_id"], kind="mergesort")


def test_summary_reports_what_was_published(store: GraphStore, small_analysis: Analysis) -> None:
    summary = store.summary()
    assert summary["analysed"] is True
    assert summary["n_cores"] == small_analysis.meta["n_cores"] == len(small_analysis.cores)
    assert summary["as_of"] == small_analysis.meta["as_of"]


def test_cores_come_best_first_with_the_contract_columns(store: GraphStore,
                                                         small_analysis: Analysis) -> None:
    page = store.cores()
    assert tuple(page.data.columns) == CORE_COLUMNS
    assert page.count == len(small_analysis.cores) == len(page.data)
    assert page.data["enterprise_id"].tolist() == small_analysis.cores["enterprise_id"].tolist()
    assert page.data["rank"].tolist() == list(range(1, page.count + 1))
    assert page.data["score"].is_monotonic_decreasing
    assert page.data["score"].to_numpy() == pytest.approx(small_analysis.cores["score"].to_numpy(), abs=1e-12)
    assert page.data["explanation"].str.len().min() > 20


def test_core_pages_add_up(store: GraphStore) -> None:
    whole = store.cores().data["enterprise_id"].tolist()
    pieces = store.cores(limit=2).data["enterprise_id"].tolist() + \
        store.cores(skip=2).data["enterprise_id"].tolist()
    assert pieces == whole


def test_chain_depths_and_edges(store: GraphStore, small_analysis: Analysis, top_core: str) -> None:
    shallow, deep = store.chain(top_core, depth=1), store.chain(top_core, depth=2)
    assert tuple(deep.members.columns) == MEMBER_COLUMNS and tuple(deep.edges.columns) == EDGE_COLUMNS
    assert set(shallow.members["tier"]) == {1}
    assert set(deep.members["tier"]) == {1, 2}
    expected = small_analysis.members[small_analysis.members["core_id"] == top_core]
    assert sorted(deep.members["enterprise_id"]) == sorted(expected["enterprise_id"])
    nodes = {top_core, *deep.members["enterprise_id"]}
    flows = small_analysis.flows
    among = flows[flows["payer_id"].isin(nodes) & flows["payee_id"].isin(nodes)]
    assert len(deep.edges) == len(among) > 0
    assert set(zip(deep.edges["payer_id"], deep.edges["payee_id"])) == \
        set(zip(among["payer_id"], among["payee_id"]))
    graph = deep.to_networkx()
    assert graph.number_of_nodes() == len(nodes)
    suppliers = set(deep.members.loc[(deep.members["tier"] == 1) & (deep.members["direction"] == "up"),
                                     "enterprise_id"])
    assert suppliers <= set(graph.successors(top_core))  # the core pays its suppliers


def test_unknown_core_is_not_found(store: GraphStore) -> None:
    with pytest.raises(NotFound):
        store.chain("NO-SUCH-CORE")
    with pytest.raises(NotFound):
        store.leakage("NO-SUCH-CORE")
    with pytest.raises(NotFound):
        store.enterprise("NO-SUCH-FIRM")


def test_prospects_default_to_the_marketing_kinds_in_rank_order(
        store: GraphStore, small_analysis: Analysis, top_core: str) -> None:
    page = store.prospects(top_core, limit=None)
    expected = _expected_prospects(small_analysis, top_core, ("deepen", "acquire"))
    assert tuple(page.data.columns) == PROSPECT_COLUMNS
    assert page.count == len(expected) > 0
    assert page.data["enterprise_id"].tolist() == expected["enterprise_id"].tolist()
    assert set(page.data["kind"]) <= {"deepen", "acquire"}
    first = page.data.iloc[0]
    assert isinstance(first["evidence"], dict) and "amount" in first["evidence"]
    assert isinstance(first["products"], list)


@pytest.mark.parametrize("filters", [
    ProspectFilter(direction="up"), ProspectFilter(tier=2), ProspectFilter(kinds=("credit_team",)),
    ProspectFilter(kinds=None, eligible=True), ProspectFilter(min_score=0.3),
    ProspectFilter(segment="chain_potential"), ProspectFilter(stage="stable"),
])
def test_prospect_filters_match_the_analysis(store: GraphStore, small_analysis: Analysis,
                                             top_core: str, filters: ProspectFilter) -> None:
    got = store.prospects(top_core, filters=filters, limit=None)
    p = small_analysis.prospects[small_analysis.prospects["core_id"] == top_core]
    if filters.kinds is not None:
        p = p[p["kind"].isin(filters.kinds)]
    for column in ("direction", "tier", "segment", "stage", "eligible"):
        if getattr(filters, column) is not None:
            p = p[p[column] == getattr(filters, column)]
    if filters.min_score is not None:
        p = p[p["score"] >= filters.min_score]
    assert got.count == len(p)
    assert sorted(got.data["enterprise_id"]) == sorted(p["enterprise_id"])


def test_prospect_sorting_and_paging(store: GraphStore, top_core: str) -> None:
    by_score = store.prospects(top_core, sort="score", limit=None).data
    assert by_score["score"].is_monotonic_decreasing
    whole = store.prospects(top_core, limit=None).data["enterprise_id"].tolist()
    paged = []
    for skip in range(0, len(whole), 7):
        paged += store.prospects(top_core, skip=skip, limit=7).data["enterprise_id"].tolist()
    assert paged == whole
    with pytest.raises(ValueError):
        store.prospects(top_core, sort="nonsense")


def test_prospects_of_every_core(store: GraphStore, small_analysis: Analysis) -> None:
    page = store.prospects(None, limit=5)
    assert page.count == int(small_analysis.prospects["kind"].isin(["deepen", "acquire"]).sum())
    assert len(page.data) == 5


def test_enterprise_card_has_its_chains_and_prospects(store: GraphStore, small_analysis: Analysis,
                                                      top_core: str) -> None:
    member = small_analysis.prospects[small_analysis.prospects["core_id"] == top_core].iloc[0]
    card = store.enterprise(str(member["enterprise_id"]))
    assert card["enterprise_id"] == member["enterprise_id"]
    assert top_core in {c["core_id"] for c in card["chains"]}
    assert any(p["core_id"] == top_core for p in card["prospects"])
    core_card = store.enterprise(top_core)
    assert core_card["is_core"] is True


def test_leakage_shares_are_fractions(store: GraphStore, small_analysis: Analysis, top_core: str) -> None:
    leak = store.leakage(top_core)
    expected = small_analysis.leakage.set_index("core_id").loc[top_core]
    assert 0 <= leak.summary["paid_offus_share"] <= 1
    assert leak.summary["paid_total"] == pytest.approx(expected["paid_total"])
    assert len(leak.top) > 0
    for _, side in leak.top.groupby("direction"):  # ranked within each side of the core
        assert side["rank"].tolist() == list(range(1, len(side) + 1))


def test_alerts_filter_by_kind(store: GraphStore, small_analysis: Analysis) -> None:
    every = store.alerts()
    assert tuple(every.data.columns) == ALERT_COLUMNS
    assert every.count == len(small_analysis.alerts) == len(every.data)
    expected = small_analysis.alerts["kind"].value_counts().to_dict()
    assert len(expected) >= 2  # the demo bank raises several kinds of alert
    for kind, n in expected.items():
        only = store.alerts(kinds=(kind,))
        assert only.count == n and set(only.data["kind"]) == {kind}
    assert store.alerts(kinds=()).count == 0


def test_publishing_twice_gives_the_same_answers(store: GraphStore, small_analysis: Analysis,
                                                 top_core: str) -> None:
    before = (store.cores().data, store.prospects(top_core, limit=None).data)
    store.publish(small_analysis)
    after = (store.cores().data, store.prospects(top_core, limit=None).data)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def _tie_keys(frame: pd.DataFrame) -> list[tuple[str, str, str, int, str]]:
    return sorted(zip(frame["core_id"], frame["enterprise_id"], frame["direction"],
                      frame["tier"].astype(int), frame["rule"], strict=True))


def test_every_excluded_tie_is_published_once_with_its_rule(store: GraphStore,
                                                            small_analysis: Analysis) -> None:
    expected = _tie_keys(small_analysis.excluded)
    assert len(set(r[-1] for r in expected)) >= 3  # the demo bank leaves ties out for several reasons
    for _ in range(2):  # publishing again leaves each tie once
        page = store.excluded()
        assert tuple(page.data.columns) == EXCLUDED_COLUMNS
        assert page.count == len(page.data) == len(expected)
        assert _tie_keys(page.data) == expected
        store.publish(small_analysis)


def test_why_missing_answers_from_the_store(store: GraphStore, small_analysis: Analysis) -> None:
    from chainsight.graph.chains import why_missing

    excluded = small_analysis.excluded
    examples = excluded.drop_duplicates("rule")[["core_id", "enterprise_id"]].values.tolist()
    for core_id, firm in examples:
        answer = store.why_missing(core_id, firm)
        assert answer and answer == why_missing(excluded, core_id, firm)
    core_id, firm = examples[0]
    members = small_analysis.members
    member = members.loc[members["core_id"] == core_id, "enterprise_id"]
    kept = [m for m in member if m not in set(excluded.loc[excluded["core_id"] == core_id, "enterprise_id"])]
    assert store.why_missing(core_id, kept[0]) == []
    page = store.excluded(core_id, firm)
    assert page.count == len(page.data) >= 1 and set(page.data["enterprise_id"]) == {firm}


def test_enterprise_card_lists_the_ties_it_was_left_out_of(store: GraphStore,
                                                           small_analysis: Analysis) -> None:
    firm = small_analysis.excluded["enterprise_id"].value_counts().index[0]
    card = store.enterprise(str(firm))
    mine = small_analysis.excluded[small_analysis.excluded["enterprise_id"] == firm]
    assert card["excluded"] is not None and len(card["excluded"]) == len(mine)
    assert sorted((t["core_id"], t["rule"]) for t in card["excluded"]) == \
        sorted(zip(mine["core_id"], mine["rule"], strict=True))
    assert all(t["reason"] and t["name"] for t in card["excluded"])


def test_a_store_published_before_excluded_ties_says_so(store: GraphStore, small_analysis: Analysis) -> None:
    firm, core_id = small_analysis.excluded[["enterprise_id", "core_id"]].iloc[0]
    try:
        _forget_excluded(store)
        with pytest.raises(NotAnalysed, match="not analysed: run `chainsight analyze`"):
            store.why_missing(str(core_id), str(firm))
        card = store.enterprise(str(firm))
        assert card["excluded"] is None and card["enterprise_id"] == firm
    finally:
        store.publish(small_analysis)
    assert store.why_missing(str(core_id), str(firm))


def _forget_excluded(store: GraphStore) -> None:
    """Make ``store`` look like one published by a ChainSight from before excluded ties."""
    if isinstance(store, LocalStore):
        store.close()  # its read-only connection
        con = duckdb.connect(store.path)
        con.execute("DROP TABLE cs_excluded")
        con.close()
    else:
        store._write("MATCH (a:Analysis {key: 'current'}) REMOVE a.excluded_run")  # type: ignore[attr-defined]


def test_firms_list_every_analysed_firm_with_its_values(store: GraphStore, small_analysis: Analysis) -> None:
    page = store.firms()
    expected = small_analysis.firms.sort_values("enterprise_id")
    assert tuple(page.data.columns) == FIRM_COLUMNS
    assert page.count == len(expected) == len(page.data)
    assert page.data["enterprise_id"].tolist() == expected["enterprise_id"].tolist()
    assert page.data["eligible"].astype(bool).tolist() == expected["eligible"].astype(bool).tolist()
    deposits = pd.to_numeric(page.data["deposits"]).to_numpy(float)
    assert deposits == pytest.approx(expected["deposits"].to_numpy(float), nan_ok=True)
    second = store.firms(skip=3, limit=4).data["enterprise_id"].tolist()
    assert second == expected["enterprise_id"].tolist()[3:7]


def _scoped_by_hand(analysis: Analysis, rows: pd.DataFrame, branch: str, assigned: set[str]) -> list[tuple[str, str]]:
    """The (core, firm) pairs of ``rows`` a manager of ``branch`` may see, worked out from the firm table."""
    firms = analysis.firms.set_index("enterprise_id")
    customer = firms["is_customer"].fillna(False).astype(bool)
    ours = set(customer.index[customer & (firms["branch"] == branch)])
    customers = set(customer.index[customer])

    def sees(firm: str, core: str | None) -> bool:
        if firm in customers:
            return firm in ours
        return firm in assigned or (core is not None and core in ours)

    return sorted((c, f) for c, f in zip(rows["core_id"], rows["enterprise_id"])
                  if sees(str(c), None) and sees(str(f), str(c)))


@pytest.fixture(scope="module")
def scope_case(small_analysis: Analysis) -> tuple[str, set[str]]:
    """A branch with a core that is our customer, and two firms of other banks assigned to it."""
    firms = small_analysis.firms.set_index("enterprise_id")
    cores = small_analysis.cores["enterprise_id"]
    customer_cores = firms.loc[cores][firms.loc[cores, "is_customer"].fillna(False).astype(bool)]
    branch = str(customer_cores["branch"].iloc[0])
    p = small_analysis.prospects
    elsewhere = p[~p["is_customer"].fillna(False).astype(bool) & ~p["core_id"].isin(customer_cores.index)]
    return branch, set(elsewhere["enterprise_id"].astype(str).head(2))


def test_a_scoped_prospect_list_is_what_the_rule_allows(store: GraphStore, small_analysis: Analysis,
                                                        scope_case: tuple[str, set[str]]) -> None:
    branch, assigned = scope_case
    scope = Scope(frozenset({branch}), frozenset(assigned))
    every = ProspectFilter(kinds=None)
    got = store.prospects(None, filters=every, limit=None, scope=scope)
    expected = _scoped_by_hand(small_analysis, small_analysis.prospects, branch, assigned)
    assert 0 < got.count == len(expected) < len(small_analysis.prospects)
    assert sorted(zip(got.data["core_id"], got.data["enterprise_id"])) == expected
    assert set(got.data["enterprise_id"]) >= assigned  # assigned firms show even in others' chains
    # paging and counting come after the rule: pages add up to the scoped list
    pages = [store.prospects(None, filters=every, skip=s, limit=9, scope=scope) for s in range(0, got.count, 9)]
    assert {p.count for p in pages} == {got.count}
    assert [f for p in pages for f in p.data["enterprise_id"]] == got.data["enterprise_id"].tolist()
    nobody = store.prospects(None, filters=every, limit=None, scope=Scope(frozenset({"no such branch"})))
    assert nobody.count == 0 and nobody.data.empty


def test_scoped_alerts_are_what_the_rule_allows(store: GraphStore, small_analysis: Analysis,
                                                scope_case: tuple[str, set[str]]) -> None:
    branch, assigned = scope_case
    got = store.alerts(scope=Scope(frozenset({branch}), frozenset(assigned)))
    expected = _scoped_by_hand(small_analysis, small_analysis.alerts, branch, assigned)
    assert got.count == len(expected) < len(small_analysis.alerts)
    assert sorted(zip(got.data["core_id"], got.data["enterprise_id"])) == expected


def test_why_missing_says_the_analysis_currency(tmp_path: Path, small_analysis: Analysis) -> None:
    from dataclasses import replace

    euro = replace(small_analysis, meta={**small_analysis.meta, "currency": "EUR"})
    store = _local(tmp_path)
    store.publish(euro)
    core_id, firm = small_analysis.excluded[["core_id", "enterprise_id"]].iloc[0]
    answer = store.why_missing(core_id, firm)
    assert answer and all(" (EUR " in a and "CNY" not in a for a in answer)
