"""A USCC-only extract: rows that give a counterparty's code and account but no name.

Hand-made parties (one per distinct account and name, as ``resolve_parties`` passes them); which firm
each is follows from the rows: a name seen on an account that only that code's rows use is that firm,
whether or not those rows named it — unless it is a person's name.
"""

from __future__ import annotations

import pandas as pd
from stdnum.cn import uscc

from chainsight.ingest.links import link_parties

U = "91320500MA1X00001" + uscc.calc_check_digit("91320500MA1X00001")
V = "91320400MA1Y00002" + uscc.calc_check_digit("91320400MA1Y00002")
NO_MASTER = pd.DataFrame(columns=["name_key", "enterprise_id", "customer_id"])


def _link(rows: list[tuple[str, str | None, str | None, int]]) -> dict[tuple[str, str | None], tuple]:
    pairs = pd.DataFrame(rows, columns=["account", "name", "uscc", "line"]).assign(ours=False, file_id=1)
    out = link_parties(pairs, NO_MASTER)
    return {(a, n if isinstance(n, str) else None): (i, r)
            for a, n, i, r in zip(pairs["account"], pairs["name"], out["name_id"], out["rule"])}


def test_a_name_on_the_account_of_a_code_given_without_a_name_is_that_firm() -> None:
    got = _link([("6700", None, U, 2),                 # the payments extract: code and account only
                 ("6700", "东方精工有限公司", None, 3),  # a statement: the same account, by name
                 ("6700", "张伟", None, 4)])            # a person's name on it is not the firm
    assert got[("6700", None)] == (U, "uscc")
    assert got[("6700", "东方精工有限公司")] == (U, "same_account")
    assert got[("6700", "张伟")][0] != U


def test_a_blank_first_row_does_not_hide_the_name_a_later_row_gives() -> None:
    got = _link([("6800", None, V, 2), ("6800", "常州永盛化工有限公司", V, 3),
                 ("6800", "永盛化工", None, 4),          # its abbreviation: the firm
                 ("6800", "恒通电子有限公司", None, 5)])  # another firm's name: rows named the holder
    assert got[("6800", "永盛化工")] == (V, "same_account")
    assert got[("6800", "恒通电子有限公司")][0] != V
