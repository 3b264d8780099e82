"""A chain as the data a view draws: nodes with positions, look and evidence; edges; folds.

Everything a manager reads is worked out here, in Python, as text: amounts in 万/亿 (and CNY k/m), shares,
the eligibility verdict with its rule, segment, stage, products and reasons. The browser only places
strings with ``textContent``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from chainsight._format import money_en, money_zh
from chainsight.graph.stores.protocol import Chain, plain
from chainsight.views._labels import short_name
from chainsight.views._layout import Spacing, column_layout
from chainsight.views._style import COLUMN_WORDS, KINDS, eligibility_words, pct, position_words

__all__ = ["chain_data"]

_PROSPECT_FIELDS = ("score", "rank", "kind", "segment", "segment_zh", "stage", "stage_zh", "products",
                    "reasons_en", "reasons_zh", "evidence", "manager")
CORE_SIZE, MIN_SIZE, MAX_SIZE = 34.0, 7.0, 18.0


def _money(amount: Any) -> str:
    value = float(amount) if amount is not None else float("nan")
    return f"{money_zh(value)} · {money_en(value)}"


def _kind(row: dict[str, Any]) -> str:
    """The prospect's kind; for a member without a prospect row, what its customer flags say."""
    if isinstance(row.get("kind"), str):
        return str(row["kind"])
    if not row.get("is_customer"):
        return "acquire"
    return "deepen" if row.get("eligible") else "existing"


def _size(amount: float, top: float) -> float:
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(amount, 0.0) / top) if top > 0 else MIN_SIZE


def _member_rows(row: dict[str, Any], names: dict[str, str], kind: str) -> list[list[str]]:
    """The evidence panel of one member: (Chinese label, English label, value) rows."""
    found = row.get("evidence")
    ev: dict[str, Any] = found if isinstance(found, dict) else {}
    up = row["direction"] == "up"
    pos_zh, pos_en = position_words(row["direction"], int(row["tier"]))
    via = "" if int(row["tier"]) == 1 else f" · 经由 via {names.get(row['via_id'], row['via_id'])}"
    rule = ev.get("eligibility_rule") or ("eligible" if row.get("eligible") else
                                          "not_customer" if not row.get("is_customer") else "unknown")
    el_zh, el_en = eligibility_words(rule)
    months = f"{row['active_months']} / {ev['months_in_period']}" if ev.get("months_in_period") else \
        f"{row['active_months']}"
    score = "–" if row.get("score") is None else f"{float(row['score']):.3f}" + (
        f"（第 {int(row['rank'])} 名 / rank {int(row['rank'])}）" if row.get("rank") is not None else "")
    whose = ("核心企业" if int(row["tier"]) == 1 else "经由企业", "the core's" if int(row["tier"]) == 1 else
             "the via firm's")
    products = row.get("products")
    rows = [
        ["类型", "kind", f"{KINDS[kind]['zh']} / {KINDS[kind]['en']}"],
        ["位置", "position", f"{pos_zh} / {pos_en}{via}"],
        ["评分", "prospect score", score],
        ["往来金额", "amount", _money(row.get("amount"))],
        ["笔数", "payments", "–" if row.get("count") is None else f"{int(row['count']):,}"],
        ["活跃月份", "months active", months],
        [f"占{whose[0]}{'采购' if up else '销售'}额", f"share of {whose[1]} {'spend' if up else 'receipts'}",
         pct(row.get("share_of_core"))],
        ["依存度", f"dependency (share of its {'receipts' if up else 'spend'})", pct(row.get("dependency"))],
        ["资格", "eligibility", f"{el_zh} / {el_en}"],
    ]
    if row.get("segment"):
        rows.append(["分类", "segment", f"{row.get('segment_zh')} / {row['segment']}"])
    if row.get("stage"):
        rows.append(["发展周期", "stage", f"{row.get('stage_zh')} / {row['stage']}"])
    if isinstance(products, (list, tuple)) and products:
        rows.append(["建议产品", "suggested products", "、".join(str(p) for p in products)])
    for zh, en, key in (("网点", "branch", "branch"), ("客户经理", "manager", "manager")):
        if row.get(key):
            rows.append([zh, en, str(row[key])])
    if row.get("reasons_zh"):
        rows.append(["理由", "reasons", str(row["reasons_zh"])])
    if row.get("reasons_en"):
        rows.append(["", "", str(row["reasons_en"])])
    return rows


