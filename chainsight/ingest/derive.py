"""From staged rows to ``transactions``: classify, de-duplicate, pair reversals, decide each row's fate.

Every staged row keeps its place and gets ``status`` ``loaded`` or ``excluded`` with a ``reason``:

================== ==========================================================================
reason             why a row does not feed the chain graph
================== ==========================================================================
duplicate_row      an exact copy (every field) of an earlier row
mirror_duplicate   the same payment already counted from another statement or export: a payment
                   between two of our customers is on the payer's statement *and* the payee's
other_currency     a row whose currency column names another currency than the dataset's: never summed
zero_amount        an amount of exactly 0.00: it moves no money (a row with no amount at all is
                   rejected ``missing_amount``)
<flow class>       a non-trade payment: reversal, refund, loan, interest, fee, government
                   (subsidies, grants, tax refunds), tax, social_insurance, payroll,
                   intra_transfer (both sides one firm), individual (a
                   person on either side: payroll, owners), or a non-trade class of the bank's own
reversed           a trade payment later reversed (冲正) by a matching reversal row
unresolved_party   a side whose owner cannot be told (no name, account seen nowhere else)
================== ==========================================================================

Mirror de-duplication matches on (payer account, payee account, date, amount) — the owner's id or name
stands in for a missing account: two accounts of one firm can receive the same interest on the same
day, and those are two payments. It counts occurrences: for one key, a statement that
shows the payment twice means two payments, so each perspective's k-th occurrence pairs with the
other perspectives' k-th occurrence and only one of each pair is kept — never a genuine repeat.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from chainsight.ingest._sql import literal
from chainsight.ingest.manifest import ClassRule
from chainsight.ingest.rules import in_list_sql, pattern_sql, rule_class_sql, trade_classes

_PRIORITY = "CASE perspective WHEN 'payment' THEN 0 WHEN 'payer_stmt' THEN 1 ELSE 2 END"


def _rule_order_sql(rules: tuple[ClassRule, ...], column: str) -> str:
    """The position of a class in the rule list (the earlier rule wins when memo and name disagree)."""
    arms = " ".join(f"WHEN {literal(r.flow_class)} THEN {i}" for i, r in enumerate(rules))
    return f"(CASE {column} {arms} END)"


def _conditional(rules: tuple[ClassRule, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """Classes whose memo rules apply only with certain parties, with their words (union over rules)."""
    words: dict[str, set[str]] = {}
    for r in rules:
        if r.only_with:
            words.setdefault(r.flow_class, set()).update(r.only_with)
    return [(c, tuple(sorted(w))) for c, w in sorted(words.items())]


def _memo_class_sql(rules: tuple[ClassRule, ...]) -> str:
    """The memo's class, or the first plain rule's when the matching rule's party condition fails."""
    arms = " ".join(f"WHEN m.memo_class = {literal(c)} AND NOT (p1.with_{i} OR p2.with_{i}) THEN m.memo_plain"
                    for i, (c, _) in enumerate(_conditional(rules)))
    return f"(CASE {arms} ELSE m.memo_class END)" if arms else "m.memo_class"


def classify_sql(rules: tuple[ClassRule, ...], currency: str = "CNY") -> str:
    """The flow class of a row from its memo class, its parties' name classes and who the parties are.

    Memo and name rules are matched once per distinct memo and per distinct party (tables
    ``memo_class`` and ``parties.name_class``), not once per row.

    >>> from chainsight.ingest.manifest import DEFAULT_RULES
    >>> "intra_transfer" in classify_sql(DEFAULT_RULES)
    True
    """
    candidates = [_memo_class_sql(rules), "p1.name_class", "p2.name_class"]
    earliest = "least(" + ", ".join(f"coalesce({_rule_order_sql(rules, c)}, 999)" for c in candidates) + ")"
    trade = in_list_sql(trade_classes(rules))
    non_trade = " ".join(f"WHEN {c} NOT IN {trade} AND {_rule_order_sql(rules, c)} = {earliest} THEN {c}"
                         for c in candidates)
    # A class the bank declares trade still yields to who the parties are: a payment between two
    # accounts of one firm, or with a person, is never a chain relation.
    own_trade = " ".join(f"WHEN {c} IS NOT NULL AND {_rule_order_sql(rules, c)} = {earliest} THEN {c}"
                         for c in candidates)
    # A row in another currency is never summed with the dataset's: it is excluded before anything else.
    return (f"CASE WHEN t.currency <> {literal(currency)} THEN 'other_currency' "
            "WHEN t.amount = 0 THEN 'zero_amount' WHEN t.amount < 0 THEN 'reversal' " + non_trade
            + " WHEN p1.party_id IS NOT NULL AND p1.party_id = p2.party_id THEN 'intra_transfer'"
            " WHEN p1.party_kind = 'person' OR p2.party_kind = 'person' THEN 'individual' "
            + own_trade + " ELSE 'trade' END")


