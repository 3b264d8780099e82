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

import openpyxl
import pandas as pd
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.config import Settings
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from tests.api.served import BRANCH_A, BRANCH_B, Served, serve
from tests.api.test_scoping import world  # noqa: F401
from tests.api.test_scoping import _nothing_of_b
from tests.pages.browsing import INKED_PIXELS, Tab, poll

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
    overview = tab.page.wait_for_selector("iframe.view").content_frame()
    poll(overview, "Boolean(window.chainView && window.chainView.ready)")
    assert overview.evaluate("chainView.network.body.nodeIndices.length") == len(world["a_cores"])
    assert overview.evaluate(INKED_PIXELS) > 1_000
    _nothing_of_b(overview.content(), world)
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


@pytest.fixture(scope="module")
def top(small_analysis: Analysis) -> dict[str, str]:
    """The small bank's best core (a customer of branch A): id and name."""
    best = small_analysis.cores.sort_values("rank").iloc[0]
    return {"id": str(best["enterprise_id"]), "name": str(best["name"])}


def chain_frame(tab: Tab) -> Any:
    """The chain view's frame of a core page, once vis-network has drawn it."""
    frame = tab.page.wait_for_selector("iframe.view").content_frame()
    poll(frame, "Boolean(window.chainView && window.chainView.ready)")
    return frame


def test_a_manager_opens_a_core_and_sees_its_chain_drawn(tabs: Any, site: Served, top: dict[str, str],
                                                          world: dict[str, Any]) -> None:
    tab = signed_in(tabs(), site, "wang_a")
    tab.goto("/")
    tab.page.click(f"#cores a[href='/cores/{top['id']}']")
    tab.page.wait_for_url(f"**/cores/{top['id']}")
    assert top["name"] in tab.page.inner_text("h1")
    frame = chain_frame(tab)
    with site.client("manager") as api:  # the same manager's chain as the API gives it (depth 2, the view's)
        members = api.get(f"/api/v1/cores/{top['id']}/chain", params={"depth": 2}).json()["members"]
    assert len(members) > 10
    assert frame.evaluate("chainView.network.body.nodeIndices.length") == 1 + len(members)
    assert frame.evaluate(INKED_PIXELS) > 5_000  # drawn, not just handed to vis-network
    _nothing_of_b(frame.content(), world)
    _nothing_of_b(tab.page.content(), world)
    tab.shot("pages-core.png")
    tab.watch.assert_clean()


def test_the_prospect_filters_narrow_the_table(tabs: Any, site: Served, top: dict[str, str],
                                               small_analysis: Analysis) -> None:
    p = small_analysis.prospects
    expected = p[(p["core_id"] == top["id"]) & (p["kind"] == "acquire") & (p["direction"] == "up")
                 & (p["tier"] == 1) & (p["score"] >= 0.6)]
    assert 0 < len(expected) <= 25  # one page: every expected row is shown
    tab = signed_in(tabs(), site, "wang_a")
    tab.goto(f"/cores/{top['id']}")
    tab.page.uncheck("form.filters input[name=kind][value=deepen]")
    tab.page.check("form.filters input[name=kind][value=acquire]")
    tab.page.select_option("form.filters select[name=direction]", "up")
    tab.page.select_option("form.filters select[name=tier]", "1")
    tab.page.fill("form.filters input[name=min_score]", "0.6")
    with tab.page.expect_navigation():
        tab.page.click("form.filters button[type=submit]")
    shown = tab.page.eval_on_selector_all("#prospect-table tbody tr td:nth-child(2) a",
                                          "as => as.map(a => decodeURIComponent(a.pathname.split('/')[2]))")
    assert sorted(shown) == sorted(expected["enterprise_id"])
    assert f"{len(expected)}" in tab.page.inner_text(".toolbar")
    tab.watch.assert_clean()


def test_a_manager_of_another_branch_gets_nothing_of_the_core(tabs: Any, site: Served, top: dict[str, str],
                                                              small_analysis: Analysis) -> None:
    members = small_analysis.prospects[small_analysis.prospects["core_id"] == top["id"]]
    names = [n for n in members["name"] if isinstance(n, str) and len(n) >= 6] + [top["name"]]
    own = signed_in(tabs(), site, "wang_a")
    assert own.goto(f"/cores/{top['id']}").status == 200  # the URL is a page: for its own branch
    other = signed_in(tabs(), site, "li_b")
    for path in (f"/cores/{top['id']}", f"/views/chain/{top['id']}.html"):
        answer = other.goto(path)
        assert answer.status == 404, path
        text = other.page.content()
        assert not [n for n in names if n in text], path
    assert other.page.evaluate("document.querySelectorAll('iframe, canvas').length") == 0
    assert other.watch.outside == [] and other.watch.csp == [] and other.watch.dialogs == []


