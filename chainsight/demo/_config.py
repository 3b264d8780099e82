"""Scale presets, the calendar of the demo year and the defect rates injected into the exports.

Examples
--------
>>> SCALES["small"].firms
2000
>>> DEFECTS["date_invalid"].reason
'bad_date'
>>> int(MONTH_START[1]), int(MONTH_START[12]), int(MONTH_START[13])
(0, 335, 366)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

ScaleName = Literal["tiny", "small", "medium", "large"]

YEAR = 2024
AS_OF = date(2024, 12, 31)
DAYS = 366  # 2024 is a leap year; a day is an index 0..365 from 2024-01-01
_DAY0 = date(YEAR, 1, 1)
#: First day index of each month, 1-based (``MONTH_START[13]`` is the end of the year).
MONTH_START: npt.NDArray[np.int64] = np.array(
    [0] + [(date(YEAR, m, 1) - _DAY0).days for m in range(1, 13)] + [DAYS], dtype=np.int64)
#: Month (1..12) of each day index.
DAY_MONTH: npt.NDArray[np.int64] = np.searchsorted(MONTH_START[1:13], np.arange(DAYS), side="right")
#: The calendar date of each day index.
DAY_DATE: tuple[date, ...] = tuple(_DAY0 + timedelta(days=d) for d in range(DAYS))


def business_days() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Weekdays per month as a padded table ``(12, 23)`` of day indexes, and the count per month."""
    table = np.zeros((12, 23), dtype=np.int64)
    count = np.zeros(12, dtype=np.int64)
    for d, day in enumerate(DAY_DATE):
        if day.weekday() < 5:
            m = day.month - 1
            table[m, count[m]] = d
            count[m] += 1
    return table, count


@dataclass(frozen=True)
class Scale:
    """How big a demo bank is: enterprises in the world, planted cores and our branches."""

    name: str
    firms: int
    cores: int
    branches: int
    t1_median: float        # median tier-1 suppliers per core (customers: ~0.7 of it)
    noise_per_firm: float   # background trade relationships per firm
    decoys: int             # hub firms that look central but are no core
    excel_share: float = 0.06  # share of our customers at the branch exported as Excel
    excel_cap: int = 50_000


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 300, 2, 4, 16.0, 3.0, 2, excel_share=0.1),
    "small": Scale("small", 2_000, 6, 6, 55.0, 3.0, 4),
    "medium": Scale("medium", 20_000, 15, 9, 170.0, 3.0, 8, excel_share=0.025),
    "large": Scale("large", 200_000, 60, 12, 420.0, 3.0, 24, excel_share=0.004),
}


@dataclass(frozen=True)
class Defect:
    """One kind of injected defect: its share of data rows, expected outcome and reject reason."""

    rate: float
    outcome: Literal["repaired", "rejected", "excluded"]
    reason: str = ""


#: Rates are shares of the data rows of each file (``name_variant``: of rows whose counterparty is an
#: organisation). No row carries two defects; reversal pairs carry none.
DEFECTS: dict[str, Defect] = {
    "amount_thousands": Defect(0.005, "repaired"),
    "amount_currency": Defect(0.003, "repaired"),
    "amount_fullwidth": Defect(0.002, "repaired"),
    "amount_invalid": Defect(0.001, "rejected", "bad_amount"),
    "date_alt_format": Defect(0.01, "repaired"),
    "date_invalid": Defect(0.001, "rejected", "bad_date"),
    "missing_counterparty": Defect(0.001, "rejected", "missing_counterparty"),
    "malformed_line": Defect(0.0002, "rejected", "malformed_line"),
    "duplicate_row": Defect(0.003, "excluded", "duplicate_row"),
    "name_variant": Defect(0.05, "repaired"),
}
