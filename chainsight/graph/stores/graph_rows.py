"""The rows of the Neo4j graph model built from an :class:`Analysis`: one builder for both ways in.

``Neo4jStore.publish`` sends these rows over Bolt (``UNWIND $rows … MERGE``) and
:mod:`chainsight.graph.stores.neo4j_import` writes the same rows as ``neo4j-admin database import``
files, so a bulk first load and a Bolt publish give the same graph (the test compares them on a real
server). What each statement does with its rows is in :mod:`chainsight.graph.stores.cypher`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chainsight.graph.result import Analysis
from chainsight.graph.stores import cypher
from chainsight.graph.stores.local import FIRM_COLUMNS
from chainsight.graph.stores.protocol import (
    ALERT_COLUMNS, CORE_COLUMNS, ENTITY_LINK_COLUMNS, EXCLUDED_COLUMNS, LEAKAGE_COLUMNS, LEAKAGE_TOP_COLUMNS,
    MEMBER_COLUMNS, PROSPECT_COLUMNS, entity_link_rows, excluded_rows, plain, records,
)

# Flat properties shown in Browser and used by filters; everything else is in the *_json copies.
FIRM_PROPS = ("name", "uscc", "is_customer", "customer_id", "customer_type", "branch", "manager",
              "eligible", "eligibility_rule", "deposits", "loan_balance", "core_score", "is_core",
              "pagerank", "position")
CHAIN_PROPS = ("direction", "tier", "rank", "score", "kind", "eligible", "segment", "stage",
               "branch", "manager", "name", "amount", "products", "reasons_en", "reasons_zh")
LEAK_PROPS = ("amount_offus", "share_of_core", "rank")
ALERT_PROPS = ("severity", "direction", "name")
EXCLUDED_PROPS = ("rule", "reason", "via_id", "amount", "count")

Row = dict[str, Any]


@dataclass(frozen=True)
class GraphRows:
    """What a publish writes, statement by statement (see :func:`graph_rows`)."""

    enterprises: list[Row]  # enterprise_id, props (FIRM_PROPS), json, links_json (None: no mention)
    branches: list[Row]     # enterprise_id, branch, manager: firms with a branch
    pays: list[Row]         # payer_id, payee_id and cypher.PAYS_PROPERTIES
    cores: list[Row]        # enterprise_id, rank, score, json, leakage_json
    chains: list[Row]       # core_id, enterprise_id, props (CHAIN_PROPS), member_json, prospect_json
    leaks: list[Row]        # core_id, enterprise_id, direction, props (LEAK_PROPS), json
    alerts: list[Row]       # core_id, enterprise_id, kind, props (ALERT_PROPS), json
    excluded: list[Row]     # core_id, enterprise_id, direction, tier, props (EXCLUDED_PROPS), json
    meta: str               # the Analysis node's meta (JSON)


def dumps(row: Row) -> str:
    """A row as the JSON a store keeps whole (UTF-8 text, no NaN).

    >>> dumps({"name": "甲", "n": 1})
    '{"name": "甲", "n": 1}'
    """
    return json.dumps(row, ensure_ascii=False, allow_nan=False)


def props(row: Row, keys: tuple[str, ...]) -> Row:
    """Every one of ``keys`` as a Bolt value; unknown ones, maps (Neo4j cannot store them) and empty
    lists (the bulk importer cannot write an empty array) null, i.e. no property.

    ``SET x += $props`` removes a property whose value is null, so a value that became unknown on
    a re-publish (a branch left blank, a score no longer computed) does not linger for filters to
    match; the map is always whole, so every property it may hold is rewritten or removed.

    >>> props({"name": "A", "branch": None, "evidence": {"x": 1}, "products": []},
    ...       ("name", "branch", "evidence", "products", "tier"))
    {'name': 'A', 'branch': None, 'evidence': None, 'products': None, 'tier': None}
    """
    values = {key: plain(row.get(key)) for key in keys}
    return {key: None if isinstance(value, dict) or value == [] else value for key, value in values.items()}


def graph_rows(analysis: Analysis) -> GraphRows:
    """The rows of every statement a publish of ``analysis`` runs, in the order it runs them."""
    firms = analysis.firms.assign(is_core=analysis.firms["enterprise_id"].isin(
        analysis.cores["enterprise_id"]))
    firm_rows = records(firms, FIRM_COLUMNS)
    links: dict[str, list[Row]] = {}
    for link in records(entity_link_rows(analysis), ENTITY_LINK_COLUMNS):
        links.setdefault(link["enterprise_id"], []).append(link)
    info = firms.set_index("enterprise_id")
    leak = {r["core_id"]: r for r in records(analysis.leakage, LEAKAGE_COLUMNS)}
    cores = analysis.cores.merge(info[["branch", "manager", "is_customer"]], left_on="enterprise_id",
                                 right_index=True, how="left", suffixes=("_x", ""))
    members = analysis.members.merge(info[["name", "branch", "is_customer", "eligible"]],
                                     left_on="enterprise_id", right_index=True, how="left")
    member_rows = {(r["core_id"], r["enterprise_id"]): r for r in records(members, MEMBER_COLUMNS)}
    chains = []
    for p in records(analysis.prospects, PROSPECT_COLUMNS):
        member = member_rows[(p["core_id"], p["enterprise_id"])]
        chains.append({"core_id": p["core_id"], "enterprise_id": p["enterprise_id"],
                       "props": props({**member, **p}, CHAIN_PROPS),
                       "member_json": dumps(member), "prospect_json": dumps(p)})
    return GraphRows(
        enterprises=[{"enterprise_id": r["enterprise_id"], "props": props(r, FIRM_PROPS), "json": dumps(r),
                      "links_json": json.dumps(links[r["enterprise_id"]], ensure_ascii=False, allow_nan=False)
                      if r["enterprise_id"] in links else None}
                     for r in firm_rows],
        branches=[{"enterprise_id": r["enterprise_id"], "branch": r["branch"], "manager": r["manager"]}
                  for r in firm_rows if r["branch"]],
        pays=records(analysis.flows, ("payer_id", "payee_id", *cypher.PAYS_PROPERTIES)),
        cores=[{"enterprise_id": r["enterprise_id"], "rank": r["rank"], "score": r["score"], "json": dumps(r),
                "leakage_json": dumps(leak.get(r["enterprise_id"], {"core_id": r["enterprise_id"]}))}
               for r in records(cores, CORE_COLUMNS)],
        chains=chains,
        leaks=[{"core_id": r["core_id"], "enterprise_id": r["enterprise_id"], "direction": r["direction"],
                "props": props(r, LEAK_PROPS), "json": dumps(r)}
               for r in records(analysis.leakage_top, LEAKAGE_TOP_COLUMNS)],
        alerts=[{"core_id": r["core_id"], "enterprise_id": r["enterprise_id"], "kind": r["kind"],
                 "props": props(r, ALERT_PROPS), "json": dumps(r)}
                for r in records(analysis.alerts, ALERT_COLUMNS)],
        excluded=[{"core_id": r["core_id"], "enterprise_id": r["enterprise_id"], "direction": r["direction"],
                   "tier": r["tier"], "props": props(r, EXCLUDED_PROPS), "json": dumps(r)}
                  for r in records(excluded_rows(analysis), EXCLUDED_COLUMNS)],
        meta=json.dumps(analysis.meta, default=str),
    )
