"""The one access rule: every route, page and export reads the store through a :class:`Reader`.

A manager of branches B sees (the README's table says the same):

* **our customers** (a firm with a customer record) whose branch is in B;
* **firms at other banks** that are prospects of a core whose branch is in B, or that an admin
  assigned to a branch in B;
* **a core** when the core firm itself is visible by those two rules; its chain, prospects, leakage
  and alerts then show only the visible firms; an invisible core or firm is "not found" (404), so
  a manager cannot even learn that it exists.

Analysts and admins see everything. Account numbers (and customer record numbers) are masked to
their last four characters for managers. Every read is audited through ``audit`` (who, route,
parameters, rows returned, client); a failed audit write fails the read.

Examples
--------
>>> mask("6222021234567890"), mask("CIF1"), mask(None)
('************7890', 'CIF1', None)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from chainsight.api.principal import Principal
from chainsight.errors import NotFound
from chainsight.graph.stores.protocol import Chain, GraphStore, Leakage, Page, ProspectFilter

#: Fields that identify an account or a customer record: masked for readers who may not see them.
MASKED = frozenset({"account_no", "account", "accounts", "counterparty_account", "customer_id"})
Audit = Callable[[str, int, int], None]  # (what, rows returned, status)


def mask(value: object) -> object:
    """All but the last four characters of an identifier replaced by ``*``."""
    if value is None or not isinstance(value, (str, int)):
        return value
    text = str(value)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def masked(value: Any) -> Any:
    """``value`` (a record, a list of them, nested) with every :data:`MASKED` field masked."""
    if isinstance(value, dict):
        return {k: (_mask_any(v) if k in MASKED else masked(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _mask_any(value: Any) -> Any:
    return [mask(v) for v in value] if isinstance(value, list) else mask(value)


def masked_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :data:`MASKED` columns masked and nested records (evidence) masked too."""
    out = frame.copy()
    for column in out.columns:
        if column in MASKED:
            out[column] = out[column].map(_mask_any)
        elif out[column].dtype == object:
            out[column] = out[column].map(masked)
    return out


@dataclass(frozen=True)
class Visibility:
    """What one manager may see of one published analysis (``None`` fields: everything)."""

    branches: frozenset[str] | None
    assigned: frozenset[str]
    customers: dict[str, str | None]  # every known customer firm -> its branch

    @property
    def everything(self) -> bool:
        return self.branches is None

    def firm(self, firm_id: str, *, is_customer: bool | None = None, branch: str | None = None,
             core_branch: str | None = None) -> bool:
        """Whether a firm is visible, judged as a prospect of a core with ``core_branch`` if given."""
        if self.branches is None:
            return True
        known = firm_id in self.customers
        if is_customer or (is_customer is None and known):
            return (branch if branch is not None else self.customers.get(firm_id)) in self.branches
        return firm_id in self.assigned or (core_branch is not None and core_branch in self.branches)

    def rows(self, frame: pd.DataFrame, cores: dict[str, str | None], core_column: str = "core_id",
             id_column: str = "enterprise_id") -> pd.Series:
        """A boolean mask of the rows of ``frame`` (firms in chains of ``cores``) that are visible."""
        if self.branches is None or frame.empty:
            return pd.Series(True, index=frame.index)
        flags = [self.firm(str(fid), is_customer=_bool(row.get("is_customer")), branch=row.get("branch"),
                           core_branch=cores.get(str(core)))
                 for fid, core, row in zip(frame[id_column], frame[core_column] if core_column in frame
                                           else [None] * len(frame), frame.to_dict("records"))]
        return pd.Series(flags, index=frame.index, dtype=bool)


def _bool(value: object) -> bool | None:
    return None if value is None or value != value else bool(value)


