"""The core page and the view documents over a real served app: scoped, filtered, exported, each view
under a policy that allows exactly its own inline scripts and styles.

Expected rows come from the small bank's analysis (``small_analysis``), not from the pages' code.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.graph.result import Analysis
from tests.api.served import Served, published, served, top_core  # noqa: F401
from tests.api.test_scoping import BRANCH_A, BRANCH_B, _nothing_of_b, world  # noqa: F401

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def users(served: Served) -> Iterator[dict[str, httpx.Client]]:
    """Signed-in clients: a manager of branch A, one of branch B and an analyst (real sign-ins)."""
    clients = {}
    for name, role, branches in (("core_a", "manager", [BRANCH_A]), ("core_b", "manager", [BRANCH_B]),
                                 ("core_analyst", "analyst", [])):
        served.appdb.add_user(name, PASSWORD, role, branches)
        token = served.appdb.sign_in(name, PASSWORD, "127.0.0.1")
        assert token is not None
        clients[name] = httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: token}, timeout=60)
    yield clients
    for client in clients.values():
        client.close()


class _Inline(HTMLParser):
    """The inline scripts (run ones only: not JSON data, not src=) and styles of a document, as the
    browser hashes them, and its style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.attributes: list[str] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("style") is not None:
            self.attributes.append(str(found["style"]))
        runs = tag == "script" and "src" not in found and found.get("type") in (None, "", "text/javascript", "module")
        if tag == "style" or runs:
            self._open = (tag, [])
        elif tag == "script":
            self._open = ("data", [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag in ("script", "style"):
            kind, parts = self._open
            {"script": self.scripts, "style": self.styles, "data": []}[kind].append("".join(parts))
            self._open = None


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _policy(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def _check_view(response: httpx.Response) -> None:
    """The document's own policy allows its inline scripts and styles by hash, and nothing else."""
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    inline = _Inline()
    inline.feed(response.text)
    inline.close()
    assert inline.scripts and inline.styles
    policy = _policy(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert sorted(policy["script-src"]) == sorted({_hash(s) for s in inline.scripts})
    styles = {_hash(s) for s in inline.styles}
    attributes = {_hash(a) for a in inline.attributes}
    assert sorted(policy["style-src"]) == sorted(styles | attributes | ({"'unsafe-hashes'"} if attributes else set()))
    header = response.headers["content-security-policy"]
    assert "unsafe-inline" not in header and "'self'" not in header.replace("frame-ancestors 'self'", "")
    assert not re.search(r"https?:|\*", header)
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', response.text, re.IGNORECASE)


def _rows(text: str) -> list[str]:
    """The enterprise ids of the prospect table, in order."""
    table = text.split('id="prospect-table"', 1)[1].split("</table>", 1)[0]
    return [html.unescape(i) for i in re.findall(r'<td><a href="/enterprises/([^"]+)"', table)]


def _total(text: str) -> int:
    found = re.search(r"(\d+) prospects", text)
    assert found, "the page states the number of prospects"
    return int(found.group(1))


def test_each_view_document_allows_exactly_its_inline_scripts(users: dict[str, httpx.Client],
                                                              world: dict[str, Any]) -> None:
    a = users["core_a"]
    firm = sorted(world["a_firms"])[0]
    for url in (f"/views/chain/{world['a_cores'][0]}.html", "/views/overview.html",
                f"/views/enterprise/{firm}.html"):
        _check_view(a.get(url))
    page = a.get(f"/cores/{world['a_cores'][0]}")
    assert f'<iframe class="view" src="/views/chain/{world["a_cores"][0]}.html"' in page.text
    assert "srcdoc" not in page.text and '<iframe class="view" src="/views/overview.html"' in a.get("/").text


def test_another_branch_core_is_a_404_page_with_nothing_of_it(users: dict[str, httpx.Client],
                                                             world: dict[str, Any]) -> None:
    b_core = world["b_cores"][0]
    for url in (f"/cores/{b_core}", f"/views/chain/{b_core}.html", f"/cores/{b_core}?kind=acquire&tier=1"):
        answer = users["core_a"].get(url)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html"), url
        assert "无权查看" in answer.text and "Traceback" not in answer.text
        _nothing_of_b(answer.text, world)
        assert b_core not in answer.text
        assert users["core_b"].get(url).status_code == 200, url  # it works for B's own manager
    for url in ("/views/overview.html", f"/cores/{world['a_cores'][0]}", "/"):
        _nothing_of_b(users["core_a"].get(url).text, world)


def _expected(analysis: Analysis, core: str, kinds: list[str], **where: Any) -> list[str]:
    rows = analysis.prospects[(analysis.prospects["core_id"] == core) & analysis.prospects["kind"].isin(kinds)]
    for column, value in where.items():
        if column == "min_score":
            rows = rows[rows["score"] >= value]
        else:
            rows = rows[rows[column] == value]
    return list(rows.sort_values(["rank", "enterprise_id"])["enterprise_id"].astype(str))


@pytest.mark.parametrize("params, kinds, where", [
    ({}, ["deepen", "acquire"], {}),
    ({"kind": "acquire", "direction": "up", "tier": "1"}, ["acquire"], {"direction": "up", "tier": 1}),
    ({"kind": ["deepen", "credit_team"], "direction": "down", "eligible": "", "stage": ""},
     ["deepen", "credit_team"], {"direction": "down"}),
    ({"eligible": "true", "min_score": "0.5"}, ["deepen", "acquire"], {"eligible": True, "min_score": 0.5}),
    ({"segment": "chain_potential", "stage": "growth", "tier": "2"}, ["deepen", "acquire"],
     {"segment": "chain_potential", "stage": "growth", "tier": 2}),
])
def test_the_filters_narrow_the_table(users: dict[str, httpx.Client], small_analysis: Analysis, top_core: str,
                                      params: dict[str, Any], kinds: list[str], where: dict[str, Any]) -> None:
    expected = _expected(small_analysis, top_core, kinds, **where)
    page = users["core_analyst"].get(f"/cores/{top_core}", params={**params, "lang": "en"})
    assert page.status_code == 200
    assert _total(page.text) == len(expected)
    assert _rows(page.text) == expected[:25]
    if len(expected) > 25:
        nxt = users["core_analyst"].get(f"/cores/{top_core}", params={**params, "skip": "25"})
        assert _rows(nxt.text) == expected[25:50]


def test_sorting_by_name_and_the_export_buttons_carry_the_filters(users: dict[str, httpx.Client],
                                                                 small_analysis: Analysis, top_core: str) -> None:
    params = {"kind": "acquire", "direction": "down", "sort": "name", "lang": "en"}
    page = users["core_analyst"].get(f"/cores/{top_core}", params=params)
    rows = small_analysis.prospects
    wanted = rows[(rows["core_id"] == top_core) & (rows["kind"] == "acquire") & (rows["direction"] == "down")]
    by_name = list(wanted.sort_values(["name", "enterprise_id"])["enterprise_id"])
    assert _rows(page.text) == by_name[:25]
    links = re.findall(r'href="(/api/v1/cores/[^"]+/prospects\.(?:csv|xlsx)\?[^"]*)"', page.text)
    assert len(links) == 2
    exported = users["core_analyst"].get(html.unescape(links[0]))
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert table[0][:2] == ["核心企业编号", "企业编号"]
    assert [r[1] for r in table[1:] if len(r) > 1 and r[0] == top_core] == by_name


def test_the_page_shows_key_figures_leakage_and_alerts(users: dict[str, httpx.Client], small_analysis: Analysis,
                                                       top_core: str) -> None:
    core = small_analysis.cores.set_index("enterprise_id").loc[top_core]
    page = users["core_analyst"].get(f"/cores/{top_core}", params={"lang": "zh"}).text
    assert html.escape(str(core["explanation_zh"]), quote=False) in page
    assert f"一级 {int(core['n_up1'])} · 二级 {int(core['n_up2'])}" in page
    leak = small_analysis.leakage_top[small_analysis.leakage_top["core_id"] == top_core]
    top_leak = leak.sort_values("amount_offus", ascending=False)["enterprise_id"].iloc[0]
    leakage = page.split('id="leakage-table"', 1)[1].split("</table>", 1)[0]
    assert f'/enterprises/{top_leak}"' in leakage
    alerts = small_analysis.alerts[small_analysis.alerts["core_id"] == top_core]
    assert f"({len(alerts)})" in page
    if len(alerts):
        assert html.escape(str(alerts["detail_zh"].iloc[0]), quote=False) in page
    assert "亿元" in page or "万元" in page
    english = users["core_analyst"].get(f"/cores/{top_core}", params={"lang": "en"}).text
    assert html.escape(str(core["explanation"]), quote=False) in english and "CNY" in english


def test_a_manager_of_a_sees_only_visible_rows(users: dict[str, httpx.Client], world: dict[str, Any],
                                               small_analysis: Analysis) -> None:
    a_core = world["a_cores"][0]
    page = users["core_a"].get(f"/cores/{a_core}", params={"kind": ["deepen", "acquire", "credit_team", "existing"]})
    assert page.status_code == 200
    shown = _rows(page.text)
    assert shown and not set(shown) & world["b_firms"]
    _nothing_of_b(page.text, world)


def test_no_outside_address_and_the_page_policy(users: dict[str, httpx.Client], top_core: str) -> None:
    page = users["core_analyst"].get(f"/cores/{top_core}")
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert not re.search(r'(src|href|action)="(https?:)?//', page.text)
    assert "<script>" not in page.text and not re.search(r"<[^>]+\s(style|on[a-z]+)=", page.text)
