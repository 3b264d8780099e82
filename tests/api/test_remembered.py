"""Remembered answers (the served app over a snapshot): a repeated read is audited every time, each
manager gets the answer of their own branches, a newly published analysis is answered at once, and
callers of an answer being computed wait for it."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from chainsight.api._scope import Index
from chainsight.config import Settings
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.protocol import Page
from tests.api.served import BRANCH_A, BRANCH_B, Served, serve, top_core  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def own(small_analysis: Analysis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Served]]:
    """A served app over a file of this module's own (a test publishes to it)."""
    db = tmp_path_factory.mktemp("remembered") / "bank.duckdb"
    LocalStore(db).publish(small_analysis)
    gen = serve(Settings(db_path=db), f"sqlite:///{db.with_suffix('.app.sqlite')}")
    yield db, next(gen)
    gen.close()


def _customer_cores(analysis: Analysis, branch: str) -> set[str]:
    firms = analysis.firms.set_index("enterprise_id")
    return {c for c in analysis.cores["enterprise_id"]
            if bool(firms.at[c, "is_customer"]) and firms.at[c, "branch"] == branch}


def test_a_repeated_read_is_audited_every_time(own: tuple[Path, Served], top_core: str) -> None:
    _, served = own
    route = f"/api/v1/cores/{top_core}/prospects"
    with served.client("manager") as client:
        answers = [client.get(route, params={"limit": 4, "tier": 1}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200] * 3
    rows = len(answers[0].json()["data"])
    assert rows > 0 and all(a.json() == answers[0].json() for a in answers)
    entries = served.appdb.list_audit(limit=3, user="manager")
    assert [(e.route, e.params, e.rows, e.status) for e in entries] == [
        (route, {"limit": "4", "tier": "1"}, rows, 200)] * 3


def test_each_manager_gets_their_own_branches(own: tuple[Path, Served], small_analysis: Analysis) -> None:
    _, served = own
    of_a, of_b = _customer_cores(small_analysis, BRANCH_A), _customer_cores(small_analysis, BRANCH_B)
    assert of_a and of_b and not of_a & of_b
    for role, wanted in (("manager", of_a), ("manager_b", of_b), ("manager", of_a)):
        with served.client(role) as client:
            got = {c["enterprise_id"] for c in client.get("/api/v1/cores", params={"limit": 100}).json()["data"]}
        assert got == wanted, role


def test_a_new_analysis_is_answered_from_the_next_request(own: tuple[Path, Served], small_analysis: Analysis,
                                                          top_core: str) -> None:
    db, served = own
    with served.client("analyst") as client:
        before = client.get("/api/v1/cores", params={"limit": 100}).json()["data"]
        assert client.get(f"/api/v1/cores/{top_core}").json()["name"] != "renamed core"
        cores = small_analysis.cores.copy()
        cores.loc[cores["enterprise_id"] == top_core, "name"] = "renamed core"
        LocalStore(db).publish(dataclasses.replace(small_analysis, cores=cores))  # same meta, same counts
        after = client.get("/api/v1/cores", params={"limit": 100}).json()["data"]
        assert client.get(f"/api/v1/cores/{top_core}").json()["name"] == "renamed core"
    assert [c["enterprise_id"] for c in after] == [c["enterprise_id"] for c in before]
    assert {c["name"] for c in after if c["enterprise_id"] == top_core} == {"renamed core"}


class _Store:
    """Just what an :class:`Index` reads: one analysis, no cores, no prospects."""

    def summary(self) -> dict[str, object]:
        return {"analysed": True, "analysed_at": "t", "n_prospects": 0, "n_cores": 0}

    def cores(self) -> Page:
        return Page(pd.DataFrame(columns=["enterprise_id", "is_customer", "branch", "name"]), 0)

    def prospects(self, *args: object, **kwargs: object) -> Page:
        return self.cores()


def test_callers_of_an_answer_being_computed_wait_for_it() -> None:
    index = Index(_Store(), version=lambda: 1)  # type: ignore[arg-type]
    computed: list[int] = []
    started = threading.Barrier(8)

    def compute() -> tuple[str, list[tuple[str, int, int]]]:
        computed.append(1)
        time.sleep(0.3)
        return "answer", [("cores", 3, 200)]

    def ask() -> tuple[str, list[tuple[str, int, int]]]:
        started.wait()
        return index.remembered(("cores",), compute)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: ask(), range(8)))
    assert len(computed) == 1
    assert answers == [("answer", [("cores", 3, 200)])] * 8
