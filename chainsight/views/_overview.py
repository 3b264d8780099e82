"""Two more drawings for the same page: the overview of all cores, and one enterprise's neighbourhood.

* **Overview** (the "surface" of 拓线成面): every analysed core, upstream cores left and downstream right
  (ordered by their flow-position score), higher core scores higher up; a link between two cores when
  their chains share members (the firms a joint visit reaches), or when one core sits in the other's chain.
* **Neighbourhood** (for a firm's evidence page): the firm in the centre, the firms it pays (its
  suppliers) left, the firms paying it (its customers) right — the direct counterparties the chains
  show — and above it each core whose chain it belongs to.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pandas as pd

from chainsight.graph.stores.protocol import Chain, plain
from chainsight.views._chain import _core_rows, _edges, _kind, _money, _size
from chainsight.views._labels import short_name
from chainsight.views._style import KINDS, pct, position_words

__all__ = ["neighbourhood_data", "overview_data"]


def _core_node(core: dict[str, Any], x: float, y: float, size: float, extra: list[list[str]]) -> dict[str, Any]:
    eid, name = str(core["enterprise_id"]), str(core.get("name") or core["enterprise_id"])
    return {"id": eid, "name": name, "label": short_name(name, eid), "kind": "core",
            "f": {"kind": "core"}, "x": x, "y": y, "size": size, "fold": None,
            "tip": [f"核心企业 core · 评分 score {float(core.get('score') or 0):.3f}",
                    f"上游 {core.get('n_up1') or 0}+{core.get('n_up2') or 0} · 下游 {core.get('n_down1') or 0}+"
                    f"{core.get('n_down2') or 0} (tier 1 + tier 2)"], "ev": _core_rows(core) + extra}


def overview_data(cores: pd.DataFrame, chains: dict[str, Chain], *, max_links: int = 60) -> dict[str, Any]:
    """All cores and the strongest links between their chains: see :func:`chainsight.views.render_overview`."""
    rows = [{str(k): plain(v) for k, v in r.items()} for r in cores.to_dict("records")]
    members = {cid: set(ch.members["enterprise_id"].astype(str)) for cid, ch in chains.items()}
    names = {str(r["enterprise_id"]): str(r.get("name") or r["enterprise_id"]) for r in rows}
    for ch in chains.values():
        names.update(zip(ch.members["enterprise_id"].astype(str), ch.members["name"].fillna("").astype(str)))
    links: list[tuple[int, str, str, list[str]]] = []
    ids = [str(r["enterprise_id"]) for r in rows]
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            shared = sorted(members.get(a, set()) & members.get(b, set()))
            direct = b in members.get(a, set()) or a in members.get(b, set())
            if shared or direct:
                links.append((len(shared) + (1 if direct else 0), a, b, shared))
    links.sort(key=lambda t: (-t[0], t[1], t[2]))
    links = links[:max_links]
    degree: Counter[str] = Counter()
    for _, a, b, _s in links:
        degree[a] += 1
        degree[b] += 1
    order = sorted(rows, key=lambda r: (-(r.get("position") or 0.0), str(r["enterprise_id"])))
    top = max((len(members.get(i, ())) for i in ids), default=0) or 1
    nodes = []
    for k, r in enumerate(order):
        eid = str(r["enterprise_id"])
        y = (1.0 - float(r.get("score") or 0.0)) * 700 + (k % 2) * 60  # better cores higher; zig-zag labels
        linked = [f"{names[o]}：{n} 家共同成员 shared members" for n, a, b, _ in links
                  for o in ((b,) if a == eid else (a,) if b == eid else ())]
        nodes.append(_core_node(r, k * 240.0, y, 14 + 26 * math.sqrt(len(members.get(eid, ())) / top),
                                [["相连的产业链", "linked chains", "；".join(linked) or "–"]]))
    width_top = max((t[0] for t in links), default=1)
    edges = [{"id": f"l{i}", "from": a, "to": b, "width": 1 + 9 * math.sqrt(n / width_top), "arrows": False,
              "tip": [f"{names[a]} — {names[b]}", f"{n} 家共同成员 shared members" +
                      (f"：{'、'.join(names.get(s, s) for s in shared[:5])}" + ("…" if len(shared) > 5 else "")
                       if shared else "（一方在另一方的产业链中 one is in the other's chain）")]}
             for i, (n, a, b, shared) in enumerate(links)]
    return {"view": "overview", "title": "核心企业与产业链之间的联系 · cores and the links between their chains",
            "core_id": None, "nodes": nodes, "edges": edges, "folds": [], "kinds": KINDS, "filters": [],
            "headings": [{"x": 0.0, "y": -80.0, "text": "← 上游 upstream"},
                         {"x": max(len(order) - 1, 0) * 240.0, "y": -80.0, "text": "下游 downstream →"}],
            "counts": {"members": len(nodes), "edges": len(edges)}}


def neighbourhood_data(card: dict[str, Any], chains: list[Chain]) -> dict[str, Any]:
    """One firm, its direct counterparties in the chains and its cores: see ``render_neighbourhood``."""
    me = str(card["enterprise_id"])
    names = {me: str(card.get("name") or me)}
    firms: dict[str, dict[str, Any]] = {}
    ties: dict[tuple[str, str], dict[str, Any]] = {}
    for ch in chains:
        names[str(ch.core["enterprise_id"])] = str(ch.core.get("name") or ch.core["enterprise_id"])
        for r in ch.members.to_dict("records"):
            firms.setdefault(str(r["enterprise_id"]), {str(k): plain(v) for k, v in r.items()})
            names[str(r["enterprise_id"])] = str(r.get("name") or r["enterprise_id"])
        for r in ch.edges.to_dict("records"):
            if me in (str(r["payer_id"]), str(r["payee_id"])):
                ties[(str(r["payer_id"]), str(r["payee_id"]))] = {str(k): v for k, v in r.items()}
    suppliers = sorted({b for a, b in ties if a == me}, key=lambda i: -float(ties[(me, i)]["amount"]))
    customers = sorted({a for a, b in ties if b == me and a not in suppliers},
                       key=lambda i: -float(ties[(i, me)]["amount"]))
    amounts = [float(t["amount"]) for t in ties.values()] or [1.0]
    top = max(amounts)
    prospect: dict[str, Any] = {str(p["core_id"]): p for p in card.get("prospects", [])}
    my_kind = next((str(p["kind"]) for p in prospect.values() if p.get("kind")), None) or _kind(card)
    core_ids = [str(ch.core["enterprise_id"]) for ch in chains]
    nodes: list[dict[str, Any]] = [{
        "id": me, "name": names[me], "label": short_name(names[me], me), "kind": my_kind,
        "f": {"kind": my_kind}, "x": 0.0, "y": 0.0, "size": 26.0, "fold": None,
        "tip": [f"{KINDS[my_kind]['zh']} / {KINDS[my_kind]['en']}"], "ev": _firm_rows(card, names)}]
    for side, ids in (("up", suppliers), ("down", customers)):
        for i, fid in enumerate(ids):
            if fid in core_ids:
                continue
            tie = ties[(me, fid)] if side == "up" else ties[(fid, me)]
            info = firms.get(fid, {"enterprise_id": fid})
            kind = _kind(info)
            nodes.append({"id": fid, "name": names.get(fid, fid), "label": short_name(names.get(fid), fid),
                          "kind": kind, "f": {"kind": kind}, "size": _size(float(tie["amount"]), top),
                          "x": (-340.0 if side == "up" else 340.0), "y": (i - (len(ids) - 1) / 2) * 60.0,
                          "fold": None, "tip": [f"{'供应商 its supplier' if side == 'up' else '客户 its customer'}",
                                                f"往来 {_money(tie['amount'])}"],
                          "ev": [["与本企业往来", "with this firm", _money(tie["amount"])],
                                 ["笔数", "payments", str(plain(tie["count"]))],
                                 ["活跃月份", "months active", str(plain(tie["active_months"]))]]})
    rows_high = max(len(suppliers), len(customers), 1)
    for k, ch in enumerate(chains):  # its cores in a row above it
        nodes.append(_core_node({str(a): plain(b) for a, b in ch.core.items()}, (k - (len(chains) - 1) / 2) * 260.0,
                                -30.0 * rows_high - 160.0, 22.0, []))
    edges = _edges(pd.DataFrame(list(ties.values()), columns=["payer_id", "payee_id", "amount", "count",
                                                               "active_months"]), names)
    drawn = {n["id"] for n in nodes}
    for k, ch in enumerate(chains):  # membership of a chain it does not trade with directly: dashed
        cid = str(ch.core["enterprise_id"])
        if (me, cid) not in ties and (cid, me) not in ties and cid in drawn:
            edges.append({"id": f"in{k}", "from": cid, "to": me, "width": 1.0, "dashes": True, "arrows": False,
                          "tip": [f"在 {names[cid]} 的产业链中 · in the chain of {names[cid]}"]})
    return {"view": "neighbourhood", "title": f"{names[me]} 的往来企业 · its counterparties", "core_id": None,
            "nodes": nodes, "edges": edges, "folds": [], "kinds": KINDS, "filters": [],
            "headings": [{"x": -340.0, "y": -30.0 * rows_high - 40.0, "text": "其供应商 its suppliers"},
                         {"x": 340.0, "y": -30.0 * rows_high - 40.0, "text": "其客户 its customers"}],
            "counts": {"members": len(nodes) - 1, "edges": len(edges)}}


def _firm_rows(card: dict[str, Any], names: dict[str, str]) -> list[list[str]]:
    rows = []
    for c in card.get("chains", []):
        zh, en = position_words(str(c["direction"]), int(c["tier"]))
        core = names.get(str(c["core_id"]), str(c["core_id"]))
        rows.append(["所在产业链", "in the chain of", f"{core}：{zh} / {en}，{_money(c.get('amount'))}，"
                                                      f"依存度 dependency {pct(c.get('dependency'))}"])
    for p in card.get("prospects", []):
        if p.get("reasons_zh"):
            rows.append(["理由", "reasons", str(p["reasons_zh"])])
    return rows
