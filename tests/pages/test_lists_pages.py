"""The lists pages over a real served app: a list shared with branch A shows A's manager only A's firm,
counts the other, names nothing of B; a manager it is not shared with gets the 404 page."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.api.principal import Principal
from chainsight.graph.result import Analysis
from tests.api.served import Served, published, served  # noqa: F401
from tests.api.test_scoping import BRANCH_A, BRANCH_B, _nothing_of_b, world  # noqa: F401

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"
ADMIN = Principal(kind="user", id=0, name="root", role="admin", branches=frozenset())


def _signed_in(served: Served, name: str, role: str, branches: list[str]) -> httpx.Client:
    served.appdb.add_user(name, PASSWORD, role, branches)
    token = served.appdb.sign_in(name, PASSWORD, "127.0.0.1")
    return httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: token or ""}, timeout=60)


def test_a_shared_list_shows_each_reader_only_their_own_firms(served: Served, world: dict[str, Any]) -> None:
    a_firm, b_firm = sorted(world["a_firms"])[0], world["b_prospect"]
    saved = served.appdb.save_list("联动 <b>名单</b>", [a_firm, b_firm], by=ADMIN, note="给信贷部")
    served.appdb.share_list(saved.id, "branch", BRANCH_A, by=ADMIN)
    with _signed_in(served, "lists_a", "manager", [BRANCH_A]) as a, \
            _signed_in(served, "lists_b", "manager", [BRANCH_B]) as b:
        index = a.get("/lists")
        assert index.status_code == 200 and f'data-list="{saved.id}"' in index.text
        assert "联动 &lt;b&gt;名单&lt;/b&gt;" in index.text and "<b>名单" not in index.text
        page = a.get(f"/lists/{saved.id}")
        assert page.status_code == 200
        assert f'data-firm="{a_firm}"' in page.text and f'data-firm="{b_firm}"' not in page.text
        assert 'data-hidden="1"' in page.text
        _nothing_of_b(page.text, world)
        assert f"/api/v1/lists/{saved.id}.xlsx" in page.text
        assert f'data-list="{saved.id}"' not in b.get("/lists").text  # not shared with branch B
        refused = b.get(f"/lists/{saved.id}")
        assert refused.status_code == 404 and refused.headers["content-type"].startswith("text/html")
        assert "名单" not in refused.text.split("<main>")[1]


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def test_a_manager_saves_a_core_s_filtered_prospects_and_shares_the_list(
        served: Served, world: dict[str, Any], small_analysis: Analysis) -> None:
    core = world["a_cores"][0]
    expected = small_analysis.prospects
    expected = expected[(expected["core_id"] == core) & (expected["kind"] == "acquire")
                        & (expected["direction"] == "up")]
    with _signed_in(served, "lists_saver", "manager", [BRANCH_A]) as a:
        page = a.get(f"/cores/{core}", params={"kind": "acquire", "direction": "up"})
        assert 'id="save-list"' in page.text
        token = _token(page.text)
        filters = re.search(r'name="filters" value="([^"]*)"', page.text)
        assert filters is not None
        form = {"name": "上游拓户", "filters": html.unescape(filters.group(1))}
        assert a.post(f"/cores/{core}/lists", data=form).status_code == 403  # no token: refused
        saved = a.post(f"/cores/{core}/lists", data={**form, "csrf": token})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?notice=list_saved")
        list_id = int(saved.headers["location"].split("/lists/")[1].split("?")[0])
        stored = served.appdb.named_list(list_id)
        assert stored.owner == "lists_saver" and sorted(stored.firm_ids) == sorted(expected["enterprise_id"])
        shown = a.get(saved.headers["location"]).text
        assert "名单已保存" in shown and 'id="share-list"' in shown
        bad = a.post(f"/lists/{list_id}/shares", data={"csrf": token, "kind": "team", "target": "sales"})
        assert bad.headers["location"].endswith("notice=invalid_share")
        shared = a.post(f"/lists/{list_id}/shares", data={"csrf": token, "kind": "branch", "target": BRANCH_B})
        assert shared.headers["location"].endswith("notice=list_shared")
        assert served.appdb.named_list(list_id).shares == [("branch", BRANCH_B)]
    with _signed_in(served, "lists_reader_b", "manager", [BRANCH_B]) as b:
        seen = b.get(f"/lists/{list_id}")  # shared with B: B's manager sees the list, within B's access
        assert seen.status_code == 200 and 'id="share-list"' not in seen.text
        refused = b.post(f"/lists/{list_id}/shares", data={"csrf": _token(seen.text), "kind": "branch",
                                                            "target": "9999"})
        assert refused.status_code == 403 and served.appdb.named_list(list_id).shares == [("branch", BRANCH_B)]


def test_an_admin_assigns_a_core_s_filtered_prospects_to_a_manager(
        served: Served, world: dict[str, Any], small_analysis: Analysis) -> None:
    core = world["a_cores"][0]
    p = small_analysis.prospects
    expected = set(p[(p["core_id"] == core) & (p["kind"] == "acquire") & (p["direction"] == "down")]["enterprise_id"])
    assert expected
    with _signed_in(served, "assign_admin", "admin", []) as admin, \
            _signed_in(served, "assign_mgr", "manager", [BRANCH_A]) as mgr:
        page = admin.get(f"/cores/{core}", params={"kind": "acquire", "direction": "down"})
        assert 'id="assign-list"' in page.text and 'id="assign-list"' not in mgr.get(f"/cores/{core}").text
        token = _token(page.text)
        filters = re.search(r'id="assign-list".*?name="filters" value="([^"]*)"', page.text, re.S)
        assert filters is not None
        form = {"csrf": token, "filters": html.unescape(filters.group(1))}
        bad = admin.post(f"/cores/{core}/assign", data={**form, "manager": "nobody"})
        assert bad.headers["location"].endswith("notice=invalid_assign")
        assert served.appdb.assigned_to("nobody") == [] and served.appdb.assigned_to("assign_mgr") == []
        refused = mgr.post(f"/cores/{core}/assign", data={**form, "csrf": _token(mgr.get("/mine").text),
                                                          "manager": "assign_mgr"})
        assert refused.status_code == 403 and served.appdb.assigned_to("assign_mgr") == []
        done = admin.post(f"/cores/{core}/assign", data={**form, "manager": "assign_mgr"})
        assert done.status_code == 303 and done.headers["location"].endswith("notice=assigned")
        assert {a.firm_id for a in served.appdb.assigned_to("assign_mgr")} == expected
        mine = mgr.get("/mine").text
        assert all(f'data-firm="{f}"' in mine for f in expected)
