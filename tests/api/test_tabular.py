"""The API's ``.csv`` and ``.xlsx`` files open as text in a spreadsheet: no cell is a formula (CSV injection)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from chainsight.api._tabular import export
from chainsight.api.principal import Principal

WHO = Principal(kind="user", id=1, name="wang", role="manager", branches=frozenset({"B1"}))
NAMES = ["=HYPERLINK(\"http://evil\",\"点击\")", "+1", "-2", "@SUM(A1)", "\t=1", "苏州-甲材料有限公司"]
SAFE = ["'=HYPERLINK(\"http://evil\",\"点击\")", "'+1", "'-2", "'@SUM(A1)", "'\t=1", "苏州-甲材料有限公司"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"name": NAMES, "products": [["=cmd|' /C calc'!A0", "现金管理"]] * len(NAMES),
                         "amount": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0]})


def test_csv_export_neutralises_formula_cells() -> None:
    response = export(_frame(), "csv", "prospects", WHO)
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert rows[0] == ["企业名称", "建议产品", "交易金额"]
    assert [r[0] for r in rows[1:-1]] == SAFE
    assert {r[1] for r in rows[1:-1]} == {"'=cmd|' /C calc'!A0、现金管理"}
    assert rows[1][2] == "-5.0"  # a number keeps its sign
    assert rows[-1][0].startswith("# exported by wang (manager)")


def test_xlsx_export_neutralises_formula_cells() -> None:
    response = export(_frame(), "xlsx", "prospects", WHO)
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    assert sheet is not None
    assert [sheet.cell(r, 1).value for r in range(2, 2 + len(NAMES))] == SAFE
    assert sheet.cell(2, 3).value == -5.0
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
