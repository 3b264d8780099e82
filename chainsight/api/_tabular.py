"""A list route's ``.csv`` and ``.xlsx`` twin: the same rows, Chinese headers, a watermark.

The cell rules are :mod:`chainsight.exports` (shared with the CLI): among them, no cell is a formula —
a text cell beginning with ``=``, ``+``, ``-``, ``@`` (or a tab, a carriage return) gets a ``'`` in front, in
CSV as in XLSX, so a firm named ``=HYPERLINK(…)`` is text when a manager opens the file. Every export says
who took it and when: a ``# exported by …`` last line in CSV, the workbook description and a last row in
XLSX.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import pandas as pd
from fastapi import Response

from chainsight.api.principal import Principal
from chainsight.exports import csv_bytes, xlsx_bytes

Fmt = Literal["csv", "xlsx"]
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Declared in the OpenAPI document for every export route.
EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {MEDIA["csv"].split(";")[0]: {"schema": {"type": "string"}},
                      MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}}},
          "description": "the list as a file"}}

HEADERS = {
    "core_id": "核心企业编号", "enterprise_id": "企业编号", "name": "企业名称", "rank": "排名", "score": "得分",
    "kind": "类别", "eligible": "符合小额无贷户", "is_customer": "我行客户", "direction": "方向",
    "tier": "层级", "via_id": "经由企业", "segment": "分类", "segment_zh": "分类名称", "stage": "阶段",
    "stage_zh": "发展周期", "products": "建议产品", "reasons_en": "理由(英文)", "reasons_zh": "理由",
    "branch": "网点", "manager": "客户经理", "amount": "交易金额", "count": "笔数",
    "active_months": "活跃月数", "share_of_core": "占核心企业比例", "n_suppliers": "供应商数",
    "n_customers": "客户数", "explanation": "说明(英文)", "explanation_zh": "说明",
    "severity": "严重程度", "previous_amount": "前期金额", "recent_amount": "近期金额",
    "previous_share": "前期占比", "recent_share": "近期占比", "detail_en": "详情(英文)", "detail_zh": "详情",
    "amount_offus": "他行金额", "out_strength": "付款总额", "in_strength": "收款总额",
    "assigned_by": "分配人", "assigned_at": "分配时间", "taken_at": "认领时间", "recorded_by": "记录人",
    "recorded_at": "记录时间", "on_date": "日期", "note": "备注", "follow_up": "跟进日期", "product": "产品",
    "reason": "原因", "follow_up_due": "待跟进", "added_at": "加入时间",
}
AMOUNTS = ("amount", "previous_amount", "recent_amount", "amount_offus", "out_strength", "in_strength")


def watermark(who: Principal, now: datetime | None = None) -> str:
    """``导出人 wang (manager) · 2026-12-02 15:00 UTC``: who took an export and when.

    >>> p = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"B1"}))
    >>> watermark(p, datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    'exported by wang (manager) at 2026-01-02 03:04 UTC / 导出人 wang 导出时间 2026-01-02 03:04 UTC'
    """
    at = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return f"exported by {who.name} ({who.role}) at {at} / 导出人 {who.name} 导出时间 {at}"


def export(frame: pd.DataFrame, fmt: Fmt, stem: str, who: Principal) -> Response:
    """``frame`` (the evidence column left out) as a downloadable CSV or XLSX file."""
    rows = frame.drop(columns=[c for c in ("evidence",) if c in frame.columns])
    mark = watermark(who)
    if fmt == "csv":
        body = csv_bytes(rows, HEADERS) + f"# {mark}\n".encode()
    else:
        body = xlsx_bytes(rows, HEADERS, amounts=AMOUNTS, watermark=mark)
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})