def _core_rows(core: dict[str, Any]) -> list[list[str]]:
    rows = [["类型", "kind", f"{KINDS['core']['zh']} / {KINDS['core']['en']}"]]
    if core.get("score") is not None:
        rows.append(["核心评分", "core score", f"{float(core['score']):.3f}（第 {core.get('rank')} 名 / rank "
                                               f"{core.get('rank')}）"])
    for zh, en, key in (("供应商数", "suppliers", "n_suppliers"), ("客户数", "customers", "n_customers")):
        if core.get(key) is not None:
            rows.append([zh, en, str(core[key])])
    for zh, en, key in (("付款总额", "paid", "out_strength"), ("收款总额", "received", "in_strength")):
        if core.get(key) is not None:
            rows.append([zh, en, _money(core[key])])
    for zh, en, key in (("网点", "branch", "branch"), ("客户经理", "manager", "manager")):
        if core.get(key):
            rows.append([zh, en, str(core[key])])
    if core.get("explanation_zh"):
        rows.append(["说明", "why a core", str(core["explanation_zh"])])
    if core.get("explanation"):
        rows.append(["", "", str(core["explanation"])])
    return rows


def _members(chain: Chain, prospects: pd.DataFrame | None) -> pd.DataFrame:
    members = chain.members.drop(columns=[c for c in _PROSPECT_FIELDS if c in chain.members.columns])
    if prospects is not None and len(prospects):
        mine = prospects[prospects["core_id"] == chain.core["enterprise_id"]] if "core_id" in prospects else prospects
        wanted = ["enterprise_id", *[c for c in _PROSPECT_FIELDS if c in mine.columns]]
        members = members.merge(mine[wanted].drop_duplicates("enterprise_id"), on="enterprise_id", how="left")
    for col in _PROSPECT_FIELDS:
        if col not in members:
            members[col] = None
    return members.reset_index(drop=True)


def _drawn(members: pd.DataFrame, max_per_side: int) -> np.ndarray:
    """The members drawn from the start: the best ``max_per_side`` by prospect score on each side."""
    score = pd.to_numeric(members["score"], errors="coerce").fillna(-1.0)
    order = members.assign(_s=score).sort_values(["direction", "_s", "enterprise_id"],
                                                 ascending=[True, False, True], kind="mergesort")
    place = order.groupby("direction", sort=False).cumcount()
    return (place.reindex(members.index) < max_per_side).to_numpy()


def chain_data(chain: Chain, prospects: pd.DataFrame | None = None, *, max_per_side: int = 150,
               spacing: Spacing | None = None) -> dict[str, Any]:
    """The JSON-ready drawing of ``chain``: see :func:`chainsight.views.render_chain`."""
    if max_per_side < 1:
        raise ValueError("max_per_side must be at least 1")
    core = {k: plain(v) for k, v in chain.core.items()}
    core_id = str(core["enterprise_id"])
    members = _members(chain, prospects)
    drawn = _drawn(members, max_per_side)
    members["score"] = pd.to_numeric(members["score"], errors="coerce")
    place = column_layout(members, drawn.tolist(), spacing)
    names = {core_id: str(core.get("name") or core_id)}
    names.update({str(r["enterprise_id"]): str(r["name"] or r["enterprise_id"])
                  for r in members[["enterprise_id", "name"]].to_dict("records")})
    top = float(pd.to_numeric(members["amount"], errors="coerce").max()) if len(members) else 0.0
    core_name = names[core_id]
    nodes: list[dict[str, Any]] = [{
        "id": core_id, "name": core_name, "label": short_name(core_name, core_id), "kind": "core",
        "f": {"kind": "core", "direction": "core", "tier": "0"}, "x": 0.0, "y": 0.0, "size": CORE_SIZE,
        "tip": [KINDS["core"]["zh"] + " / " + KINDS["core"]["en"]], "ev": _core_rows(core), "fold": None}]
    folded: dict[tuple[str, int], list[str]] = {}
    for i, raw in enumerate(members.to_dict("records")):
        row = {str(k): plain(v) for k, v in raw.items()}
        kind, eid = _kind(row), str(row["enterprise_id"])
        side, tier = str(row["direction"]), int(row["tier"])
        pos_zh, pos_en = position_words(side, tier)
        fold = None if drawn[i] else f"fold:{side}:{tier}"
        if fold:
            folded.setdefault((side, tier), []).append(eid)
        nodes.append({
            "id": eid, "name": names[eid], "label": short_name(row["name"], eid), "kind": kind,
            "f": {"kind": kind, "direction": side, "tier": str(tier)}, "x": float(place.x[i]),
            "y": float(place.y[i]), "size": _size(float(row["amount"] or 0.0), top),
            "tip": [f"{KINDS[kind]['zh']} · {pos_zh} / {KINDS[kind]['en']} · {pos_en}",
                    f"往来 {_money(row['amount'])}"],
            "ev": _member_rows(row, names, kind), "fold": fold, "score": row.get("score")})
    edges = _edges(chain.edges, names)
    folds = _folds(folded, place.folds, core_id, members)
    headings = [{"x": hx, "y": hy, "text": f"{COLUMN_WORDS[key][0]} {COLUMN_WORDS[key][1]}"}
                for key, (hx, hy) in place.headings.items()]
    return {"view": "chain", "title": f"{core_name} 产业链 · supply chain", "core_id": core_id,
            "nodes": nodes, "edges": edges, "folds": folds, "headings": headings, "kinds": KINDS,
            "filters": _filters({n["kind"] for n in nodes[1:]}), "counts": {"members": len(members), "edges": len(edges)}}


