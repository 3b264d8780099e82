"""Write the later period: ``later/`` (a customer master as of :data:`._later.LATER_AS_OF` and its own
``chainsight.toml``, to ingest into a second staging database) and ``truth/later_conversions.csv``.

The later master is the bank's next extract: the same customers with their later deposits and products
(and the same published codes, flawed or not), one record each, then the newly acquired firms; the
accounts file is the analysed one plus one new account per acquired firm.

Examples
--------
>>> import tomllib
>>> tomllib.loads(later_manifest("demo"))["master"]["customers"]
'master/customers.csv'
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from chainsight.demo import _names as nm
from chainsight.demo._customers import Customers
from chainsight.demo._ids import account_numbers, uscc_codes
from chainsight.demo._later import LATER_AS_OF, Later
from chainsight.demo._master import ACCOUNT_COLUMNS, CUSTOMER_COLUMNS, row
from chainsight.demo._rng import stream
from chainsight.demo._text import plain
from chainsight.demo._world import World

_MANIFEST = '''\
# The later period of the demo bank "示范银行": only a customer master, half a year on.
# Ingest it into a second staging database and back-test the analysis of the first:
#   chainsight ingest later/chainsight.toml --db later.duckdb
#   chainsight backtest --db chainsight.duckdb --later later.duckdb
name = "{name} — later"
as_of = {as_of}
bank_names = ["示范银行"]
sources = []
profiles = {{}}

[master]
customers = "master/customers.csv"
accounts = "master/accounts.csv"
encoding = "auto"
'''


def later_manifest(name: str) -> str:
    """The later period's manifest for a demo bank called ``name``."""
    return _MANIFEST.format(name=name, as_of=LATER_AS_OF.isoformat())


def _write(path: Path, header: tuple[str, ...], rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([",".join(header), *rows]) + "\r\n").encode("utf-8-sig"))


def write_later(out: Path, world: World, cust: Customers, later: Later, type_text: list[str],
                truth_keys: list[str], name: str, seed: int) -> None:
    """Write ``out/later/`` and ``out/truth/later_conversions.csv`` (``truth_keys``: per organisation)."""
    rng = stream(seed, "later-out")
    codes = world.branches.code
    rows = [row([cust.customer_id[i], type_text[i], cust.uscc[i], world.name[o], codes[cust.branch[i]],
                 cust.manager[i], plain(int(cust.credit_on[i])), plain(int(cust.credit_off[i])),
                 plain(int(cust.loan[i])), *(plain(int(c)) for c in later.deposits[i]), str(cust.ebanking[i]),
                 later.products[i], date.fromordinal(int(cust.opened[i])).isoformat()])
            for i, o in enumerate(cust.org.tolist())]
    new = later.acquired
    branch = rng.choice(len(codes), size=len(new), p=world.branches.weight / world.branches.weight.sum())
    heads = np.full(len(new), "91")
    region = np.array([nm.CITIES[c][1] for c in world.city[new]])
    uscc = [u if rng.random() >= 0.1 else "" for u in uscc_codes(rng, heads, region)]
    ids = [f"CIF1{k:09d}" for k in rng.choice(10_000_000, size=len(new), replace=False).tolist()]
    numbers = [account_numbers(rng, "39" + codes[b], 18, 1)[0] for b in branch.tolist()]
    managers = [world.branches.managers[b][int(rng.integers(0, len(world.branches.managers[b])))]
                for b in branch.tolist()]
    for k, o in enumerate(new.tolist()):
        opened = date.fromordinal(int(later.acquired_opened[k])).isoformat()
        rows.append(row([ids[k], "对公", uscc[k], world.name[o], codes[branch[k]], managers[k], "0.00", "0.00",
                         "0.00", plain(int(later.acquired_deposits[k])), "0.00", "0.00", "0.00", "0.00", "0", "",
                         opened]))
    folder = out / "later"
    _write(folder / "master/customers.csv", CUSTOMER_COLUMNS, rows)
    analysed = (out / "master/accounts.csv").read_bytes().decode("utf-8-sig").splitlines()[1:]
    opened_new = [date.fromordinal(int(d)).isoformat() for d in later.acquired_opened.tolist()]
    accounts = analysed + [row([n, c, codes[b], d, ""])
                           for n, c, b, d in zip(numbers, ids, branch.tolist(), opened_new)]
    _write(folder / "master/accounts.csv", ACCOUNT_COLUMNS, accounts)
    (folder / "chainsight.toml").write_text(later_manifest(name), encoding="utf-8")
    deepened = cust.org[later.deepened]
    truth = pd.DataFrame({
        "firm": [truth_keys[o] for o in [*new.tolist(), *deepened.tolist()]],
        "name": [world.name[o] for o in [*new.tolist(), *deepened.tolist()]],
        "kind": ["acquire"] * len(new) + ["deepen"] * len(deepened),
        "how": ["account_opened"] * len(new) + later.how,
        "customer_id": ids + [cust.customer_id[i] for i in later.deepened.tolist()],
    }).sort_values(["kind", "firm"], ignore_index=True)
    truth.to_csv(out / "truth/later_conversions.csv", index=False, lineterminator="\n", encoding="utf-8")
