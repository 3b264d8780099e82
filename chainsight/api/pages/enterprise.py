"""``/enterprises/{id}``: one firm's evidence card, its chains, its neighbourhood view, its claim and outcomes.

The card is the :class:`~chainsight.api._scope.Reader`'s (a firm I may not see is the 404 page; account
and customer numbers masked for managers); only chains of cores I may see are shown. Its trade with
each core, and with its counterparty in each chain month by month, are small bar charts drawn as inline
SVG by the template from the geometry computed here — no script, the labels escaped like any text.

Examples
--------
>>> bars = chart_bars([("甲", 3e6), ("<b>乙</b>", 1e6)], width=300)
>>> [(b["label"], round(b["width"]), b["y"]) for b in bars]
[('甲', 120, 0), ('<b>乙</b>', 40, 28)]
>>> chart_bars([])
[]
>>> [(c["x"], c["height"]) for c in month_columns([0, 50.0, 100.0], width=90, height=40)]
[(0.0, 0.0), (30.0, 15.0), (60.0, 30.0)]
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from chainsight.api._deps import state
from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._i18n import language
from chainsight.api.pages._render import render
from chainsight.graph.stores.protocol import plain
from chainsight.views._style import KINDS, eligibility_words, pct, position_words

__all__ = ["chart_bars", "month_columns", "router"]

router = APIRouter()
ROW = 28  # px per bar of the chart
LABEL = 0.4  # share of the chart's width for the labels


def chart_bars(items: list[tuple[str, float]], *, width: int = 560) -> list[dict[str, Any]]:
    """Geometry of a horizontal bar chart: one bar per ``(label, amount)``, the largest full width.

    The SVG is drawn by the template from these numbers, so the labels are escaped like any text.
    """
    top = max((abs(float(a)) for _, a in items), default=0.0) or 1.0
    room = width * (1 - LABEL) - 60
    return [{"label": label, "amount": amount, "x": width * LABEL, "y": i * ROW,
             "width": max(abs(float(amount)) / top * room, 1.0)} for i, (label, amount) in enumerate(items)]


def month_columns(amounts: list[float], *, width: int = 360, height: int = 90) -> list[dict[str, Any]]:
    """Geometry of a column chart of monthly amounts (oldest first), the largest ``height - 10`` high
    and any month with trade at least 1 high."""
    if not amounts:
        return []
    top = max(abs(float(a)) for a in amounts) or 1.0
    step = width / len(amounts)
    return [{"x": round(i * step, 1), "width": round(step * 0.8, 1), "amount": float(a),
             "height": max(round(abs(float(a)) / top * (height - 10), 1), 1.0) if a else 0.0, "month": i + 1}
            for i, a in enumerate(amounts)]


def _chains(card: dict[str, Any], names: dict[str, str], lang: str) -> list[dict[str, Any]]:
    i = 0 if lang == "zh" else 1
    rows = {str(p["core_id"]): p for p in card.get("prospects") or []}
    out = []
    for m in card.get("chains") or []:
        core = str(m["core_id"])
        p = rows.get(core) or {}
        evidence = p.get("evidence") or {}
        out.append({**m, "core_name": names.get(core, core), "position": position_words(str(m["direction"]),
                                                                                         int(m["tier"]))[i],
                    "share": pct(m.get("share_of_core")), "dependency_pct": pct(m.get("dependency")),
                    "months_in_period": evidence.get("months_in_period"), "kind": p.get("kind"),
                    "kind_words": KINDS[str(p["kind"])]["zh" if i == 0 else "en"] if p.get("kind") in KINDS else "",
                    "score": p.get("score"), "rank": p.get("rank"),
                    "segment_words": p.get("segment_zh") if i == 0 else p.get("segment"),
                    "stage_words": p.get("stage_zh") if i == 0 else p.get("stage"),
                    "products": list(p.get("products") or []),
                    "reasons": p.get("reasons_zh") if i == 0 else p.get("reasons_en"),
                    "records": evidence.get("records") or [],
                    "months": month_columns(list(evidence.get("monthly") or []), width=560)})
    return out


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise_page(request: Request, reader: PageReader,
                    enterprise_id: Annotated[str, Path(max_length=100)]) -> HTMLResponse:
    """A visible firm (404 page otherwise): evidence, chains, neighbourhood, claim and outcomes."""
    card = {k: plain(v) for k, v in reader.enterprise(enterprise_id).items()}
    lang = language(request)
    cores = reader.cores().data
    names = {str(c): str(n or c) for c, n in zip(cores["enterprise_id"], cores["name"])}
    chains = _chains(card, names, lang)
    appdb = state(request).appdb
    claim = appdb.claims_on([enterprise_id]).get(enterprise_id)
    outcomes = appdb.outcomes_of([enterprise_id])
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(request, "enterprise.html.j2", who=reader.principal, nav="cores", card=card, chains=chains,
                  bars=chart_bars([(c["core_name"], float(c.get("amount") or 0)) for c in chains]),
                  eligibility=eligibility_words(card.get("eligibility_rule"))[0 if lang == "zh" else 1],
                  claim=claim, outcomes=outcomes, firm_id=enterprise_id, back=back, row=ROW)