def _edges(frame: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    amounts = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0)
    top = float(amounts.max()) or 1.0
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        payer, payee, amount = str(row["payer_id"]), str(row["payee_id"]), float(amounts.iloc[i])
        out.append({"id": f"e{i}", "from": payer, "to": payee, "width": 1.0 + 7.0 * math.sqrt(amount / top),
                    "tip": [f"{names.get(payer, payer)} → {names.get(payee, payee)}",
                            f"{_money(amount)} · {plain(row['count'])} 笔 payments · "
                            f"{plain(row['active_months'])} 个月 months"]})
    return out


def _folds(folded: dict[tuple[str, int], list[str]], where: dict[tuple[str, int], tuple[float, float]],
           core_id: str, members: pd.DataFrame) -> list[dict[str, Any]]:
    amount = members.set_index("enterprise_id")["amount"]
    out = []
    for (side, tier), ids in folded.items():
        fid = f"fold:{side}:{tier}"
        x, y = where[(side, tier)]
        total = float(pd.to_numeric(amount.reindex(ids), errors="coerce").sum())
        zh, en = COLUMN_WORDS[(side, tier)]
        fold: dict[str, Any] = {
            "id": fid, "members": ids, "x": x, "y": y, "label": f"+{len(ids)} 家 more",
            "f": {"kind": "fold", "direction": side, "tier": str(tier)},
            "tip": [f"{zh}另有 {len(ids)} 家，点击展开 / {len(ids)} more {en}: click to open",
                    f"合计 total {_money(total)}"], "edge": None}
        if tier == 1:  # the folded members' money with the core, as one dashed edge
            fold["edge"] = {"id": f"{fid}:edge", "from": core_id if side == "up" else fid,
                            "to": fid if side == "up" else core_id, "width": 2.0, "tip": fold["tip"][1:]}
        out.append(fold)
    return out


def _filters(present: set[str]) -> list[dict[str, Any]]:
    kinds = [k for k in ("deepen", "acquire", "credit_team", "existing") if k in present]
    return [
        {"key": "kind", "zh": "类型", "en": "kind",
         "options": [{"value": k, "zh": KINDS[k]["short_zh"], "en": KINDS[k]["short_en"]} for k in kinds]},
        {"key": "direction", "zh": "方向", "en": "side",
         "options": [{"value": "up", "zh": "上游", "en": "suppliers"}, {"value": "down", "zh": "下游",
                                                                        "en": "customers"}]},
        {"key": "tier", "zh": "层级", "en": "tier",
         "options": [{"value": "1", "zh": "一级", "en": "tier 1"}, {"value": "2", "zh": "二级", "en": "tier 2"}]},
    ]
