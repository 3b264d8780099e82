"""Payment events: one row per payment between two accounts, plus the helpers that draw them.

Examples
--------
>>> e = Events.empty()
>>> len(e), len(concat([e, e]))
(0, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from chainsight.demo._accounts import Accounts
from chainsight.demo._config import business_days

IntArray = npt.NDArray[np.int64]
BDAYS, BCOUNT = business_days()


@dataclass(frozen=True)
class Events:
    """Payments: payer and payee account, day index, signed cents, memo, flow class.

    ``rel`` is the trade relationship a payment belongs to (else -1); ``orig`` the payment that a
    reversal or refund refers to (else -1).
    """

    payer: IntArray
    payee: IntArray
    day: IntArray
    cents: IntArray
    memo: IntArray
    klass: IntArray
    rel: IntArray
    orig: IntArray

    def __len__(self) -> int:
        return len(self.payer)

    @staticmethod
    def empty() -> Events:
        """No payments."""
        z = np.zeros(0, np.int64)
        return Events(z, z, z, z, z, z, z, z)

    @staticmethod
    def of(payer: IntArray, payee: IntArray, day: IntArray, cents: IntArray, memo: IntArray,
           klass: int, rel: IntArray | None = None) -> Events:
        """Payments of one flow class, no references."""
        n = len(payer)
        none = np.full(n, -1, np.int64)
        return Events(payer.astype(np.int64), payee.astype(np.int64), day.astype(np.int64),
                      cents.astype(np.int64), memo.astype(np.int64), np.full(n, klass, np.int64),
                      none if rel is None else rel.astype(np.int64), none.copy())

    def take(self, idx: IntArray | npt.NDArray[np.bool_]) -> Events:
        """The payments at ``idx`` (``orig`` is not remapped: see :func:`reindex`)."""
        return Events(*(getattr(self, f.name)[idx] for f in fields(self)))


def concat(parts: list[Events]) -> Events:
    """All payments of ``parts``, in order (``orig`` must be -1 in all but the last part)."""
    return Events(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Events)))


def reindex(events: Events, keep: IntArray) -> Events:
    """The payments at positions ``keep``, in that order, with ``orig`` remapped (-1 when dropped)."""
    new = np.full(len(events), -1, np.int64)
    new[keep] = np.arange(len(keep))
    out = events.take(keep)
    orig = np.where(out.orig >= 0, new[np.maximum(out.orig, 0)], -1)
    return Events(out.payer, out.payee, out.day, out.cents, out.memo, out.klass, out.rel, orig)


def business_day(rng: np.random.Generator, month0: IntArray, lo: float | npt.NDArray[np.float64] = 0.0,
                 hi: float | npt.NDArray[np.float64] = 1.0) -> IntArray:
    """A weekday of each 0-based month, uniformly between fractions ``lo`` and ``hi`` of the month."""
    count = BCOUNT[month0]
    pos = (rng.uniform(lo, hi, len(month0)) * count).astype(np.int64)
    return BDAYS[month0, np.minimum(pos, count - 1)]


def to_cents(rng: np.random.Generator, yuan: npt.NDArray[np.float64]) -> IntArray:
    """Yuan to cents; about 15% round to 100 yuan and 5% to 1,000 yuan, as people pay."""
    cents = np.maximum(np.round(yuan * 100), 1).astype(np.int64)
    u = rng.random(len(cents))
    r100 = np.maximum(cents // 10_000, 1) * 10_000
    r1000 = np.maximum(cents // 100_000, 1) * 100_000
    return np.where((u < 0.05) & (cents >= 200_000), r1000, np.where(u < 0.20, r100, cents))


def choose_account(rng: np.random.Generator, acc: Accounts, org: IntArray, day: IntArray) -> IntArray:
    """The account an organisation uses on a day: mostly its primary one; -1 if none is open."""
    first, count = acc.org_first[org], acc.org_count[org]
    other = first + (rng.random(len(org)) * count).astype(np.int64)
    pick = np.where(rng.random(len(org)) < 0.8, first, other)
    pick = np.where(acc.open_mask(pick, day), pick, first)
    return np.where(acc.open_mask(pick, day), pick, -1)
