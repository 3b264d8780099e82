"""``identify_by``: a last resort per party column; names still identify who has one.

Every expected owner and fate below is written down by hand from the rows of the test.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chainsight.errors import ConfigError
from chainsight.ingest.manifest import load_manifest
from chainsight.ingest.pipeline import ingest
from tests.ingest.test_currency import MANIFEST

#: Payers P1 and P2 are one firm under two spellings; P3 is a payer without a name; X8, X9 bare payees.
PAYMENTS = ["from,payer,to,amount,date", "P1,甲机械有限公司,X9,100,2024-01-05",
            "P2,甲机械有限责任公司,X8,50,2024-01-06", "P3,,X9,70,2024-01-07"]


def _payments(tmp_path: Path, identify_by: str) -> tuple[dict[str, str | None], dict[int, str]]:
    """Each account's (or name's) owner and each line's fate after ingesting ``PAYMENTS``."""
    (tmp_path / "pay.csv").write_text("\n".join(PAYMENTS) + "\n", encoding="utf-8")
    text = MANIFEST.format(top="", profile="", columns='payer_name = "payer"')
    text = text.replace('identify_by = ["uscc", "name", "account"]', identify_by)
    (tmp_path / "chainsight.toml").write_text(text, encoding="utf-8")
    assert ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb").ok
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        ids = dict(con.execute("SELECT coalesce(account, name), party_id FROM parties").fetchall())
        fates = dict(con.execute("SELECT line, coalesce(reason, status) FROM transactions").fetchall())
    finally:
        con.close()
    return ids, fates


def test_named_payers_stay_firms_by_name_while_bare_payee_accounts_become_firms(tmp_path: Path) -> None:
    ids, fates = _payments(tmp_path, 'identify_by = ["uscc", "name", "account"]')
    # 甲机械's two accounts and two spellings are one firm by its name key, not two account-firms;
    # the bare payee accounts (and, with the list form, the nameless payer P3) are firms of their own.
    assert ids["P1"] == ids["P2"] and not str(ids["P1"]).startswith("A-")
    assert [str(ids[a]).startswith("A-") for a in ("X9", "X8", "P3")] == [True, True, True]
    assert len({ids["X9"], ids["X8"], ids["P3"]}) == 3
    assert fates == {2: "loaded", 3: "loaded", 4: "loaded"}


def test_only_the_payee_column_falls_back_to_accounts(tmp_path: Path) -> None:
    ids, fates = _payments(tmp_path, 'identify_by = { payee = ["uscc", "name", "account"] }')
    assert ids["P1"] == ids["P2"] and not str(ids["P1"]).startswith("A-")
    assert str(ids["X9"]).startswith("A-") and str(ids["X8"]).startswith("A-") and ids["X9"] != ids["X8"]
    # P3 is a payer: its column is identified by USCC and name only, so its row cannot be told.
    assert ids["P3"] is None
    assert fates == {2: "loaded", 3: "loaded", 4: "unresolved_party"}


def test_only_the_payer_column_falls_back_to_accounts(tmp_path: Path) -> None:
    ids, fates = _payments(tmp_path, 'identify_by = { payer = ["uscc", "name", "account"] }')
    assert str(ids["P3"]).startswith("A-") and ids["X9"] is None and ids["X8"] is None
    assert fates == {2: "unresolved_party", 3: "unresolved_party", 4: "unresolved_party"}


STATEMENT = """
[[sources]]
path = "stmt.csv"
profile = "s"
[profiles.s]
layout = "statement"
{identify_by}
[profiles.s.columns]
own_account = "acct"
own_name = "holder"
date = "date"
amount = "amount"
direction = "dc"
counterparty_account = "cp"
"""


def _statement(tmp_path: Path, identify_by: str) -> tuple[dict[str, str | None], dict[int, str]]:
    """A statement of 乙贸易 (our side named) with counterparties known by account only, money both ways."""
    rows = ["acct,holder,date,amount,dc,cp", "O1,乙贸易有限公司,2024-02-01,10,D,C7",
            "O1,乙贸易有限公司,2024-02-02,20,C,C8", "O2,,2024-02-03,30,D,C7"]
    (tmp_path / "stmt.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "chainsight.toml").write_text(STATEMENT.format(identify_by=identify_by), encoding="utf-8")
    assert ingest(tmp_path / "chainsight.toml", tmp_path / "s.duckdb").ok
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        ids = dict(con.execute("SELECT coalesce(account, name), party_id FROM parties").fetchall())
        fates = dict(con.execute("SELECT line, coalesce(reason, status) FROM transactions").fetchall())
    finally:
        con.close()
    return ids, fates


def test_a_statements_counterparty_column_alone_falls_back_to_accounts(tmp_path: Path) -> None:
    ids, fates = _statement(tmp_path, 'identify_by = { counterparty = ["uscc", "name", "account"] }')
    # C7 is paid (our side is payer), C8 pays (our side is payee): both are counterparties.
    assert str(ids["C7"]).startswith("A-") and str(ids["C8"]).startswith("A-")
    # the own account O2 has no name and its column does not fall back to the account
    assert ids["O1"] is not None and not str(ids["O1"]).startswith("A-") and ids["O2"] is None
    assert fates == {2: "loaded", 3: "loaded", 4: "unresolved_party"}


def test_a_statements_own_column_alone_falls_back_to_accounts(tmp_path: Path) -> None:
    ids, fates = _statement(tmp_path, 'identify_by = { own = ["uscc", "name", "account"] }')
    assert str(ids["O2"]).startswith("A-") and ids["C7"] is None and ids["C8"] is None
    assert fates == {2: "unresolved_party", 3: "unresolved_party", 4: "unresolved_party"}


@pytest.mark.parametrize(("layout_text", "bad", "allowed"), [
    ("payments", "counterparty", "['payer', 'payee']"), ("statement", "payee", "['own', 'counterparty']")])
def test_an_unknown_party_column_is_refused_naming_the_allowed_ones(tmp_path: Path, layout_text: str, bad: str,
                                                                    allowed: str) -> None:
    if layout_text == "payments":
        text = MANIFEST.format(top="", profile="", columns="").replace(
            'identify_by = ["uscc", "name", "account"]', f'identify_by = {{ {bad} = ["uscc", "name", "account"] }}')
    else:
        text = STATEMENT.format(identify_by=f'identify_by = {{ {bad} = ["uscc", "name", "account"] }}')
    (tmp_path / "chainsight.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_manifest(tmp_path / "chainsight.toml")
    message = str(info.value)
    assert f"identify_by names ['{bad}'], not a party column of the {layout_text} layout" in message
    assert f"allowed: {allowed}" in message


def test_a_party_list_must_keep_uscc_and_name(tmp_path: Path) -> None:
    text = STATEMENT.format(identify_by='identify_by = { counterparty = ["account"] }')
    (tmp_path / "chainsight.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"identify_by\.counterparty lists each of \"uscc\", \"name\""):
        load_manifest(tmp_path / "chainsight.toml")
