"""Why merged, from either store: the mentions of the hand-written extract pair, each with its rule.

The extract pair is :mod:`tests.ingest.resolution_case`; which mention is which firm, and by which rule
it can be told, is read off its rows by hand (the table in that module's docstring): a firm's
code on the payments extract is ``uscc``, its abbreviation on the same account ``same_account``, its
name on another account or none ``uscc_name``, a customer's name ``master_name``, our own account
``our_account``. Parametrised over both stores, Neo4j as an integration test.
"""

from __future__ import annotations

from collections.abc import Iterator
import duckdb
import pytest

from chainsight.errors import NotAnalysed, NotFound
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import ENTITY_LINK_COLUMNS, GraphStore, records
from chainsight.ingest.entities import enterprise_id
from tests.conftest import neo4j_settings_or_skip
from tests.ingest import resolution_case as case


@pytest.fixture(scope="module")
def pair_analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    from chainsight.graph.analysis import analyze
    from chainsight.ingest.pipeline import ingest
    from chainsight.ingest.staging import connect

    folder = tmp_path_factory.mktemp("extract-pair-links")
    ingest(case.write(folder), folder / "staging.duckdb")
    con = connect(folder / "staging.duckdb", read_only=True)
    try:
        return analyze(con)
    finally:
        con.close()


@pytest.fixture(scope="module", params=["local", pytest.param("neo4j", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, pair_analysis: Analysis,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    if request.param == "local":
        published: GraphStore = LocalStore(tmp_path_factory.mktemp("links-local") / "store.duckdb")
    else:
        from chainsight.graph.stores.neo4j_store import Neo4jStore

        published = Neo4jStore(neo4j_settings_or_skip())
    try:
        published.publish(pair_analysis)
        yield published
    finally:
        published.close()


def _mentions(store: GraphStore, firm: str) -> dict[tuple[str | None, str], dict[str, object]]:
    frame = store.entity_links(firm)
    assert tuple(frame.columns) == ENTITY_LINK_COLUMNS
    rows = records(frame, ENTITY_LINK_COLUMNS)
    assert {r["enterprise_id"] for r in rows} == {firm}
    return {(r["account"], r["name"]): r for r in rows}


def test_a_firm_says_which_names_codes_and_accounts_were_merged_into_it_and_why(store: GraphStore) -> None:
    seen = _mentions(store, case.U3)  # 华兴机械(苏州): its code on the payments extract only
    assert {m: r["rule"] for m, r in seen.items()} == {
        ("6203", "华兴机械(苏州)有限公司"): "uscc", ("6203", "华兴机械"): "same_account",
        ("6299", "华兴机械(苏州)有限公司"): "uscc_name", (None, "华兴机械（苏州）有限责任公司"): "uscc_name"}
    assert seen[("6203", "华兴机械(苏州)有限公司")]["uscc"] == case.U3
    assert seen[("6203", "华兴机械")]["uscc"] is None  # the statement names it without a code
    # Line 2 of payments.csv (the header is line 1) is the first row giving its code.
    assert {(r["file"], r["line"]) for r in seen.values()} == {("payments.csv", 2)}
    assert all(isinstance(r["reason"], str) and r["reason"] for r in seen.values())


def test_our_customer_is_merged_by_its_account_and_the_master(store: GraphStore) -> None:
    seen = _mentions(store, case.U2)  # 无锡恒通电子: ours, and paying from another bank by name
    assert {m: (r["rule"], r["customer_id"]) for m, r in seen.items()} == {
        ("1002", "无锡恒通电子有限公司"): ("our_account", "G2"),
        ("7102", "无锡恒通电子有限责任公司"): ("master_name", "G2")}
    # most used first: its own account is on every row of its statement and on the payments extract
    assert [m for m in seen] == [("1002", "无锡恒通电子有限公司"), ("7102", "无锡恒通电子有限责任公司")]
    assert seen[("1002", "无锡恒通电子有限公司")]["rows"] == 9  # 8 statement rows, 1 payment


def test_an_ambiguous_name_names_the_firms_it_could_be(store: GraphStore) -> None:
    seen = _mentions(store, enterprise_id(None, "金达贸易有限公司"))
    assert list(seen) == [(None, "金达贸易有限公司")]
    row = seen[(None, "金达贸易有限公司")]
    assert row["rule"] == "ambiguous_name"
    assert sorted(row["candidates"]) == sorted([case.U4A, case.U4B])  # type: ignore[arg-type]
    for city in (case.U4A, case.U4B):  # each city's firm keeps only what its own account tells
        assert all(m[0] in ("6304", "6404") for m in _mentions(store, city))


def test_a_branch_known_by_name_keeps_its_own_spellings(store: GraphStore) -> None:
    seen = _mentions(store, enterprise_id(None, "上海申通物流有限公司苏州分公司"))
    assert {m: r["rule"] for m, r in seen.items()} == {
        ("6555", "上海申通物流有限公司苏州分公司"): "name_key", (None, "上海申通物流有限责任公司苏州分公司"): "name_key"}
    assert (None, "上海申通物流有限公司") in _mentions(store, case.U5)  # the parent's name is the parent's


def test_people_are_no_firm_and_unknown_firms_are_not_found(store: GraphStore, pair_analysis: Analysis) -> None:
    assert "张伟" not in set(pair_analysis.entity_links["name"])
    with pytest.raises(NotFound):
        store.entity_links("NO-SUCH-FIRM")


def test_every_mention_of_every_firm_is_published_once(store: GraphStore, pair_analysis: Analysis) -> None:
    firms = sorted(set(pair_analysis.entity_links["enterprise_id"]))
    published = [m for firm in firms for m in _mentions(store, str(firm))]
    assert len(published) == len(case.TRUTH) == 25  # the person 张伟 is no firm's mention
    assert set(published) == set(case.TRUTH)


def test_a_store_published_before_entity_links_says_so(store: GraphStore, pair_analysis: Analysis) -> None:
    try:
        if isinstance(store, LocalStore):
            store.close()
            con = duckdb.connect(store.path)
            con.execute("DROP TABLE cs_entity_links")
            con.close()
        else:
            store._write("MATCH (a:Analysis {key: 'current'}) REMOVE a.links_run")  # type: ignore[attr-defined]
        with pytest.raises(NotAnalysed, match="entity links not published"):
            store.entity_links(case.U3)
    finally:
        store.publish(pair_analysis)
    assert store.entity_links(case.U3).shape[0] == 4


def test_a_republish_leaves_no_link_of_the_one_before(store: GraphStore, pair_analysis: Analysis) -> None:
    fewer = pair_analysis.entity_links[pair_analysis.entity_links["rule"] != "same_account"]
    try:
        store.publish(Analysis(**{**pair_analysis.__dict__, "entity_links": fewer}))
        assert {r["rule"] for r in records(store.entity_links(case.U3), ENTITY_LINK_COLUMNS)} == \
            {"uscc", "uscc_name"}
    finally:
        store.publish(pair_analysis)
