"""The response models of every route, built from the store protocol's column lists.

One type table (:data:`TYPES`) says what each column holds; a model per record kind lists exactly the
protocol's columns, so the OpenAPI document and the stores cannot drift apart. Every field may be
null: a published analysis leaves a value unknown rather than inventing it.

Examples
--------
>>> sorted(Alert.model_fields)[:3]
['core_id', 'detail_en', 'detail_zh']
>>> Page[Alert].model_validate({"data": [], "count": 0}).count
0
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from chainsight.graph.stores.local import FIRM_COLUMNS
from chainsight.graph.stores.protocol import (
    ALERT_COLUMNS, CORE_COLUMNS, EDGE_COLUMNS, ENTITY_LINK_COLUMNS, LEAKAGE_COLUMNS, LEAKAGE_TOP_COLUMNS,
    MEMBER_COLUMNS, PROSPECT_COLUMNS,
)

_TEXT = ("enterprise_id", "name", "branch", "manager", "explanation", "explanation_zh", "core_id",
         "direction", "via_id", "kind", "segment", "segment_zh", "stage", "stage_zh", "reasons_en",
         "reasons_zh", "payer_id", "payee_id", "severity", "detail_en", "detail_zh", "uscc", "customer_id",
         "customer_type", "eligibility_rule", "products", "account", "rule", "reason", "file")
_FLAG = ("is_customer", "eligible", "is_core", "ebanking")
_INT = ("rank", "tier", "count", "n_cores", "n_external_counterparties", "n_accounts", "n_accounts_ours",
        "n_names", "line", "rows")
TYPES: dict[str, Any] = {**{c: str | None for c in _TEXT}, **{c: bool | None for c in _FLAG},
                         **{c: int | None for c in _INT}, "evidence": dict[str, Any] | None}


def _model(name: str, columns: tuple[str, ...], doc: str, **extra: Any) -> type[BaseModel]:
    fields: dict[str, Any] = {c: (TYPES.get(c, float | None), None) for c in columns}
    fields.update(extra)
    model = create_model(name, __config__=ConfigDict(extra="ignore"), **fields)
    model.__doc__ = doc
    return model


Core = _model("Core", CORE_COLUMNS, "A core enterprise with its score components and explanation.")
Member = _model("Member", MEMBER_COLUMNS, "A firm in a core's chain, with its tier and direction.")
Edge = _model("Edge", EDGE_COLUMNS, "A trade edge: the payer pays the payee (the payee is its supplier).")
Prospect = _model("Prospect", PROSPECT_COLUMNS, "A ranked prospect with kind, segment, stage, products, "
                  "reasons and its evidence.", products=(list[str] | str | None, None))
Alert = _model("Alert", ALERT_COLUMNS, "A relationship that started, stopped, shrank or moved bank.")
LeakageSummary = _model("LeakageSummary", LEAKAGE_COLUMNS, "Off-us shares of a core's payments and receipts.")
LeakageTop = _model("LeakageTop", LEAKAGE_TOP_COLUMNS, "A top counterparty of a core at another bank.")
Enterprise = _model("Enterprise", FIRM_COLUMNS, "One firm with its evidence card.",
                    chains=(list[Member], []), prospects=(list[Prospect], []))  # type: ignore[valid-type]
EntityLink = _model("EntityLink", ENTITY_LINK_COLUMNS, "A mention (name, USCC, account) merged into a firm, "
                    "with the rule that merged it and its evidence (file and line, or customer record).",
                    candidates=(list[str] | None, None))

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list and the size of the whole (visible) list."""

    data: list[T]
    count: int = Field(ge=0)


class ChainOut(BaseModel):
    """A core, its visible chain members and the trade edges among them."""

    core: Core  # type: ignore[valid-type]
    members: list[Member]  # type: ignore[valid-type]
    edges: list[Edge]  # type: ignore[valid-type]


class LeakageOut(BaseModel):
    """How much of a core's business runs through other banks, and with whom."""

    summary: LeakageSummary  # type: ignore[valid-type]
    top: list[LeakageTop]  # type: ignore[valid-type]


class Summary(BaseModel):
    """The published analysis: whether, when and as of which date, and how much it holds."""

    model_config = ConfigDict(extra="allow")

    analysed: bool
    analysed_at: str | None = None
    as_of: str | None = None
    n_enterprises: int | None = None
    n_flows: int | None = None
    n_cores: int | None = None
    n_members: int | None = None
    n_prospects: int | None = None


class Health(BaseModel):
    """Whether the server can read its store."""

    status: str
    store: str
    analysed: bool


# The pages the list routes answer (built at import: mypy cannot see through create_model).
CorePage: Any = Page[Core]  # type: ignore[valid-type]
ProspectPage: Any = Page[Prospect]  # type: ignore[valid-type]
AlertPage: Any = Page[Alert]  # type: ignore[valid-type]
EntityLinkPage: Any = Page[EntityLink]  # type: ignore[valid-type]
