"""Every Cypher statement ChainSight runs, as named constants with ``$parameters`` — never formatted values.

The graph model, as it appears in Neo4j Browser::

    (:Enterprise {enterprise_id, name, is_customer, eligible, branch, manager, core_score, …,
                  links_json})
    (:Enterprise)-[:PAYS {amount, count, first_date, last_date, active_months, …}]->(:Enterprise)
    (:Enterprise:Core {rank, score, …})
    (member:Enterprise)-[:IN_CHAIN {direction, tier, rank, score, kind, segment, stage, products,
                                    reasons_en, …}]->(core:Core)
    (:Core)-[:LEAKS_TO {direction, amount_offus, share_of_core, rank}]->(:Enterprise)
    (firm:Enterprise)-[:LEFT_OUT_OF {rule, reason, direction, tier, via_id, amount, …}]->(core:Core)
    (:Alert {kind, severity, …})-[:ABOUT]->(:Core)
    (:Enterprise)-[:BANKS_AT]->(:Branch {name})<-[:WORKS_AT]-(:Manager {name})
    (:Analysis {key: 'current', meta})

Neo4j properties cannot hold maps, so besides the flat properties that Browser shows and queries
filter on, each analytic row is also kept whole as a JSON string (``firm_json``, ``core_json``,
``member_json``, ``prospect_json``, ``row_json``): reads return exactly what was published.
``links_json`` is the list of the mentions (names, USCCs, accounts) merged into the firm, each with
the rule that merged it and its evidence (``ENTITY_LINK_COLUMNS``): "why merged".

Money direction: ``PAYS`` points from payer to payee; the payee is the payer's supplier (upstream).
Every node and relationship written by a publish carries ``run`` (the publish id); what an earlier
publish wrote and this one did not is removed at the end, so publishing converges to the same graph
however often it is repeated or interrupted. Every ``ORDER BY`` ends in a unique key.
"""

from __future__ import annotations

SCHEMA = (
    "CREATE CONSTRAINT enterprise_id IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.enterprise_id IS UNIQUE",
    "CREATE CONSTRAINT branch_name IF NOT EXISTS FOR (b:Branch) REQUIRE b.name IS UNIQUE",
    "CREATE CONSTRAINT manager_name IF NOT EXISTS FOR (m:Manager) REQUIRE m.name IS UNIQUE",
    "CREATE CONSTRAINT analysis_key IF NOT EXISTS FOR (a:Analysis) REQUIRE a.key IS UNIQUE",
    "CREATE INDEX alert_core IF NOT EXISTS FOR (a:Alert) ON (a.core_id)",
    "CREATE INDEX enterprise_run IF NOT EXISTS FOR (e:Enterprise) ON (e.run)",
)

# -- writes (UNWIND $rows in batches) ---------------------------------------------------------------
# Every `SET x += row.props` gets a map holding all of its keys, null for a value that is unknown:
# `+=` removes a property set to null, so a re-publish leaves no stale value behind.
MERGE_ENTERPRISES = """
UNWIND $rows AS row
MERGE (e:Enterprise {enterprise_id: row.enterprise_id})
SET e += row.props, e.firm_json = row.json, e.links_json = row.links_json, e.run = $run
"""

MERGE_BRANCHES = """
UNWIND $rows AS row
MATCH (e:Enterprise {enterprise_id: row.enterprise_id})
MERGE (b:Branch {name: row.branch})
SET b.run = $run
MERGE (e)-[r:BANKS_AT]->(b)
SET r.run = $run
WITH b, row WHERE row.manager IS NOT NULL
MERGE (m:Manager {name: row.manager})
SET m.run = $run
MERGE (m)-[w:WORKS_AT]->(b)
SET w.run = $run
"""

# The properties of a PAYS relationship, in the order MERGE_PAYS sets them.
PAYS_PROPERTIES = ("amount", "count", "first_date", "last_date", "active_months", "amount_payer_ours",
                   "amount_payee_ours", "trading")

# The element ids of all enterprises: MERGE_PAYS addresses its endpoints by element id.
ENTERPRISE_ELEMENT_IDS = """
MATCH (e:Enterprise)
RETURN e.enterprise_id AS enterprise_id, elementId(e) AS element_id
"""

