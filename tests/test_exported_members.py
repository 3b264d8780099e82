"""The names ``import chainsight`` gives an analyst: pinned, so that adding or dropping one is a decision."""

from __future__ import annotations

import subprocess
import sys
import types

import chainsight

EXPORTED = [
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


def test_all_is_the_pinned_sorted_list() -> None:
    assert chainsight.__all__ == EXPORTED
    assert chainsight.__all__ == sorted(chainsight.__all__)


def test_every_exported_name_imports() -> None:
    namespace: dict[str, object] = {}
    exec("from chainsight import *", namespace)  # noqa: S102 - the star import is what is pinned
    assert sorted(k for k in namespace if k != "__builtins__") == EXPORTED
    for name in EXPORTED:
        assert getattr(chainsight, name).__module__.startswith("chainsight.")


def test_every_public_member_is_exported() -> None:
    # What a notebook sees with tab completion is either in __all__ or a subpackage.
    public = {name for name in dir(chainsight)
              if not name.startswith("_") and not isinstance(getattr(chainsight, name), types.ModuleType)}
    assert public == set(EXPORTED)


def test_reading_a_store_loads_no_algorithm() -> None:
    # The API and the views read published lists through the stores: that must not import scipy or
    # the orchestrator (which would load every algorithm) through the package root.
    code = ("import sys, chainsight.graph.stores.local, chainsight.graph.stores.neo4j_store; "
            "print(sorted(m for m in ('scipy', 'chainsight.graph.analysis', 'chainsight.graph.cores') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
