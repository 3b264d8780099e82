"""The ground truth under ``truth/``: what every exported row is, which defects it carries, which
firms are cores and chain members, and who is a 小额无贷户 (small no-loan customer).

Chain truth holds only relationships the exports can show: at least one trade payment of the
relationship survives (a row that is not rejected, on either side) and is not reversed.

The truth names a firm by its unified social credit code when the master publishes one whose check
character holds, else by its registered (canonical) name: columns ``core`` and ``firm``. It says
nothing of how a pipeline keys firms; a test maps one to the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainsight.demo import _memos as mm
from chainsight.demo import _relations as rl
from chainsight.demo._config import DEFECTS
from chainsight.demo._customers import Customers
from chainsight.demo._defects import ORDER, FileReport
from chainsight.demo._ids import uscc_check_holds
from chainsight.demo._layout import Layout
from chainsight.demo._master_defects import MasterDefects
from chainsight.demo._names import same_name
from chainsight.demo._world import CORE, CORPORATE, DECOY_ROLES, ROLE_NAMES, World

IntArray = npt.NDArray[np.int64]
DEPOSIT_CAP_CENTS = 50_000_000  # 500,000.00 CNY, inclusive


def eligibility(kind: IntArray, credit_on: IntArray, credit_off: IntArray, loan: IntArray,
                deposits: IntArray, blank: IntArray) -> list[str]:
    """The 小额无贷户 verdict per customer: ``eligible`` or the first reason it is not (a blank money
    cell in the master, ``blank >= 0``, is unknown: never eligible).

    >>> eligibility(np.array([0, 0, 1, 0]), np.zeros(4, int), np.zeros(4, int), np.array([0, 1, 0, 0]),
    ...             np.array([50_000_000, 0, 1, 0]), np.array([-1, -1, -1, 3]))
    ['eligible', 'has_loan', 'excluded_type', 'unknown_value']
    """
    verdict = np.select(
        [kind != CORPORATE, loan > 0, (credit_on > 0) | (credit_off > 0), deposits > DEPOSIT_CAP_CENTS,
         blank >= 0],
        ["excluded_type", "has_loan", "has_credit", "deposits_over_cap", "unknown_value"], "eligible")
    return [str(v) for v in verdict]


def _csv(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


class TruthSink:
    """Streams ``rows.csv`` and ``defects.csv`` file by file; keeps what the other files need."""

    def __init__(self, out: Path, n_events: int) -> None:
        self.dir = out / "truth"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._rows: IO[str] = open(self.dir / "rows.csv", "w", encoding="utf-8", newline="")
        self._defects: IO[str] = open(self.dir / "defects.csv", "w", encoding="utf-8", newline="")
        self._rows.write("file,line,txn_id\n")
        self._defects.write("file,line,defect,outcome,reason\n")
        self.shown = np.zeros(n_events, np.int64)
        self.rejected = np.zeros(n_events, np.int64)
        self.variants: set[tuple[int, str]] = set()
        self.defect_counts: dict[str, int] = {k: 0 for k in ORDER}

    def add(self, rep: FileReport) -> None:
        """Record one written file."""
        f = rep.file
        self._rows.write("".join(f"{f},{ln},T{e + 1:09d}\n"
                                 for ln, e in zip(rep.line.tolist(), rep.event.tolist())))
        bad = np.flatnonzero(rep.defect >= 0)
        lines = []
        for r in bad.tolist():
            name = ORDER[rep.defect[r]]
            d = DEFECTS[name]
            lines.append(f"{f},{rep.line[r]},{name},{d.outcome},{d.reason}\n")
            self.defect_counts[name] += 1
        self._defects.write("".join(lines))
        n = len(self.shown)
        self.shown += np.bincount(rep.event, minlength=n)
        rejected = np.isin(rep.defect, [i for i, k in enumerate(ORDER) if DEFECTS[k].outcome == "rejected"])
        self.rejected += np.bincount(rep.event[rejected], minlength=n)
        self.variants.update(rep.variants)

    def close(self) -> None:
        """Flush the streamed files."""
        self._rows.close()
        self._defects.close()


def firm_keys(world: World, cust: Customers) -> list[str]:
    """Truth key per organisation: the published USCC when its check holds, else the registered name."""
    uscc = [""] * world.n
    for i, org in enumerate(cust.org.tolist()):
        uscc[org] = cust.uscc[i]
    return [uscc[o] if uscc_check_holds(uscc[o]) else world.name[o] for o in range(world.n)]


def _chain(rel: rl.Relations, lay: Layout, sink: TruthSink, eid: list[str]) -> pd.DataFrame:
    ev = lay.events
    reversed_ = np.zeros(len(ev), bool)
    reversed_[ev.orig[(ev.klass == mm.REVERSAL) & (ev.orig >= 0)]] = True
    good = (ev.klass == mm.TRADE) & (ev.rel >= 0) & (sink.shown > sink.rejected) & ~reversed_
    seen = np.unique(ev.rel[good])
    r = pd.DataFrame({"payer": rel.payer[seen], "payee": rel.payee[seen], "kind": rel.kind[seen]})
    up1 = r[r.kind == rl.CORE_BUYS].rename(columns={"payer": "core", "payee": "member"})
    down1 = r[r.kind == rl.CORE_SELLS].rename(columns={"payee": "core", "payer": "member"})
    up2 = up1.merge(r[r.kind == rl.T1_BUYS], left_on="member", right_on="payer")
    down2 = down1.merge(r[r.kind == rl.T2_BUYS], left_on="member", right_on="payee")
    parts = [up1[["core", "member"]].assign(direction="up", tier=1),
             down1[["core", "member"]].assign(direction="down", tier=1),
             up2[["core", "payee"]].rename(columns={"payee": "member"}).assign(direction="up", tier=2),
             down2[["core", "payer"]].rename(columns={"payer": "member"}).assign(direction="down", tier=2)]
    chain = pd.concat(parts, ignore_index=True)
    chain = chain[chain.core != chain.member]
    chain = chain.sort_values(["core", "direction", "member", "tier"]).drop_duplicates(
        ["core", "direction", "member"], keep="first")
    ids = np.array(eid, dtype=object)
    out = pd.DataFrame({"core": ids[chain.core.to_numpy()], "firm": ids[chain.member.to_numpy()],
                        "direction": chain.direction.to_numpy(), "tier": chain.tier.to_numpy()})
    return out.sort_values(["core", "direction", "tier", "firm"], ignore_index=True)


def write_truth(sink: TruthSink, world: World, cust: Customers, rel: rl.Relations, lay: Layout,
                flaws: MasterDefects) -> None:
    """Write every truth file except the streamed ``rows.csv`` and ``defects.csv``."""
    d, ev = sink.dir, lay.events
    eid = firm_keys(world, cust)
    txn = lay.txn_id(np.arange(len(ev)))
    _csv(d / "flow_class.csv", pd.DataFrame({"txn_id": txn, "flow_class": [mm.CLASSES[k] for k in ev.klass]}))
    rev = np.flatnonzero((ev.klass == mm.REVERSAL) & (ev.orig >= 0))
    _csv(d / "reversals.csv", pd.DataFrame({"original_txn_id": lay.txn_id(ev.orig[rev]),
                                            "reversal_txn_id": lay.txn_id(rev)}))
    cores = np.flatnonzero(world.role == CORE)
    _csv(d / "cores.csv", pd.DataFrame({"core": [eid[c] for c in cores],
                                        "name": [world.name[c] for c in cores]}).sort_values("core"))
    _csv(d / "chain.csv", _chain(rel, lay, sink, eid))
    # The noise around cores, by design not chain ties: a reader may still argue for some of them
    # (a 3-month one-off, a buy-back), so tests can report them apart.
    noisy = {rl.ONE_OFF: "one_off", rl.BUY_BACK: "buy_back", rl.AGENT_OUT: "agent_payment"}
    by_core = world.role[rel.payer] == CORE
    billed = {rl.HUB_IN: "hub_bill", rl.AGENT_IN: "agent_fee"}  # what a core pays a hub or the agent
    sel = np.flatnonzero(np.isin(rel.kind, list(noisy)) | (np.isin(rel.kind, list(billed)) & by_core))
    _csv(d / "noise.csv", pd.DataFrame({
        "payer": [eid[o] for o in rel.payer[sel]], "payee": [eid[o] for o in rel.payee[sel]],
        "kind": [noisy.get(int(rel.kind[i])) or billed[int(rel.kind[i])] for i in sel]}))
    decoys = np.flatnonzero(np.isin(world.role, DECOY_ROLES))
    _csv(d / "decoys.csv", pd.DataFrame({
        "firm": [eid[o] for o in decoys], "name": [world.name[o] for o in decoys],
        "kind": [ROLE_NAMES[world.role[o]].removesuffix("_decoy") for o in decoys]}).sort_values("firm"))
    reason = eligibility(world.kind[cust.org], cust.credit_on, cust.credit_off, cust.loan,
                         cust.deposits.sum(axis=1), flaws.blank)
    # a firm's second record shares its verdict: the deposits moved to it still count
    reason += [reason[i] for i in flaws.extra_of.tolist()]
    _csv(d / "eligible.csv", pd.DataFrame({
        "customer_id": [*cust.customer_id, *flaws.extra_id],
        "firm": [eid[o] for o in [*cust.org.tolist(), *cust.org[flaws.extra_of].tolist()]],
        "eligible": ["true" if r == "eligible" else "false" for r in reason], "reason": reason}))
    # ambiguous: another name altogether (a short name, a branch, a typo), which may as well be another
    # firm's; tests report those apart from the spellings of one name
    variants = sorted((eid[o], world.name[o], v, "true" if same_name(v) != same_name(world.name[o]) else "false")
                      for o, v in sink.variants)
    _csv(d / "name_variants.csv", pd.DataFrame(variants, columns=["firm", "canonical", "variant", "ambiguous"]))
    br = world.branches
    _csv(d / "branches.csv", pd.DataFrame({"code": br.code, "name": br.name, "export": br.export}))
