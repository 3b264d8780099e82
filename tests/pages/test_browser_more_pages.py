"""The lists and back-test pages in a real headless Chromium: drawn with nothing leaving the app's origin,
no console error, CSP violation or dialog; the README's screenshots of them are taken here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.api.principal import Principal
from chainsight.config import Settings
from chainsight.graph.result import Analysis
from tests.api.served import BRANCH_A, Served, published, serve  # noqa: F401
from tests.pages.browsing import Tab

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"
ADMIN = Principal(kind="user", id=0, name="root", role="admin", branches=frozenset())


@pytest.fixture(scope="module")
def site(published: Path, small_later_db: Path) -> Iterator[Served]:  # noqa: F811
    gen = serve(Settings(db_path=published, later_db=small_later_db),
                f"sqlite:///{published.with_suffix('.more.app.sqlite')}")
    served = next(gen)
    served.appdb.add_user("zhao_a", PASSWORD, "manager", [BRANCH_A])
    served.appdb.add_user("sun_analyst", PASSWORD, "analyst", [])
    yield served
    gen.close()


@pytest.fixture
def tab(browser: Any, site: Served) -> Iterator[Any]:
    opened: list[Tab] = []

    def open_(user: str) -> Tab:
        opened.append(Tab(browser, site.url))
        token = site.appdb.sign_in(user, PASSWORD, "127.0.0.1")
        assert token is not None
        opened[-1].context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": site.url}])
        return opened[-1]

    yield open_
    for t in opened:
        t.close()


def test_a_manager_opens_a_list_shared_with_the_branch(tab: Any, site: Served, small_analysis: Analysis) -> None:
    cores = small_analysis.cores.sort_values("rank")["enterprise_id"].astype(str).tolist()
    prospects = small_analysis.prospects
    firms = prospects[prospects["core_id"] == cores[0]].sort_values("rank")["enterprise_id"].head(12).tolist()
    saved = site.appdb.save_list("代发工资联动名单", firms, by=ADMIN, note="与零售部联合营销")
    site.appdb.share_list(saved.id, "branch", BRANCH_A, by=ADMIN)
    site.appdb.share_list(saved.id, "team", "retail", by=ADMIN)
    t = tab("zhao_a")
    assert t.goto("/lists").status == 200
    t.page.click(f'tr[data-list="{saved.id}"] a')
    t.page.wait_for_selector("#list-firms")
    shown = t.page.locator("#list-firms tbody tr").count()
    hidden = t.page.locator("[data-hidden]").get_attribute("data-hidden") if t.page.locator("[data-hidden]").count() \
        else "0"
    assert shown >= 1 and shown + int(hidden or 0) == len(set(firms))
    t.shot("pages-lists.png")
    t.watch.assert_clean()


def test_an_analyst_opens_the_back_test(tab: Any, site: Served) -> None:
    t = tab("sun_analyst")
    assert t.goto("/backtest").status == 200
    assert t.page.locator("table").count() >= 2  # the later answer and the recorded outcomes
    assert "precision@k" in t.page.content()
    t.shot("pages-backtest.png")
    t.watch.assert_clean()
