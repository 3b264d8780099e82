"""Helpers of the page tests: an app served over a known app database URL (SQLite or PostgreSQL), and a
browser-like client that signs in through the real form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from chainsight.config import Settings
from tests.api.served import Served, serve

PASSWORD = "correct horse battery"


@dataclass
class Site:
    """A served app and the URL of its app database (to open it a second time, e.g. on another clock)."""

    served: Served
    app_db_url: str

    @property
    def url(self) -> str:
        return self.served.url


def site_over(request: pytest.FixtureRequest, published: Path, tmp_path: Path) -> Iterator[Site]:
    """Serve the small bank with a SQLite app database, or one in the session's PostgreSQL."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").database()
    else:
        url = f"sqlite:///{tmp_path / 'pages.app.sqlite'}"
    gen = serve(Settings(db_path=published), url)
    yield Site(next(gen), url)
    gen.close()


def form_token(html: str) -> str:
    """The ``csrf`` hidden field of the first form of ``html``."""
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@contextmanager
def sign_in(url: str, name: str, password: str = PASSWORD, next_url: str = "/"
            ) -> Iterator[tuple[httpx.Client, httpx.Response]]:
    """A client that opened the sign-in form and posted it: the client (with its cookies) and the answer."""
    with httpx.Client(base_url=url, timeout=30) as client:
        form = client.get("/sign-in", params={"next": next_url})
        answer = client.post("/sign-in", data={"name": name, "password": password, "next": next_url,
                                               "csrf": form_token(form.text)})
        yield client, answer
