"""From staged rows to ``transactions``: classify, de-duplicate, pair reversals, decide each row's fate.

Every staged row keeps its place and gets ``status`` ``loaded`` or ``excluded`` with a ``reason``:

================== ==========================================================================
reason             why a row does not feed the chain graph
================== ==========================================================================
duplicate_row      an exact copy (every field) of an earlier row
mirror_duplicate   the same payment already counted from another statement or export: a payment
                   between two of our customers is on the payer's statement *and* the payee's
<flow class>       a non-trade payment: reversal, refund, loan, interest, fee, tax,
                   social_insurance, payroll, intra_transfer (both sides one firm), individual
reversed           a trade payment later reversed (冲正) by a matching reversal row
unresolved_party   a side whose owner cannot be told (no name, account seen nowhere else)
================== ==========================================================================

Mirror de-duplication counts occurrences: for a key (payer, payee, date, amount), a statement that
shows the payment twice means two payments, so each perspective's k-th occurrence pairs with the
other perspectives' k-th occurrence and only one of each pair is kept — never a genuine repeat.
"""

from __future__ import annotations

import re

import duckdb

from chainsight.ingest.manifest import ClassRule

_PRIORITY = "CASE perspective WHEN 'payment' THEN 0 WHEN 'payer_stmt' THEN 1 ELSE 2 END"


def _pattern(words: tuple[str, ...]) -> str:
    return "'" + "|".join(re.escape(w) for w in words).replace("'", "''") + "'"


def classify_sql(rules: tuple[ClassRule, ...]) -> str:
    """A CASE expression giving each row its flow class from memo and counterparty rules.

    >>> from chainsight.ingest.manifest import DEFAULT_RULES
    >>> "reversal" in classify_sql(DEFAULT_RULES)
    True
    """
    arms = ["WHEN t.amount < 0 THEN 'reversal'"]
    for rule in rules:
        tests = []
        if rule.memo:
            tests.append(f"regexp_matches(coalesce(t.memo, ''), {_pattern(rule.memo)})")
        if rule.counterparty:
            pat = _pattern(rule.counterparty)
            tests.append(f"regexp_matches(coalesce(t.payer_name, '') || ' ' || coalesce(t.payee_name, ''), {pat})")
        arms.append(f"WHEN {' OR '.join(tests)} THEN '{rule.flow_class}'")
    arms.append("WHEN p1.party_id IS NOT NULL AND p1.party_id = p2.party_id THEN 'intra_transfer'")
    arms.append("WHEN p1.party_kind = 'person' OR p2.party_kind = 'person' THEN 'individual'")
    return "CASE " + " ".join(arms) + " ELSE 'trade' END"


def build_transactions(con: duckdb.DuckDBPyConnection, rules: tuple[ClassRule, ...]) -> None:
    """(Re)build ``transactions`` from ``staged`` and ``parties`` in a handful of vectorised passes."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE tx AS
        SELECT t.*, p1.party_id AS payer_id, p1.party_kind AS payer_kind, p1.ours AS payer_ours,
               p2.party_id AS payee_id, p2.party_kind AS payee_kind, p2.ours AS payee_ours,
               {classify_sql(rules)} AS flow_class,
               hash(coalesce(p1.party_id, t.payer_account, t.payer_name),
                    coalesce(p2.party_id, t.payee_account, t.payee_name), t.date, t.amount) AS key_hash
        FROM staged t
        LEFT JOIN parties p1 ON p1.account IS NOT DISTINCT FROM t.payer_account
                            AND p1.name IS NOT DISTINCT FROM t.payer_name
        LEFT JOIN parties p2 ON p2.account IS NOT DISTINCT FROM t.payee_account
                            AND p2.name IS NOT DISTINCT FROM t.payee_name""")
    # Exact copies: only hashes seen more than once need a window.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dup_rows AS
        SELECT file_id, line FROM (
            SELECT file_id, line, row_number() OVER (PARTITION BY raw_hash ORDER BY file_id, line) AS k
            FROM tx WHERE raw_hash IN (SELECT raw_hash FROM tx GROUP BY raw_hash HAVING count(*) > 1))
        WHERE k > 1""")
    # Mirrors: only keys seen from more than one perspective need occurrence pairing.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE mirror_rows AS
        WITH cand AS (
            SELECT file_id, line, key_hash, perspective, {_PRIORITY} AS prio FROM tx
            WHERE key_hash IN (SELECT key_hash FROM tx GROUP BY key_hash
                               HAVING count(DISTINCT perspective) > 1)
              AND (file_id, line) NOT IN (SELECT (file_id, line) FROM dup_rows)),
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
    _pair_reversals(con)
    con.execute("""
        CREATE OR REPLACE TABLE transactions AS
        SELECT tx.* EXCLUDE (key_hash),
               CASE WHEN d.why IS NULL AND tx.flow_class = 'trade' AND r.file_id IS NULL
                     AND tx.payer_id IS NOT NULL AND tx.payee_id IS NOT NULL
                    THEN 'loaded' ELSE 'excluded' END AS status,
               CASE WHEN d.why IS NOT NULL THEN d.why
                    WHEN tx.flow_class <> 'trade' THEN tx.flow_class
                    WHEN r.file_id IS NOT NULL THEN 'reversed'
                    WHEN tx.payer_id IS NULL OR tx.payee_id IS NULL THEN 'unresolved_party' END AS reason
        FROM tx
        LEFT JOIN dropped d USING (file_id, line)
        LEFT JOIN reversed_rows r USING (file_id, line)
        ORDER BY file_id, line""")
    con.execute("DROP TABLE tx; DROP TABLE dup_rows; DROP TABLE mirror_rows; DROP TABLE dropped; "
                "DROP TABLE reversed_rows")


def _pair_reversals(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the trade payment each kept reversal undoes: same two parties, same absolute amount, the
    latest one on or before the reversal date; each original is undone at most once."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reversed_rows AS
        WITH kept AS (
            SELECT tx.* FROM tx ANTI JOIN dropped USING (file_id, line)),
        revs AS (
            SELECT least(payer_id, payee_id) AS a, greatest(payer_id, payee_id) AS b, abs(amount) AS amt,
                   date, row_number() OVER (PARTITION BY least(payer_id, payee_id),
                       greatest(payer_id, payee_id), abs(amount) ORDER BY date DESC, file_id, line) AS k
            FROM kept WHERE flow_class = 'reversal' AND payer_id IS NOT NULL AND payee_id IS NOT NULL),
        origs AS (
            SELECT file_id, line, least(payer_id, payee_id) AS a, greatest(payer_id, payee_id) AS b,
                   amount AS amt, date, row_number() OVER (PARTITION BY least(payer_id, payee_id),
                       greatest(payer_id, payee_id), amount ORDER BY date DESC, file_id DESC, line DESC) AS k
            FROM kept WHERE flow_class = 'trade' AND amount > 0
              AND (least(payer_id, payee_id), greatest(payer_id, payee_id), amount) IN (
                  SELECT (a, b, amt) FROM revs))
        SELECT o.file_id, o.line FROM origs o JOIN revs r USING (a, b, amt, k) WHERE o.date <= r.date""")
