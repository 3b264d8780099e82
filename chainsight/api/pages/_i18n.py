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
    # -- core and enterprise pages
    "core.figures": ("关键指标", "Key figures"),
    "core.manager": ("客户经理", "Manager"),
    "core.suppliers": ("供应商", "Suppliers"),
    "core.customers": ("客户", "Customers"),
    "core.per_tier": ("一级 {one} · 二级 {two}", "tier 1: {one} · tier 2: {two}"),
    "core.paid": ("向供应商付款", "Paid to suppliers"),
    "core.received": ("收到客户付款", "Received from customers"),
    "core.chain": ("产业链图", "Chain view"),
    "core.prospects": ("潜在客户", "Prospects"),
    "core.n_prospects": ("共 {n} 家", "{n} prospects"),
    "core.no_prospects": ("没有符合条件的潜在客户。", "No prospect matches these filters."),
    "core.position": ("链上位置", "Position"),
    "core.products": ("推荐产品", "Products"),
    "core.reasons": ("理由", "Reasons"),
    "core.work": ("跟进", "Work"),
    "core.leakage": ("资金外流（他行）", "Leakage to other banks"),
    "core.alerts": ("预警", "Alerts"),
    "core.no_alerts": ("暂无预警。", "No alerts."),
    "filter.title": ("筛选", "Filters"),
    "filter.kind": ("类型", "Kind"),
    "filter.direction": ("方向", "Direction"),
    "filter.up": ("上游（供应商）", "Upstream (suppliers)"),
    "filter.down": ("下游（客户）", "Downstream (customers)"),
    "filter.tier": ("层级", "Tier"),
    "filter.segment": ("细分", "Segment"),
    "filter.stage": ("阶段", "Stage"),
    "filter.eligible": ("小额无贷户", "Eligible"),
    "filter.yes": ("符合", "Yes"),
    "filter.no": ("不符合", "No"),
    "filter.any": ("全部", "Any"),
    "filter.min_score": ("最低得分", "Minimum score"),
    "filter.sort": ("排序", "Sort"),
    "filter.apply": ("筛选", "Apply"),
    "filter.reset": ("清除筛选", "Reset"),
    "export.csv": ("导出 CSV", "Export CSV"),
    "export.xlsx": ("导出 Excel", "Export XLSX"),
    "leak.paid_offus": ("付款流向他行", "Payments to other banks"),
    "leak.received_offus": ("收款来自他行", "Receipts from other banks"),
    "leak.n_external": ("他行交易对手", "Counterparties at other banks"),
    "leak.amount_offus": ("他行金额", "Amount at other banks"),
    "leak.share": ("占核心企业", "Share of the core"),
    "alert.severity": ("级别", "Severity"),
    "alert.detail": ("说明", "Detail"),
    "alert.high": ("高", "high"),
    "alert.medium": ("中", "medium"),
    "alert.low": ("低", "low"),
    "start.overview": ("核心企业之间的联系", "How the chains connect"),
    "ent.evidence": ("证据", "Evidence"),
    "ent.its_cores": ("所在产业链", "Its chains"),
    "ent.neighbourhood": ("往来企业图", "Its counterparties"),
    "ent.customer": ("我行客户", "Our customer"),
    "ent.not_customer": ("他行客户", "Banks elsewhere"),
    "ent.customer_id": ("客户号", "Customer number"),
    "ent.deposits": ("存款", "Deposits"),
    "ent.loans": ("贷款余额", "Loan balance"),
    "ent.chart": ("与各核心企业的交易金额", "Trade with each core"),
    "ent.months": ("{n}/{of} 个月有交易", "active {n} of {of} months"),
    "ent.share": ("占核心企业采购/销售", "Share of the core's spend or sales"),
    "ent.dependency": ("依存度", "Dependency"),
    "ent.eligibility": ("小额无贷户认定", "Eligibility"),
    "ent.no_chain": ("不在您可见的产业链中。", "In no chain you may see."),
    "ent.history": ("认领与跟进记录", "Claim and outcomes"),
    "ent.no_history": ("暂无跟进记录。", "No outcome recorded yet."),
    "ent.claimed": ("{who} 于 {when} 认领", "taken by {who} on {when}"),
    "ent.unclaimed": ("尚未认领。", "Nobody has taken it."),
    "ent.follow_up": ("下次跟进", "Follow-up"),
    "ent.recorded_by": ("记录人", "Recorded by"),
    "ent.outcome.contacted": ("已联系", "contacted"),
    "ent.outcome.visited": ("已拜访", "visited"),
    "ent.outcome.account_opened": ("已开户", "account opened"),
    "ent.outcome.product_sold": ("已签约产品", "product sold"),
    "ent.outcome.declined": ("已拒绝", "declined"),
    "ent.monthly": ("与{core}产业链的月度往来", "Month by month in the chain of {core}"),
    "ent.month_n": ("分析期第 {n} 个月", "month {n} of the period"),
    "ent.oldest": ("← 最早月份", "← oldest month"),
    "ent.latest": ("最近月份 →", "latest month →"),
    "ent.peak": ("最高", "peak"),
    "ent.products_held": ("已有产品", "Products held"),
    "ent.date": ("日期", "Date"),
    "ent.outcome": ("结果", "Outcome"),
    "ent.note": ("备注", "Note"),
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
