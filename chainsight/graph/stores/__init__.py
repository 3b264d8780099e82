"""The graph stores: one protocol (:mod:`.protocol`), two implementations.

``LocalStore`` (:mod:`.local`) keeps the published analysis in the embedded DuckDB file; ``Neo4jStore``
(:mod:`.neo4j_store`) in a real Neo4j server over Bolt, with every Cypher statement in :mod:`.cypher`.
Nothing here imports an algorithm or the orchestrator: reading a prospect list loads no scipy.
"""
