"""Cleaning and validation: turn the text table ``raw`` of one file into canonical payment rows.

All of it is one vectorised DuckDB statement per file. A row either becomes a canonical payment in
``staged`` (payer, payee, amount, date …) or a row in ``rejects`` with its file, line, raw text and the
first reason that applies, in this order:

==================== =================================================================
reason               meaning
==================== =================================================================
missing_account      no own account (statement) / no payer or payee account (payments)
missing_counterparty neither counterparty account nor name, and the memo is not one of a class that
                     needs none (interest and fee, or a rule with ``needs_counterparty = false``):
                     those rows are excluded later as their class
bad_date             the date is not in any of the profile's formats, or not a real date (or
                     outside 1990–2100)
bad_currency         an amount carrying another currency's sign or code than the dataset's (``$`` or
                     ``USD`` in a CNY dataset): never read as a number in the wrong currency
bad_amount           an amount that is not a number even after repair
missing_amount       no amount at all (statement: debit and credit both empty); an amount of
                     exactly 0.00 is not rejected but excluded later as ``zero_amount``
ambiguous_amount     statement row with both a debit and a credit amount
bad_direction        amount + direction layout with a direction value the profile does not know
==================== =================================================================

Repairs applied before validating: full-width digits and letters to half-width, thousands
separators (``,`` and spaces; ``.`` spaces and ``'`` when the profile's ``decimal`` is ``,``), the dataset currency's own signs (CNY: ¥ ￥ 元 RMB 人民币 and the code;
:mod:`chainsight.ingest.currency`), accounting negatives ``(1,234.00)``, and dates in any listed format
(``20240131``, ``2024-01-31``, ``2024/1/31`` …). Amounts are then multiplied by the profile's unit
(fen: 0.01). A row whose mapped ``currency`` column names another currency is staged with it and
excluded later as ``other_currency``.

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

from decimal import Decimal

import duckdb

from chainsight.errors import UnusableInputError
from chainsight.ingest._sql import ident
from chainsight.ingest._sql import literal as _lit
from chainsight.ingest.currency import MIXED, code_sql, foreign_regex, noise_regex
from chainsight.ingest.manifest import ClassRule, Profile
from chainsight.ingest.readers import column
from chainsight.ingest.rules import counterparty_optional_sql

_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000￥"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " ¥"

def text_sql(expr: str) -> str:
    """Trimmed text with full-width ASCII made half-width; empty becomes NULL.

    ``translate`` is slow, so it only runs on values with a non-ASCII character (byte length differs
    from character length), which amounts, dates and accounts almost never have.
    """
    return (f"NULLIF(CASE WHEN strlen({expr}) = length({expr}) THEN trim({expr}) "
            f"ELSE trim(translate({expr}, {_lit(_FULL)}, {_lit(_HALF)})) END, '')")


def account_sql(expr: str) -> str:
    """An account number with spaces and hyphens removed."""
    text = text_sql(expr)
    return f"NULLIF(regexp_replace({text}, '[\\s\\-]', '', 'g'), '')"


def money_sql(text: str, currency: str = "CNY", decimal: str = ".") -> str:
    """Parse already-normalised text as DECIMAL(18,2); NULL when it is not a number.

    ``decimal`` is the decimal mark (``.`` or ``,``); the other separators are digit grouping. With a
    point, a plain cast is tried first and the repair path runs only when it fails.

    >>> import duckdb
    >>> q = lambda v, d: duckdb.connect().execute(f"SELECT {money_sql(_lit(v), 'EUR', d)}").fetchone()[0]
    >>> q("1.234,56", ","), q("1 234,56 €", ","), q("1.234,56", "."), q("1,234.56", ",")
    (Decimal('1234.56'), Decimal('1234.56'), None, None)
    """
    bare = f"NULLIF(regexp_replace({text}, {_lit(noise_regex(currency, decimal))}, '', 'g'), '')"
    if decimal == ",":
        bare = f"replace({bare}, ',', '.')"
    repaired = f"CASE WHEN {bare} LIKE '(%)' THEN '-' || trim({bare}, '()') ELSE {bare} END"
    checked = f"CASE WHEN NOT regexp_matches({text}, {_lit(MIXED[decimal])}) THEN TRY_CAST({repaired} AS DECIMAL(18,2)) END"
    if decimal == ",":
        return checked
    return f"coalesce(TRY_CAST({text} AS DECIMAL(18,2)), {checked})"


def money_present_sql(text: str, currency: str = "CNY", decimal: str = ".") -> str:
    """True when normalised text holds more than currency noise (so a NULL amount means a bad one)."""
    return f"(NULLIF(regexp_replace({text}, {_lit(noise_regex(currency, decimal))}, '', 'g'), '') IS NOT NULL)"


def money_foreign_sql(text: str, currency: str) -> str:
    """True when normalised text names another currency than ``currency`` (a sign or an ISO code).

    >>> import duckdb
    >>> duckdb.connect().execute(f"SELECT {money_foreign_sql(chr(39) + '$12' + chr(39), 'CNY')}, "
    ...     f"{money_foreign_sql(chr(39) + 'CNY 12' + chr(39), 'CNY')}, {money_foreign_sql(chr(39) + '$12' + chr(39), 'USD')}").fetchone()
    (True, False, False)
    """
    left = f"regexp_replace({text}, {_lit(noise_regex(currency))}, '', 'g')"
    return f"coalesce(regexp_matches({left}, {_lit(foreign_regex(currency))}), FALSE)"


def scaled_sql(amount: str, unit: Decimal) -> str:
    """An amount as written multiplied by ``unit`` (the currency's main units one written amount is)."""
    return amount if unit == 1 else f"TRY_CAST({amount} * {_lit(str(unit))}::DECIMAL(38,10) AS DECIMAL(18,2))"


def amount_sql(expr: str, currency: str = "CNY", decimal: str = ".", unit: Decimal = Decimal(1)) -> str:
    """The repaired amount of a raw column as DECIMAL(18,2) times ``unit``, NULL when absent or not a number."""
    return scaled_sql(money_sql(text_sql(expr), currency, decimal), unit)


def amount_is_bad_sql(expr: str, currency: str = "CNY", decimal: str = ".") -> str:
    """True when a raw column has text but no amount can be made of it."""
    return f"({money_present_sql(text_sql(expr), currency, decimal)} AND {amount_sql(expr, currency, decimal)} IS NULL)"


def parse_date_sql(text: str, formats: tuple[str, ...]) -> str:
    """Parse already-normalised text as a date: ISO first (fast), then the listed formats."""
    fmts = "[" + ", ".join(_lit(f) for f in (*formats, "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")) + "]"
    parsed = f"coalesce(TRY_CAST({text} AS DATE), CAST(try_strptime({text}, {fmts}) AS DATE))"
    return f"(CASE WHEN year({parsed}) BETWEEN 1990 AND 2100 THEN {parsed} END)"


def _step_date_sql(text: str, profile: Profile) -> str:
    """The date of a step number: step 1 is ``step_start``, step N is N-1 ``step_unit`` later; NULL if not
    a whole number >= 1 (so the row is ``bad_date``).

    >>> import duckdb, datetime
    >>> p = Profile(layout="payments", step_start=datetime.date(2024, 1, 1), step_unit="hour",
    ...             columns={"payer_account": "a", "payee_account": "b", "amount": "c", "date": "step"})
    >>> duckdb.connect().execute(f"SELECT {_step_date_sql(chr(39) + '25' + chr(39), p)}").fetchone()[0]
    datetime.date(2024, 1, 2)
    """
    step = f"TRY_CAST({text} AS BIGINT)"
    start = _lit(str(profile.step_start))
    when = f"CAST(CAST({start} AS DATE) + ({step} - 1) * INTERVAL 1 {profile.step_unit.upper()} AS DATE)"
    return (f"(CASE WHEN {step} >= 1 AND {step} < 1000000 AND year({when}) BETWEEN 1990 AND 2100 "
            f"THEN {when} END)")


def date_sql(expr: str, formats: tuple[str, ...]) -> str:
    """The date of a raw column in the first matching format, NULL when none matches or implausible."""
    return parse_date_sql(text_sql(expr), formats)


def map_columns(profile: Profile, header: tuple[str, ...], file: str) -> dict[str, int]:
    """Each mapped field's 0-based position in ``header``; ``#N`` in a profile means the N-th column.

    A mapped header text that is missing, or that the file repeats, makes the file unusable.

    >>> from chainsight.ingest.manifest import Profile
    >>> p = Profile(layout="payments", columns={"payer_account": "付款账号", "payee_account": "#3",
    ...             "amount": "金额", "date": "日期"})
    >>> map_columns(p, ("付款账号", "日期", "收款账号", "金额"), "x.csv")
    {'payer_account': 0, 'payee_account': 2, 'amount': 3, 'date': 1}
    """
    positions: dict[str, int] = {}
    missing, repeated = [], []
    for field, text in profile.columns.items():
        if text.startswith("#") and text[1:].isdigit():
            if not 1 <= int(text[1:]) <= len(header):
                missing.append(f"{text!r} ({field}): the file has {len(header)} columns")
                continue
            positions[field] = int(text[1:]) - 1
            continue
        at = [i for i, h in enumerate(header) if h == text]
        if not at:
            missing.append(f"{text!r} ({field})")
        elif len(at) > 1:
            repeated.append(f"{text!r} ({field}) is columns {', '.join(str(i + 1) for i in at)}")
        else:
            positions[field] = at[0]
    if missing:
        raise UnusableInputError(file, f"mapped column(s) {', '.join(missing)} not in the header "
                                 f"{list(header)}")
    if repeated:
        raise UnusableInputError(file, f"the header repeats a mapped column: {'; '.join(repeated)}; "
                                 "map it by position instead, e.g. \"#4\" for the 4th column")
    return positions


def _col(positions: dict[str, int], field: str) -> str:
    at = positions.get(field)
    return column(at) if at is not None else "CAST(NULL AS VARCHAR)"


_TEXT = {"own_name", "counterparty_name", "counterparty_bank", "memo", "payer_name", "payer_bank",
         "payee_name", "payee_bank"}
_ACCOUNTS = {"own_account", "counterparty_account", "payer_account", "payee_account"}
_MONEY = {"debit", "credit", "amount", "balance"}
_CODES = {"direction", "serial", "payer_uscc", "payee_uscc"}


def _fields_sql(profile: Profile, positions: dict[str, int], currency: str,
                unit: Decimal) -> tuple[str, str]:
    """Every mapped field parsed once: (layer 1 = normalised text, layer 2 = typed values).

    Money fields also get ``<field>_bad`` (text present but not a number even after repair) and
    ``<field>_foreign`` (it names another currency); amounts are multiplied by ``unit``.
    """
    texts, typed = [], []
    for field in sorted(_TEXT | _ACCOUNTS | _MONEY | _CODES | {"date", "currency"}):
        col = _col(positions, field)
        if field in _TEXT:
            texts.append(f"NULLIF(trim({col}), '') AS {field}")
            typed.append(field)
        elif field in _ACCOUNTS:
            texts.append(f"{account_sql(col)} AS {field}")
            typed.append(field)
        elif field in _MONEY:
            texts.append(f"{text_sql(col)} AS t_{field}")
            scaled = scaled_sql(money_sql("t_" + field, currency, profile.decimal), unit)
            typed.append(f"{scaled} AS {field}")
            typed.append(f"({money_present_sql('t_' + field, currency, profile.decimal)} AND {scaled} IS NULL) AS {field}_bad")
            typed.append(f"{money_foreign_sql('t_' + field, currency)} AS {field}_foreign")
        elif field in _CODES:
            texts.append(f"{text_sql(col)} AS {field}")
            typed.append(field)
        elif field == "currency":
            texts.append(f"{code_sql(text_sql(col))} AS currency")
            typed.append("currency")
        else:
            texts.append(f"{text_sql(col)} AS t_date")
            typed.append(f"{_step_date_sql('t_date', profile) if profile.step_start else parse_date_sql('t_date', profile.date_formats)} AS date")
    sep = ",\n               "
    return sep.join(texts), sep.join(typed)


def _statement_select(profile: Profile, rules: tuple[ClassRule, ...]) -> tuple[str, str]:
    """Step 2 for a statement file: (canonical columns, reject-reason CASE); own side becomes payer
    (money out) or payee (money in)."""
    no_counterparty = ("counterparty_account IS NULL AND counterparty_name IS NULL AND NOT "
                       + counterparty_optional_sql(rules, "memo"))
    if "direction" in profile.columns:
        debits = ", ".join(_lit(v) for v in profile.debit_values)
        credits = ", ".join(_lit(v) for v in profile.credit_values)
        amount, is_out = "amount", f"(direction IN ({debits}))"
        bad_dir = f"(direction IS NULL OR NOT (direction IN ({debits}, {credits})))"
        bad_amount, missing, ambiguous = "amount_bad", "(amount IS NULL)", "FALSE"
        foreign = "amount_foreign"
    elif profile.negative_is_debit:
        amount, is_out, bad_dir = "abs(amount)", "(amount < 0)", "FALSE"
        bad_amount, missing, ambiguous = "amount_bad", "(amount IS NULL)", "FALSE"
        foreign = "amount_foreign"
    else:
        has_debit, has_credit = "(coalesce(debit, 0) <> 0)", "(coalesce(credit, 0) <> 0)"
        # Both cells 0.00 (or one 0.00, one empty) is an amount of zero, not a missing one.
        amount = f"CASE WHEN {has_debit} THEN debit WHEN {has_credit} THEN credit ELSE coalesce(credit, debit) END"
        is_out, bad_dir = has_debit, "FALSE"
        bad_amount = "(debit_bad OR credit_bad)"
        foreign = "(debit_foreign OR credit_foreign)"
        missing = "(debit IS NULL AND credit IS NULL)"
        ambiguous = f"({has_debit} AND {has_credit})"
    columns = f"""
        CASE WHEN {is_out} THEN 'payer_stmt' ELSE 'payee_stmt' END AS perspective,
        CASE WHEN {is_out} THEN own_account ELSE counterparty_account END AS payer_account,
        CASE WHEN {is_out} THEN own_name ELSE counterparty_name END AS payer_name,
        CASE WHEN {is_out} THEN NULL ELSE counterparty_bank END AS payer_bank,
        CAST(NULL AS VARCHAR) AS payer_uscc,
        CASE WHEN {is_out} THEN counterparty_account ELSE own_account END AS payee_account,
        CASE WHEN {is_out} THEN counterparty_name ELSE own_name END AS payee_name,
        CASE WHEN {is_out} THEN counterparty_bank ELSE NULL END AS payee_bank,
        CAST(NULL AS VARCHAR) AS payee_uscc,
        {amount} AS amount"""
    reason = f"""CASE
        WHEN own_account IS NULL THEN 'missing_account'
        WHEN {no_counterparty} THEN 'missing_counterparty'
        WHEN date IS NULL THEN 'bad_date'
        WHEN {foreign} THEN 'bad_currency'
        WHEN {bad_amount} THEN 'bad_amount'
        WHEN {missing} THEN 'missing_amount'
        WHEN {ambiguous} THEN 'ambiguous_amount'
        WHEN {bad_dir} THEN 'bad_direction'
    END"""
    return columns, reason


def _payments_select(rules: tuple[ClassRule, ...]) -> tuple[str, str]:
    """Step 2 for a payments file: payer and payee are on the row already."""
    columns = """'payment' AS perspective, payer_account, payer_name, payer_bank, payer_uscc,
        payee_account, payee_name, payee_bank, payee_uscc, amount"""
    reason = f"""CASE
        WHEN payer_account IS NULL AND payer_name IS NULL AND payee_account IS NULL AND payee_name IS NULL
          THEN 'missing_counterparty'
        WHEN (payer_account IS NULL AND payer_name IS NULL OR payee_account IS NULL AND payee_name IS NULL)
             AND NOT {counterparty_optional_sql(rules, "memo")} THEN 'missing_counterparty'
        WHEN payer_account IS NULL AND payee_account IS NULL THEN 'missing_account'
        WHEN date IS NULL THEN 'bad_date'
        WHEN amount_foreign THEN 'bad_currency'
        WHEN amount_bad THEN 'bad_amount'
        WHEN amount IS NULL THEN 'missing_amount'
    END"""
    return columns, reason


def row_digest_sql(quoted: list[str]) -> str:
    """A stable 64-bit digest of a row's raw fields (the upper half of MD5, not DuckDB's ``hash``, which changes between
    releases): each field is written as ``length:text`` or ``-`` for NULL, so no two rows collide by
    shifting text between fields.

    >>> import duckdb
    >>> duckdb.sql("SELECT " + row_digest_sql(["'a,'", "'b'"]) + " <> " + row_digest_sql(["'a'", "',b'"])).fetchall()[0][0]
    True
    """
    parts = ", ".join(f"coalesce(strlen({q}) || ':' || {q}, '-')" for q in quoted)
    return f"CAST(md5_number(concat_ws(',', {parts})) >> 64 AS UBIGINT)"


def stage_raw(con: duckdb.DuckDBPyConnection, file_id: int | None, profile: Profile,
              positions: dict[str, int], width: int, rules: tuple[ClassRule, ...], *,
              source: str = "raw", currency: str = "CNY", unit: Decimal = Decimal(1)) -> None:
    """Stage the rows of ``source``: every row into ``staged``, rejected ones also into ``rejects``.

    ``positions`` comes from :func:`map_columns`; ``width`` is how many columns ``raw`` has;
    ``rules`` tell which memos need no counterparty (interest, fees …); ``currency`` is the dataset's
    and ``unit`` the multiplier of this file's amounts. With ``file_id`` None the
    source holds the rows of several files of this profile and says whose each is in ``_file_id``
    (:mod:`chainsight.ingest._batch`): one statement for them all, planned once.
    """
    columns, reason = (_statement_select(profile, rules) if profile.layout == "statement"
                       else _payments_select(rules))
    quoted = [column(i) for i in range(width)]
    texts, typed = _fields_sql(profile, positions, currency, unit)
    fid = "_file_id" if file_id is None else str(int(file_id))
    # One pass: every row is staged with its reject reason (NULL when usable) — no intermediate copy.
    con.execute(f"""
        INSERT INTO staged
        WITH texts AS (SELECT {fid} AS _fid, _line, {texts}, {row_digest_sql(quoted)} AS raw_hash FROM {ident(source)}),
        fields AS (SELECT _fid, _line, {typed}, raw_hash FROM texts)
        SELECT _fid, _line, {columns}, date, memo, balance, serial, raw_hash, {reason}, currency
        FROM fields""")
    # The raw text is rebuilt only for the (few) rejected rows.
    raw_text = f"concat_ws({_lit(profile.delimiter)}, " + ", ".join(
        f"coalesce(r.{q}, '')" for q in quoted) + ")"
    table = ident(source)
    ids = f"SELECT DISTINCT _file_id FROM {table}" if file_id is None else fid
    same_file = "r._file_id = s.file_id" if file_id is None else "TRUE"
    con.execute(f"""
        INSERT INTO rejects SELECT file_id, s.line, s.reject_reason, {raw_text}
        FROM (SELECT file_id, line, reject_reason FROM staged
              WHERE file_id IN ({ids}) AND reject_reason IS NOT NULL) s
        JOIN {table} r ON r._line = s.line AND {same_file}""")