def _classify_texts(con: duckdb.DuckDBPyConnection, rules: tuple[ClassRule, ...]) -> None:
    """Match memo rules once per distinct memo, and counterparty rules once per party.

    ``with_<i>`` says a party satisfies the ``only_with`` words of the i-th conditional class: its name
    contains one of them, or it is not our customer and has no name (a fee posted without counterparty).
    """
    with_words = "".join(f"coalesce(regexp_matches(name, {pattern_sql(words)}), NOT ours) "
                         f"AS with_{i}, " for i, (_, words) in enumerate(_conditional(rules)))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE memo_class AS
        SELECT memo, {rule_class_sql(rules, 'memo', 'memo')} AS memo_class,
               {rule_class_sql(tuple(r for r in rules if not r.only_with), 'memo', 'memo')} AS memo_plain
        FROM (SELECT DISTINCT memo FROM staged WHERE memo IS NOT NULL AND reject_reason IS NULL)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE party_class AS
        SELECT party_key, {rule_class_sql(rules, "coalesce(name, '')", 'counterparty')} AS name_class,
               {with_words} party_id, party_kind, ours
        FROM parties""")


def build_transactions(con: duckdb.DuckDBPyConnection, rules: tuple[ClassRule, ...],
                       currency: str = "CNY") -> None:
    """(Re)build ``transactions`` from ``staged`` and ``parties`` in a handful of vectorised passes.

    ``currency`` is the dataset's: a row whose currency column names another is ``other_currency``.
    """
    _classify_texts(con, rules)
    trade = in_list_sql(trade_classes(rules))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE tx AS
        SELECT t.file_id, t.line, t.perspective, t.amount, t.date, t.raw_hash, p1.party_id AS payer_id, p1.party_kind AS payer_kind, p1.ours AS payer_ours,
               p2.party_id AS payee_id, p2.party_kind AS payee_kind, p2.ours AS payee_ours,
               {classify_sql(rules, currency)} AS flow_class,
               hash(coalesce(t.payer_account, p1.party_id, t.payer_name),
                    coalesce(t.payee_account, p2.party_id, t.payee_name), t.date, t.amount) AS key_hash
        FROM staged t
        JOIN party_class p1 ON p1.party_key = hash(t.payer_account, t.payer_name)
        JOIN party_class p2 ON p2.party_key = hash(t.payee_account, t.payee_name)
        LEFT JOIN memo_class m ON m.memo = t.memo
        WHERE t.reject_reason IS NULL""")
    # Exact copies: only hashes seen more than once need a window.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dup_rows AS
        SELECT file_id, line FROM (
            SELECT file_id, line, row_number() OVER (PARTITION BY raw_hash ORDER BY file_id, line) AS k
            FROM tx WHERE raw_hash IN (SELECT raw_hash FROM tx GROUP BY raw_hash HAVING count(*) > 1))
        WHERE k > 1""")
    # Mirrors: only keys seen from more than one perspective need occurrence pairing, and none can
    # exist when every row comes from one perspective (a payments-only dataset).
    one_view = con.execute("SELECT count(DISTINCT perspective) <= 1 FROM tx").fetchone()
    where_mirrors = "FALSE AND " if one_view and one_view[0] else ""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE mirror_rows AS
        WITH cand AS (
            SELECT file_id, line, key_hash, perspective, {_PRIORITY} AS prio
            FROM tx ANTI JOIN dup_rows USING (file_id, line)
            WHERE {where_mirrors}key_hash IN (SELECT key_hash FROM tx GROUP BY key_hash
                               HAVING count(DISTINCT perspective) > 1)),
        occ AS (
            SELECT *, row_number() OVER (PARTITION BY key_hash, perspective ORDER BY file_id, line) AS k
            FROM cand)
        SELECT file_id, line FROM (
            SELECT file_id, line, prio, min(prio) OVER (PARTITION BY key_hash, k) AS keep_prio FROM occ)
        WHERE prio > keep_prio""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dropped AS
        SELECT file_id, line, 'duplicate_row' AS why FROM dup_rows
        UNION ALL SELECT file_id, line, 'mirror_duplicate' FROM mirror_rows""")
    _pair_reversals(con, trade)
    # Persist only what the staged row does not already hold; ``transaction_details`` joins the two.
    con.execute(f"""
        CREATE OR REPLACE TABLE transactions AS
        SELECT tx.file_id, tx.line, tx.payer_id, tx.payee_id, tx.payer_kind, tx.payee_kind,
               tx.payer_ours, tx.payee_ours, tx.amount, tx.date, tx.flow_class,
               CASE WHEN d.why IS NULL AND tx.flow_class IN {trade} AND r.file_id IS NULL
                     AND tx.payer_id IS NOT NULL AND tx.payee_id IS NOT NULL
                    THEN 'loaded' ELSE 'excluded' END AS status,
               CASE WHEN d.why IS NOT NULL THEN d.why
                    WHEN tx.flow_class NOT IN {trade} THEN tx.flow_class
                    WHEN r.file_id IS NOT NULL THEN 'reversed'
                    WHEN tx.payer_id IS NULL OR tx.payee_id IS NULL THEN 'unresolved_party' END AS reason
        FROM tx
        LEFT JOIN dropped d USING (file_id, line)
        LEFT JOIN reversed_rows r USING (file_id, line)""")
    con.execute("""
        CREATE OR REPLACE VIEW transaction_details AS
        SELECT s.* EXCLUDE (reject_reason), t.* EXCLUDE (file_id, line, amount, date)
        FROM staged s JOIN transactions t USING (file_id, line)""")
    for table in ("tx", "dup_rows", "mirror_rows", "dropped", "reversed_rows", "memo_class", "party_class"):
        con.execute(f"DROP TABLE {table}")


