"""Classification rules as SQL: which class the first matching rule gives a memo or a name.

Rules are tried in file order; the first whose keyword occurs anywhere in the text (a substring,
case-insensitive when the rule says ``case_sensitive = false``) gives the class. Keywords enter the
SQL text only as escaped regular-expression literals (:func:`chainsight.ingest._sql.literal`).

>>> import duckdb
>>> from chainsight.ingest.manifest import ClassRule
>>> rules = (ClassRule(flow_class="fee", memo=("FEE",), case_sensitive=False),
...          ClassRule(flow_class="interest", memo=("fee", "INT")))
>>> duckdb.connect().execute(f"SELECT {rule_class_sql(rules, chr(39) + 'int+fee' + chr(39), 'memo')}").fetchall()
[('fee',)]
"""

from __future__ import annotations

import re

from chainsight.ingest._sql import literal
from chainsight.ingest.manifest import ClassRule


def pattern_sql(words: tuple[str, ...]) -> str:
    """A regular-expression literal matching any of ``words`` as a substring."""
    return literal("|".join(re.escape(w) for w in words))


def rule_class_sql(rules: tuple[ClassRule, ...], column: str, kind: str) -> str:
    """CASE giving the class of the first rule whose ``kind`` keywords (memo or counterparty) match."""
    arms = []
    for r in rules:
        words: tuple[str, ...] = getattr(r, kind)
        if words:
            options = "" if r.case_sensitive else ", 'i'"
            arms.append(f"WHEN regexp_matches({column}, {pattern_sql(words)}{options}) THEN {literal(r.flow_class)}")
    return "CASE " + " ".join(arms) + " END" if arms else "CAST(NULL AS VARCHAR)"


def trade_classes(rules: tuple[ClassRule, ...]) -> tuple[str, ...]:
    """``trade`` and every class of the bank's own that its rules declare trade."""
    return ("trade", *sorted({r.flow_class for r in rules if r.trade}))


def in_list_sql(values: tuple[str, ...]) -> str:
    """``(v1, v2, …)`` for ``IN``, every value a literal."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def counterparty_optional_sql(rules: tuple[ClassRule, ...], column: str) -> str:
    """True when the first memo rule matching ``column`` is one whose rows need no counterparty.

    Interest and fees are posted without one; a transfer or a payment without one is broken. A class
    counts when any of its rules says ``needs_counterparty = false`` (or it is interest or fee).
    """
    optional = tuple(sorted({r.flow_class for r in rules if r.counterparty_optional}))
    if not optional:
        return "FALSE"
    return f"coalesce(({rule_class_sql(rules, column, 'memo')}) IN {in_list_sql(optional)}, FALSE)"
