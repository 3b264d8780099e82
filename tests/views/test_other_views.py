"""The overview of all cores, an enterprise's neighbourhood, ``cs.view`` and the CLI over real Neo4j."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from typer.testing import CliRunner

import chainsight
from chainsight.cli import app
from chainsight.errors import ConfigError
from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore
from chainsight.graph.stores.neo4j_store import Neo4jStore
from chainsight.graph.stores.protocol import Chain
from chainsight.views import neighbourhood_page, render_overview
from tests.conftest import neo4j_settings_or_skip

runner = CliRunner()


def _data(document: str) -> dict:
    block = re.search(r'id="cs-data">(.*?)</script>', document, re.S)
    assert block is not None
    return json.loads(block.group(1))


def _chain(core: str, members: list[str]) -> Chain:
    frame = pd.DataFrame({"core_id": core, "enterprise_id": members, "name": [f"{m}有限公司" for m in members],
                          "direction": "up", "tier": 1, "via_id": core, "amount": 1e5, "count": 3,
                          "active_months": 3})
    return Chain({"enterprise_id": core}, frame, pd.DataFrame(columns=["payer_id", "payee_id", "amount", "count",
                                                                       "active_months"]))


def test_overview_links_chains_by_their_shared_members() -> None:
    cores = pd.DataFrame({"enterprise_id": ["A", "B", "C", "D"], "name": ["甲核心", "乙核心", "丙核心", "丁核心"],
                          "rank": [1, 2, 3, 4], "score": [0.9, 0.8, 0.7, 0.6], "position": [0.5, -0.2, 0.1, 0.0]})
    chains = {"A": _chain("A", ["x", "y", "z"]), "B": _chain("B", ["x", "y", "C"]), "C": _chain("C", ["z"]),
              "D": _chain("D", ["w"])}
    data = _data(render_overview(cores, chains))
    # A–B share x and y; B holds the core C in its chain; A–C share z; D shares nothing
    links = {frozenset((e["from"], e["to"])): e for e in data["edges"]}
    assert set(links) == {frozenset("AB"), frozenset("BC"), frozenset("AC")}
    assert links[frozenset("AB")]["width"] > links[frozenset("AC")]["width"]
    assert "x有限公司、y有限公司" in data["strings"][links[frozenset("AB")]["tip"][1]]
    x = {n["id"]: n["x"] for n in data["nodes"]}
    assert x["A"] < x["C"] < x["D"] < x["B"]  # upstream (higher flow position) left


def test_neighbourhood_of_a_supplier(golden_store: LocalStore, expected: ModuleType) -> None:
    ids = golden_store.chain(str(golden_store.cores().data["enterprise_id"].iloc[0])).members
    firm = str(ids.loc[ids["name"] == "苏州甲材料有限公司", "enterprise_id"].iloc[0])
    data = _data(neighbourhood_page(golden_store, firm))
    names = {n["name"]: n for n in data["nodes"]}
    # 甲材料 is paid by the core and pays 子矿业 every month (expected.py): two ties, two counterparties
    assert set(names) == {"苏州甲材料有限公司", expected.CORE, "苏州子矿业有限公司"}
    assert names["苏州子矿业有限公司"]["x"] < 0 and names[expected.CORE]["kind"] == "core"
    assert len(data["edges"]) == 2
    assert any("60万元" in data["strings"][value] for _, value in names["苏州甲材料有限公司"]["ev"])


def test_cs_view_is_an_escaped_iframe(golden_db: Path, expected: ModuleType) -> None:
    with chainsight.open(golden_db) as cs:
        core_id = str(cs.cores()["enterprise_id"].iloc[0])
        shown = cs.view(core_id, height=500)
    assert shown.data.startswith("<div><iframe srcdoc=") and "<script" not in shown.data and "500px" in shown.data
    document = html.unescape(re.search(r'srcdoc="(.*?)"', shown.data, re.S).group(1))
    assert {n["name"] for n in _data(document)["nodes"]} == {expected.CORE} | {m[0] for m in expected.MEMBERS}


def test_cs_view_without_ipython_says_what_to_install(golden_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython.display", None)  # what an environment without IPython raises
    with chainsight.open(golden_db) as cs:
        core_id = str(cs.cores()["enterprise_id"].iloc[0])
        with pytest.raises(ConfigError, match=r"needs IPython \(pip install ipython\)"):
            cs.view(core_id)


def test_cli_overview_and_enterprise(golden_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["view", "--db", str(golden_db), "--overview", "--out", str(tmp_path / "o.html")])
    assert result.exit_code == 0, result.output
    assert _data((tmp_path / "o.html").read_text(encoding="utf-8"))["view"] == "overview"
    result = runner.invoke(app, ["view", "--db", str(golden_db), "--overview", "--core", "x", "--out",
                                 str(tmp_path / "o.html")])
    assert result.exit_code == 2 and "give one of" in result.output
    result = runner.invoke(app, ["view", "--db", str(golden_db), "--enterprise", "nobody", "--out",
                                 str(tmp_path / "e.html")])
    assert result.exit_code == 1 and "no enterprise nobody" in result.output


@pytest.mark.integration
def test_cli_view_from_neo4j_draws_what_the_local_store_draws(golden_db: Path, golden_analysis: Analysis,
                                                               tmp_path: Path) -> None:
    store = Neo4jStore(neo4j_settings_or_skip())
    try:
        store.publish(golden_analysis)
    finally:
        store.close()
    for name in ("local", "neo4j"):
        result = runner.invoke(app, ["view", "--db", str(golden_db), "--store", name, "--out",
                                     str(tmp_path / f"{name}.html")])
        assert result.exit_code == 0, result.output
    local, neo4j = (_data((tmp_path / f"{n}.html").read_text(encoding="utf-8")) for n in ("local", "neo4j"))
    assert local["nodes"] == neo4j["nodes"] and local["edges"] == neo4j["edges"]