# Columnar: one list parameter per field ($payer, $payee and one per PAYS_PROPERTIES), row i is
# element i of each. Lists of plain values cost the server far less to decode than a list of maps,
# and seeking a node by element id is cheaper than an index seek on enterprise_id (bench/neo4j_load.py).
# SET of a null removes the property, so a value that became unknown does not linger. Returns the
# number of rows that found both endpoints.
MERGE_PAYS = """
UNWIND range(0, size($payer) - 1) AS i
MATCH (a:Enterprise) WHERE elementId(a) = $payer[i]
MATCH (b:Enterprise) WHERE elementId(b) = $payee[i]
MERGE (a)-[r:PAYS]->(b)
SET r.amount = $amount[i], r.count = $count[i], r.first_date = $first_date[i],
    r.last_date = $last_date[i], r.active_months = $active_months[i],
    r.amount_payer_ours = $amount_payer_ours[i], r.amount_payee_ours = $amount_payee_ours[i],
    r.trading = $trading[i], r.run = $run
RETURN count(*) AS n
"""

# One row per transaction, addressed by enterprise_id: the baseline the load benchmark compares with.
MERGE_PAYS_ONE = """
MATCH (a:Enterprise {enterprise_id: $payer_id})
MATCH (b:Enterprise {enterprise_id: $payee_id})
MERGE (a)-[r:PAYS]->(b)
SET r += $props, r.run = $run
"""

SET_CORES = """
UNWIND $rows AS row
MATCH (c:Enterprise {enterprise_id: row.enterprise_id})
SET c:Core, c.rank = row.rank, c.core_score = row.score, c.core_json = row.json,
    c.leakage_json = row.leakage_json, c.core_run = $run
"""

MERGE_IN_CHAIN = """
UNWIND $rows AS row
MATCH (m:Enterprise {enterprise_id: row.enterprise_id})
MATCH (c:Core {enterprise_id: row.core_id})
MERGE (m)-[r:IN_CHAIN]->(c)
SET r += row.props, r.member_json = row.member_json, r.prospect_json = row.prospect_json,
    r.run = $run
"""

MERGE_LEAKS_TO = """
UNWIND $rows AS row
MATCH (c:Core {enterprise_id: row.core_id})
MATCH (e:Enterprise {enterprise_id: row.enterprise_id})
MERGE (c)-[r:LEAKS_TO {direction: row.direction}]->(e)
SET r += row.props, r.row_json = row.json, r.run = $run
"""

MERGE_ALERTS = """
UNWIND $rows AS row
MATCH (c:Core {enterprise_id: row.core_id})
MERGE (a:Alert {core_id: row.core_id, enterprise_id: row.enterprise_id, kind: row.kind})
SET a += row.props, a.row_json = row.json, a.run = $run
MERGE (a)-[r:ABOUT]->(c)
SET r.run = $run
"""

# One per (firm, core, direction, tier): a tie the analysis looked at and left out, with its rule.
MERGE_LEFT_OUT_OF = """
UNWIND $rows AS row
MATCH (m:Enterprise {enterprise_id: row.enterprise_id})
MATCH (c:Core {enterprise_id: row.core_id})
MERGE (m)-[r:LEFT_OUT_OF {direction: row.direction, tier: row.tier}]->(c)
SET r += row.props, r.row_json = row.json, r.run = $run
"""

# Marks a graph whose publish wrote the excluded ties (one published before them has none to read).
SET_EXCLUDED_PUBLISHED = """
MATCH (a:Analysis {key: 'current'})
SET a.excluded_run = $run
"""
EXCLUDED_PUBLISHED = """
MATCH (a:Analysis {key: 'current'})
RETURN a.excluded_run IS NOT NULL AS published
"""

# Marks a graph whose publish wrote the entity links (``links_json``) of its firms.
SET_LINKS_PUBLISHED = """
MATCH (a:Analysis {key: 'current'})
SET a.links_run = $run
"""
LINKS_PUBLISHED = """
MATCH (a:Analysis {key: 'current'})
RETURN a.links_run IS NOT NULL AS published
"""

SET_META = """
MERGE (a:Analysis {key: 'current'})
SET a.meta = $meta, a.run = $run
"""

# Clean-up of what an earlier publish wrote and this one did not: in batches, so a large graph
# never needs one huge transaction.
DELETE_STALE_RELS = """
MATCH ()-[r]->() WHERE r.run <> $run
WITH r LIMIT $batch
DELETE r
RETURN count(*) AS n
"""
DELETE_STALE_NODES = """
MATCH (n) WHERE (n:Enterprise OR n:Alert OR n:Branch OR n:Manager) AND n.run <> $run
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS n
"""
DELETE_PAYS_BATCH = """
MATCH ()-[r:PAYS]->()
WITH r LIMIT $batch
DELETE r
RETURN count(*) AS n
"""
CLEAR_BATCH = """
MATCH (n)
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS n
"""
UNSET_STALE_CORES = """
MATCH (c:Core) WHERE c.core_run <> $run
REMOVE c:Core, c.rank, c.core_score, c.core_json, c.leakage_json, c.core_run
RETURN count(*) AS n
"""

