"""``/cores/{core_id}``: one core — key figures, its chain, its prospects, leakage and alerts.

The prospect table's filters are a GET form whose fields are the API's own query parameters (``kind``,
``direction``, ``tier``, ``segment``, ``stage``, ``eligible``, ``min_score``, ``name``, ``sort``), so the
export buttons link ``/api/v1/cores/{id}/prospects.csv|xlsx`` with the same query. A form sends an
empty field for "any"; :func:`prospect_filter` reads an empty or unknown value as no restriction.

Examples
--------
>>> f, shown = prospect_filter({"kind": ["acquire"], "tier": "2", "eligible": "", "min_score": "0.5",
...                             "stage": "bogus"})
>>> f.kinds, f.tier, f.eligible, f.min_score, f.stage
(('acquire',), 2, None, 0.5, None)
>>> shown
{'kind': ['acquire'], 'tier': '2', 'min_score': '0.5'}
>>> prospect_filter({})[0].kinds
('deepen', 'acquire')
"""

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from chainsight.api._deps import state
from chainsight.api.pages._auth import PageReader
from chainsight.api.pages._i18n import language
from chainsight.api.pages._render import render
from chainsight.api.routes.prospects import Kind, Segment, Stage
from chainsight.graph._prospect_rules import SEGMENTS as SEGMENT_ZH
from chainsight.graph._prospect_rules import STAGES as STAGE_ZH
from chainsight.graph.stores.protocol import (
    ALERT_COLUMNS, LEAKAGE_COLUMNS, LEAKAGE_TOP_COLUMNS, PROSPECT_COLUMNS, ProspectFilter, plain, records,
)
from chainsight.views._style import KINDS, eligibility_words, position_words

__all__ = ["FILTER_FIELDS", "prospect_filter", "router"]

router = APIRouter()
PAGE_SIZE = 25
KIND_NAMES: tuple[str, ...] = get_args(Kind)
SEGMENTS: tuple[str, ...] = get_args(Segment)
STAGES: tuple[str, ...] = get_args(Stage)
#: The form's fields, in the order the API takes them.
FILTER_FIELDS = ("kind", "direction", "tier", "segment", "stage", "eligible", "min_score", "name", "sort")


def _one(query: Mapping[str, Any], key: str) -> str:
    value = query.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def prospect_filter(query: Mapping[str, Any]) -> tuple[ProspectFilter, dict[str, Any]]:
    """The :class:`ProspectFilter` of a query, and the fields it applied (what the form shows again)."""
    kinds = query.get("kind") or []
    chosen = [k for k in ([kinds] if isinstance(kinds, str) else kinds) if k in KIND_NAMES]
    direction, segment, stage = _one(query, "direction"), _one(query, "segment"), _one(query, "stage")
    tier_text, eligible, name = _one(query, "tier"), _one(query, "eligible"), _one(query, "name")[:100]
    tier = int(tier_text) if tier_text.isdigit() and 1 <= int(tier_text) <= 10 else None
    min_score = _number(_one(query, "min_score"), 0.0, 1.0)
    applied: dict[str, Any] = {
        "kind": chosen or None, "direction": direction if direction in ("up", "down") else None,
        "tier": str(tier) if tier else None, "segment": segment if segment in SEGMENTS else None,
        "stage": stage if stage in STAGES else None, "eligible": eligible if eligible in ("true", "false") else None,
        "min_score": _one(query, "min_score") if min_score is not None else None, "name": name or None}
    applied = {k: v for k, v in applied.items() if v is not None}
    return ProspectFilter(
        kinds=tuple(chosen) if chosen else ("deepen", "acquire"), direction=applied.get("direction"),
        tier=tier, segment=applied.get("segment"), stage=applied.get("stage"),
        eligible={"true": True, "false": False}.get(eligible), min_score=min_score,
        name_contains=applied.get("name")), applied


def _query(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {k: (params.getlist(k) if k == "kind" else params.get(k)) for k in params}


def _form(applied: dict[str, Any]) -> dict[str, Any]:
    """Every field of the filter form as it shows: the applied value, or the default."""
    return {k: applied.get(k, ["deepen", "acquire"] if k == "kind" else "") for k in FILTER_FIELDS}


def _choices(keys: tuple[str, ...], zh: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    return [(k, zh.get(k, k) if lang == "zh" else k.replace("_", " ")) for k in keys]


def _prospect_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Table rows with the words a manager reads (kind, position, eligibility) in the page language."""
    i = 0 if lang == "zh" else 1
    out = []
    for r in rows:
        evidence = r.get("evidence") or {}
        out.append({**r, "kind_words": KINDS.get(str(r["kind"]), KINDS["existing"])["zh" if i == 0 else "en"],
                    "position": position_words(str(r["direction"]), int(r["tier"]))[i],
                    "segment_words": r.get("segment_zh") if i == 0 else r.get("segment"),
                    "stage_words": r.get("stage_zh") if i == 0 else r.get("stage"),
                    "reasons": r.get("reasons_zh") if i == 0 else r.get("reasons_en"),
                    "eligibility": eligibility_words(evidence.get("eligibility_rule")
                                                     or ("eligible" if r.get("eligible") else None))[i],
                    "amount": evidence.get("amount"), "products": list(r.get("products") or [])})
    return out


@router.get("/cores/{core_id}", response_class=HTMLResponse)
def core_page(request: Request, reader: PageReader, core_id: Annotated[str, Path(max_length=100)],
              sort: Annotated[Literal["rank", "score", "name"], Query()] = "rank",
              skip: Annotated[int, Query(ge=0, le=10**9)] = 0) -> HTMLResponse:
    """A visible core (404 page otherwise): figures, chain view, filtered prospects, leakage, alerts."""
    core = {k: plain(v) for k, v in reader.core(core_id).items()}
    filters, applied = prospect_filter(_query(request))
    page = reader.prospects(core_id, filters, sort, skip, PAGE_SIZE)
    rows = records(page.data, PROSPECT_COLUMNS)
    claims = state(request).appdb.claims_on([str(r["enterprise_id"]) for r in rows])
    leak = reader.leakage(core_id)
    alerts = reader.alerts(core_id, None, 0, 20)
    export = urlencode({**applied, "sort": sort, "limit": 100_000}, doseq=True)
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = language(request)
    return render(request, "core.html.j2", who=reader.principal, nav="cores", core=core,
                  prospects=_prospect_rows(rows, lang), claims=claims, total=page.count, skip=skip,
                  size=PAGE_SIZE, sort=sort, form=_form(applied), kinds=[(k, KINDS[k]["short_" + lang]) for k in KIND_NAMES],
                  segments=_choices(SEGMENTS, SEGMENT_ZH, lang), stages=_choices(STAGES, STAGE_ZH, lang),
                  export=export, back=back,
                  leakage={c: plain(leak.summary.get(c)) for c in LEAKAGE_COLUMNS},
                  leakage_top=records(leak.top, LEAKAGE_TOP_COLUMNS), alerts=records(alerts.data, ALERT_COLUMNS),
                  n_alerts=alerts.count)