def test_a_hostile_name_is_text_on_the_core_page_and_in_its_chain(tabs: Any, site: Served,
                                                                  hostile: dict[str, str]) -> None:
    tab = signed_in(tabs(), site, "wang_a")
    assert tab.goto(f"/cores/{hostile['core']}").status == 200
    assert tab.page.inner_text("h1").startswith(HOSTILE)
    assert HOSTILE in tab.page.inner_text("#prospect-table")  # its best prospect bears the name too
    no_markup_of(tab)
    frame = chain_frame(tab)
    frame.fill("#cs-search", "onerror")
    frame.click("#cs-find button")
    assert frame.text_content("#cs-panel-name") == HOSTILE
    assert frame.evaluate("document.querySelectorAll('img').length") == 0
    tab.watch.assert_clean()


def test_a_hostile_name_is_text_on_the_enterprise_page_and_its_neighbourhood(tabs: Any, site: Served,
                                                                             hostile: dict[str, str]) -> None:
    tab = signed_in(tabs(), site, "wang_a")
    assert tab.goto(f"/enterprises/{hostile['prospect']}").status == 200
    assert tab.page.inner_text("h1").startswith(HOSTILE)
    no_markup_of(tab)
    frame = chain_frame(tab)
    frame.fill("#cs-search", "onerror")
    frame.click("#cs-find button")
    assert frame.text_content("#cs-panel-name") == HOSTILE
    assert frame.evaluate("document.querySelectorAll('img').length") == 0
    tab.watch.assert_clean()


def test_the_enterprise_page_shows_the_evidence_with_the_customer_number_masked(
        tabs: Any, site: Served, top: dict[str, str], small_analysis: Analysis, world: dict[str, Any]) -> None:
    firms = small_analysis.firms.set_index("enterprise_id")
    p = small_analysis.prospects
    ours = p[(p["core_id"] == top["id"]) & (p["kind"] == "deepen") & (p["branch"] == BRANCH_A)]
    firm = str(ours.sort_values("rank")["enterprise_id"].iloc[0])
    cif = str(firms.loc[firm, "customer_id"])
    assert cif.startswith("CIF") and len(cif) > 8
    tab = signed_in(tabs(), site, "wang_a")
    tab.goto(f"/cores/{top['id']}")
    with tab.page.expect_navigation():
        tab.page.click(f"#prospect-table a[href='/enterprises/{firm}']")
    assert tab.page.inner_text("h1").startswith(str(firms.loc[firm, "name"]))
    text = tab.page.content()
    assert cif not in text and "*" * (len(cif) - 4) + cif[-4:] in tab.page.inner_text("#facts")
    frame = chain_frame(tab)
    assert frame.evaluate("chainView.network.body.nodeIndices.length") >= 2  # the firm and the core at least
    assert frame.evaluate(INKED_PIXELS) > 1_000
    assert cif not in frame.content()
    _nothing_of_b(text + frame.content(), world)
    tab.shot("pages-enterprise.png")
    tab.watch.assert_clean()


def test_a_manager_signs_in_through_the_form_and_out_again(tabs: Any, site: Served, world: dict[str, Any]) -> None:
    tab = tabs()
    tab.goto("/?sort=name")  # no session: the sign-in page, remembering where I was going
    assert tab.page.url == f"{site.url}/sign-in?next=/%3Fsort%3Dname"
    tab.shot("pages-sign-in.png")
    tab.page.fill("input[name=name]", "wang_a")
    tab.page.fill("input[name=password]", PASSWORD)
    with tab.page.expect_navigation():
        tab.page.click("form[action='/sign-in'] button[type=submit]")
    assert tab.page.url == f"{site.url}/?sort=name"
    links = tab.page.eval_on_selector_all("#cores tbody a", "as => as.map(a => decodeURIComponent(a.pathname.slice(7)))")
    assert set(links) == set(world["a_cores"])
    cookie = next(c for c in tab.context.cookies(site.url) if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert tab.page.evaluate("document.cookie").find(SESSION_COOKIE) < 0  # no script can read it
    with tab.page.expect_navigation():
        tab.page.click("form[action='/sign-out'] button[type=submit]")
    assert tab.page.url.startswith(f"{site.url}/sign-in")
    tab.watch.assert_clean()
    again = tabs()  # the old session cookie, replayed in another browser, opens nothing
    again.context.add_cookies([{"name": SESSION_COOKIE, "value": cookie["value"], "url": site.url}])
    again.goto("/")
    assert again.page.url.startswith(f"{site.url}/sign-in") and "#cores" not in again.page.content()
    assert site.appdb.authenticate_session(cookie["value"]) is None


def test_a_form_post_without_the_csrf_token_is_refused(tabs: Any, site: Served) -> None:
    tab = signed_in(tabs(), site, "wang_a")
    token = tab.cookie(SESSION_COOKIE)
    tab.goto("/")
    # a form like the page's own sign-out, posted by the browser, but without the csrf field
    with tab.page.expect_navigation() as posted:
        tab.page.evaluate("""() => { const f = document.createElement('form'); f.method = 'post';
            f.action = '/sign-out'; document.body.append(f); f.submit(); }""")
    assert posted.value.status == 403 and "Traceback" not in tab.page.content()
    assert site.appdb.authenticate_session(token) is not None  # still signed in: nothing was done
    assert tab.context.request.post(f"{site.url}/sign-out", form={"csrf": "forged"}).status == 403
    assert tab.context.request.post(f"{site.url}/sign-out", form={}).status == 403
    assert tab.goto("/").status == 200 and tab.page.url == f"{site.url}/"
    assert tab.watch.outside == [] and tab.watch.csp == [] and tab.watch.dialogs == []


def _workbook(download: Any, folder: Path) -> tuple[list[list[Any]], str | None]:
    """The rows of a downloaded XLSX file's sheet, and the workbook's description."""
    assert download.suggested_filename.endswith(".xlsx")
    path = folder / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book.active.iter_rows(values_only=True)], book.properties.description


