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
    # -- sign-in, my prospects, work
    "signin.title": ("登录链见", "Sign in to ChainSight"),
    "signin.name": ("用户名", "User name"),
    "signin.password": ("密码", "Password"),
    "signin.wrong": ("用户名或密码不正确。", "Wrong user name or password."),
    "signin.too_many": ("登录失败次数过多，请 {minutes} 分钟后再试。",
                        "Too many failed sign-ins: try again in {minutes} min."),
    "notice.signed_out": ("您已退出。", "You are signed out."),
    "notice.taken": ("已认领该客户。", "Prospect taken."),
    "notice.released": ("已释放该客户。", "Prospect released."),
    "notice.recorded": ("已记录跟进结果。", "Outcome recorded."),
    "notice.taken_by_other": ("该客户已被其他客户经理认领。", "Another manager has already taken this prospect."),
    "notice.not_taken": ("该客户未被认领。", "Nobody has taken this prospect."),
    "notice.not_yours": ("只有认领人或管理员可以释放该客户。", "Only its taker or an admin can release it."),
    "notice.invalid_outcome": ("结果未保存：请检查类型、日期，售出产品需填写产品，拒绝需填写原因。",
                               "Not saved: check the kind and dates; a sale names the product, "
                               "a decline gives the reason."),
    "work.take": ("认领", "Take"),
    "work.release": ("释放", "Release"),
    "work.taken_by": ("已由 {name} 认领", "Taken by {name}"),
    "work.mine": ("我已认领", "Taken by me"),
    "outcome.record": ("记录结果", "Record outcome"),
    "outcome.kind": ("结果", "Outcome"),
    "outcome.new": ("待跟进", "Not contacted yet"),
    "outcome.contacted": ("已联系", "Contacted"),
    "outcome.visited": ("已拜访", "Visited"),
    "outcome.account_opened": ("已开户", "Account opened"),
    "outcome.product_sold": ("已售出产品", "Product sold"),
    "outcome.declined": ("已拒绝", "Declined"),
    "outcome.on_date": ("日期", "Date"),
    "outcome.note": ("备注", "Note"),
    "outcome.product": ("产品（售出时）", "Product (when sold)"),
    "outcome.reason": ("原因（拒绝时）", "Reason (when declined)"),
    "outcome.follow_up": ("下次跟进", "Follow up on"),
    "outcome.save": ("保存", "Save"),
    "mine.title": ("我的客户", "My prospects"),
    "mine.count": ("共 {n} 家", "{n} prospects"),
    "mine.none": ("您还没有认领客户。在核心企业的客户列表中点击“认领”。",
                  "You have not taken any prospect yet: use Take in a core's prospect list."),
    "mine.due": ("待跟进", "Follow-up due"),
    "mine.due_count": ("{n} 家到期待跟进", "{n} follow-ups due"),
    "mine.status": ("状态", "Status"),
    "mine.all": ("全部", "All"),
    "mine.filter": ("筛选", "Filter"),
    "mine.taken_at": ("认领时间", "Taken"),
    "mine.last": ("最近结果", "Last outcome"),
    "mine.actions": ("操作", "Actions"),
    "mine.export_csv": ("导出 CSV", "Export CSV"),
    "mine.export_xlsx": ("导出 Excel", "Export Excel"),
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
