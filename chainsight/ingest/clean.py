"""Cleaning and validation: turn the text table ``raw`` of one file into canonical payment rows.

All of it is one vectorised DuckDB statement per file. A row either becomes a canonical payment in
``staged`` (payer, payee, amount, date …) or a row in ``rejects`` with its file, line, raw text and the
first reason that applies, in this order:

==================== =================================================================
reason               meaning
==================== =================================================================
missing_account      no own account (statement) / no payer or payee account (payments)
missing_counterparty neither counterparty account nor name
bad_date             the date is not in any of the profile's formats, or not a real date
bad_amount           an amount that is not a number even after repair
missing_amount       no amount (statement: debit and credit both empty or zero)
ambiguous_amount     statement row with both a debit and a credit amount
bad_direction        amount + direction layout with a direction value the profile does not know
==================== =================================================================

Repairs applied before validating: full-width digits and letters to half-width, thousands
separators, currency signs (¥ ￥ $ 元 CNY RMB), accounting negatives ``(1,234.00)``, and dates in
any listed format (``20240131``, ``2024-01-31``, ``2024/1/31`` …).

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> sql = f"SELECT {amount_sql(chr(39) + '¥１,２３４.５０' + chr(39))}, {amount_sql(chr(39) + '(12.00)' + chr(39))}"
>>> con.execute(sql).fetchall()
[(Decimal('1234.50'), Decimal('-12.00'))]
>>> con.execute(f"SELECT {date_sql(chr(39) + '2024/1/31' + chr(39), ('%Y/%m/%d',))}").fetchone()[0]
datetime.date(2024, 1, 31)
"""

from __future__ import annotations

import duckdb

from chainsight.ingest.manifest import Profile

_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000￥"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " ¥"
_MONEY_NOISE = r"[¥$,\s]|元|CNY|RMB"

STAGED_COLUMNS = (
    "file_id", "line", "perspective", "payer_account", "payer_name", "payer_bank", "payer_uscc",
    "payee_account", "payee_name", "payee_bank", "payee_uscc", "amount", "date", "memo", "balance",
    "serial", "raw_hash",
)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_sql(expr: str) -> str:
    """Trimmed text with full-width ASCII made half-width; empty becomes NULL."""
    return f"NULLIF(trim(translate({expr}, {_lit(_FULL)}, {_lit(_HALF)})), '')"


def account_sql(expr: str) -> str:
    """An account number with spaces and hyphens removed."""
    return f"NULLIF(regexp_replace({text_sql(expr)}, '[\\s\\-]', '', 'g'), '')"


def _money_text(expr: str) -> str:
    return f"NULLIF(regexp_replace({text_sql(expr)}, {_lit(_MONEY_NOISE)}, '', 'g'), '')"


def amount_sql(expr: str) -> str:
    """The repaired amount as DECIMAL(18,2), NULL when absent or not a number."""
    money = _money_text(expr)
    return (f"TRY_CAST(CASE WHEN {money} LIKE '(%)' THEN '-' || trim({money}, '()') ELSE {money} END "
            "AS DECIMAL(18,2))")


def amount_is_bad_sql(expr: str) -> str:
    """True when text is present but no amount can be made of it."""
    return f"({_money_text(expr)} IS NOT NULL AND {amount_sql(expr)} IS NULL)"


def date_sql(expr: str, formats: tuple[str, ...]) -> str:
    """The date in the first matching format, NULL when none matches or the year is implausible."""
    fmts = "[" + ", ".join(_lit(f) for f in (*formats, "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")) + "]"
    parsed = f"CAST(try_strptime({text_sql(expr)}, {fmts}) AS DATE)"
    return f"(CASE WHEN year({parsed}) BETWEEN 1990 AND 2100 THEN {parsed} END)"


def _col(profile: Profile, field: str) -> str:
    header = profile.columns.get(field)
    return f'"{header}"' if header is not None else "CAST(NULL AS VARCHAR)"