def test_the_filtered_prospects_export_as_xlsx_masked_and_watermarked(
        tabs: Any, site: Served, top: dict[str, str], small_analysis: Analysis, small_bank: tuple[Path, Path],
        tmp_path: Path) -> None:
    p = small_analysis.prospects
    expected = p[(p["core_id"] == top["id"]) & (p["direction"] == "down") & (p["tier"] == 1)
                 & p["kind"].isin(["deepen", "acquire"])]
    accounts = pd.read_csv(small_bank[0] / "master" / "accounts.csv", dtype=str, encoding="utf-8-sig")
    secret = set(accounts["account_no"]) | set(accounts["customer_id"])
    tab = signed_in(tabs(), site, "wang_a")
    tab.goto(f"/cores/{top['id']}?direction=down&tier=1")
    with tab.page.expect_download() as download:
        tab.page.click("a.button[href*='/prospects.xlsx']")
    rows, description = _workbook(download.value, tmp_path)
    header, *body = rows
    assert {"企业编号", "企业名称", "得分", "层级"} <= set(header)
    *data, (mark, *_) = [r for r in body if any(v is not None for v in r)]  # a blank row, then the mark
    assert str(mark).startswith("exported by wang_a (manager)") and "导出人 wang_a" in str(mark)
    assert description == mark
    # what manager A may see of them (README, "Who sees what"): firms at other banks, and our customers of A
    visible = expected[expected["branch"].isna() | (expected["branch"] == BRANCH_A)]
    assert 0 < len(visible) < len(expected)  # the export is scoped, not just the page
    ids = [r[header.index("企业编号")] for r in data]
    assert sorted(ids) == sorted(visible["enterprise_id"])
    text = {str(v) for row in rows for v in row if v is not None}
    assert not text & secret  # no account number, no customer number in full
    assert not [v for v in text if any(s in v for s in secret if len(s) >= 10)]
    tab.watch.assert_clean()


def sign_in_by_form(tab: Tab, site: Served, user: str) -> None:
    """Sign ``user`` in the way a person does: the start page sends to the form, the form back."""
    tab.goto("/")
    tab.page.fill("input[name=name]", user)
    tab.page.fill("input[name=password]", PASSWORD)
    with tab.page.expect_navigation():
        tab.page.click("form[action='/sign-in'] button[type=submit]")
    assert tab.page.url == f"{site.url}/"


NOTE = "见了财务总监 <b>CFO</b>, 下周再谈"


