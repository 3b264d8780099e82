"""``chainsight demo`` ingests the demo's later period into ``<out>/later.duckdb`` and serves with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from chainsight.cli import _commands
from chainsight.cli._commands import app
from chainsight.ingest.snapshot import read_snapshot


def test_the_demo_serves_with_its_later_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(_commands, "serve", lambda **kwargs: served.update(kwargs))
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--scale", "tiny", "--port", "8123"])
    assert result.exit_code == 0, result.output
    later_db = tmp_path / "later.duckdb"
    assert served["later_db"] == later_db and served["db"] == tmp_path / "chainsight.duckdb"
    later = read_snapshot(later_db)
    customers = pd.read_csv(tmp_path / "data" / "later" / "master" / "customers.csv", dtype=str)
    assert later.as_of == "2025-06-30" and len(later.customers)
    assert set(later.customers["name"]) <= set(customers["name"])
    assert "later period ingested into" in result.output