# -- reads -------------------------------------------------------------------------------------------
META = "MATCH (a:Analysis {key: 'current'}) RETURN a.meta AS meta"

CORES = """
MATCH (c:Core)
RETURN c.core_json AS json
ORDER BY c.rank, c.enterprise_id
SKIP $skip LIMIT $limit
"""
COUNT_CORES = "MATCH (c:Core) RETURN count(c) AS n"
FIRMS = """
MATCH (e:Enterprise) WHERE e.firm_json IS NOT NULL
RETURN e.firm_json AS json
ORDER BY e.enterprise_id
SKIP $skip LIMIT $limit
"""
COUNT_FIRMS = "MATCH (e:Enterprise) WHERE e.firm_json IS NOT NULL RETURN count(e) AS n"
CORE = "MATCH (c:Core {enterprise_id: $core_id}) RETURN c.core_json AS json"

CHAIN_MEMBERS = """
MATCH (m:Enterprise)-[r:IN_CHAIN]->(c:Core {enterprise_id: $core_id})
WHERE r.tier <= $depth
RETURN r.member_json AS json
ORDER BY r.tier, r.direction, r.amount DESC, m.enterprise_id
"""
CHAIN_EDGES = """
MATCH (a:Enterprise)-[p:PAYS]->(b:Enterprise)
WHERE a.enterprise_id IN $nodes AND b.enterprise_id IN $nodes
RETURN a.enterprise_id AS payer_id, b.enterprise_id AS payee_id, p.amount AS amount,
       p.count AS count, p.active_months AS active_months
ORDER BY payer_id, payee_id
"""

# The access rule of chainsight.graph.stores.protocol.Scope for a row about firm m in core c's chain:
# null $branches is no restriction; customer status and branch are the firm nodes' own.
_SCOPE = """
  AND ($branches IS NULL OR (
        (CASE WHEN coalesce(c.is_customer, false) THEN c.branch IN $branches
              ELSE c.enterprise_id IN $assigned END)
    AND (CASE WHEN coalesce(m.is_customer, false) THEN m.branch IN $branches
              ELSE m.enterprise_id IN $assigned
                   OR (coalesce(c.is_customer, false) AND c.branch IN $branches) END)))
"""

# The prospect filter: each optional condition is written so that a null parameter disables it.
_PROSPECT_MATCH = """
MATCH (m:Enterprise)-[r:IN_CHAIN]->(c:Core)
WHERE ($core_id IS NULL OR c.enterprise_id = $core_id)
  AND ($kinds IS NULL OR r.kind IN $kinds)
  AND ($direction IS NULL OR r.direction = $direction)
  AND ($tier IS NULL OR r.tier = $tier)
  AND ($segment IS NULL OR r.segment = $segment)
  AND ($stage IS NULL OR r.stage = $stage)
  AND ($eligible IS NULL OR r.eligible = $eligible)
  AND ($branch IS NULL OR r.branch = $branch)
  AND ($manager IS NULL OR r.manager = $manager)
  AND ($min_score IS NULL OR r.score >= $min_score)
  AND ($name_contains IS NULL OR r.name CONTAINS $name_contains)
""" + _SCOPE
PROSPECTS_BY_RANK = _PROSPECT_MATCH + """
RETURN r.prospect_json AS json
ORDER BY r.rank ASC, c.enterprise_id, m.enterprise_id
SKIP $skip LIMIT $limit
"""
PROSPECTS_BY_SCORE = _PROSPECT_MATCH + """
RETURN r.prospect_json AS json
ORDER BY r.score DESC, c.enterprise_id, m.enterprise_id
SKIP $skip LIMIT $limit
"""
PROSPECTS_BY_NAME = _PROSPECT_MATCH + """
RETURN r.prospect_json AS json
ORDER BY r.name ASC, c.enterprise_id, m.enterprise_id
SKIP $skip LIMIT $limit
"""
COUNT_PROSPECTS = _PROSPECT_MATCH + "RETURN count(r) AS n"

