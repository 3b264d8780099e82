"""Store parity: after every publish of a sequence, LocalStore and Neo4jStore answer every read alike.

Two small hand-made banks go through the real pipeline (statements and a customer master → ingest
→ analyze). Bank B is bank A a year later with what a re-publish must cope with: a member whose
branch and manager became blank, a member gone, a core gone (its customers left), a customer that
repaid its loan, a new supplier and a different alert. Both stores are published A, then B, then A
again (on the same Neo4j database and the same DuckDB file), and after each publish — and before
the first — every read of the :class:`~chainsight.graph.stores.protocol.GraphStore` protocol is asked of
both, over a set of filters, sorts and pages, and the answers must be equal: the same frames (same
columns, values and types), the same records, the same errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from chainsight.errors import ChainSightError
from chainsight.graph.analysis import Analysis, AnalysisConfig, analyze
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.neo4j_store import Neo4jStore
from chainsight.graph.stores.protocol import Chain, GraphStore, Leakage, Page, ProspectFilter
from chainsight.ingest.entities import enterprise_id
from chainsight.ingest.pipeline import ingest
from chainsight.ingest.staging import connect
from tests.conftest import CUSTOMERS, STATEMENT_HEADER, STATEMENT_PROFILE, neo4j_settings_or_skip

pytestmark = pytest.mark.integration

OUR_BANK, OTHER_BANK = "示范银行", "中国工商银行"
FIRMS = {  # key: (name, account number)
    "K1": ("甲核心制造有限公司", "1001"), "K2": ("乙核心贸易有限公司", "1002"),
    "S1": ("一号钢材有限公司", "1011"), "S2": ("二号零件有限公司", "2002"),
    "S3": ("三号物流有限公司", "1013"), "S4": ("四号包装有限公司", "2004"),
    "S5": ("五号化工有限公司", "2005"), "S6": ("六号电子有限公司", "2006"),
    "D1": ("一号经销有限公司", "1021"), "D2": ("二号商贸有限公司", "2022"),
    "D3": ("三号零售有限公司", "2023"), "D4": ("四号批发有限公司", "1024"),
    "D5": ("五号电商有限公司", "2025"), "R1": ("一号矿业有限公司", "2031"),
    "R2": ("二号原料有限公司", "2032"),
}  # fmt: skip


def months(amount: int, first: int = 1, last: int = 12) -> list[int]:
    """A monthly payment of ``amount`` from month ``first`` to ``last`` of 2024."""
    return [amount if first <= m <= last else 0 for m in range(1, 13)]


@dataclass(frozen=True)
class Bank:
    """A hand-made bank: who pays whom each month, and the customer master (key → attributes)."""

    payments: tuple[tuple[str, str, list[int]], ...]
    customers: dict[str, dict[str, Any]]


def customer(cid: str, branch: str, manager: str, *, loan: int = 0, deposits: int = 100_000) -> dict[str, Any]:
    return {"id": cid, "branch": branch, "manager": manager, "credit": 2 * loan, "loan": loan,
            "deposits": deposits}


BANK_A = Bank(
    payments=(
        ("K1", "S1", months(50_000)), ("K1", "S2", months(30_000, last=9)), ("K1", "S3", months(20_000)),
        ("D1", "K1", months(80_000)), ("D2", "K1", months(60_000)), ("D3", "K1", months(40_000)),
        ("K2", "S3", months(15_000)), ("K2", "S4", months(25_000)), ("K2", "S5", months(35_000, first=4)),
        ("D3", "K2", months(20_000)), ("D4", "K2", months(45_000)), ("D5", "K2", months(30_000)),
        ("S1", "R1", months(10_000)), ("S3", "R2", months(8_000)), ("D2", "D1", months(5_000)),
    ),
    customers={
        "K1": customer("C01", "B1", "M1", loan=3_000_000, deposits=900_000),
        "K2": customer("C02", "B2", "M2", deposits=800_000),
        "S1": customer("C11", "B1", "M1"),
        "S3": customer("C13", "B2", "M3", deposits=200_000),
        "D1": customer("C21", "B1", "M3", loan=500_000, deposits=50_000),
        "D4": customer("C24", "B2", "M2", deposits=300_000),
    },
)
# A year on: S1's branch and manager are blank; S3 stopped trading (gone from every chain); D3 and
# D5 stopped paying K2 (K2 keeps one customer: no longer a core); D1 repaid its loan; K1 found a
# new supplier S6 and stopped paying S4 in the last quarter; S2 is paid all year (no alert).
BANK_B = Bank(
    payments=(
        ("K1", "S1", months(50_000)), ("K1", "S2", months(30_000)), ("K1", "S6", months(12_000)),
        ("K1", "S4", months(22_000, last=9)),
        ("D1", "K1", months(80_000)), ("D2", "K1", months(60_000)), ("D3", "K1", months(40_000)),
        ("K2", "S4", months(25_000)), ("K2", "S5", months(35_000, first=4)), ("D4", "K2", months(45_000)),
        ("S1", "R1", months(10_000)), ("D2", "D1", months(5_000)),
    ),
    customers={**BANK_A.customers,
               "S1": customer("C11", "", ""),
               "D1": customer("C21", "B1", "M3", deposits=50_000)},
)


def eid(key: str) -> str:
    """The enterprise id the pipeline gives a firm of ``FIRMS`` (no USCC: derived from the name)."""
    return enterprise_id(None, FIRMS[key][0])


def write_bank(folder: Path, bank: Bank) -> Path:
    """Statements (each payment on the statement of whichever side banks with us) and the master."""
    (folder / "statements").mkdir(parents=True)
    (folder / "master").mkdir()
    statements: dict[str, list[str]] = {}
    for payer, payee, amounts in bank.payments:
        (payer_name, payer_account), (payee_name, payee_account) = FIRMS[payer], FIRMS[payee]
        for month, amount in enumerate(amounts, start=1):
            if not amount:
                continue
            day = f"2024-{month:02d}-15"
            if payer in bank.customers:
                bank_name = OUR_BANK if payee in bank.customers else OTHER_BANK
                statements.setdefault(payer_account, []).append(
                    f"{payer_account},{payer_name},{day},{amount},,{payee_account},{payee_name},{bank_name},货款,900000")
            else:
                statements.setdefault(payee_account, []).append(
                    f"{payee_account},{payee_name},{day},,{amount},{payer_account},{payer_name},{OTHER_BANK},货款,900000")
    for account, rows in statements.items():
        text = "\n".join([STATEMENT_HEADER, *rows]) + "\n"
        (folder / "statements" / f"{account}.csv").write_bytes(text.encode("gbk"))
    master = [CUSTOMERS.splitlines()[0]]
    accounts = ["account_no,customer_id,branch,opened,closed"]
    for key, c in bank.customers.items():
        name, account = FIRMS[key]
        master.append(f"{c['id']},corporate,,{name},{c['branch']},{c['manager']},{c['credit']},0,{c['loan']},"
                      f"{c['deposits']},0,0,0,0,0,,2020-01-01")
        accounts.append(f"{account},{c['id']},{c['branch']},2020-01-01,")
    (folder / "master" / "customers.csv").write_text("\n".join(master) + "\n", encoding="utf-8-sig")
    (folder / "master" / "accounts.csv").write_text("\n".join(accounts) + "\n", encoding="utf-8")
    manifest = folder / "chainsight.toml"
    manifest.write_text(f'name = "parity"\nbank_names = ["{OUR_BANK}"]\n[[sources]]\npath = "statements/*"\n'
                        f'profile = "stmt"\n{STATEMENT_PROFILE}\n[master]\ncustomers = "master/customers.csv"\n'
                        'accounts = "master/accounts.csv"\nas_of = 2024-12-31\n', encoding="utf-8")
    return manifest


# Thresholds for a bank of fifteen firms: a core needs three suppliers and three customers.
CONFIG = AnalysisConfig.model_validate({
    "cores": {"min_suppliers": 3, "min_customers": 3, "min_active_months": 3},
    "chains": {"min_score_ratio": 0.0},
})


def analysed(folder: Path, bank: Bank) -> Analysis:
    ingest(write_bank(folder, bank), folder / "staging.duckdb")
    con = connect(folder / "staging.duckdb", read_only=True)
    try:
        return analyze(con, CONFIG)
    finally:
        con.close()


@pytest.fixture(scope="module")
def banks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Analysis, Analysis]:
    return (analysed(tmp_path_factory.mktemp("bank-a"), BANK_A),
            analysed(tmp_path_factory.mktemp("bank-b"), BANK_B))


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[LocalStore, Neo4jStore]]:
    local, neo4j = LocalStore(tmp_path / "parity.duckdb"), Neo4jStore(neo4j_settings_or_skip())
    try:
        neo4j.clear()
        yield local, neo4j
    finally:
        local.close()
        neo4j.close()


def prospect_of(analysis: Analysis, core: str, member: str) -> dict[str, Any]:
    p = analysis.prospects
    rows = p[(p["core_id"] == eid(core)) & (p["enterprise_id"] == eid(member))]
    assert len(rows) == 1, f"{member} is not a prospect of {core}"
    return {str(k): v for k, v in rows.iloc[0].items()}


def test_bank_b_changes_what_a_republish_must_undo(banks: tuple[Analysis, Analysis]) -> None:
    """The premises of the parity test, checked on the analyses themselves."""
    a, b = banks
    assert a.cores["enterprise_id"].tolist() == [eid("K1"), eid("K2")]
    assert b.cores["enterprise_id"].tolist() == [eid("K1")]
    assert prospect_of(a, "K1", "S1")["branch"] == "B1" and prospect_of(a, "K1", "S1")["manager"] == "M1"
    assert pd.isna(prospect_of(b, "K1", "S1")["branch"]) and pd.isna(prospect_of(b, "K1", "S1")["manager"])
    assert eid("S3") in set(a.members["enterprise_id"]) - set(b.members["enterprise_id"])
    assert (prospect_of(a, "K1", "D1")["kind"], prospect_of(b, "K1", "D1")["kind"]) == ("credit_team", "deepen")
    assert eid("S6") in set(b.members["enterprise_id"]) - set(a.members["enterprise_id"])
    assert set(a.alerts["enterprise_id"]) == {eid("S2")} and set(b.alerts["enterprise_id"]) == {eid("S4")}


# -- every read, asked of both stores ------------------------------------------------------------


def prospect_filters(analyses: tuple[Analysis, ...]) -> list[ProspectFilter]:
    """The default, each filter alone over every value either analysis holds, and a few together."""
    everything = ProspectFilter(kinds=None)
    filters = [ProspectFilter(), everything, ProspectFilter(kinds=()), ProspectFilter(kinds=("credit_team",)),
               ProspectFilter(kinds=("deepen", "acquire", "credit_team", "existing"))]
    p = pd.concat([a.prospects for a in analyses])
    for column in ("direction", "tier", "segment", "stage", "eligible", "branch", "manager"):
        for value in sorted(p[column].dropna().unique().tolist()):
            filters.append(replace(everything, **{column: value}))
    filters += [replace(everything, branch="NO-SUCH-BRANCH"), replace(everything, min_score=0.6),
                replace(everything, min_score=0.0), replace(everything, name_contains="一号"),
                replace(everything, name_contains="NO-SUCH-NAME"),
                ProspectFilter(branch="B1", direction="up"),
                replace(everything, eligible=True, tier=1, min_score=0.5)]
    return filters


Read = Callable[[GraphStore], object]


def every_read(analyses: tuple[Analysis, ...]) -> list[tuple[str, Read]]:
    """(label, read) for every GraphStore read over the ids and values of ``analyses``."""
    cores = sorted(set().union(*(a.cores["enterprise_id"] for a in analyses))) + ["NO-SUCH-CORE"]
    firms = sorted(set().union(*(a.firms["enterprise_id"] for a in analyses))) + ["NO-SUCH-FIRM"]
    kinds = sorted(set().union(*(a.alerts["kind"] for a in analyses)))
    reads: list[tuple[str, Read]] = [("summary", lambda s: s.summary())]
    for skip, limit in ((0, None), (0, 1), (1, None), (1, 1), (5, None), (0, 0)):
        reads.append((f"cores skip={skip} limit={limit}", lambda s, k=skip, n=limit: s.cores(skip=k, limit=n)))
    for core in cores:
        for depth in (1, 2):
            reads.append((f"chain {core} depth={depth}", lambda s, c=core, d=depth: s.chain(c, d)))
        reads.append((f"leakage {core}", lambda s, c=core: s.leakage(c)))
    for firm in firms:
        reads.append((f"enterprise {firm}", lambda s, e=firm: s.enterprise(e)))
    for core_id in (None, *cores):
        for f in prospect_filters(analyses):
            reads.append((f"prospects {core_id} {f}",
                          lambda s, c=core_id, f=f: s.prospects(c, filters=f, limit=None)))
        for sort in ("score", "name"):  # every sort over everything; each filter in rank order
            for f in (ProspectFilter(), ProspectFilter(kinds=None)):
                reads.append((f"prospects {core_id} {f} sort={sort}",
                              lambda s, c=core_id, f=f, o=sort: s.prospects(c, filters=f, sort=o, limit=None)))
    for skip, limit in ((0, 100), (0, 3), (3, 3), (2, None), (100, 5)):
        reads.append((f"prospects skip={skip} limit={limit}",
                      lambda s, k=skip, n=limit: s.prospects(None, filters=ProspectFilter(kinds=None),
                                                             sort="score", skip=k, limit=n)))
    for core_id in (None, *cores):
        for alert_kinds in (None, (), ("NO-SUCH-KIND",), *((k,) for k in kinds), tuple(kinds)):
            reads.append((f"alerts {core_id} kinds={alert_kinds}",
                          lambda s, c=core_id, k=alert_kinds: s.alerts(c, kinds=k)))
    for skip, limit in ((0, 1), (1, None), (1, 1)):
        reads.append((f"alerts skip={skip} limit={limit}", lambda s, k=skip, n=limit: s.alerts(skip=k, limit=n)))
    return reads


def answer(store: GraphStore, read: Read) -> object:
    """What ``read`` gives, or the type of the ChainSight error it raises."""
    try:
        return read(store)
    except ChainSightError as exc:
        return type(exc)


def assert_same(label: str, local: object, neo4j: object) -> None:
    """Equal answers: frames equal in columns, values and dtypes; records and errors equal."""
    assert type(local) is type(neo4j), f"{label}: {local!r} vs {neo4j!r}"
    if isinstance(local, Page) and isinstance(neo4j, Page):
        assert local.count == neo4j.count, label
        pd.testing.assert_frame_equal(local.data, neo4j.data, obj=label)
    elif isinstance(local, Chain) and isinstance(neo4j, Chain):
        assert local.core == neo4j.core, label
        pd.testing.assert_frame_equal(local.members, neo4j.members, obj=f"{label} members")
        pd.testing.assert_frame_equal(local.edges, neo4j.edges, obj=f"{label} edges")
    elif isinstance(local, Leakage) and isinstance(neo4j, Leakage):
        assert local.summary == neo4j.summary, label
        pd.testing.assert_frame_equal(local.top, neo4j.top, obj=f"{label} top")
    else:
        assert local == neo4j, label


def compare(local: LocalStore, neo4j: Neo4jStore, analyses: tuple[Analysis, ...]) -> int:
    """Ask both stores every read; return how many gave a non-empty answer."""
    answered = 0
    for label, read in every_read(analyses):
        mine, theirs = answer(local, read), answer(neo4j, read)
        assert_same(label, mine, theirs)
        answered += not isinstance(mine, type) and not (isinstance(mine, Page) and mine.count == 0)
    return answered


def test_the_stores_agree_before_and_after_every_publish(stores: tuple[LocalStore, Neo4jStore],
                                                        banks: tuple[Analysis, Analysis]) -> None:
    local, neo4j = stores
    a, b = banks
    reads = len(every_read(banks))
    assert compare(local, neo4j, banks) == 1  # nothing published: only summary() answers
    for step, analysis in enumerate((a, b, a), start=1):
        local.publish(analysis)
        neo4j.publish(analysis)
        answered = compare(local, neo4j, banks)
        # Of 180 reads, A answers 115 and B 81 with something; the rest are empty or not found.
        assert answered >= reads // 3, f"step {step}: only {answered} of {reads} reads found anything"


def test_a_member_whose_branch_became_blank_leaves_the_branch_filter(
        stores: tuple[LocalStore, Neo4jStore], banks: tuple[Analysis, Analysis]) -> None:
    """The reported case, stated directly: S1 is B1's in bank A and nobody's in bank B."""
    a, b = banks
    b1 = ProspectFilter(kinds=None, branch="B1")
    m1 = ProspectFilter(kinds=None, manager="M1")
    for store in stores:
        store.publish(a)
        assert eid("S1") in set(store.prospects(eid("K1"), filters=b1, limit=None).data["enterprise_id"])
        store.publish(b)
        assert eid("S1") not in set(store.prospects(eid("K1"), filters=b1, limit=None).data["enterprise_id"])
        assert eid("S1") not in set(store.prospects(eid("K1"), filters=m1, limit=None).data["enterprise_id"])
        assert eid("S1") in set(store.prospects(eid("K1"), filters=ProspectFilter(kinds=None),
                                                limit=None).data["enterprise_id"])


def test_neo4j_properties_hold_what_was_last_published(stores: tuple[LocalStore, Neo4jStore],
                                                       banks: tuple[Analysis, Analysis]) -> None:
    """After A then B, every flat property of an enterprise or a chain membership is the value of
    B's published row (the JSON copy), and a property whose value is unknown is absent."""
    _, neo4j = stores
    a, b = banks
    neo4j.publish(a)
    neo4j.publish(b)
    firms = neo4j._read("MATCH (e:Enterprise) RETURN properties(e) AS props, e.firm_json AS json")
    chains = neo4j._read("MATCH ()-[r:IN_CHAIN]->() RETURN properties(r) AS props, "
                         "r.member_json AS member, r.prospect_json AS json")
    assert len(firms) == len(b.firms) and len(chains) == len(b.prospects)
    # Bookkeeping, the JSON copies themselves (links_json: the firm's mentions, not its row) and a
    # core's rank among cores (not in firm_json).
    for row in firms.itertuples():
        _agree(row.props, json.loads(row.json),
               skip={"firm_json", "links_json", "run", "core_json", "leakage_json", "core_run", "rank"})
    for row in chains.itertuples():
        _agree(row.props, {**json.loads(row.member), **json.loads(row.json)},
               skip={"member_json", "prospect_json", "run"})


def _agree(props: dict[str, Any], published: dict[str, Any], skip: set[str]) -> None:
    """Each property in ``props`` equals the published value; each published None is no property."""
    for key, value in props.items():
        if key not in skip:
            assert key in published and value == published[key], (key, value, published.get(key))
    for key, value in published.items():
        if value is None:
            assert key not in props, f"{key} is unknown in the published row but still set in Neo4j"
