"""Fixtures of the view tests: the golden "1+N" chain published to a store, and a page of the shared
headless browser (``browser`` in tests/conftest.py) showing one view document."""

from __future__ import annotations

import importlib.util
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chainsight.graph.result import Analysis
from chainsight.graph.stores.local import LocalStore

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PAGE = "http://chainsight.invalid/chain.html"


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


class Visit:
    """A page showing one document, with its outside requests and dialogs counted."""

    def __init__(self, page: Any, html: str) -> None:
        self.page, self.external, self.dialogs, self.errors = page, [], [], []

        def route(r: Any) -> None:
            if r.request.url == PAGE:
                r.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                self.external.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(PAGE)
        # Polled with evaluate: Playwright's wait_for_function polls with eval, which the page's CSP refuses.
        end = time.monotonic() + 30
        while not page.evaluate("Boolean(window.chainView && window.chainView.ready)"):
            assert time.monotonic() < end, "the view was not drawn within 30 s"
            time.sleep(0.02)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def clipped_headings(self) -> list[str]:
        """The column headings whose text reaches past the edge of the drawing as it is shown."""
        return self.js("""() => {
            const v = chainView, c = document.createElement('canvas').getContext('2d');
            const box = document.querySelector('#cs-network');
            c.font = v.headingFont;
            return v.data.headings.filter(h => {
                const w = c.measureText(h.text).width;
                const a = v.network.canvasToDOM({x: h.x - w / 2, y: h.y - 16});
                const b = v.network.canvasToDOM({x: h.x + w / 2, y: h.y});
                return a.x < 0 || a.y < 0 || b.x > box.clientWidth || b.y > box.clientHeight;
            }).map(h => h.text);
        }""")

    def at_node(self, node_id: str) -> tuple[float, float]:
        """Where on the page the node is drawn."""
        box = self.page.locator("#cs-network").bounding_box()
        at = self.js("id => { const n = chainView.network; return n.canvasToDOM(n.getPositions([id])[id]); }", node_id)
        return box["x"] + at["x"], box["y"] + at["y"]

    def click_node(self, node_id: str) -> None:
        """A real mouse click where the node is drawn."""
        self.page.mouse.click(*self.at_node(node_id))

    def hover_node(self, node_id: str) -> None:
        """The pointer over the node, until its tooltip shows."""
        self.page.mouse.move(*self.at_node(node_id), steps=3)
        self.page.wait_for_selector(".vis-tooltip", state="visible", timeout=5_000)


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    pages = []

    def open_(html: str) -> Visit:
        page = browser.new_page(viewport={"width": 1400, "height": 860}, accept_downloads=True)
        pages.append(page)
        return Visit(page, html)

    yield open_
    for page in pages:
        page.close()
