"""The pages' words in Chinese (the default) and English: one table, looked up by key.

Examples
--------
>>> message("zh", "nav.cores"), message("en", "nav.cores")
('核心企业', 'Core enterprises')
>>> message("en", "cores.count", n=3)
'3 core enterprises'
>>> message("fr", "nav.cores")
'核心企业'
"""

from __future__ import annotations

from fastapi import Request

__all__ = ["LANG_COOKIE", "LANGUAGES", "MESSAGES", "language", "message"]

LANG_COOKIE = "chainsight_lang"
LANGUAGES = ("zh", "en")

#: key → (Chinese, English). Placeholders are ``str.format`` fields filled with escaped values by Jinja2.
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("链见 ChainSight", "ChainSight"),
    "app.tagline": ("供应链拓客", "Supply-chain prospects"),
    "nav.cores": ("核心企业", "Core enterprises"),
    "nav.mine": ("我的客户", "My prospects"),
    "nav.sign_out": ("退出", "Sign out"),
    "nav.sign_in": ("登录", "Sign in"),
    "nav.language": ("English", "中文"),
    "who.branches": ("网点", "Branches"),
    "who.all_branches": ("全行", "All branches"),
    "cores.title": ("我的核心企业", "My core enterprises"),
    "cores.count": ("共 {n} 家核心企业", "{n} core enterprises"),
    "cores.none": ("没有可见的核心企业。", "No core enterprise is visible to you."),
    "cores.search": ("搜索名称或编号", "Search name or id"),
    "cores.search_button": ("搜索", "Search"),
    "col.rank": ("排名", "Rank"),
    "col.name": ("名称", "Name"),
    "col.score": ("得分", "Score"),
    "col.branch": ("网点", "Branch"),
    "col.members": ("链上企业", "Chain members"),
    "col.amount": ("交易金额", "Trade amount"),
    "sort.rank": ("按排名", "By rank"),
    "sort.score": ("按得分", "By score"),
    "sort.name": ("按名称", "By name"),
    "page.prev": ("上一页", "Previous"),
    "page.next": ("下一页", "Next"),
    "page.of": ("第 {first}–{last} 条，共 {total} 条", "{first}–{last} of {total}"),
    "error.title": ("出错了", "Something went wrong"),
    "error.not_found": ("没有找到这个页面，或您无权查看。", "Not found, or not yours to see."),
}


def language(request: Request) -> str:
    """The page's language: ``?lang=`` when given, else the remembered cookie, else Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "zh"


def message(lang: str, key: str, **fields: object) -> str:
    """The message ``key`` in ``lang`` (Chinese for an unknown language), its ``{fields}`` filled in."""
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text
