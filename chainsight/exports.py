"""Lists as files a person opens: CSV that Excel reads as UTF-8, and XLSX that Excel cannot run.

Shared by the command line (``chainsight prospects --format xlsx``) and the API's ``.csv``/``.xlsx``
routes, so both write a list the same way: lists ``、``-joined, mappings as JSON, no formula cells, no
control characters (in CSV as in XLSX), numbers as numbers.

No formula, in CSV as in XLSX: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is what Excel and LibreOffice run as a formula (CSV injection, e.g. a firm named
``=HYPERLINK("http://evil", "点击")``), so such a cell gets a ``'`` in front and is shown as the text it
is. Numbers are numbers, not text, and keep their sign (an amount of -5.0 stays -5.0).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"name": ["=1+1"], "products": [["企业网银", "现金管理"]], "amount": [1234.5]})
>>> csv_bytes(frame, {"name": "名称"})[:3] == b"\\xef\\xbb\\xbf"
True
>>> print(csv_bytes(frame, {"name": "名称"}).decode("utf-8-sig").splitlines()[1])
'=1+1,企业网银、现金管理,1234.5
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import pandas as pd

# What the XML inside an XLSX cannot hold (openpyxl raises IllegalCharacterError on these).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Number format of amount columns in XLSX: thousands separators, two decimals.
AMOUNT_FORMAT = "#,##0.00"


def text(value: object) -> str:
    """A value as a person reads it: lists ``、``-joined, mappings as JSON, missing as empty.

    Examples
    --------
    >>> text(["企业网银", "结算套餐"]), text({"a": 1}), text(None), text(float("nan")), text(pd.NA)
    ('企业网银、结算套餐', '{"a": 1}', '', '', '')
    """
    if isinstance(value, (list, tuple)):
        return "、".join(map(text, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def defused(value: str) -> str:
    """``value`` as a spreadsheet shows it as text: a ``'`` in front when it would start a formula.

    Examples
    --------
    >>> defused("=1+1"), defused("@SUM(A1)"), defused("-2"), defused("甲-乙"), defused("")
    ("'=1+1", "'@SUM(A1)", "'-2", '甲-乙', '')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_value(value: object) -> str:
    """A value as a CSV cell: :func:`text` without control characters, then :func:`defused`.

    Control characters go as in XLSX: a NUL ends the cell in many CSV readers (older pandas among them),
    so ``"bad\\x00name"`` would reach the reader as ``"bad"``.

    Examples
    --------
    >>> csv_value("+86 512 6666"), csv_value(["=a", "b"]), csv_value(None), csv_value("a\\x00\\x07b")
    ("'+86 512 6666", "'=a、b", '', 'ab')
    """
    return defused(_ILLEGAL.sub("", text(value)))


def xlsx_value(value: object) -> object:
    """A value as an XLSX cell can safely hold it: no control characters, no formula, lists as text.

    Examples
    --------
    >>> xlsx_value("=HYPERLINK(\\"http://x\\")"), xlsx_value("a\\x00b"), xlsx_value(["x", "y"]), xlsx_value(-3)
    ('\\'=HYPERLINK("http://x")', 'ab', 'x、y', -3)
    """
    if isinstance(value, (list, tuple, dict)):
        value = text(value)
    if isinstance(value, str):
        value = defused(_ILLEGAL.sub("", value))
    return value


def readable(frame: pd.DataFrame, cell: Callable[[object], object]) -> pd.DataFrame:
    """``frame`` with every text column passed through ``cell`` (lists and mappings become text)."""
    texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{str(c): frame[c].map(cell) for c in texts})


def csv_bytes(frame: pd.DataFrame, headers: Mapping[str, str] | None = None) -> bytes:
    """``frame`` as CSV in UTF-8 with a byte-order mark (Excel then reads Chinese correctly).

    ``headers`` renames columns (e.g. to Chinese); lists are ``、``-joined; text cells are
    :func:`csv_value` (no formula).
    """
    out = readable(frame, csv_value).rename(columns=dict(headers or {}))
    return out.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, *,
               amounts: tuple[str, ...] = (), watermark: str | None = None) -> bytes:
    """``frame`` as an XLSX workbook: safe text cells, ``amounts`` numeric with :data:`AMOUNT_FORMAT`.

    ``watermark`` (who exported it, when) becomes the workbook's description and a last row.

    >>> import openpyxl
    >>> data = xlsx_bytes(pd.DataFrame({"amount": [1.5]}), {"amount": "金额"}, amounts=("amount",),
    ...                   watermark="exported by wang")
    >>> sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    >>> sheet["A1"].value, sheet["A2"].value, sheet["A2"].number_format, sheet["A4"].value
    ('金额', 1.5, '#,##0.00', 'exported by wang')
    """
    from openpyxl import Workbook

    names = dict(headers or {})
    safe = readable(frame, xlsx_value)
    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.append([names.get(str(c), str(c)) for c in safe.columns])
    columns = list(safe.columns)
    money = {i + 1 for i, c in enumerate(columns) if c in amounts}
    for row in safe.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for col in money:
        for cells in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
            cells[0].number_format = AMOUNT_FORMAT
    if watermark:
        sheet.append([])
        sheet.append([xlsx_value(watermark)])
        book.properties.description = watermark
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: object) -> object:
    """A pandas value as openpyxl takes it (numpy scalars unwrapped, missing as empty, an aware time as
    naive UTC: Excel has no time zones, and openpyxl refuses an aware one).

    >>> from datetime import datetime, timedelta, timezone
    >>> _cell(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))), _cell(float("nan"))
    (datetime.datetime(2026, 1, 1, 0, 0), None)
    """
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value
