"""The lists pages over a real served app: a list shared with branch A shows A's manager only A's firm,
counts the other, names nothing of B; a manager it is not shared with gets the 404 page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.api.principal import Principal
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