def _statement_select(profile: Profile) -> tuple[str, str]:
    """(columns, reject-reason CASE) for a statement file: own side becomes payer or payee."""
    c = lambda f: _col(profile, f)  # noqa: E731 - a local shorthand keeps the SQL readable
    if "direction" in profile.columns:
        amount = amount_sql(c("amount"))
        direction = text_sql(c("direction"))
        debits = ", ".join(_lit(v) for v in profile.debit_values)
        credits = ", ".join(_lit(v) for v in profile.credit_values)
        is_out = f"({direction} IN ({debits}))"
        bad_dir = f"({direction} IS NULL OR NOT ({direction} IN ({debits}, {credits})))"
        bad_amount = amount_is_bad_sql(c("amount"))
        missing = f"(coalesce({amount}, 0) = 0 AND NOT {bad_amount})"
        ambiguous = "FALSE"
    elif profile.negative_is_debit:
        signed = amount_sql(c("amount"))
        amount, is_out, bad_dir = f"abs({signed})", f"({signed} < 0)", "FALSE"
        bad_amount = amount_is_bad_sql(c("amount"))
        missing = f"(coalesce({signed}, 0) = 0 AND NOT {bad_amount})"
        ambiguous = "FALSE"
    else:
        debit, credit = amount_sql(c("debit")), amount_sql(c("credit"))
        has_debit, has_credit = f"(coalesce({debit}, 0) <> 0)", f"(coalesce({credit}, 0) <> 0)"
        amount = f"CASE WHEN {has_debit} THEN {debit} ELSE {credit} END"
        is_out, bad_dir = has_debit, "FALSE"
        bad_amount = f"({amount_is_bad_sql(c('debit'))} OR {amount_is_bad_sql(c('credit'))})"
        missing = f"(NOT {has_debit} AND NOT {has_credit})"
        ambiguous = f"({has_debit} AND {has_credit})"
    own_acct, own_name = account_sql(c("own_account")), f"NULLIF(trim({c('own_name')}), '')"
    cp_acct, cp_name = account_sql(c("counterparty_account")), f"NULLIF(trim({c('counterparty_name')}), '')"
    cp_bank = f"NULLIF(trim({c('counterparty_bank')}), '')"
    columns = f"""
        CASE WHEN {is_out} THEN 'payer_stmt' ELSE 'payee_stmt' END AS perspective,
        CASE WHEN {is_out} THEN {own_acct} ELSE {cp_acct} END AS payer_account,
        CASE WHEN {is_out} THEN {own_name} ELSE {cp_name} END AS payer_name,
        CASE WHEN {is_out} THEN NULL ELSE {cp_bank} END AS payer_bank,
        CAST(NULL AS VARCHAR) AS payer_uscc,
        CASE WHEN {is_out} THEN {cp_acct} ELSE {own_acct} END AS payee_account,
        CASE WHEN {is_out} THEN {cp_name} ELSE {own_name} END AS payee_name,
        CASE WHEN {is_out} THEN {cp_bank} ELSE NULL END AS payee_bank,
        CAST(NULL AS VARCHAR) AS payee_uscc,
        {amount} AS amount"""
    reason = f"""CASE
        WHEN {own_acct} IS NULL THEN 'missing_account'
        WHEN {cp_acct} IS NULL AND {cp_name} IS NULL THEN 'missing_counterparty'
        WHEN {date_sql(c('date'), profile.date_formats)} IS NULL THEN 'bad_date'
        WHEN {bad_amount} THEN 'bad_amount'
        WHEN {missing} THEN 'missing_amount'
        WHEN {ambiguous} THEN 'ambiguous_amount'
        WHEN {bad_dir} THEN 'bad_direction'
    END"""
    return columns, reason


def _payments_select(profile: Profile) -> tuple[str, str]:
    c = lambda f: _col(profile, f)  # noqa: E731
    amount = amount_sql(c("amount"))
    columns = f"""
        'payment' AS perspective,
        {account_sql(c('payer_account'))} AS payer_account, NULLIF(trim({c('payer_name')}), '') AS payer_name,
        NULLIF(trim({c('payer_bank')}), '') AS payer_bank, {text_sql(c('payer_uscc'))} AS payer_uscc,
        {account_sql(c('payee_account'))} AS payee_account, NULLIF(trim({c('payee_name')}), '') AS payee_name,
        NULLIF(trim({c('payee_bank')}), '') AS payee_bank, {text_sql(c('payee_uscc'))} AS payee_uscc,
        {amount} AS amount"""
    reason = f"""CASE
        WHEN {account_sql(c('payer_account'))} IS NULL AND NULLIF(trim({c('payer_name')}), '') IS NULL
          OR {account_sql(c('payee_account'))} IS NULL AND NULLIF(trim({c('payee_name')}), '') IS NULL
          THEN 'missing_counterparty'
        WHEN {account_sql(c('payer_account'))} IS NULL AND {account_sql(c('payee_account'))} IS NULL
          THEN 'missing_account'
        WHEN {date_sql(c('date'), profile.date_formats)} IS NULL THEN 'bad_date'
        WHEN {amount_is_bad_sql(c('amount'))} THEN 'bad_amount'
        WHEN coalesce({amount}, 0) = 0 THEN 'missing_amount'
    END"""
    return columns, reason


def stage_raw(con: duckdb.DuckDBPyConnection, file_id: int, profile: Profile,
              raw_columns: list[str]) -> None:
    """Append the rows of temp table ``raw`` to ``staged`` or ``rejects`` (one pass, one reason each)."""
    columns, reason = (_statement_select(profile) if profile.layout == "statement"
                       else _payments_select(profile))
    c = lambda f: _col(profile, f)  # noqa: E731
    quoted = [f'"{name}"' for name in raw_columns]
    raw_text = f"concat_ws({_lit(profile.delimiter)}, " + ", ".join(
        f"coalesce({q}, '')" for q in quoted) + ")"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT _line, {reason} AS reason, {columns},
               {date_sql(c('date'), profile.date_formats)} AS date,
               NULLIF(trim({c('memo')}), '') AS memo,
               {amount_sql(c('balance')) if 'balance' in profile.columns else 'CAST(NULL AS DECIMAL(18,2))'}
                 AS balance,
               {text_sql(c('serial'))} AS serial,
               hash({', '.join(quoted)}) AS raw_hash,
               {raw_text} AS raw_text
        FROM raw""")
    con.execute(f"""
        INSERT INTO staged SELECT {file_id}, _line, perspective, payer_account, payer_name, payer_bank,
            payer_uscc, payee_account, payee_name, payee_bank, payee_uscc, amount, date, memo, balance,
            serial, raw_hash
        FROM checked WHERE reason IS NULL""")
    con.execute(f"""
        INSERT INTO rejects SELECT {file_id}, _line, reason, raw_text FROM checked
        WHERE reason IS NOT NULL""")
    con.execute("DROP TABLE checked")
