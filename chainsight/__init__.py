"""ChainSight: find the core enterprises of supply chains in a bank's payment flows and rank the
small no-loan firms around them ("1+N" chain marketing).

The handful of names an analyst needs in a notebook::

    import chainsight
    cs = chainsight.open("demo/chainsight.duckdb")
    cs.cores()                       # DataFrame, best first
    cs.chain(core_id, depth=2)       # networkx.DiGraph, edges payer -> payee
    cs.prospects(core_id)            # DataFrame with score, kind, segment, stage, products, reasons
    cs.analyze(chainsight.AnalysisConfig(prospects=chainsight.ProspectScoring(...)))  # re-tuned

Loading exports is ``chainsight ingest`` on the command line, or
``chainsight.ingest.pipeline.ingest(manifest, db)`` in Python.
"""

from chainsight._session import ChainSight, open
from chainsight.config import Settings
from chainsight.errors import ChainSightError
from chainsight.graph.analysis import AnalysisConfig
from chainsight.graph.prospects import ComponentWeights, ProspectScoring
from chainsight.graph.store import GraphStore, ProspectFilter

__all__ = [
    "AnalysisConfig",
    "ChainSight",
    "ChainSightError",
    "ComponentWeights",
    "GraphStore",
    "ProspectFilter",
    "ProspectScoring",
    "Settings",
    "open",
]
__version__ = "0.1.0"
