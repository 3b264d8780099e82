"""``identify_by = [..., "account"]`` is a last resort: per row side, names still identify who has one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from chainsight.ingest.pipeline import ingest
from tests.ingest.test_currency import MANIFEST


def test_named_payers_stay_firms_by_name_while_bare_payee_accounts_become_firms(tmp_path: Path) -> None:
    rows = ["from,payer,to,amount,date", "P1,甲机械有限公司,X9,100,2024-01-05", "P2,甲机械有限责任公司,X8,50,2024-01-06",
            "P3,,X9,70,2024-01-07"]
    (tmp_path / "pay.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(
        MANIFEST.format(top="", profile="", columns='payer_name = "payer"'), encoding="utf-8")
    assert ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb").ok
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    ids = dict(con.execute("SELECT coalesce(account, name), party_id FROM parties").fetchall())
    con.close()
    # 甲机械's two accounts and two spellings are one firm by its name key, not two account-firms;
    # the bare payee accounts (and the nameless payer P3) are firms of their own.
    assert ids["P1"] == ids["P2"] and not ids["P1"].startswith("A-")
    assert [ids[a].startswith("A-") for a in ("X9", "X8", "P3")] == [True, True, True]
    assert len({ids["X9"], ids["X8"], ids["P3"]}) == 3
