"""Fixtures of the view tests: the golden "1+N" chain published to a store, and a real headless browser.

The browser is Debian's ``chromium-headless-shell`` driven by Playwright. Without it the browser tests
skip — unless ``CHAINSIGHT_REQUIRE_BROWSER`` is set (``tools/test`` sets it), and then they fail.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore

CHROMIUM = Path(os.environ.get("CHAINSIGHT_CHROMIUM", "/usr/bin/chromium-headless-shell"))
GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="session")
def expected() -> ModuleType:
    """The golden extract's hand-worked answers (tests/golden/expected.py)."""
    spec = importlib.util.spec_from_file_location("golden_expected_views", GOLDEN / "expected.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def golden_db(golden_bank: Path, golden_analysis: Analysis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the golden staging database with its analysis published (the original stays shared)."""
    db = tmp_path_factory.mktemp("views-golden") / "chainsight.duckdb"
    shutil.copyfile(golden_bank, db)
    wal = golden_bank.with_name(golden_bank.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, db.with_name(db.name + ".wal"))
    store = LocalStore(db)
    store.publish(golden_analysis)
    store.close()
    return db


@pytest.fixture
def golden_store(golden_db: Path) -> Iterator[LocalStore]:
    store = LocalStore(golden_db)
    yield store
    store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright); skipped when absent unless CHAINSIGHT_REQUIRE_BROWSER is set."""
    required = bool(os.environ.get("CHAINSIGHT_REQUIRE_BROWSER"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        if required:
            pytest.fail("CHAINSIGHT_REQUIRE_BROWSER is set but playwright is not installed")
        pytest.skip("playwright is not installed")
    if not CHROMIUM.is_file():
        if required:
            pytest.fail(f"CHAINSIGHT_REQUIRE_BROWSER is set but {CHROMIUM} is missing: run tools/browser-deps")
        pytest.skip(f"no browser at {CHROMIUM} (tools/browser-deps installs it)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()
