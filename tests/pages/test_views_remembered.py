"""View documents are drawn once per published analysis and access, and audited on every request."""

from __future__ import annotations

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.api.pages import views
from tests.api.served import Served, published, served, top_core  # noqa: F401
from tests.api.test_scoping import BRANCH_B

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


def test_a_chain_view_is_drawn_once_per_access_and_every_request_is_audited(
        served: Served, top_core: str, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []
    real = views.render_chain

    def counting(*args: object, **kwargs: object) -> str:
        drawn.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "render_chain", counting)

    tokens = {}
    for name, role, branches in (("memo_analyst", "analyst", []), ("memo_b", "manager", [BRANCH_B])):
        served.appdb.add_user(name, PASSWORD, role, branches)
        tokens[name] = served.appdb.sign_in(name, PASSWORD, "127.0.0.1")
    url = f"/views/chain/{top_core}.html"
    with httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: tokens["memo_analyst"]}, timeout=60) as c:
        first, second = c.get(url), c.get(url)
        other_depth = c.get(url, params={"depth": 1})
    assert first.status_code == second.status_code == other_depth.status_code == 200
    assert first.text == second.text and first.headers["content-security-policy"] == \
        second.headers["content-security-policy"]
    assert len(drawn) == 2  # depth 2 once, depth 1 once
    entries = [e for e in served.appdb.list_audit(limit=50, user="memo_analyst") if e.route == url]
    at_depth_2 = [e for e in entries if e.params == {}]
    at_depth_1 = [e for e in entries if e.params == {"depth": "1"}]
    # the remembered second request is on record exactly as the drawn first one: nothing unaudited
    assert at_depth_1 and len(at_depth_2) == 2 * len(at_depth_1)
    assert all(e.status == 200 for e in entries)
    with httpx.Client(base_url=served.url, cookies={SESSION_COOKIE: tokens["memo_b"]}, timeout=60) as b:
        assert b.get(url).status_code == 404  # another branch's manager: not drawn, not served
    assert len(drawn) == 2
