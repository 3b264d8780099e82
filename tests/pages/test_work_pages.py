"""Working a list on the pages over a real served app: take → my prospects → outcome → release, the CSRF
token on every post, and a manager of another branch who gets the 404 page with nothing stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from chainsight.api.pages._security import token_for
from tests.api.served import BRANCH_A, BRANCH_B, published  # noqa: F401
from tests.api.test_scoping import _nothing_of_b, world  # noqa: F401
from tests.pages.signing import PASSWORD, Site, form_token, sign_in, site_over

pytestmark = pytest.mark.integration

VISIT = {"kind": "visited", "on_date": "2026-12-01", "follow_up": "2026-12-02", "note": "met the CFO <b>x</b>"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, published: Path,  # noqa: F811
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from site_over(request, published, tmp_path_factory.mktemp("work"))


@pytest.fixture(scope="module")
def users(site: Site) -> None:
    for name, role, branches in (("mgr_b", "manager", [BRANCH_B]), ("mgr_b2", "manager", [BRANCH_B]),
                                 ("mgr_a", "manager", [BRANCH_A]), ("reader", "analyst", [])):
        site.served.appdb.add_user(name, PASSWORD, role, branches)


@pytest.fixture
def browsers(site: Site, users: None) -> Iterator[dict[str, httpx.Client]]:
    """A signed-in client per user (through the real form)."""
    with ExitStack() as stack:
        opened = {}
        for name in ("mgr_b", "mgr_b2", "mgr_a", "reader"):
            client, answer = stack.enter_context(sign_in(site.url, name))
            assert answer.status_code == 303
            opened[name] = client
        yield opened


def _csrf(client: httpx.Client) -> str:
    return token_for(client.cookies["chainsight_session"])


def _row(html: str, firm: str) -> str:
    found = re.search(rf'<tr data-firm="{re.escape(firm)}".*?</tr>', html, re.S)
    assert found, f"{firm} is not on the page"
    return found.group(0)


def test_take_shows_in_my_prospects_then_an_outcome_then_release(site: Site, browsers: dict[str, httpx.Client],
                                                                  world: dict[str, Any]) -> None:
    b, firm, appdb = browsers["mgr_b"], world["b_prospect"], site.served.appdb
    empty = b.get("/mine")
    assert empty.status_code == 200 and "您还没有认领客户" in empty.text
    token = form_token(empty.text)
    assert b.post(f"/enterprises/{firm}/take", data={"back": "/mine"}).status_code == 403  # no token
    assert appdb.claims_of("mgr_b") == []
    taken = b.post(f"/enterprises/{firm}/take", data={"csrf": token, "back": "/mine"})
    assert taken.status_code == 303 and taken.headers["location"] == "/mine?notice=taken"
    try:
        assert [c.firm_id for c in appdb.claims_of("mgr_b")] == [firm]
        page = b.get(taken.headers["location"])
        assert "已认领该客户" in page.text
        row = _row(page.text, firm)
        assert 'data-status="new"' in row and world["b_prospect_name"] in row and 'data-action="release"' in row

        bad = b.post(f"/enterprises/{firm}/outcomes", data={**VISIT, "kind": "product_sold", "csrf": token,
                                                             "back": "/mine"})
        assert bad.headers["location"] == "/mine?notice=invalid_outcome" and appdb.outcomes_of([firm]) == []
        recorded = b.post(f"/enterprises/{firm}/outcomes", data={**VISIT, "csrf": token, "back": "/mine"})
        assert recorded.status_code == 303 and recorded.headers["location"] == "/mine?notice=recorded"
        [outcome] = appdb.outcomes_of([firm])
        assert (outcome.kind, str(outcome.follow_up), outcome.note, outcome.recorded_by) == (
            "visited", "2026-12-02", "met the CFO <b>x</b>", "mgr_b")

        row = _row(b.get("/mine").text, firm)
        assert 'data-status="visited"' in row and 'class="due"' in row and "2026年12月2日" in row
        assert "met the CFO &lt;b&gt;x&lt;/b&gt;" in row and "<b>x</b>" not in row
        assert firm not in b.get("/mine", params={"status": "new"}).text
        assert 'data-status="visited"' in _row(b.get("/mine", params={"status": "visited"}).text, firm)
        english = b.get("/mine", params={"lang": "en"}).text
        assert "My prospects" in english and "Visited" in english and "Export Excel" in english
        exported = b.get("/api/v1/my/prospects.csv")  # the page's export link, with the session
        assert exported.status_code == 200 and exported.text.count(firm) == 1

        elsewhere = b.post(f"/enterprises/{firm}/take", data={"csrf": token, "back": "//evil.example/x"})
        assert elsewhere.headers["location"] == f"/enterprises/{firm}?notice=taken"
    finally:
        released = b.post(f"/enterprises/{firm}/release", data={"csrf": token, "back": "/mine?status=all"})
    assert released.headers["location"] == "/mine?status=all&notice=released"
    assert appdb.claims_of("mgr_b") == [] and "您还没有认领客户" in b.get("/mine", params={"lang": "zh"}).text


def test_the_work_buttons_of_a_firm_say_who_has_it(site: Site, browsers: dict[str, httpx.Client],
                                                   world: dict[str, Any]) -> None:
    b, other, firm = browsers["mgr_b"], browsers["mgr_b2"], world["b_prospect"]
    page = b.get(f"/enterprises/{firm}")
    assert page.status_code == 200 and 'data-action="take"' in page.text and f'/enterprises/{firm}/outcomes' in page.text
    assert f'name="on_date" value="{date.today().isoformat()}"' in page.text  # the form's date: today
    assert b.post(f"/enterprises/{firm}/take", data={"csrf": _csrf(b), "back": f"/enterprises/{firm}"}
                  ).status_code == 303
    try:
        seen = other.get(f"/enterprises/{firm}").text
        assert 'data-taken-by="mgr_b"' in seen and 'data-action="take"' not in seen
        assert 'data-action="release"' not in seen
        refused = other.post(f"/enterprises/{firm}/take", data={"csrf": _csrf(other), "back": f"/enterprises/{firm}"})
        assert refused.headers["location"] == f"/enterprises/{firm}?notice=taken_by_other"
        assert "已被其他客户经理认领" in other.get(refused.headers["location"]).text
        not_mine = other.post(f"/enterprises/{firm}/release", data={"csrf": _csrf(other)})
        assert not_mine.headers["location"] == f"/enterprises/{firm}?notice=not_yours"
        assert [c.manager for c in site.served.appdb.claims_on([firm]).values()] == ["mgr_b"]
        reader = browsers["reader"]
        assert reader.post(f"/enterprises/{firm}/release", data={"csrf": _csrf(reader)}).status_code == 403
        assert 'data-action="take"' not in reader.get(f"/enterprises/{firm}").text  # analysts read only
    finally:
        b.post(f"/enterprises/{firm}/release", data={"csrf": _csrf(b)})


def test_a_manager_of_another_branch_gets_the_404_page_and_nothing_is_stored(
        site: Site, browsers: dict[str, httpx.Client], world: dict[str, Any]) -> None:
    a, firm, appdb = browsers["mgr_a"], world["b_prospect"], site.served.appdb
    before = len(appdb.outcomes_of([firm]))
    for action, data in (("take", {}), ("release", {}), ("outcomes", VISIT)):
        url = f"/enterprises/{firm}/{action}"
        answer = a.post(url, data={**data, "csrf": _csrf(a), "back": "/mine"})
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html"), url
        assert "无权查看" in answer.text
        _nothing_of_b(answer.text, world, asked=url)
    assert appdb.claims_on([firm]) == {} and len(appdb.outcomes_of([firm])) == before
    assert firm not in a.get("/mine").text


def test_a_prospect_an_admin_assigned_to_me_is_on_my_list_to_take(site: Site, browsers: dict[str, httpx.Client],
                                                                   world: dict[str, Any]) -> None:
    from chainsight.api.principal import Principal

    b, firm, appdb = browsers["mgr_b"], world["b_prospect"], site.served.appdb
    admin = Principal(kind="user", id=0, name="root", role="admin", branches=frozenset())
    appdb.assign(firm, BRANCH_B, "mgr_b", by=admin)
    try:
        assert appdb.claims_of("mgr_b") == []
        row = _row(b.get("/mine").text, firm)
        assert 'data-assigned-by="root"' in row and "待认领" in row and 'data-action="take"' in row
        assert 'data-action="release"' not in row  # (its status is what earlier outcomes made it)
    finally:
        appdb.assign(firm, None, None, by=admin)
    assert firm not in b.get("/mine").text
