"""Signing in and out over a real served app (SQLite and PostgreSQL app databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from chainsight.api._deps import SESSION_COOKIE
from chainsight.api.appdb import AppDB
from chainsight.api.pages._security import PRESESSION_COOKIE
from tests.api.served import BRANCH_A, published  # noqa: F401
from tests.pages.signing import PASSWORD, Site, form_token, sign_in, site_over

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, published: Path,  # noqa: F811
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from site_over(request, published, tmp_path_factory.mktemp("signin"))


@pytest.fixture(scope="module")
def users(site: Site) -> list[str]:
    names = ["wang", "li", "zhao", "qian"]
    for name in names:
        site.served.appdb.add_user(name, PASSWORD, "manager", [BRANCH_A])
    return names


def _set_cookie(response: httpx.Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


def test_the_form_sets_an_http_only_pre_session_cookie_bound_to_its_token(site: Site) -> None:
    with httpx.Client(base_url=site.url) as browser:
        form = browser.get("/sign-in", params={"next": "/mine"})
        assert form.status_code == 200 and "登录" in form.text
        cookie = _set_cookie(form, PRESESSION_COOKIE).lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        assert len(form_token(form.text)) == 43 and 'name="next" value="/mine"' in form.text
        again = browser.get("/sign-in")  # the cookie is kept, so is the token
        assert "set-cookie" not in again.headers and form_token(again.text) == form_token(form.text)


def test_signing_in_sets_the_session_cookie_and_goes_to_next(site: Site, users: list[str]) -> None:
    with sign_in(site.url, "wang", next_url="/mine?status=new") as (client, answer):
        assert answer.status_code == 303 and answer.headers["location"] == "/mine?status=new"
        cookie = _set_cookie(answer, SESSION_COOKIE).lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
        token = client.cookies[SESSION_COOKIE]
        who = site.served.appdb.authenticate_session(token)
        assert who is not None and who.name == "wang"
        start = client.get("/")
        assert start.status_code == 200 and "wang" in start.text
        entry = site.served.appdb.list_audit(limit=5, user="wang")
        assert [(e.route, e.status, e.params) for e in entry if e.route == "/sign-in"] == [
            ("/sign-in", 200, {"name": "wang"})]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "mine"])
def test_next_is_followed_only_to_a_path_of_this_site(site: Site, users: list[str], target: str) -> None:
    with sign_in(site.url, "li", next_url=target) as (client, answer):
        assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_wrong_password_and_an_unknown_name_get_the_same_neutral_answer(site: Site, users: list[str]) -> None:
    answers = []
    for name, password in (("zhao", "not the password"), ("nobody-here", PASSWORD)):
        with sign_in(site.url, name, password, next_url="/mine") as (client, answer):
            assert answer.status_code == 401 and SESSION_COOKIE not in client.cookies
            answers.append(answer.text.replace(name, "NAME").replace(form_token(answer.text), "TOKEN"))
            assert "用户名或密码不正确" in answer.text and 'name="next" value="/mine"' in answer.text
    assert answers[0] == answers[1]
    refused = site.served.appdb.list_audit(limit=20)
    assert {("nobody-here", 401), ("zhao", 401)} <= {(e.params.get("name"), e.status) for e in refused
                                                    if e.route == "/sign-in"}


def test_too_many_failures_are_throttled_with_the_wait_shown(site: Site, users: list[str]) -> None:
    for _ in range(5):
        with sign_in(site.url, "qian", "wrong password") as (_, answer):
            assert answer.status_code == 401
    with sign_in(site.url, "qian", PASSWORD) as (client, answer):  # even the right password waits
        assert answer.status_code == 429 and SESSION_COOKIE not in client.cookies
        assert 840 <= int(answer.headers["retry-after"]) <= 901
        assert "登录失败次数过多，请 15 分钟后再试" in answer.text


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_sign_in_without_the_form_token_is_refused(site: Site, users: list[str], token: str | None) -> None:
    with httpx.Client(base_url=site.url) as browser:
        browser.get("/sign-in")
        data = {"name": "wang", "password": PASSWORD} | ({} if token is None else {"csrf": token})
        answer = browser.post("/sign-in", data=data)
        assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
        assert "CSRF" in answer.text and SESSION_COOKIE not in browser.cookies


def test_signing_out_ends_the_session(site: Site, users: list[str]) -> None:
    with sign_in(site.url, "wang") as (client, _):
        token = client.cookies[SESSION_COOKIE]
        start = client.get("/")
        refused = client.post("/sign-out", data={})  # no token: nothing happens
        assert refused.status_code == 403 and site.served.appdb.authenticate_session(token) is not None
        out = client.post("/sign-out", data={"csrf": form_token(start.text)})
        assert out.status_code == 303 and out.headers["location"] == "/sign-in?notice=signed_out"
        assert 'chainsight_session=""' in _set_cookie(out, SESSION_COOKIE) or "max-age=0" in _set_cookie(
            out, SESSION_COOKIE).lower()
        assert site.served.appdb.authenticate_session(token) is None
        assert "您已退出" in client.get("/sign-in?notice=signed_out").text
    with httpx.Client(base_url=site.url, cookies={SESSION_COOKIE: token}) as replay:
        assert replay.get("/", follow_redirects=False).status_code == 303  # the old cookie is dead
    assert [e.status for e in site.served.appdb.list_audit(limit=5, user="wang") if e.route == "/sign-out"] == [200]


def test_an_expired_session_sends_back_to_sign_in(site: Site, users: list[str]) -> None:
    nine_hours_ago = AppDB.open(site.app_db_url, clock=lambda: datetime.now(UTC) - timedelta(hours=9))
    try:
        token = nine_hours_ago.sign_in("li", PASSWORD, "127.0.0.1")  # an 8-hour session, over an hour ago
    finally:
        nine_hours_ago.close()
    assert token is not None
    with httpx.Client(base_url=site.url, cookies={SESSION_COOKIE: token}) as browser:
        answer = browser.get("/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/"
