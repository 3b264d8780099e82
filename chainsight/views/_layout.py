"""Where each firm sits on a chain drawing, computed here so the browser runs no physics.

Left to right: tier-2 suppliers, tier-1 suppliers, the core, tier-1 customers, tier-2 customers (money
flows right to left along the supply side: the core pays its suppliers). In each column the members are
in prospect-score order, best at the top of the sub-column nearest the core; a column with many members
wraps into sub-columns of at most ``rows_max`` rows, so labels never overlap. Members folded away
("+N more") continue below the fold node in the same sub-columns, so expanding a fold moves nothing.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"direction": ["up", "up", "down"], "tier": [1, 2, 1], "score": [0.9, 0.5, 0.7]})
>>> place = column_layout(m, drawn=[True, True, True])
>>> [(round(x), round(y)) for x, y in zip(place.x, place.y)]
[(-340, 0), (-680, 0), (340, 0)]
>>> place.folds
{}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "Layout", "Spacing", "column_layout"]

#: The member columns, left to right around the core (which sits at x = 0).
COLUMNS = (("up", 2), ("up", 1), ("down", 1), ("down", 2))


@dataclass(frozen=True)
class Spacing:
    """Distances on the drawing, in vis-network units (pixels at zoom 1)."""

    row: float = 60.0        # between members of a sub-column
    sub: float = 200.0       # between sub-columns of one column (a label of 8 CJK characters fits)
    gap: float = 340.0       # between the core and tier 1, and between tier 1 and tier 2
    rows_max: int = 25       # a column taller than this wraps into another sub-column


@dataclass
class Layout:
    """Positions of the members (in the order given), of each column's fold node and column headings."""

    x: np.ndarray
    y: np.ndarray
    folds: dict[tuple[str, int], tuple[float, float]] = field(default_factory=dict)
    headings: dict[tuple[str, int], tuple[float, float]] = field(default_factory=dict)


def column_layout(members: pd.DataFrame, drawn: Sequence[bool], spacing: Spacing | None = None) -> Layout:
    """Positions for every member: ``members`` has ``direction``, ``tier`` and ``score``.

    ``drawn`` says which members are drawn from the start; the others sit below their column's fold
    node (``Layout.folds``), in the order of their score.
    """
    s = spacing or Spacing()
    x, y = np.zeros(len(members)), np.zeros(len(members))
    shown = np.asarray(drawn, dtype=bool)
    frame = members.reset_index(drop=True).assign(_score=lambda f: f["score"].fillna(0.0).astype(float))
    layout = Layout(x, y)
    top_row = 0.0
    for side in ("up", "down"):
        sign = -1.0 if side == "up" else 1.0
        start = s.gap  # distance of the column's first sub-column from the core
        for tier in (1, 2):
            col = frame[(frame["direction"] == side) & (frame["tier"] == tier)]
            if col.empty:
                continue
            col = col.sort_values("_score", ascending=False, kind="mergesort")
            first = col.index[shown[col.index]].to_numpy()
            rest = col.index[~shown[col.index]].to_numpy()
            n_subs = max(1, math.ceil(len(first) / s.rows_max)) if len(first) else 1
            rows = math.ceil(len(first) / n_subs) if len(first) else 0
            height = max(rows - 1, 0) * s.row
            for i, at in enumerate(first):
                x[at] = sign * (start + (i // rows) * s.sub)
                y[at] = (i % rows) * s.row - height / 2
            if len(rest):
                fold_y = height / 2 + 1.5 * s.row
                layout.folds[(side, tier)] = (sign * start, fold_y)
                for i, at in enumerate(rest):
                    x[at] = sign * (start + (i % n_subs) * s.sub)
                    y[at] = fold_y + (1 + i // n_subs) * s.row
            heading_x = sign * (start + (n_subs - 1) * s.sub / 2)
            layout.headings[(side, tier)] = (heading_x, -height / 2)
            top_row = min(top_row, -height / 2)
            start += (n_subs - 1) * s.sub + s.gap
    for key, (hx, _) in layout.headings.items():
        layout.headings[key] = (hx, top_row - 1.6 * s.row)
    return layout
