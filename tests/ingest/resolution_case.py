"""A hand-written extract pair for entity resolution, with its truth written down here, not derived.

A payment-system extract names counterparties with their USCC; two account statements name the same
firms by name only, abbreviated, with another account, or misspelt. ``TRUTH`` says which firm each
(account, name) mention is — decided by reading the rows, before any code ran. The firms:

==== ============================================ =====================================================
F1   苏州核心制造 (ours, account 1001)             two spellings on one of our accounts
F2   无锡恒通电子 (ours, 1002, USCC in master)     pays from another bank by name (7102); an
                                                   abbreviation 恒通电子 with no account (cannot be told)
F3   华兴机械(苏州) (6203, USCC in the extract)   abbreviation on its account; full-width name with no
                                                   account; its name on another account (6299)
F4a  金达贸易 of Suzhou (6304, USCC A)            one name, two firms in two cities: the 有限责任公司
F4b  金达贸易 of Hangzhou (6404, USCC B)          spelling on F4a's account is F4a; the bare name with
                                                   no account could be either (it is F4b: ambiguous)
F5   上海申通物流 (6505, USCC)                    the parent, also named without account
F6   上海申通物流 苏州分公司 (6555)               a branch known only by name, never its parent
F7   苏州(新区)宏达包装 (7107)                    known only by name, brackets and legal form vary
F8   常州永盛化工 (6808, USCC)                    abbreviation on its account; a typo 永胜 (cannot be told)
F9   南京宏远科技 (6909, USCC)                    abbreviation 宏远科技 on its account; name, no account
==== ============================================ =====================================================

``score`` turns an assignment {mention: enterprise id} into pairwise precision and recall over the
mentions of firms (two mentions are a pair when they are one enterprise) and the firms split.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from pathlib import Path

from stdnum.cn import uscc

from tests.conftest import STATEMENT_HEADER, STATEMENT_PROFILE


def _code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


U1, U2, U3 = _code("91320500MA1A00001"), _code("91320200MA1B00002"), _code("91320500MA1C00003")
U4A, U4B, U5 = _code("91320500MA1D00004"), _code("91330100MA2E00005"), _code("91310000MA1F00006")
U8, U9 = _code("91320400MA1G00008"), _code("91320100MA1H00009")

PAYMENTS_HEADER = ("payer_account,payer_name,payer_bank,payer_uscc,payee_account,payee_name,payee_bank,"
                   "payee_uscc,amount,date,memo,serial")
PAYMENTS = [
    f"1001,苏州核心制造有限责任公司,本行,{U1},6203,华兴机械(苏州)有限公司,工行苏州分行,{U3},120000.00,2024-01-10,货款,P1",
    f"1001,苏州核心制造有限责任公司,本行,{U1},6304,金达贸易有限公司,工行苏州分行,{U4A},80000.00,2024-01-11,货款,P2",
    f"6404,金达贸易有限公司,建行杭州分行,{U4B},1002,无锡恒通电子有限公司,本行,{U2},50000.00,2024-01-12,货款,P3",
    f"1001,苏州核心制造有限责任公司,本行,{U1},6505,上海申通物流有限公司,交行上海分行,{U5},9000.00,2024-01-13,运费,P4",
    f"6808,常州永盛化工有限公司,农行常州分行,{U8},1001,苏州核心制造有限责任公司,本行,{U1},66000.00,2024-01-14,货款,P5",
    f"1001,苏州核心制造有限责任公司,本行,{U1},6909,南京宏远科技有限公司,中行南京分行,{U9},30000.00,2024-01-15,服务费,P6",
]

CORE_STATEMENT = [  # the core's own account: debit = it pays, credit = it is paid
    "1001,苏州核心制造有限公司,2024-02-01,10000.00,,6203,华兴机械,工行苏州分行,货款,1",
    "1001,苏州核心制造有限公司,2024-02-02,11000.00,,,华兴机械（苏州）有限责任公司,,货款,1",
    "1001,苏州核心制造有限公司,2024-02-03,,12000.00,7102,无锡恒通电子有限责任公司,招行无锡分行,货款,1",
    "1001,苏州核心制造有限公司,2024-02-04,13000.00,,6304,金达贸易有限责任公司,工行苏州分行,货款,1",
    "1001,苏州核心制造有限公司,2024-02-05,1400.00,,6555,上海申通物流有限公司苏州分公司,交行苏州分行,运费,1",
    "1001,苏州核心制造有限公司,2024-02-06,15000.00,,7107,苏州(新区)宏达包装有限公司,农商行,包装款,1",
    "1001,苏州核心制造有限公司,2024-02-07,,16000.00,,常州永胜化工有限公司,,货款,1",
    "1001,苏州核心制造有限公司,2024-02-08,17000.00,,6909,宏远科技,中行南京分行,服务费,1",
    "1001,苏州核心制造有限公司,2024-02-09,5000.00,,8001,张伟,工行苏州分行,工资,1",
]
SUPPLIER_STATEMENT = [  # F2's own account
    "1002,无锡恒通电子有限公司,2024-03-01,,21000.00,6299,华兴机械(苏州)有限公司,浦发苏州分行,货款,1",
    "1002,无锡恒通电子有限公司,2024-03-02,,22000.00,,金达贸易有限公司,,货款,1",
    "1002,无锡恒通电子有限公司,2024-03-03,2300.00,,,上海申通物流有限公司,,运费,1",
    "1002,无锡恒通电子有限公司,2024-03-04,2400.00,,,上海申通物流有限责任公司苏州分公司,,运费,1",
    "1002,无锡恒通电子有限公司,2024-03-05,25000.00,,,苏州（新区）宏达包装有限责任公司,,包装款,1",
    "1002,无锡恒通电子有限公司,2024-03-06,,26000.00,6808,永盛化工,农行常州分行,货款,1",
    "1002,无锡恒通电子有限公司,2024-03-07,,27000.00,,南京宏远科技有限公司,,服务费,1",
    "1002,无锡恒通电子有限公司,2024-03-08,2800.00,,,恒通电子,,退款,1",
]

CUSTOMERS = ("customer_id,customer_type,uscc,name,branch,manager,credit_on_balance,credit_off_balance,"
             "loan_balance,dep_demand,dep_time,dep_notice,dep_agreement,dep_margin,ebanking,products,opened\n"
             f"G1,corporate,{U1},苏州核心制造有限公司,B1,M1,0,0,0,100000,0,0,0,0,1,,2020-01-01\n"
             f"G2,corporate,{U2},无锡恒通电子有限公司,B1,M1,0,0,0,100000,0,0,0,0,0,,2021-01-01\n")
ACCOUNTS = "account_no,customer_id,branch,opened,closed\n1001,G1,B1,2020-01-01,\n1002,G2,B1,2021-01-01,\n"

#: Which firm each (account, name) mention is, written by hand from the rows above.
TRUTH: dict[tuple[str | None, str], str] = {
    ("1001", "苏州核心制造有限责任公司"): "F1", ("1001", "苏州核心制造有限公司"): "F1",
    ("1002", "无锡恒通电子有限公司"): "F2", ("7102", "无锡恒通电子有限责任公司"): "F2", (None, "恒通电子"): "F2",
    ("6203", "华兴机械(苏州)有限公司"): "F3", ("6203", "华兴机械"): "F3",
    (None, "华兴机械（苏州）有限责任公司"): "F3", ("6299", "华兴机械(苏州)有限公司"): "F3",
    ("6304", "金达贸易有限公司"): "F4a", ("6304", "金达贸易有限责任公司"): "F4a",
    ("6404", "金达贸易有限公司"): "F4b", (None, "金达贸易有限公司"): "F4b",
    ("6505", "上海申通物流有限公司"): "F5", (None, "上海申通物流有限公司"): "F5",
    ("6555", "上海申通物流有限公司苏州分公司"): "F6", (None, "上海申通物流有限责任公司苏州分公司"): "F6",
    ("7107", "苏州(新区)宏达包装有限公司"): "F7", (None, "苏州（新区）宏达包装有限责任公司"): "F7",
    ("6808", "常州永盛化工有限公司"): "F8", ("6808", "永盛化工"): "F8", (None, "常州永胜化工有限公司"): "F8",
    ("6909", "南京宏远科技有限公司"): "F9", ("6909", "宏远科技"): "F9", (None, "南京宏远科技有限公司"): "F9",
}
#: The pairs of mentions that are one firm, counted by hand from TRUTH: F1 1, F2 3, F3 6, F4a 1,
#: F4b 1, F5 1, F6 1, F7 1, F8 3, F9 3.
TRUE_PAIRS = 21

MANIFEST = """name = "extract pair"
as_of = 2024-12-31

