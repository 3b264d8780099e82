"""The one access rule: every route, page and export reads the store through a :class:`Reader`.

A manager of branches B sees (the README's table says the same; the rule's parameters are a
:class:`~chainsight.graph.stores.protocol.Scope`, which the stores translate into the list queries
so that a page of a long list is read as a page, and which :class:`Visibility` applies to single firms):

* **our customers** (a firm with a customer record) whose branch is in B;
* **firms at other banks** that are prospects of a core whose branch is in B, or that an admin
  assigned to a branch in B;
* **a core** when the core firm itself is visible by those two rules; its chain, prospects, leakage
  and alerts then show only the visible firms; a row about an invisible core is left out even when
  its firm is visible; an invisible core or firm is "not found" (404), so a manager cannot even
  learn that it exists; a tier-2 row reached through an invisible tier-1 firm loses that firm's
  id and name (its reasons say "a tier-1 firm of another branch").

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
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from chainsight.api.principal import Principal
from chainsight.errors import NotFound
from chainsight.graph.stores.protocol import Chain, GraphStore, Leakage, Page, ProspectFilter, Scope

#: Fields that identify an account or a customer record: masked for readers who may not see them.
MASKED = frozenset({"account_no", "account", "accounts", "counterparty_account", "customer_id"})
Audit = Callable[[str, int, int], None]  # (what, rows returned, status)
T = TypeVar("T")
#: How many rows of answers an :class:`Index` remembers (the least recently used go first).
MEMO_ROWS = 200_000


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
    """What one manager may see of one published analysis (``scope=None``: everything)."""

    scope: Scope | None
    customer_branch: Callable[[str], tuple[bool, str | None]]  # firm -> (is our customer, its branch)
    name_of: Callable[[str], str | None]

    @property
    def everything(self) -> bool:
        return self.scope is None

    def firm(self, firm_id: str, *, core_branch: str | None = None) -> bool:
        """Whether a firm is visible, judged as a chain member of a core in ``core_branch`` if given."""
        if self.scope is None:
            return True
        is_customer, branch = self.customer_branch(firm_id)
        return self.scope.firm(firm_id, is_customer, branch,
                               core_served=core_branch is not None and core_branch in self.scope.branches)

    def rows(self, frame: pd.DataFrame, cores: dict[str, str | None], column: str = "enterprise_id") -> pd.Series:
        """A boolean mask of the rows of ``frame`` (firms in chains of ``cores``) whose ``column`` is visible."""
        if self.scope is None or frame.empty:
            return pd.Series(True, index=frame.index)
        core_ids = frame["core_id"] if "core_id" in frame else pd.Series([None] * len(frame), index=frame.index)
        flags = [self.firm(str(fid), core_branch=cores.get(str(core)))
                 for fid, core in zip(frame[column], core_ids)]
        return pd.Series(flags, index=frame.index, dtype=bool)

    def hide_via(self, frame: pd.DataFrame, cores: dict[str, str | None]) -> pd.DataFrame:
        """Rows reached through an invisible tier-1 firm keep the row but lose that firm's id and name.

        A tier-2 prospect's reasons and evidence name the tier-1 firm it trades through; when that
        firm is another branch's customer it becomes "a tier-1 firm of another branch".
        """
        if self.scope is None or frame.empty or "via_id" not in frame:
            return frame
        known = frame["via_id"].notna() & (frame["via_id"] != frame.get("core_id"))
        hidden = known & ~self.rows(frame.assign(via_id=frame["via_id"].fillna("")), cores, "via_id")
        if not hidden.any():
            return frame
        out = frame.copy()
        for i in out.index[hidden]:
            evidence = out.at[i, "evidence"] if "evidence" in out else None
            name = self.name_of(str(out.at[i, "via_id"]))
            out.at[i, "via_id"] = None
            if isinstance(evidence, dict):
                out.at[i, "evidence"] = {k: v for k, v in evidence.items() if k != "via"}
            if isinstance(name, str) and name:
                for column, stand_in in (("reasons_en", "a tier-1 firm of another branch"),
                                         ("reasons_zh", "其他网点的一级企业")):
                    said = out.at[i, column] if column in out else None
                    if isinstance(said, str):
                        out.at[i, column] = said.replace(name, stand_in)
        return out


class Index:
    """Per published analysis: each known firm's customer status and branch, and each core's branch.

    Loaded once per analysis (checked every ``ttl`` seconds, or on every call when the store gives a
    cheap ``version`` that changes with each published analysis, as a snapshot store does); a firm
    not among the cores and prospects is looked up in the store on first use and remembered. An
    unknown firm is treated as one at another bank, which only the rules for other banks' firms can
    make visible.

    With a ``version``, the index also remembers the routes' answers for the analysis
    (:meth:`remembered`), at most :data:`MEMO_ROWS` rows of them.
    """

    def __init__(self, store: GraphStore, ttl: float = 2.0, version: Callable[[], object] | None = None) -> None:
        self.store = store
        self.ttl = ttl
        self.version = version
        self._lock = threading.Lock()
        self._key: object = None
        self._version: object = None
        self._checked = 0.0
        self._firms: dict[str, tuple[bool, str | None]] = {}
        self._names: dict[str, str | None] = {}
        self._cores: dict[str, str | None] = {}
        self._memo: OrderedDict[tuple[Any, ...], tuple[Any, list[tuple[str, int, int]], int]] = OrderedDict()
        self._memo_rows = 0
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}

    def remembered(self, key: tuple[Any, ...], compute: Callable[[], tuple[T, list[tuple[str, int, int]]]],
                   ) -> tuple[T, list[tuple[str, int, int]]]:
        """``compute()`` — an answer and the audit entries its reads wrote — once per analysis and ``key``.

        Without a ``version`` nothing is remembered. The answer is shared: callers must not change it.
        Callers asking for the same answer while it is computed wait for it instead of computing it too
        (a burst of clicks on a new analysis costs one computation).
        """
        if self.version is None:
            return compute()
        self._refresh()
        with self._lock:
            full = ((self._version, self._key), key)
            hit = self._hit(full)
            if hit is not None:
                return hit
            gate = self._computing.setdefault(full, threading.Lock())
        with gate:
            with self._lock:
                hit = self._hit(full)
            if hit is not None:
                return hit
            try:
                value, audits = compute()
                rows = 1 + sum(r for _, r, _ in audits)
                with self._lock:
                    if full[0] == (self._version, self._key) and rows <= MEMO_ROWS // 10:
                        self._memo[full] = (value, audits, rows)
                        self._memo_rows += rows
                        while self._memo_rows > MEMO_ROWS:
                            self._memo_rows -= self._memo.popitem(last=False)[1][2]
            finally:
                with self._lock:
                    self._computing.pop(full, None)
        return value, audits

    def _hit(self, full: tuple[Any, ...]) -> tuple[Any, list[tuple[str, int, int]]] | None:
        hit = self._memo.get(full)
        if hit is None:
            return None
        self._memo.move_to_end(full)
        return hit[0], hit[1]

    def cores(self) -> dict[str, str | None]:
        """Core -> the branch of the core firm (None for a core at another bank)."""
        self._refresh()
        return self._cores

    def customer_branch(self, firm_id: str) -> tuple[bool, str | None]:
        """``(is our customer, branch)`` of a firm."""
        self._refresh()
        hit = self._firms.get(firm_id)
        if hit is None:
            try:
                card = self.store.enterprise(firm_id)
                hit = (bool(card.get("is_customer")), _text(card.get("branch")))
            except NotFound:
                hit = (False, None)
            with self._lock:
                self._firms[firm_id] = hit
        return hit

    def name_of(self, firm_id: str) -> str | None:
        """The name a published list gives the firm (None if it is in none)."""
        self._refresh()
        return self._names.get(firm_id)

    def _refresh(self) -> None:
        now = time.monotonic()
        version = None if self.version is None else self.version()
        with self._lock:
            fresh = now - self._checked < self.ttl if self.version is None else version == self._version
            if fresh and self._key is not None:
                return
        summary = self.store.summary()
        key = (summary.get("analysed_at"), summary.get("n_prospects"), summary.get("n_cores"))
        if key != self._key:
            cores = self.store.cores().data
            rows = self.store.prospects(None, filters=ProspectFilter(kinds=None), limit=None).data
            firms = pd.concat([cores[["enterprise_id", "is_customer", "branch", "name"]],
                               rows[["enterprise_id", "is_customer", "branch", "name"]]])
            names = {str(f): _text(n) for f, n in zip(firms["enterprise_id"], firms["name"])}
            known = {str(f): (bool(c) if c == c and c is not None else False, _text(b))
                     for f, c, b in zip(firms["enterprise_id"], firms["is_customer"], firms["branch"])}
            core_branch = {c: (b if ic else None) for c, (ic, b) in
                           ((str(c), known[str(c)]) for c in cores["enterprise_id"])}
            with self._lock:
                self._firms, self._cores, self._names, self._key = known, core_branch, names, key
        with self._lock:
            self._checked, self._version = now, version
            if self._memo and next(iter(self._memo))[0] != (version, self._key):
                self._memo.clear()
                self._memo_rows = 0


def _text(value: object) -> str | None:
    return None if value is None or value != value else str(value)


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
            self._visibility = Visibility(self.scope, self._index.customer_branch, self._index.name_of)
        return self._visibility

    @property
    def scope(self) -> Scope | None:
        """The access rule's parameters for this principal (None: everything)."""
        if self.principal.sees_all_branches:
            return None
        return Scope(frozenset(self.principal.branches), self._assigned)

    def _core_branches(self) -> dict[str, str | None]:
        return {} if self.visibility.everything else self._index.cores()

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

    def remembered(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` (an answer built from this reader's reads), computed once per published analysis,
        ``key`` and access — the scope and whether account numbers show — and audited on every call as
        it was the first time. A read that fails (404) is not remembered. Do not change the answer."""
        written: list[tuple[str, int, int]] = []
        audit = self._audit

        def compute_audited() -> tuple[T, list[tuple[str, int, int]]]:
            def recording(what: str, rows: int, status: int) -> None:
                audit(what, rows, status)
                written.append((what, rows, status))

            self._audit = recording
            try:
                return compute(), written
            finally:
                self._audit = audit

        value, audits = self._index.remembered(
            (*key, self.scope, self.principal.sees_account_numbers), compute_audited)
        if audits is not written:
            for entry in audits:
                audit(*entry)
        return value

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
            cores = self._core_branches()
            members = self.visibility.hide_via(members[self.visibility.rows(members, cores)], cores)
            members = members.reset_index(drop=True)
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
        page = self.store.prospects(core_id, filters=filters, sort=sort, skip=skip, limit=limit,
                                    scope=self.scope)
        if not self.visibility.everything:
            page = Page(self.visibility.hide_via(page.data, self._core_branches()), page.count)
        self._audit("prospects", len(page.data), 200)
        return Page(self._frame(page.data), page.count)

    def enterprise(self, enterprise_id: str) -> dict[str, Any]:
        """One visible firm's card; its chains and prospect rows only where the core is visible."""
        card = self._card(enterprise_id, "enterprise")
        self._audit("enterprise", 1, 200)
        return dict(self._out(card))

    def firms(self, firm_ids: Iterable[str]) -> tuple[list[dict[str, Any]], int]:
        """The cards of the visible firms among ``firm_ids`` (in order, once each) and how many were left
        out (not visible, or unknown to the analysis); one audit entry for them all."""
        cards, hidden = [], 0
        for firm_id in dict.fromkeys(firm_ids):
            card = self._visible_card(firm_id)
            if card is None:
                hidden += 1
            else:
                cards.append(dict(self._out(card)))
        self._audit("firms", len(cards), 200)
        return cards, hidden

    def entity_links(self, enterprise_id: str) -> pd.DataFrame:
        """Why merged: the mentions merged into a visible firm (visible as its card is), accounts masked."""
        self._card(enterprise_id, "entity_links")
        links = self.store.entity_links(enterprise_id)
        self._audit("entity_links", len(links), 200)
        return self._frame(links)

    def _card(self, enterprise_id: str, what: str) -> dict[str, Any]:
        """The firm's card as this reader may see it; not found (audited as ``what``) when it may not."""
        card = self._visible_card(enterprise_id)
        if card is None:
            self._audit(what, 0, 404)
            raise NotFound(f"no enterprise {enterprise_id}")
        return card

    def _visible_card(self, enterprise_id: str) -> dict[str, Any] | None:
        """The firm's card as this reader may see it, or None (unknown, or not visible)."""
        try:
            card = self.store.enterprise(enterprise_id)
        except NotFound:
            return None
        if not self.visibility.everything:
            cores = self._core_branches()
            chains = [m for m in card.get("chains", []) if self._visible_core(str(m["core_id"]))
                      and self.visibility.firm(enterprise_id, core_branch=cores.get(str(m["core_id"])))]
            if not chains and not self.visibility.firm(enterprise_id):
                return None
            visible = {m["core_id"] for m in chains}
            rows = pd.DataFrame([p for p in card.get("prospects", []) if p["core_id"] in visible])
            card = {**card, "chains": self.visibility.hide_via(pd.DataFrame(chains), cores).to_dict("records"),
                    "prospects": self.visibility.hide_via(rows, cores).to_dict("records")}
        return card

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
        page = self.store.alerts(core_id, kinds=kinds, skip=skip, limit=limit, scope=self.scope)
        self._audit("alerts", len(page.data), 200)
        return Page(self._frame(page.data), page.count)

