"""How fast the managers' pages are in a real browser: ``chainsight serve`` in one process, headless Chromium here.

Over an analysed demo bank (the medium one by default, built in ``--folder`` when missing), signed in as a
manager of the top core's branch, each run in a fresh browser context (no cache, a live session cookie):

* baseline — ``/health`` opened as a page (one round trip through the same server and browser);
* start page rendered — ``/`` parsed and styled (DOMContentLoaded) with the core table on screen;
* the start page's overview drawn — the same, until the overview view in its iframe is drawn;
* top core's chain drawn — ``/cores/<top core>`` until the chain view in its iframe says it is drawn
  (``chainView.ready``) and its canvas has ink.

The first visit since the server started (views and answers are remembered per published analysis and
access, so this is what the first manager after a new analysis waits), then the median and p90 of
``--runs`` more runs, with the ratio to the baseline's median. Goal of issue #14: under 1.5 s each.

    .venv/bin/python bench/pages.py                          # medium bank in /tmp/chainsight-bench-pages
    .venv/bin/python bench/pages.py --folder /tmp/bank --runs 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table  # noqa: E402

CHROMIUM = os.environ.get("CHAINSIGHT_CHROMIUM", "/usr/bin/chromium-headless-shell")
PASSWORD = "bench pages password"
GOAL_MS = 1500
#: The chain view in the page's iframe: drawn (its own signal) and its canvas inked.
DRAWN = """() => { if (!(window.chainView && window.chainView.ready)) return false;
  const c = document.querySelector('#cs-network canvas'); if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }"""



def build(folder: Path, scale: str, seed: int) -> Path:
    """The demo bank of ``scale`` generated, ingested and analysed in ``folder`` (kept for the next run)."""
    cli = [sys.executable, "-m", "chainsight"]
    db = folder / "bank.duckdb"
    if not (folder / "data" / "chainsight.toml").exists():
        subprocess.run([*cli, "synth", "--out", str(folder / "data"), "--scale", scale, "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
    if not db.exists():
        subprocess.run([*cli, "ingest", str(folder / "data" / "chainsight.toml"), "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)
    if not (folder / "bank.duckdb.analysis" / "CURRENT").exists():
        subprocess.run([*cli, "analyze", "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
    return db


def session(db: Path) -> tuple[str, str]:
    """The top core and a session token of a manager of its branch (the user is made once)."""
    import chainsight
    from chainsight.api.appdb import AppDB, default_url
    from chainsight.errors import ConfigError

    cs = chainsight.open(db)
    top = str(cs.cores().sort_values("rank")["enterprise_id"].iloc[0])
    branch = str(cs.enterprise(top)["branch"])
    with AppDB.open(default_url(db)) as appdb:
        try:
            appdb.add_user(f"bench-pages-{branch}", PASSWORD, "manager", [branch])
        except ConfigError:  # made by an earlier run
            pass
        token = appdb.sign_in(f"bench-pages-{branch}", PASSWORD, "127.0.0.1")
    assert token is not None
    return top, token


def _drawn(page: Any, timeout: float = 60) -> None:
    """Until the first view iframe of ``page`` is drawn (evaluated while it may still be navigating)."""
    from playwright.sync_api import Error

    frame = page.wait_for_selector("iframe.view", state="attached").content_frame()
    end = time.monotonic() + timeout
    while True:
        try:
            if frame.evaluate(DRAWN):
                return
        except Error:  # the frame was between documents
            pass
        if time.monotonic() > end:
            raise TimeoutError("the view was not drawn")
        time.sleep(0.01)


def health(page: Any, url: str) -> None:
    page.goto(f"{url}/health")
    assert '"status"' in page.content()


def start_page(page: Any, url: str) -> None:
    # DOMContentLoaded: parsed, its stylesheet applied (the deferred script waits for it); not the load
    # event, which also waits for the overview's iframe (measured on its own below)
    assert page.goto(f"{url}/", wait_until="domcontentloaded").status == 200
    page.wait_for_selector("#cores tbody tr", state="visible")


def overview_drawn(page: Any, url: str) -> None:
    start_page(page, url)
    _drawn(page)


def chain_drawn(core: str) -> Callable[[Any, str], None]:
    def run(page: Any, url: str) -> None:
        assert page.goto(f"{url}/cores/{core}").status == 200
        _drawn(page)
    return run


def timed(browser: Any, url: str, token: str, step: Callable[[Any, str], None], runs: int
          ) -> tuple[float, list[float]]:
    """Milliseconds of ``step``: the first visit (the warm-up: the server remembers nothing of it yet), then
    ``runs`` more, each in a fresh context; outside requests refused."""
    first = 0.0
    times = []
    for n in range(runs + 1):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_cookies([{"name": "chainsight_session", "value": token, "url": url}])
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url + "/") else r.abort())
        page = context.new_page()
        t = time.perf_counter()
        step(page, url)
        elapsed = (time.perf_counter() - t) * 1000
        if n:
            times.append(elapsed)
        else:
            first = elapsed
        context.close()
    return first, times


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, default=Path("/tmp/chainsight-bench-pages"))
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.folder.mkdir(parents=True, exist_ok=True)
    db = build(args.folder, args.scale, args.seed)
    top, token = session(db)
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "chainsight", "serve", "--db", str(db), "--port",
                               str(args.port)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            measures = [("/health as a page (baseline)", health), ("start page rendered", start_page),
                        ("start page's overview drawn", overview_drawn), ("top core's chain drawn", chain_drawn(top))]
            results = [(name, timed(browser, url, token, step, args.runs)) for name, step in measures]
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    base = statistics.median(results[0][1][1])
    rows = [[name, f"{first:.0f}", len(t), f"{statistics.median(t):.0f}", f"{_p90(t):.0f}",
             f"{statistics.median(t) / base:.1f}", "" if i == 0 else ("met" if _p90(t) < GOAL_MS else "NOT met")]
            for i, (name, (first, t)) in enumerate(results)]
    print_table(f"Pages in headless Chromium — {args.scale} bank, top core {top}, load "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
                ["measure", "first visit ms", "runs", "median ms", "p90 ms", "× baseline",
                 f"goal < {GOAL_MS} ms (p90)"], rows)


if __name__ == "__main__":
    main()
