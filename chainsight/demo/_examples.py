"""The tiny demo world that the synth modules' examples start from, built in one call.

Examples
--------
>>> t = tiny()
>>> len(t.accounts.number) > 0, bool((t.relations.payer != t.relations.payee).all())
(True, True)
"""

from __future__ import annotations

from typing import NamedTuple

from chainsight.demo._accounts import Accounts, build_accounts
from chainsight.demo._config import SCALES
from chainsight.demo._customers import Customers, build_customers
from chainsight.demo._relations import Relations, build_relations
from chainsight.demo._world import World, build_world


class Tiny(NamedTuple):
    """The inputs of ``build_events`` in its argument order: world, accounts, customers, relations."""

    world: World
    accounts: Accounts
    customers: Customers
    relations: Relations


def tiny(seed: int = 7) -> Tiny:
    """The ``tiny`` scale's world, accounts, customers and trade relationships for ``seed``."""
    world = build_world(SCALES["tiny"], seed)
    accounts = build_accounts(world, seed)
    return Tiny(world, accounts, build_customers(world, accounts, seed), build_relations(world, seed))
