"""The back-test page over a real served app: its figures are the ones worked out here from the demo's
own answer (``truth/later_conversions.csv``) and outcomes recorded here; without a later database it says
how to provide one; managers get the 403 page, and every look is audited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.config import Settings
from chainsight.graph.result import Analysis
from tests.api.served import BRANCH_A, Served, published, serve  # noqa: F401

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def with_later(published: Path, small_later_db: Path) -> Iterator[Served]:  # noqa: F811
    gen = serve(Settings(db_path=published, later_db=small_later_db), f"sqlite:///{published.with_suffix('.app.sqlite')}")
    yield next(gen)
    gen.close()


@pytest.fixture(scope="module")
def without_later(published: Path) -> Iterator[Served]:  # noqa: F811
    gen = serve(Settings(db_path=published), f"sqlite:///{published.with_suffix('.other.app.sqlite')}")
    yield next(gen)
    gen.close()


def _browser(served: Served, name: str, role: str, branches: list[str]) -> httpx.Client:
    served.appdb.add_user(name, PASSWORD, role, branches)
    token = served.appdb.sign_in(name, PASSWORD, "127.0.0.1")
    assert token is not None
    return httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: token}, timeout=60)


@pytest.fixture(scope="module")
def planted(small_bank: tuple[Path, Path], pipeline_id: Callable[[str], str]) -> set[str]:
    truth = pd.read_csv(small_bank[0] / "truth" / "later_conversions.csv", dtype=str)
    return set(truth["firm"].map(pipeline_id))


def _order(p: pd.DataFrame, by: str) -> list[str]:
    """Firms best first by ``by`` (each at its best value), ties by id: worked out here, not by the app."""
    best = p.groupby("enterprise_id")[by].max().reset_index()
    return best.sort_values([by, "enterprise_id"], ascending=[False, True])["enterprise_id"].tolist()


def _convertible(analysis: Analysis) -> pd.DataFrame:
    p = analysis.prospects
    p = p[p["kind"].isin(["deepen", "acquire"])]
    return p.assign(amount=[e["amount"] for e in p["evidence"]])


def _cell(html: str, answer: str, k: int, cell: str) -> str:
    table = re.search(rf'<table class="list" id="overall-{answer}">(.*?)</table>', html, re.S)
    assert table, f"no {answer} table"
    row = re.search(rf'<tr data-k="{k}">(.*?)</tr>', table.group(1), re.S)
    assert row
    found = re.search(rf'data-cell="{cell}">([^<]*)</td>', row.group(1))
    assert found
    return found.group(1).strip()


def _precision(order: list[str], hits: set[str], k: int) -> str:
    top = order[:k]
    n = sum(e in hits for e in top)
    return f"{n / len(top):.2f} ({n}/{len(top)})"


def test_the_figures_are_the_ones_the_planted_answer_gives(with_later: Served, small_analysis: Analysis,
                                                          planted: set[str]) -> None:
    p = _convertible(small_analysis)
    by_score, by_amount = _order(p, "score"), _order(p, "amount")
    # outcomes recorded here: the ranking's first firm opened an account, the amount's first bought a
    # product, the ranking's second was only visited (not a conversion)
    with _browser(with_later, "bt_admin", "admin", []) as admin:
        who = with_later.appdb.authenticate_session(admin.cookies[SESSION_COOKIE])
        assert who is not None
        day = date(2025, 3, 1)
        with_later.appdb.record_outcome(by_score[0], "account_opened", on_date=day, by=who)
        with_later.appdb.record_outcome(by_amount[0], "product_sold", on_date=day, product="loan", by=who)
        with_later.appdb.record_outcome(by_score[1], "visited", on_date=day, by=who)
        page = admin.get("/backtest", params={"lang": "en"})
    assert page.status_code == 200
    html = page.text
    recorded = {by_score[0], by_amount[0]}
    for k in (10, 50):
        assert _cell(html, "later", k, "chainsight") == _precision(by_score, planted, k)
        assert _cell(html, "later", k, "amount") == _precision(by_amount, planted, k)
        assert _cell(html, "later", k, "random") == f"{len(planted & set(by_score)) / len(by_score):.2f}"
        assert _cell(html, "recorded", k, "chainsight") == _precision(by_score, recorded, k)
        assert _cell(html, "recorded", k, "amount") == _precision(by_amount, recorded, k)
        means = []
        for column in ("score", "amount"):
            per_core = [sum(e in planted for e in _order(part, column)[:k]) / min(k, part["enterprise_id"].nunique())
                        for _, part in p.groupby("core_id")]
            means.append(f"{sum(per_core) / len(per_core):.2f}")
        assert [_cell(html, "later", k, "core_chainsight"), _cell(html, "later", k, "core_amount")] == means
    assert "what happened afterwards" in html and "more than 20 %" in html and "account opened" in html
    ours, theirs = (sum(e in planted for e in o[:10]) for o in (by_score, by_amount))
    expected = "ahead of" if ours > theirs else "behind" if ours < theirs else "level with"
    assert f"First 10: the ranking is {expected} the amount baseline." in html
    cores = set(re.findall(r'<tr data-core="([^"]+)">', html))
    assert cores == set(p["core_id"])
    entry = [e for e in with_later.appdb.list_audit(limit=5, user="bt_admin") if e.route == "/backtest"]
    assert entry and entry[0].status == 200 and entry[0].rows > 0


def test_without_a_later_database_the_page_says_how_to_give_one(without_later: Served) -> None:
    with _browser(without_later, "bt_analyst", "analyst", []) as analyst:
        page = analyst.get("/backtest", params={"lang": "en"})
    assert page.status_code == 200
    assert "No later database configured" in page.text and "--later-db" in page.text
    assert "CHAINSIGHT_LATER_DB" in page.text and 'id="overall-later"' not in page.text
    assert 'id="overall-recorded"' in page.text and "Traceback" not in page.text


def test_a_manager_gets_the_403_page_and_no_link(without_later: Served) -> None:
    with _browser(without_later, "bt_manager", "manager", [BRANCH_A]) as manager:
        start = manager.get("/")
        page = manager.get("/backtest")
    assert 'href="/backtest"' not in start.text
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert 'id="overall-' not in page.text
    entry = [e for e in without_later.appdb.list_audit(limit=5, user="bt_manager") if e.route == "/backtest"]
    assert entry and entry[0].status == 403