ENTERPRISE = """
MATCH (e:Enterprise {enterprise_id: $enterprise_id})
RETURN e.firm_json AS json, e:Core AS is_core
"""
ENTERPRISE_LINKS = """
MATCH (e:Enterprise {enterprise_id: $enterprise_id})
RETURN e.links_json AS json
"""
ENTERPRISE_CHAINS = """
MATCH (m:Enterprise {enterprise_id: $enterprise_id})-[r:IN_CHAIN]->(c:Core)
RETURN r.member_json AS json ORDER BY c.enterprise_id
"""
ENTERPRISE_PROSPECTS = """
MATCH (m:Enterprise {enterprise_id: $enterprise_id})-[r:IN_CHAIN]->(c:Core)
RETURN r.prospect_json AS json ORDER BY r.rank, c.enterprise_id
"""

_EXCLUDED_MATCH = """
MATCH (m:Enterprise)-[r:LEFT_OUT_OF]->(c:Core)
WHERE ($core_id IS NULL OR c.enterprise_id = $core_id)
  AND ($enterprise_id IS NULL OR m.enterprise_id = $enterprise_id)
"""
EXCLUDED = _EXCLUDED_MATCH + """
RETURN r.row_json AS json
ORDER BY c.enterprise_id, r.tier, r.direction, r.amount DESC, m.enterprise_id
SKIP $skip LIMIT $limit
"""
COUNT_EXCLUDED = _EXCLUDED_MATCH + "RETURN count(r) AS n"

LEAKAGE = "MATCH (c:Core {enterprise_id: $core_id}) RETURN c.leakage_json AS json"
LEAKAGE_TOP = """
MATCH (c:Core {enterprise_id: $core_id})-[r:LEAKS_TO]->(e:Enterprise)
RETURN r.row_json AS json
ORDER BY r.direction, r.rank, e.enterprise_id
"""

_ALERT_MATCH = """
MATCH (a:Alert)
WHERE ($core_id IS NULL OR a.core_id = $core_id) AND ($kinds IS NULL OR a.kind IN $kinds)
OPTIONAL MATCH (m:Enterprise {enterprise_id: a.enterprise_id})
OPTIONAL MATCH (c:Enterprise {enterprise_id: a.core_id})
WITH a, m, c WHERE TRUE
""" + _SCOPE
ALERTS = _ALERT_MATCH + """
RETURN a.row_json AS json
ORDER BY CASE a.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, a.core_id, a.kind,
         a.enterprise_id
SKIP $skip LIMIT $limit
"""
COUNT_ALERTS = _ALERT_MATCH + "RETURN count(a) AS n"

COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""

# -- Graph Data Science (OpenGDS): the same centralities computed inside the database ----------------
GDS_DROP = "CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName"
# The ties the core score runs over (``r.trading``, set by the analysis), every enterprise a node:
# GDS then computes the same centralities as ChainSight. ``$reverse`` turns payer → payee around.
GDS_PROJECT = """
MATCH (source:Enterprise)
OPTIONAL MATCH (source)-[r:PAYS]->(target:Enterprise)
WHERE r.trading = true AND NOT $reverse
OPTIONAL MATCH (source)<-[q:PAYS]-(other:Enterprise)
WHERE q.trading = true AND $reverse
WITH source, CASE WHEN $reverse THEN other ELSE target END AS target,
     CASE WHEN $reverse THEN q.amount ELSE r.amount END AS amount
WITH gds.graph.project($graph, source, target,
       {relationshipProperties: CASE WHEN target IS NULL THEN null ELSE {amount: amount} END}) AS g
RETURN g.nodeCount AS nodeCount, g.relationshipCount AS relationshipCount
"""
GDS_PAGERANK = """
CALL gds.pageRank.stream($graph, {relationshipWeightProperty: 'amount', dampingFactor: $alpha,
                                  maxIterations: 1000, tolerance: $tol})
YIELD nodeId, score
RETURN gds.util.asNode(nodeId).enterprise_id AS enterprise_id, score
ORDER BY enterprise_id
"""
GDS_DEGREE = """
CALL gds.degree.stream($graph)
YIELD nodeId, score
RETURN gds.util.asNode(nodeId).enterprise_id AS enterprise_id, score
ORDER BY enterprise_id
"""
GDS_WRITE_BACK = """
UNWIND $rows AS row
MATCH (e:Enterprise {enterprise_id: row.enterprise_id})
SET e.gds_pagerank = row.pagerank, e.gds_pagerank_rev = row.pagerank_rev
"""