def test_the_acceptance_flow(tabs: Any, site: Served, top: dict[str, str], small_analysis: Analysis,
                             world: dict[str, Any], tmp_path: Path) -> None:
    """Sign in, my cores, a core's chain drawn, filter, take a prospect, record an outcome, my prospects
    and their export, sign out — then the old session and another branch's manager get nothing."""
    tab = tabs()
    sign_in_by_form(tab, site, "wang_a")
    assert set(tab.page.eval_on_selector_all(
        "#cores tbody a", "as => as.map(a => decodeURIComponent(a.pathname.slice(7)))")) == set(world["a_cores"])
    with tab.page.expect_navigation():
        tab.page.click(f"#cores a[href='/cores/{top['id']}']")
    assert tab.page.evaluate("document.querySelector('h1').textContent").startswith(top["name"])
    frame = chain_frame(tab)
    assert frame.evaluate(INKED_PIXELS) > 5_000
    # filter: acquire prospects, upstream tier 1, score at least 0.6 (worked out from the analysis)
    p = small_analysis.prospects
    expected = p[(p["core_id"] == top["id"]) & (p["kind"] == "acquire") & (p["direction"] == "up")
                 & (p["tier"] == 1) & (p["score"] >= 0.6)].sort_values("rank")
    tab.page.uncheck("form.filters input[name=kind][value=deepen]")
    tab.page.select_option("form.filters select[name=direction]", "up")
    tab.page.select_option("form.filters select[name=tier]", "1")
    tab.page.fill("form.filters input[name=min_score]", "0.6")
    with tab.page.expect_navigation():
        tab.page.click("form.filters button[type=submit]")
    rows = tab.page.locator("#prospect-table tbody tr")
    assert rows.count() == len(expected)
    # take the best of them
    firm = str(expected["enterprise_id"].iloc[0])
    row = rows.filter(has=tab.page.locator(f"a[href='/enterprises/{firm}']"))
    with tab.page.expect_navigation():
        row.locator("button[data-action=take]").click()
    assert "direction=up" in tab.page.url  # back where I was, the filters kept
    assert [c.firm_id for c in site.appdb.claims_of("wang_a")].count(firm) == 1
    assert tab.page.locator("#prospect-table tbody tr").filter(
        has=tab.page.locator(f"a[href='/enterprises/{firm}']")).locator("button[data-action=release]").count() == 1
    # record an outcome on its page
    with tab.page.expect_navigation():
        tab.page.click(f"#prospect-table a[href='/enterprises/{firm}']")
    tab.page.click("details.outcome-form summary")
    tab.page.select_option("form.outcome select[name=kind]", "visited")
    tab.page.fill("form.outcome input[name=on_date]", "2026-12-01")
    tab.page.fill("form.outcome input[name=follow_up]", "2026-12-08")
    tab.page.fill("form.outcome textarea[name=note]", NOTE)
    with tab.page.expect_navigation():
        tab.page.click("form.outcome button[type=submit]")
    recorded = site.appdb.outcomes_of([firm])
    assert [(o.kind, str(o.on_date), o.note) for o in recorded] == [("visited", "2026-12-01", NOTE)]
    assert NOTE in tab.page.inner_text("#outcomes")  # the note as text, its <b> not markup
    assert tab.page.evaluate("document.querySelectorAll('#outcomes b').length") == 0
    # my prospects: the one I took, visited, its follow-up date
    with tab.page.expect_navigation():
        tab.page.click("header nav a[href='/mine']")
    mine = tab.page.locator(f"#mine tr[data-firm='{firm}']")
    assert mine.get_attribute("data-status") == "visited" and NOTE in mine.inner_text()
    tab.shot("pages-mine.png")
    with tab.page.expect_download() as download:
        tab.page.click("a.button[href='/api/v1/my/prospects.xlsx']")
    sheet, description = _workbook(download.value, tmp_path)
    assert firm in {v for row in sheet for v in row} and "导出人 wang_a" in str(description)
    # sign out: the old session cookie opens nothing any more
    token = tab.cookie(SESSION_COOKIE)
    with tab.page.expect_navigation():
        tab.page.click("form[action='/sign-out'] button[type=submit]")
    tab.watch.assert_clean()
    replay = tabs()
    replay.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": site.url}])
    replay.goto(f"/cores/{top['id']}")
    assert replay.page.url.startswith(f"{site.url}/sign-in") and top["name"] not in replay.page.content()
    # a manager of another branch who types the core's URL gets nothing of it
    other = tabs()
    sign_in_by_form(other, site, "li_b")
    assert other.goto(f"/cores/{top['id']}").status == 404
    assert top["name"] not in other.page.content() and firm not in other.page.content()
    assert other.goto(f"/enterprises/{firm}").status == 404 and NOTE not in other.page.content()
    assert other.watch.outside == [] and other.watch.csp == [] and other.watch.dialogs == []


def test_a_hostile_name_is_text_on_my_prospects(tabs: Any, site: Served, hostile: dict[str, str]) -> None:
    tab = signed_in(tabs(), site, "wang_a")
    tab.goto(f"/cores/{hostile['core']}")
    row = tab.page.locator("#prospect-table tbody tr").filter(
        has=tab.page.locator(f"a[href='/enterprises/{hostile['prospect']}']"))
    with tab.page.expect_navigation():
        row.locator("button[data-action=take]").click()
    assert tab.goto("/mine").status == 200
    assert tab.page.locator(f"#mine tr[data-firm='{hostile['prospect']}']").inner_text().startswith(HOSTILE)
    no_markup_of(tab)
    tab.watch.assert_clean()
