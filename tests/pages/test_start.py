"""The start page over a real served app: sign-in required, only my branch's cores, safe headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.graph.result import Analysis
from tests.api.served import Served, published, served  # noqa: F401
from tests.api.test_scoping import BRANCH_A, BRANCH_B, _nothing_of_b, world  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sessions(served: Served) -> dict[str, str]:
    """A session token for a manager of branch A, one of branch B and an analyst (real sign-ins)."""
    tokens = {}
    for name, role, branches in (("page_a", "manager", [BRANCH_A]), ("page_b", "manager", [BRANCH_B]),
                                 ("page_analyst", "analyst", [])):
        served.appdb.add_user(name, "correct horse battery", role, branches)
        token = served.appdb.sign_in(name, "correct horse battery", "127.0.0.1")
        assert token is not None
        tokens[name] = token
    return tokens


@pytest.fixture
def browser(served: Served, sessions: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    clients = {name: httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: token}, timeout=30)
               for name, token in sessions.items()}
    yield clients
    for client in clients.values():
        client.close()


def _core_links(html: str) -> set[str]:
    return set(re.findall(r'href="/cores/([^"]+)"', html))


def test_without_a_session_the_start_page_sends_to_sign_in(served: Served) -> None:
    with httpx.Client(base_url=served.url) as anonymous:
        answer = anonymous.get("/?q=x", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/%3Fq%3Dx"


def test_a_manager_sees_only_the_cores_of_their_branch(browser: dict[str, httpx.Client],
                                                       world: dict[str, Any]) -> None:
    page_a = browser["page_a"].get("/")
    assert page_a.status_code == 200 and page_a.headers["content-type"].startswith("text/html")
    shown = _core_links(page_a.text)
    assert shown and shown <= set(world["a_cores"]) and not shown & set(world["b_cores"])
    _nothing_of_b(page_a.text, world)
    every = _core_links(browser["page_analyst"].get("/", params={"sort": "name"}).text)
    assert every & set(world["b_cores"])


def test_the_search_narrows_the_list_and_english_is_remembered(browser: dict[str, httpx.Client],
                                                               small_analysis: Analysis) -> None:
    top = small_analysis.cores.sort_values("rank").iloc[0]
    found = browser["page_analyst"].get("/", params={"q": top["enterprise_id"], "lang": "en"})
    assert _core_links(found.text) == {top["enterprise_id"]}
    assert "My core enterprises" in found.text and 'lang="en"' in found.text
    # the switch back to Chinese keeps the page's other parameters (the search here)
    assert f'href="?q={top["enterprise_id"]}&amp;lang=zh"' in found.text
    again = browser["page_analyst"].get("/")  # the cookie set by ?lang=en keeps English
    assert "My core enterprises" in again.text
    chinese = browser["page_analyst"].get("/", params={"lang": "zh"})
    assert "我的核心企业" in chinese.text


def test_pages_carry_security_headers_and_no_outside_address(browser: dict[str, httpx.Client]) -> None:
    page = browser["page_a"].get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert browser["page_a"].get("/static/pages/pages.css").status_code == 200


def test_an_unknown_page_is_an_html_page_and_an_unknown_api_path_stays_json(browser: dict[str, httpx.Client]
                                                                            ) -> None:
    page = browser["page_a"].get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "无权查看" in page.text and "Traceback" not in page.text
    api = browser["page_a"].get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_the_language_switch_of_the_sign_in_form_keeps_where_to_go_next(served: Served) -> None:
    with httpx.Client(base_url=served.url) as anonymous:
        form = anonymous.get("/sign-in", params={"next": "/mine"})
    assert form.status_code == 200 and 'href="?next=%2Fmine&amp;lang=en"' in form.text
