"""Pages from templates: one Jinja2 environment (autoescape on), the language, money and dates.

``render(request, "start.html.j2", who=..., cores=...)`` gives an :class:`HTMLResponse`; every template
extends ``base.html.j2`` (blocks ``title``, ``content``) and gets ``t`` (the message in the page's
language), ``lang``, ``who`` (the signed-in :class:`~chainsight.api.principal.Principal` or ``None``),
``csrf`` (the token every form posts back; a page that has just set the pre-session cookie passes its
own), ``notice`` (the ``?notice=`` left by a form, see :mod:`~chainsight.api.pages._forms`) and the filters ``money`` (万/亿 in Chinese, CNY k/m in
English) and ``day`` (``2026年12月3日`` / ``2026-12-03``).

Examples
--------
>>> env = environment()
>>> env.from_string("{{ name }}").render(name="<img src=x onerror=alert(1)>")
'&lt;img src=x onerror=alert(1)&gt;'
>>> money(15_050_000, "zh"), money(15_050_000, "en"), day("2026-12-03", "zh"), day(None, "zh")
('1505万元', 'CNY 15.1m', '2026年12月3日', '')
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from chainsight._format import money_en, money_zh
from chainsight.api.pages._i18n import LANG_COOKIE, language, message

__all__ = ["day", "environment", "money", "render"]


def money(amount: object, lang: str, currency: str = "CNY") -> str:
    """An amount as a manager reads it: ``1505万元`` in Chinese, ``CNY 15.1m`` in English; empty when missing."""
    if amount is None or isinstance(amount, str):
        return "" if amount is None else amount
    value = float(amount)  # type: ignore[arg-type]
    return money_zh(value, currency) if lang == "zh" else money_en(value, currency)


def day(value: object, lang: str) -> str:
    """A date the Chinese way (``2026年12月3日``) or ISO in English; empty when missing."""
    if value is None or value == "":
        return ""
    when = value if isinstance(value, (date, datetime)) else date.fromisoformat(str(value)[:10])
    return f"{when.year}年{when.month}月{when.day}日" if lang == "zh" else when.strftime("%Y-%m-%d")


@cache
def environment() -> jinja2.Environment:
    """The pages' templates (``chainsight/api/pages/templates``), autoescaped, undefined names an error."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("chainsight.api.pages", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.globals["today"] = lambda: date.today().isoformat()  # the default date of the outcome form
    return env


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered for ``request``'s language, with the page context described above."""
    from chainsight.api.pages._forms import notice_of
    from chainsight.api.pages._security import csrf_token

    lang = language(request)
    env = environment()
    page = env.get_template(template).render(
        request=request, lang=lang, t=lambda key, **kw: message(lang, key, **kw),
        money=lambda amount, currency="CNY": money(amount, lang, currency),
        day=lambda value: day(value, lang), csrf=context.pop("csrf", None) or csrf_token(request),
        who=context.pop("who", None), nav=context.pop("nav", ""), notice=notice_of(request), **context)
    response = HTMLResponse(page, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


#: Paths that are not pages: the API, its docs, the health check and static files answer errors in JSON.
_NOT_PAGES = ("/api/", "/health", "/docs", "/redoc", "/openapi.json", "/static/", "/favicon.ico")


def is_page(path: str) -> bool:
    """Whether ``path`` is one of the pages (their errors are pages too).

    >>> is_page("/"), is_page("/cores/K1"), is_page("/api/v1/cores"), is_page("/health")
    (True, True, False, False)
    """
    return not path.startswith(_NOT_PAGES)


def error_page(request: Request, status: int, code: str, detail: str) -> HTMLResponse:
    """An error as a page: 404 says only "not found, or not yours to see"; no traceback, ever."""
    from chainsight.api.pages._auth import page_principal

    try:
        who = page_principal(request)
    except Exception:
        who = None
    shown = "" if status == 404 or status >= 500 and status != 503 else detail
    return render(request, "error.html.j2", status=status, who=who, code=code, detail=shown, status_code=status)
