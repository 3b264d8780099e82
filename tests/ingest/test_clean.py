"""Amount, date and text repair: what is repaired, what is rejected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from chainsight.ingest.clean import account_sql, amount_is_bad_sql, amount_sql, date_sql

FORMATS = ("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d")


def _one(expr: str) -> object:
    row = duckdb.connect().execute(f"SELECT {expr}").fetchone()
    assert row is not None
    return row[0]


def _lit(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize("text, expected", [
    ("1234.56", Decimal("1234.56")),
    ("1,234.56", Decimal("1234.56")),
    ("¥1,234.56", Decimal("1234.56")),
    ("￥1,234.56", Decimal("1234.56")),
    ("１２３４.５６", Decimal("1234.56")),
    ("  88 元", Decimal("88.00")),
    ("RMB 5,000", Decimal("5000.00")),
    ("-300.10", Decimal("-300.10")),
    ("(1,234.00)", Decimal("-1234.00")),
    ("－１２", Decimal("-12.00")),
])
def test_amounts_are_repaired(text: str, expected: Decimal) -> None:
    assert _one(amount_sql(_lit(text))) == expected
    assert _one(amount_is_bad_sql(_lit(text))) is False


@pytest.mark.parametrize("text", ["12.3.4", "abc", "1,2a", "--", "¥"])
def test_unrepairable_amounts_are_bad(text: str) -> None:
    if text == "¥":  # a lone currency sign is an empty amount, not a bad one
        assert _one(amount_sql(_lit(text))) is None
        assert _one(amount_is_bad_sql(_lit(text))) is False
        return
    assert _one(amount_sql(_lit(text))) is None
    assert _one(amount_is_bad_sql(_lit(text))) is True


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_amount_is_absent_not_bad(text: str | None) -> None:
    assert _one(amount_sql(_lit(text))) is None
    assert _one(amount_is_bad_sql(_lit(text))) in (False, None)


@pytest.mark.parametrize("text, expected", [
    ("20240131", date(2024, 1, 31)),
    ("2024-01-31", date(2024, 1, 31)),
    ("2024/1/31", date(2024, 1, 31)),
    ("２０２４-０１-３１", date(2024, 1, 31)),
    ("2024-01-31 00:00:00", date(2024, 1, 31)),
])
def test_dates_in_every_listed_form(text: str, expected: date) -> None:
    assert _one(date_sql(_lit(text), FORMATS)) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "", "31/01/2024", "1899-01-01", "x"])
def test_invalid_dates_are_null(text: str) -> None:
    assert _one(date_sql(_lit(text), FORMATS)) is None


def test_account_numbers_lose_spaces_hyphens_and_full_width() -> None:
    assert _one(account_sql(_lit(" ６２２２-0000 1111 "))) == "622200001111"
