"""The names ``import chainsight`` gives an analyst: pinned, so that adding or dropping one is a decision."""

from __future__ import annotations

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
    public = {name for name, value in vars(chainsight).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(EXPORTED)