class Index:
    """Per published analysis: each customer firm's branch and each core's branch, cached briefly."""

    def __init__(self, store: GraphStore, ttl: float = 2.0) -> None:
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._key: object = None
        self._checked = 0.0
        self._value: tuple[dict[str, str | None], dict[str, str | None]] = ({}, {})

    def get(self) -> tuple[dict[str, str | None], dict[str, str | None]]:
        """``(customers: firm -> branch, cores: core -> branch of the core firm or None)``."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked < self.ttl and self._key is not None:
                return self._value
        summary = self.store.summary()
        key = (summary.get("analysed_at"), summary.get("n_prospects"), summary.get("n_cores"))
        with self._lock:
            if key != self._key:
                self._value = self._load()
                self._key = key
            self._checked = now
            return self._value

    def _load(self) -> tuple[dict[str, str | None], dict[str, str | None]]:
        cores = self.store.cores().data
        rows = self.store.prospects(None, filters=ProspectFilter(kinds=None), limit=None).data
        firms = pd.concat([cores[["enterprise_id", "is_customer", "branch"]],
                           rows[["enterprise_id", "is_customer", "branch"]]])
        firms = firms[firms["is_customer"].fillna(False).astype(bool)]
        customers = {str(f): (None if b is None or b != b else str(b))
                     for f, b in zip(firms["enterprise_id"], firms["branch"])}
        core_branch = {str(c): (str(b) if bool(ic) and b is not None and b == b else None)
                       for c, b, ic in zip(cores["enterprise_id"], cores["branch"], cores["is_customer"])}
        return customers, core_branch


class Reader:
    """The store as one principal may read it: scoped, masked and audited."""

    def __init__(self, store: GraphStore, index: Index, principal: Principal, assigned: Iterable[str],
                 audit: Audit) -> None:
        self.store = store
        self.principal = principal
        self._index = index
        self._audit = audit
        self._assigned = frozenset(assigned)
        self._visibility: Visibility | None = None

    # -- the rule ---------------------------------------------------------------------------
    @property
    def visibility(self) -> Visibility:
        if self._visibility is None:
            if self.principal.sees_all_branches:
                self._visibility = Visibility(None, frozenset(), {})
            else:
                customers, _ = self._index.get()
                self._visibility = Visibility(frozenset(self.principal.branches), self._assigned, customers)
        return self._visibility

    def _core_branches(self) -> dict[str, str | None]:
        return {} if self.visibility.everything else self._index.get()[1]

    def _visible_core(self, core_id: str) -> bool:
        branches = self._core_branches()
        return self.visibility.everything or (core_id in branches and self.visibility.firm(core_id))

    def _need_core(self, core_id: str, what: str) -> None:
        if not self._visible_core(core_id):
            self._audit(what, 0, 404)
            raise NotFound(f"{core_id} is not an analysed core")

    def _out(self, value: Any) -> Any:
        return value if self.principal.sees_account_numbers else masked(value)

    def _frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame if self.principal.sees_account_numbers else masked_frame(frame)

    def _page(self, frame: pd.DataFrame, skip: int, limit: int | None) -> Page:
        end = None if limit is None else skip + limit
        return Page(frame.iloc[skip:end].reset_index(drop=True), len(frame))

    # -- reads ------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The published analysis' metadata."""
        value = self.store.summary()
        self._audit("summary", 1, 200)
        return value

    def cores(self, *, name: str | None = None, sort: str = "rank", skip: int = 0,
              limit: int | None = None) -> Page:
        """Visible cores whose name or id contains ``name``, sorted by ``rank``, ``score`` or ``name``."""
        whole = self.store.cores().data
        keep = whole["enterprise_id"].map(lambda c: self._visible_core(str(c))).astype(bool)
        if name:
            keep &= (whole["name"].fillna("").str.contains(name, regex=False)
                     | whole["enterprise_id"].str.contains(name, regex=False))
        rows = whole[keep]
        by, ascending = {"rank": ("rank", True), "score": ("score", False), "name": ("name", True)}[sort]
        rows = rows.sort_values([by, "enterprise_id"], ascending=[ascending, True], kind="stable")
        page = self._page(rows, skip, limit)
        self._audit("cores", len(page.data), 200)
        return Page(self._frame(page.data), page.count)

    def core(self, core_id: str) -> dict[str, Any]:
        """One visible core with its scores and explanation."""
        self._need_core(core_id, "core")
        core = self.store.chain(core_id, depth=0).core
        self._audit("core", 1, 200)
        return dict(self._out(core))

    def chain(self, core_id: str, depth: int) -> Chain:
        """A visible core's chain with only the visible members and the edges among them."""
        self._need_core(core_id, "chain")
        chain = self.store.chain(core_id, depth)
        members = chain.members
        if not self.visibility.everything:
            members = members[self.visibility.rows(members, self._core_branches())].reset_index(drop=True)
            nodes = {core_id, *members["enterprise_id"]}
            edges = chain.edges
            chain = Chain(chain.core, members,
                          edges[edges["payer_id"].isin(nodes) & edges["payee_id"].isin(nodes)].reset_index(drop=True))
        self._audit("chain", len(chain.members), 200)
        return Chain(self._out(chain.core), self._frame(chain.members), chain.edges)

    def prospects(self, core_id: str | None, filters: ProspectFilter, sort: str, skip: int,
                  limit: int | None) -> Page:
        """Visible prospects of one visible core (or of every core), filtered, sorted and paged."""
        if core_id is not None:
            self._need_core(core_id, "prospects")
        if self.visibility.everything:
            page = self.store.prospects(core_id, filters=filters, sort=sort, skip=skip, limit=limit)
        else:
            whole = self.store.prospects(core_id, filters=filters, sort=sort, limit=None).data
            page = self._page(whole[self.visibility.rows(whole, self._core_branches())], skip, limit)
        self._audit("prospects", len(page.data), 200)
        return Page(self._frame(page.data), page.count)

    def enterprise(self, enterprise_id: str) -> dict[str, Any]:
        """One visible firm's card; its chains and prospect rows only where the core is visible."""
        try:
            card = self.store.enterprise(enterprise_id)
        except NotFound:
            self._audit("enterprise", 0, 404)
            raise
        if not self.visibility.everything:
            cores = self._core_branches()
            chains = [m for m in card.get("chains", []) if self._visible_core(str(m["core_id"]))
                      and self.visibility.firm(enterprise_id, is_customer=_bool(card.get("is_customer")),
                                               branch=card.get("branch"), core_branch=cores.get(str(m["core_id"])))]
            is_core = enterprise_id in cores and self._visible_core(enterprise_id)
            if not chains and not is_core and not self.visibility.firm(
                    enterprise_id, is_customer=_bool(card.get("is_customer")), branch=card.get("branch")):
                self._audit("enterprise", 0, 404)
                raise NotFound(f"no enterprise {enterprise_id}")
            visible = {m["core_id"] for m in chains}
            card = {**card, "chains": chains,
                    "prospects": [p for p in card.get("prospects", []) if p["core_id"] in visible]}
        self._audit("enterprise", 1, 200)
        return dict(self._out(card))

    def leakage(self, core_id: str) -> Leakage:
        """A visible core's off-us shares; its top external counterparties only where visible."""
        self._need_core(core_id, "leakage")
        leak = self.store.leakage(core_id)
        top = leak.top
        if not self.visibility.everything and not top.empty:
            top = top[self.visibility.rows(top, self._core_branches())].reset_index(drop=True)
        self._audit("leakage", len(top), 200)
        return Leakage(leak.summary, self._frame(top))

    def alerts(self, core_id: str | None, kinds: tuple[str, ...] | None, skip: int, limit: int | None) -> Page:
        """Alerts on visible firms of visible cores."""
        if core_id is not None:
            self._need_core(core_id, "alerts")
        if self.visibility.everything:
            page = self.store.alerts(core_id, kinds=kinds, skip=skip, limit=limit)
        else:
            whole = self.store.alerts(core_id, kinds=kinds).data
            keep = whole["core_id"].map(lambda c: self._visible_core(str(c))).astype(bool)
            keep &= self.visibility.rows(whole, self._core_branches())
            page = self._page(whole[keep], skip, limit)
        self._audit("alerts", len(page.data), 200)
        return Page(self._frame(page.data), page.count)