[[sources]]
path = "payments.csv"
profile = "pay"

[[sources]]
path = "statements/*.csv"
profile = "stmt"

[profiles.pay]
layout = "payments"
encoding = "utf-8"
[profiles.pay.columns]
""" + "".join(f'{c} = "{c}"\n' for c in PAYMENTS_HEADER.split(",")) + STATEMENT_PROFILE + """
[master]
customers = "master/customers.csv"
accounts = "master/accounts.csv"
as_of = 2024-12-31
"""


def write(folder: Path) -> Path:
    """Write the extract pair and its master under ``folder``; return the manifest."""
    (folder / "statements").mkdir(parents=True, exist_ok=True)
    (folder / "master").mkdir(exist_ok=True)
    (folder / "payments.csv").write_text("\n".join([PAYMENTS_HEADER, *PAYMENTS]) + "\n", encoding="utf-8")
    for name, rows in (("core.csv", CORE_STATEMENT), ("supplier.csv", SUPPLIER_STATEMENT)):
        (folder / "statements" / name).write_text("\n".join([STATEMENT_HEADER, *rows]) + "\n", encoding="utf-8")
    (folder / "master" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "master" / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "chainsight.toml").write_text(MANIFEST, encoding="utf-8")
    return folder / "chainsight.toml"


def score(assigned: Mapping[tuple[str | None, str], str | None]) -> dict[str, float]:
    """Pairwise precision and recall of ``assigned`` against TRUTH, and how many firms were split.

    A mention assigned None (taken for a person, or unresolved) is one with no enterprise: it pairs
    with nothing.
    """
    mentions = sorted(TRUTH, key=lambda m: (m[0] or "", m[1]))
    found = true_found = 0
    for a, b in combinations(mentions, 2):
        same = assigned.get(a) is not None and assigned.get(a) == assigned.get(b)
        found += same
        true_found += same and TRUTH[a] == TRUTH[b]
    firms = sorted(set(TRUTH.values()))
    split = sum(len({assigned.get(m) for m in mentions if TRUTH[m] == f}) > 1 for f in firms)
    return {"precision": true_found / found if found else 1.0, "recall": true_found / TRUE_PAIRS,
            "firms_split": float(split), "firms": float(len(firms))}
