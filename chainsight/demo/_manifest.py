"""The ``chainsight.toml`` written next to the demo exports: a commented template for real banks.

Examples
--------
>>> import tomllib
>>> raw = tomllib.loads(manifest_text("demo"))
>>> raw["profiles"]["statement_xlsx"]["columns"]["direction"]
'借贷标志'
"""

from __future__ import annotations

from chainsight.demo._layout import PARQUET_PATH

_TEMPLATE = '''\
# ChainSight dataset manifest — generated for the demo bank "示范银行".
# Copy this file next to your own exports and edit the paths, profiles and column names.
# Paths are relative to this file; a path may be a glob. Every file matched is read with its profile.

name = "{name}"
# The day the customer master describes (year-end deposits, loans and credit lines).
as_of = 2024-12-31
# How our own bank appears in counterparty-bank columns (对方开户行): such a counterparty banks with us
# (one of our customers, a person, or one of the bank's own books such as 示范银行贷款账户).
bank_names = ["示范银行"]

# ---------------------------------------------------------------------------------------------
# Sources: which files, read with which profile.
# ---------------------------------------------------------------------------------------------

# Monthly statement exports per branch: statements/2024-MM_<branch code>.csv (GBK, comma-separated).
[[sources]]
path = "statements/*.csv"
profile = "statement_csv"

# One branch exported its statements as a single Excel workbook instead (excel/<branch code>_2024.xlsx).
[[sources]]
path = "excel/*.xlsx"
profile = "statement_xlsx"

# One branch has no statements: a payment-system extract (one row per payment, payer and payee
# on the same row). A payment may also appear on the counterparty's statement; the ingest
# counts it once.
[[sources]]
path = "{parquet}"
profile = "payments"

# ---------------------------------------------------------------------------------------------
# Profiles: how a kind of file is laid out. "columns" maps ChainSight's canonical field names
# (left) to the header text in your file (right).
# ---------------------------------------------------------------------------------------------

# Statement layout, one row per posting on one of our accounts; money out in 借方 (debit),
# money in in 贷方 (credit). These files are GBK; encoding "auto" detects it (or write "gbk").
[profiles.statement_csv]
layout = "statement"
encoding = "auto"
delimiter = ","
# Dates come as 2024-01-31, 20240131 or 2024/1/31.
date_formats = ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"]

[profiles.statement_csv.columns]
own_account = "账号"
own_name = "户名"
date = "交易日期"
debit = "借方发生额"
credit = "贷方发生额"
counterparty_account = "对方账号"
counterparty_name = "对方户名"
counterparty_bank = "对方开户行"
memo = "摘要"
balance = "余额"

# Statement layout with one amount column and a debit/credit flag column (Excel, header in row 1).
[profiles.statement_xlsx]
layout = "statement"
sheet = 0
header_row = 1
date_formats = ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"]
debit_values = ["借"]
credit_values = ["贷"]

[profiles.statement_xlsx.columns]
own_account = "本方账号"
own_name = "本方户名"
date = "交易日"
direction = "借贷标志"
amount = "发生额"
counterparty_account = "对方账户"
counterparty_name = "对方名称"
counterparty_bank = "对方行名"
memo = "用途"
balance = "账户余额"

# Payments layout: payer and payee on one row, every column text.
[profiles.payments]
layout = "payments"
date_formats = ["%Y%m%d", "%Y-%m-%d", "%Y/%m/%d"]

[profiles.payments.columns]
payer_account = "付款人账号"
payer_name = "付款人名称"
payer_bank = "付款人开户行"
payee_account = "收款人账号"
payee_name = "收款人名称"
payee_bank = "收款人开户行"
amount = "金额"
date = "交易日期"
memo = "附言"
serial = "交易流水号"

# ---------------------------------------------------------------------------------------------
# Customer master (UTF-8 with BOM). Headers are ChainSight's canonical names; if yours differ,
# add a [master.columns] table mapping canonical name = "your header".
# ---------------------------------------------------------------------------------------------
[master]
customers = "master/customers.csv"
accounts = "master/accounts.csv"
monthly_balances = "master/monthly_balances.csv"
encoding = "auto"

# Trade vs non-trade: without a [[rules]] table the built-in keyword rules apply (payroll 工资,
# tax 税务局, loans 贷款发放, transfers 资金归集 ...). To add your own, list them all, e.g.
# [[rules]]
# flow_class = "fee"
# memo = ["手续费", "汇划费"]
'''


def manifest_text(name: str) -> str:
    """The manifest for a demo bank called ``name``."""
    return _TEMPLATE.format(name=name, parquet=PARQUET_PATH)
