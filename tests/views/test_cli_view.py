"""``chainsight view`` writes the chain document; a wrong core or folder is one line, not a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

from typer.testing import CliRunner

from chainsight.cli import app

runner = CliRunner()


def test_view_writes_the_top_core(golden_db: Path, tmp_path: Path, expected: ModuleType) -> None:
    out = tmp_path / "chain.html"
    result = runner.invoke(app, ["view", "--db", str(golden_db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote the chain of {expected.CORE} ({len(expected.MEMBERS)} members" in result.output
    block = re.search(r'id="cs-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S)
    assert block is not None
    names = {n["name"] for n in json.loads(block.group(1))["nodes"]}
    assert names == {expected.CORE} | {m[0] for m in expected.MEMBERS}


def test_view_refuses_an_unknown_core_and_folder(golden_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["view", "--db", str(golden_db), "--core", "nobody", "--out",
                                 str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "nobody is not an analysed core" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.html").exists()
    result = runner.invoke(app, ["view", "--db", str(golden_db), "--out", str(tmp_path / "no" / "x.html")])
    assert result.exit_code == 2 and "--out" in result.output
