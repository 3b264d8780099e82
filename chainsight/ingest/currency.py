"""The currency and unit of a dataset's amounts, and the marks in a value that say another currency.

A dataset states one ISO 4217 ``currency`` (default ``CNY``) and a ``unit`` its files write amounts in
(``yuan`` = 1, ``fen`` = 0.01, ``wan``/``万元`` = 10,000, or a number). A value may carry its own
currency's marks (``¥``, ``元``, ``RMB`` for CNY; ``€`` for EUR; the ISO code itself for any); a value
carrying another currency's mark or code is rejected ``bad_currency``, never read as a number in the
wrong currency. All of it is SQL built from the marks below, every mark an escaped literal.

>>> import duckdb
>>> sql = f"SELECT regexp_matches(regexp_replace('USD 12.00', {literal(noise_regex('CNY'))}, '', 'g'), "
>>> sql += f"{literal(foreign_regex('CNY'))})"
>>> duckdb.connect().execute(sql).fetchone()[0]
True
>>> unit_value("fen"), unit_value("万元"), unit_value(1000)
(Decimal('0.01'), Decimal('10000'), Decimal('1000'))
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from chainsight.ingest._sql import literal

#: Signs and words that name a currency in an amount cell (the ISO code always counts too).
SIGNS: dict[str, tuple[str, ...]] = {
    "CNY": ("¥", "元", "RMB", "人民币"), "JPY": ("¥", "円"), "USD": ("US$", "$", "美元"),
    "EUR": ("€", "欧元"), "GBP": ("£", "英镑"), "HKD": ("HK$", "港币", "港元"), "CZK": ("Kč",),
    "PLN": ("zł",), "KRW": ("₩",), "INR": ("₹",), "RUB": ("₽",), "CHF": ("Fr.",),
    "AUD": ("A$",), "CAD": ("C$",), "SGD": ("S$",), "TWD": ("NT$",),
}
#: Words a currency column writes for a code: 人民币 is CNY.
ALIASES = {alias: code for code, signs in SIGNS.items() for alias in signs if len(alias) > 1 and "$" not in alias}
ALIASES.update({"RMB": "CNY"})

#: What a unit word means, in the currency's main unit.
UNITS = {"yuan": Decimal(1), "元": Decimal(1), "1": Decimal(1), "jiao": Decimal("0.1"), "角": Decimal("0.1"),
         "fen": Decimal("0.01"), "分": Decimal("0.01"), "cent": Decimal("0.01"), "cents": Decimal("0.01"),
         "wan": Decimal(10_000), "万": Decimal(10_000), "万元": Decimal(10_000),
         "thousand": Decimal(1_000), "千元": Decimal(1_000)}


def own_marks(currency: str) -> tuple[str, ...]:
    """The marks a value in ``currency`` may carry, longest first (``US$`` before ``$``)."""
    marks = {currency, *SIGNS.get(currency, ())}
    if currency.endswith("D") and currency != "USD":  # a dollar of its own: $ is that dollar
        marks.add("$")
    return tuple(sorted(marks, key=lambda m: (-len(m), m)))


#: Digit-group separators removed before an amount is parsed, per decimal mark: with a decimal point,
#: commas and spaces (``1,234.56``, ``1 234.56``); with a decimal comma, points, spaces and apostrophes
#: (``1.234,56``, ``1 234,56``, ``1'234,56``). Spaces include the no-break and narrow no-break space.
GROUPING = {".": "[,\\s\\x{00A0}\\x{202F}]", ",": "[.'\\s\\x{00A0}\\x{202F}]"}
#: A value whose separators are in the other order than ``decimal`` allows: ``1.234,56`` when the
#: decimal mark is a point, ``1,234.56`` when it is a comma. It is a bad amount, never misread.
MIXED = {".": "[.][0-9]*,", ",": ",[0-9]*[.]"}


def noise_regex(currency: str, decimal: str = ".") -> str:
    """Characters removed before an amount is parsed: group separators, spaces, the currency's own marks."""
    return "|".join([GROUPING[decimal], *(re.escape(m) for m in own_marks(currency))])


def foreign_regex(currency: str) -> str:
    """What is left in a value when it names another currency: a foreign sign or a 3-letter code."""
    own = set(own_marks(currency))
    foreign = sorted({s for signs in SIGNS.values() for s in signs} - own, key=lambda m: (-len(m), m))
    return "|".join(["[A-Z]{3}", *(re.escape(m) for m in foreign)])


def code_sql(text: str) -> str:
    """A currency column's value as an ISO code: upper case, 人民币/RMB → CNY, 美元 → USD …"""
    arms = " ".join(f"WHEN {literal(alias)} THEN {literal(code)}" for alias, code in sorted(ALIASES.items()))
    return f"(CASE upper({text}) {arms} ELSE upper({text}) END)"


def unit_value(unit: str | float | int | Decimal) -> Decimal:
    """The multiplier that turns an amount as written into the currency's main unit; a ValueError if none."""
    if isinstance(unit, str) and unit.strip().lower() in UNITS:
        return UNITS[unit.strip().lower()]
    try:
        value = Decimal(str(unit))
    except InvalidOperation:
        raise ValueError(f"unit {unit!r}: a positive number, or one of {sorted(UNITS)}") from None
    if not value > 0 or not value.is_finite():
        raise ValueError(f"unit {unit!r} must be a positive number")
    return value
