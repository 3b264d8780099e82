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

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from chainsight._session import ChainSight, open
    from chainsight.config import Settings
    from chainsight.errors import ChainSightError
    from chainsight.graph.analysis import AnalysisConfig
    from chainsight.graph.prospects import ComponentWeights, ProspectScoring
    from chainsight.graph.stores.protocol import GraphStore, ProspectFilter

# Loaded on first use (PEP 562): ``import chainsight.graph.stores.local`` — what a server reading a
# prospect list does — must not pull in scipy and every algorithm through this file.
_HOME = {
    "AnalysisConfig": "chainsight.graph.analysis",
    "ChainSight": "chainsight._session",
    "ChainSightError": "chainsight.errors",
    "ComponentWeights": "chainsight.graph.prospects",
    "GraphStore": "chainsight.graph.stores.protocol",
    "ProspectFilter": "chainsight.graph.stores.protocol",
    "ProspectScoring": "chainsight.graph.prospects",
    "Settings": "chainsight.config",
    "open": "chainsight._session",
}

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


def __getattr__(name: str) -> _typing.Any:
    if name not in _HOME:
        raise AttributeError(f"module 'chainsight' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
