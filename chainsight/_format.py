"""Money in sentences a manager reads, one way everywhere: CNY k/m/bn in English, 万/亿 in Chinese.

Three significant digits (whole numbers from 100 of a unit up), so an amount reads the same in a
core's explanation, a prospect's reasons and a leakage alert. An unknown amount (NaN) says so. The
currency is the dataset's (the manifest's ``currency``): CNY reads 元 in Chinese, any other its code.

Examples
--------
>>> money_en(15_050_000), money_zh(15_050_000)
('CNY 15.1m', '1505万元')
>>> money_en(15_050_000, "EUR"), money_zh(15_050_000, "EUR")
('EUR 15.1m', '1505万 EUR')
>>> money_en(float("nan")), money_zh(float("nan"))
('n/a', '未知')
"""

from __future__ import annotations

__all__ = ["money_en", "money_zh"]

_EN_UNITS = ((1e9, "bn"), (1e6, "m"), (1e3, "k"))
_ZH_UNITS = ((1e8, "亿"), (1e4, "万"))


def _money(x: float, units: tuple[tuple[float, str], ...], chinese: bool, currency: str) -> str:
    if x != x:  # NaN
        return "未知" if chinese else "n/a"
    num, unit = f"{x:,.0f}", ""
    for div, name in units:
        if abs(x) >= div * 0.9995:  # so that 999,999 reads 1m, not 1000k
            v = x / div
            num, unit = (f"{v:.0f}" if abs(v) >= 99.95 else f"{v:.3g}"), name
            break
    if not chinese:
        return f"{currency} {num}{unit}"
    return f"{num}{unit}元" if currency == "CNY" else f"{num}{unit} {currency}"


def money_en(x: float, currency: str = "CNY") -> str:
    """An amount for an English sentence, in k / m / bn, three significant digits.

    Parameters
    ----------
    x : float
        The amount in the currency's main unit (yuan); NaN when unknown.
    currency : str
        The ISO 4217 code the amount is in.

    Returns
    -------
    str
        The code and the amount, e.g. ``CNY 3.21m``; ``n/a`` for NaN.

    Examples
    --------
    >>> money_en(3_214_000), money_en(420_000), money_en(80_500), money_en(950), money_en(999_999)
    ('CNY 3.21m', 'CNY 420k', 'CNY 80.5k', 'CNY 950', 'CNY 1m')
    """
    return _money(x, _EN_UNITS, chinese=False, currency=currency)


def money_zh(x: float, currency: str = "CNY") -> str:
    """An amount for a Chinese sentence, in 万 / 亿, three significant digits.

    Parameters
    ----------
    x : float
        The amount in the currency's main unit (yuan); NaN when unknown.
    currency : str
        The ISO 4217 code the amount is in: 元 for CNY, else the code after the number.

    Returns
    -------
    str
        The amount and 元, e.g. ``321万元`` (``321万 EUR``); ``未知`` for NaN.

    Examples
    --------
    >>> money_zh(3_214_000), money_zh(420_000), money_zh(1.5e8), money_zh(8_500)
    ('321万元', '42万元', '1.5亿元', '8,500元')
    """
    return _money(x, _ZH_UNITS, chinese=True, currency=currency)
