"""The managers' pages in a real headless Chromium: the acceptance flow of issue #14.

One app is served for the module (uvicorn in a thread, the small demo bank, a SQLite app database) and
every browser context counts and refuses each request that leaves the app's origin, and records console
errors, CSP violations and dialogs (tests/pages/browsing.py): each test ends with none of them.

The published analysis is the small bank's with two firms renamed ``<img src=x onerror=alert(1)>``: a
core of branch A (not the top one, so the README's screenshots show real names) and its best prospect.
Every page that shows them must show that text, make no ``<img>`` of it, and run no dialog.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.config import Settings
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from tests.api.served import BRANCH_A, BRANCH_B, Served, serve
from tests.api.test_scoping import world  # noqa: F401
from tests.pages.browsing import Tab

pytestmark = pytest.mark.integration

HOSTILE = "<img src=x onerror=alert(1)>"
PASSWORD = "correct horse battery"
#: user name → (role, branches)
USERS = {"wang_a": ("manager", [BRANCH_A]), "li_b": ("manager", [BRANCH_B])}


def renamed(analysis: Analysis, names: dict[str, str]) -> Analysis:
    """A copy of ``analysis`` in which each firm of ``names`` (id → new name) bears its new name, in every
    table and in every sentence that quoted its old name."""
    old = analysis.firms.set_index("enterprise_id")["name"]
    frames = {}
    for f in dataclasses.fields(analysis):
        frame = getattr(analysis, f.name)
        if isinstance(frame, pd.DataFrame):
            frame = frame.copy()
            for firm, name in names.items():
                if {"enterprise_id", "name"} <= set(frame.columns):
                    frame.loc[frame["enterprise_id"] == firm, "name"] = name
                for column in frame.columns[frame.dtypes == object]:
                    frame[column] = frame[column].map(
                        lambda v, was=str(old[firm]), new=name: v.replace(was, new) if isinstance(v, str) else v)
            frames[f.name] = frame
    return dataclasses.replace(analysis, **frames)


@pytest.fixture(scope="module")
def hostile(small_analysis: Analysis) -> dict[str, str]:
    """The branch-A core to rename (A's second best) and its best prospect no other branch owns."""
    branch = small_analysis.firms.set_index("enterprise_id")["branch"]
    cores = small_analysis.cores.sort_values("rank")["enterprise_id"].astype(str)
    core = [c for c in cores if branch.get(c) == BRANCH_A][1]
    prospects = small_analysis.prospects
    mine = prospects[(prospects["core_id"] == core) & ~prospects["is_customer"].fillna(False).astype(bool)]
    return {"core": core, "prospect": str(mine.sort_values("rank")["enterprise_id"].iloc[0])}


@pytest.fixture(scope="module")
def site(small_analysis: Analysis, hostile: dict[str, str], tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Served]:
    """The app over the small bank with the two hostile names, and the users of :data:`USERS`."""
    db = tmp_path_factory.mktemp("pages-browser") / "bank.duckdb"
    store = LocalStore(db)
    store.publish(renamed(small_analysis, {hostile["core"]: HOSTILE, hostile["prospect"]: HOSTILE}))
    store.close()
    gen = serve(Settings(db_path=db), f"sqlite:///{db.with_suffix('.app.sqlite')}")
    served = next(gen)
    for name, (role, branches) in USERS.items():
        served.appdb.add_user(name, PASSWORD, role, branches)
    yield served
    gen.close()


@pytest.fixture
def tabs(browser: Any, site: Served) -> Iterator[Any]:
    """Opens a watched browser context (:class:`Tab`) per call; closes them after the test."""
    opened: list[Tab] = []

    def open_() -> Tab:
        opened.append(Tab(browser, site.url))
        return opened[-1]

    yield open_
    for tab in opened:
        tab.close()


def signed_in(tab: Tab, site: Served, user: str) -> Tab:
    """``tab`` with a session of ``user`` made by the app database (for the tests not about signing in)."""
    token = site.appdb.sign_in(user, PASSWORD, "127.0.0.1")
    assert token is not None
    tab.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": site.url}])
    return tab


def no_markup_of(tab: Tab, frame: Any = None) -> None:
    """The hostile name shows as text in ``frame`` (the page by default) and made no element."""
    where = frame or tab.page
    assert HOSTILE in where.inner_text("body")
    assert where.evaluate("document.querySelectorAll('img[src=x], img[onerror]').length") == 0
    assert where.evaluate("typeof window.__pwned") == "undefined"


def test_the_start_page_lists_my_branch_cores_only(tabs: Any, site: Served, world: dict[str, Any],
                                                    hostile: dict[str, str]) -> None:
    tab = signed_in(tabs(), site, "wang_a")
    assert tab.goto("/").status == 200
    links = tab.page.eval_on_selector_all("#cores tbody a[href^='/cores/']",
                                          "as => as.map(a => decodeURIComponent(a.pathname.slice(7)))")
    assert set(links) == set(world["a_cores"]) and len(links) == len(world["a_cores"])
    text = tab.page.inner_text("main")
    assert not [n for n in world["b_names"] if n in text]
    no_markup_of(tab)  # the renamed A core is listed by its hostile name, as text
    tab.shot("pages-start.png")
    tab.page.fill("input[name=q]", HOSTILE)  # the search echoes it back: still text
    tab.page.press("input[name=q]", "Enter")
    tab.page.wait_for_url("**/?q=*")
    assert tab.page.input_value("input[name=q]") == HOSTILE
    assert tab.page.eval_on_selector_all("#cores tbody a", "as => as.map(a => a.pathname)") == [
        f"/cores/{hostile['core']}"]
    no_markup_of(tab)
    tab.watch.assert_clean()



def test_the_watch_sees_what_a_page_must_not_do(tabs: Any, site: Served) -> None:
    """The harness can fail: an outside request, a refused inline script, a console error and a dialog
    are each recorded (so the empty lists of the other tests mean something)."""
    tab = signed_in(tabs(), site, "wang_a")
    tab.goto("/")
    tab.page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.__pwned = 1'; document.body.append(s);
        console.error('a console error'); alert('a dialog');
    }""")
    with pytest.raises(Exception):  # refused by the route handler: the navigation fails
        tab.page.goto("http://outside.invalid/x")
    assert tab.watch.outside == ["http://outside.invalid/x"]
    assert tab.watch.dialogs == ["a dialog"] and any("a console error" in m for m in tab.watch.console)
    assert [v for v in tab.watch.csp if v.startswith("script-src")], tab.watch.csp
    with pytest.raises(AssertionError):
        tab.watch.assert_clean()