def _pair_reversals(con: duckdb.DuckDBPyConnection, trade: str) -> None:
    """Mark the trade payment each kept reversal undoes: same two parties, same absolute amount, the
    latest one on or before the reversal date not already undone; each original is undone at most once.

    Within one (parties, amount) group the rows are walked in date order as brackets: an original opens,
    a reversal closes the latest open one. So a payment repeated after the reversal (the same monthly
    amount next month) is never taken for the one the reversal undid, and a reversal with nothing
    before it pairs with nothing.
    """
    events = con.execute(f"""
        WITH kept AS (
            SELECT tx.* FROM tx ANTI JOIN dropped USING (file_id, line)
            WHERE payer_id IS NOT NULL AND payee_id IS NOT NULL),
        revs AS (
            SELECT least(payer_id, payee_id) AS a, greatest(payer_id, payee_id) AS b, abs(amount) AS amt,
                   date, file_id, line, 1 AS is_reversal
            FROM kept WHERE flow_class = 'reversal')
        SELECT * FROM revs
        UNION ALL
        SELECT least(k.payer_id, k.payee_id), greatest(k.payer_id, k.payee_id), k.amount, k.date,
               k.file_id, k.line, 0
        FROM kept k SEMI JOIN (SELECT DISTINCT a, b, amt FROM revs) r
             ON least(k.payer_id, k.payee_id) = r.a AND greatest(k.payer_id, k.payee_id) = r.b
            AND k.amount = r.amt
        WHERE k.flow_class IN {trade} AND k.amount > 0
        ORDER BY a, b, amt, date, is_reversal, file_id, line""").fetchall()
    undone: list[tuple[object, object]] = []
    open_: list[tuple[object, object]] = []
    group: object = None
    for a, b, amt, _date, file_id, line, is_reversal in events:
        if (a, b, amt) != group:
            group, open_ = (a, b, amt), []
        if not is_reversal:
            open_.append((file_id, line))
        elif open_:
            undone.append(open_.pop())
    pairs = pd.DataFrame(undone, columns=["file_id", "line"]).astype({"file_id": "int32", "line": "int64"})
    con.register("undone_rows", pairs)
    con.execute("CREATE OR REPLACE TEMP TABLE reversed_rows AS SELECT * FROM undone_rows")
    con.unregister("undone_rows")
