"""How amounts and dates are written, normally and with injected defects.

Examples
--------
>>> import numpy as np
>>> amount_text(np.array([123456, -5, 100])).to_pylist()
['1234.56', '-0.05', '1.00']
>>> thousands(123456789), fullwidth("1234.56")
('1,234,567.89', '１２３４.５６')
>>> date_text(np.array([30]), "iso").to_pylist(), date_text(np.array([30]), "slash").to_pylist()
(['2024-01-31'], ['2024/1/31'])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from chainsight.demo._config import DAY_DATE

IntArray = npt.NDArray[np.int64]
_FEN = pa.array([f"{i:02d}" for i in range(100)])
_SIGN = pa.array(["", "-"])
_DATES = {
    "iso": pa.array([d.isoformat() for d in DAY_DATE]),
    "compact": pa.array([d.strftime("%Y%m%d") for d in DAY_DATE]),
    "slash": pa.array([f"{d.year}/{d.month}/{d.day}" for d in DAY_DATE]),
}
#: The other spellings a date may take when a file normally uses ``style``.
ALT_STYLES = {"iso": ("compact", "slash"), "compact": ("iso", "slash"), "cell": ("compact", "slash")}
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def amount_text(cents: IntArray) -> pa.StringArray:
    """Plain amounts, two decimals, ``-`` for negatives."""
    a = np.abs(cents)
    yuan = pa.array(a // 100).cast(pa.string())
    body = pc.binary_join_element_wise(yuan, _FEN.take(pa.array(a % 100)), ".")
    out = pc.binary_join_element_wise(_SIGN.take(pa.array((cents < 0).astype(np.int64))), body, "")
    assert isinstance(out, pa.StringArray)
    return out


def date_text(day: IntArray, style: str) -> pa.StringArray:
    """Dates of the day indexes in ``style`` (``iso``, ``compact`` or ``slash``)."""
    out = _DATES[style].take(pa.array(day))
    assert isinstance(out, pa.StringArray)
    return out


def thousands(cents: int) -> str:
    """An amount with thousands separators."""
    sign = "-" if cents < 0 else ""
    yuan, fen = divmod(abs(cents), 100)
    return f"{sign}{yuan:,}.{fen:02d}"


def fullwidth(text: str) -> str:
    """Digits turned full-width (the decimal point stays)."""
    return text.translate(_FULL)


def plain(cents: int) -> str:
    """One plain amount."""
    sign = "-" if cents < 0 else ""
    yuan, fen = divmod(abs(cents), 100)
    return f"{sign}{yuan}.{fen:02d}"


def bad_amount(cents: int, pick: int) -> str:
    """An amount no parser should accept."""
    yuan, fen = divmod(abs(cents), 100)
    return (f"{yuan}.{fen:02d}.{pick % 10}", f"{yuan % 100}.{fen % 10}.{pick % 7}", "abc")[pick % 3]


def alt_date(day: int, style: str, pick: int) -> str:
    """The date in one of the two spellings other than the file's own."""
    other = ALT_STYLES[style][pick % 2]
    return str(_DATES[other][day])


def bad_date(day: int, style: str, pick: int) -> str:
    """A date that does not exist (or none at all), spelled like the file's dates."""
    d = DAY_DATE[day]
    last = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(d.month, 31)
    y, m, dd = ((2024, d.month, last + 1), (2024, 13, 1), (2024, 0, 15), (0, 0, 0))[pick % 4]
    if y == 0:
        return ""
    return f"{y}{m:02d}{dd:02d}" if style == "compact" else f"{y}-{m:02d}-{dd:02d}"
