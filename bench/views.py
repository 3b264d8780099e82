"""Chain views: Python render time and time until drawn and stable in headless Chromium, ours vs stock pyvis.

For chains of 50, 500 and 2,000 members (synthetic, seeded: half suppliers, half customers, 60 % tier 1,
each tier-2 firm tied to one tier-1 firm, a few ties between members), the same graph is drawn twice in
the same run and the same browser (Debian's chromium-headless-shell):

* **ours** — ``chainsight.views.render_chain`` (positions from Python, physics off; a 2,000-member chain
  folds past 150 a side, and is also measured unfolded);
* **stock** — pyvis 0.3.2's own output of the same nodes and edges (``Network.add_node/add_edge``,
  ``generate_html``, vis-network inlined with ``cdn_resources="in_line"``, default physics). Its
  Bootstrap requests go to a CDN: here they are answered empty (and counted), so that it can run offline.

"drawn" is the first frame (``afterDrawing``); "stable" is drawn for ours (nothing moves), and the
``stabilized`` event for stock — waited for at most ``--cap`` seconds ("> cap" when it never settles).
For ours on the unfolded 2,000 it also times a click on a node until its evidence panel is filled, and
the redraw a hover costs.

Run: ``.venv/bin/python bench/views.py [--cap 30]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table  # noqa: E402

from chainsight.graph.stores.protocol import Chain  # noqa: E402
from chainsight.views import render_chain  # noqa: E402

CHROMIUM = os.environ.get("CHAINSIGHT_CHROMIUM", "/usr/bin/chromium-headless-shell")
KINDS = ("deepen", "acquire", "credit_team", "existing")
WORDS = "华信达通宏泰恒丰盛隆嘉瑞永新东方金源鑫德利远航科创精工材料电子机械化工纺织包装物流贸易"
# Stock pyvis: catch the instance its template assigns to the global `network`, and time its events.
HOOK = """
(() => {
  let net = null;
  window.__t = {};
  Object.defineProperty(window, "network", {configurable: true, get: () => net, set: (v) => {
    net = v;
    window.__t.constructed = performance.now();
    v.once("afterDrawing", () => { window.__t.drawn = performance.now(); });
    v.on("stabilized", () => { if (!window.__t.stable) { window.__t.stable = performance.now(); } });
  }});
})();
"""


def synthetic_chain(n: int, seed: int = 11) -> tuple[Chain, pd.DataFrame]:
    """A core and ``n`` members with ties and prospect rows, the same for both renderers."""
    rng = np.random.default_rng(seed + n)
    ids = [f"M{i:05d}" for i in range(n)]
    names = ["".join(rng.choice(list(WORDS), 4)) + ("有限公司" if i % 3 else "科技股份有限公司") for i in range(n)]
    direction = np.where(np.arange(n) % 2 == 0, "up", "down")
    tier = np.where(rng.random(n) < 0.6, 1, 2)
    tier[:2] = 1
    amount = np.round(rng.lognormal(13, 1.2, n), 2)
    via = []
    for i in range(n):
        same = [j for j in range(min(i, 400)) if tier[j] == 1 and direction[j] == direction[i]]
        via.append("K" if tier[i] == 1 or not same else ids[int(rng.choice(same))])
    tier = np.where(np.array(via) == "K", 1, 2)
    members = pd.DataFrame({"core_id": "K", "enterprise_id": ids, "name": names, "direction": direction,
                            "tier": tier, "via_id": via, "amount": amount, "count": rng.integers(3, 40, n),
                            "active_months": rng.integers(3, 13, n), "share_of_core": rng.random(n) / 20,
                            "dependency": rng.random(n), "is_customer": rng.random(n) < 0.5,
                            "eligible": rng.random(n) < 0.3})
    pay = [("K", m) if d == "up" else (m, "K") for m, d, v in zip(ids, direction, via) if v == "K"]
    pay += [(v, m) if d == "up" else (m, v) for m, d, v in zip(ids, direction, via) if v != "K"]
    extra = rng.integers(0, n, (n // 5, 2))  # ties between members, beyond the tree
    pay += [(ids[a], ids[b]) for a, b in extra if a != b]
    pay = list(dict.fromkeys(pay))
    edges = pd.DataFrame(pay, columns=["payer_id", "payee_id"]).assign(
        amount=rng.lognormal(13, 1, len(pay)), count=6, active_months=6)
    prospects = pd.DataFrame({"core_id": "K", "enterprise_id": ids, "score": rng.random(n),
                              "kind": rng.choice(KINDS, n), "rank": np.arange(1, n + 1)})
    return Chain({"enterprise_id": "K", "name": "苏州核心制造有限公司"}, members, edges), prospects


def stock_html(chain: Chain) -> str:
    """pyvis's own page for the same graph: default options, vis-network inlined."""
    from pyvis.network import Network

    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line")
    net.add_node(chain.core["enterprise_id"], label=chain.core["name"], title=chain.core["name"])
    for row in chain.members.itertuples():
        net.add_node(row.enterprise_id, label=row.name, title=row.name, value=float(row.amount))
    for row in chain.edges.itertuples():
        net.add_edge(row.payer_id, row.payee_id, value=float(row.amount), title=f"{row.amount:,.0f}")
    return str(net.generate_html())


def best_of(f: Any, times: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(times):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best * 1000, out


def wait_js(page: Any, expression: str, timeout: float) -> bool:
    """Poll ``expression`` until truthy (page.evaluate, which the views' CSP allows; Playwright's
    wait_for_function re-evaluates with eval, which it refuses); False after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if page.evaluate(expression):
            return True
        time.sleep(0.02)
    return False


def open_page(browser: Any, html: str, hook: bool) -> tuple[Any, list[str]]:
    """Open ``html`` from a file, as a manager opens what ``chainsight view`` wrote; every other request
    is counted and answered empty (a CDN answering nothing: stock pyvis still runs)."""
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    outside: list[str] = []
    fd, name = tempfile.mkstemp(suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(html)
    url = Path(name).as_uri()

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.fulfill(status=200, body="")

    page.route("**/*", route)
    if hook:
        page.add_init_script(HOOK)
    page.goto(url, wait_until="commit")  # stock pyvis may hold "load" back while its physics runs
    page.once("close", lambda _page: os.unlink(name))
    return page, outside


def ours_in_browser(browser: Any, html: str, interact: bool) -> dict[str, Any]:
    page, outside = open_page(browser, html, hook=False)
    if not wait_js(page, "window.chainView && window.chainView.ready", 120):
        raise RuntimeError("our view was not drawn within 120 s")
    out: dict[str, Any] = {"drawn": page.evaluate("chainView.drawnAt"), "outside": len(outside),
                           "nodes": page.evaluate("chainView.nodes.length")}
    out["stable"] = out["drawn"]
    if interact:
        page.evaluate("chainView.network.fit({animation: false})")
        box = page.locator("#cs-network").bounding_box()
        node = page.evaluate("chainView.data.nodes[chainView.data.nodes.length - 1].id")
        at = page.evaluate("id => { const n = chainView.network; return n.canvasToDOM(n.getPositions([id])[id]); }",
                           node)
        page.evaluate("document.getElementById('cs-network').addEventListener('pointerdown', "
                      "() => { window.__down = performance.now(); }, true)")
        page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
        wait_js(page, f"chainView.shown === {node!r}", 30)
        out["click"] = page.evaluate("chainView.shownAt - window.__down")
        page.mouse.move(box["x"] + at["x"], box["y"] + at["y"] + 1)
        out["redraw"] = page.evaluate("() => { const t = performance.now(); for (let i = 0; i < 5; i++) "
                                      "{ chainView.network.redraw(); } return (performance.now() - t) / 5; }")
    page.close()
    return out


def stock_in_browser(browser: Any, html: str, cap: float) -> dict[str, Any]:
    """Stock pyvis's first frame and its ``stabilized`` event, each None when not within ``cap`` seconds."""
    page, outside = open_page(browser, html, hook=True)
    wait_js(page, "window.__t && window.__t.stable", cap)
    t = page.evaluate("window.__t || {}")
    page.close()
    return {"drawn": t.get("drawn"), "stable": t.get("stable"), "outside": len(outside)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--cap", type=float, default=30.0, help="seconds to wait for stock to settle")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()
    rows: list[list[object]] = []
    notes: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        for n in args.sizes:
            chain, prospects = synthetic_chain(n)
            variants = [("ours", 150)] + ([("ours, unfolded", 10**9)] if n > 300 else [])
            stock_ms, stock = best_of(lambda: stock_html(chain))
            s = stock_in_browser(browser, stock, args.cap)
            s_stable = s["stable"] if s["stable"] is not None else None
            for label, cap in variants:
                py_ms, html = best_of(lambda: render_chain(chain, prospects, max_per_side=cap))
                o = ours_in_browser(browser, html, interact=(n == max(args.sizes) and cap > n))
                ratio = (f"{s_stable / o['stable']:.1f}×" if s_stable else f"> {args.cap * 1000 / o['stable']:.0f}×")
                rows.append([f"{n:,} members", label, f"{o['nodes']:,}", f"{py_ms:,.0f}", f"{o['drawn']:,.0f}",
                             f"{o['stable']:,.0f}", o["outside"], ratio])
                if "click" in o:
                    notes.append(f"{n:,} unfolded: click → evidence {o['click']:.0f} ms, one redraw (hover) "
                                 f"{o['redraw']:.0f} ms")
            stable = f"{s_stable:,.0f}" if s_stable else f"> {args.cap * 1000:,.0f}"
            drawn = f"{s['drawn']:,.0f}" if s["drawn"] else f"> {args.cap * 1000:,.0f}"
            rows.append([f"{n:,} members", "stock pyvis", f"{n + 1:,}", f"{stock_ms:,.0f}", drawn,
                         stable, s["outside"], "1.0×"])
        browser.close()
    print_table(f"Chain views in headless Chromium (ms; load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})",
                ["chain", "renderer", "nodes drawn", "Python render", "drawn", "stable", "outside requests",
                 "stock stable ÷ ours"], rows)
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
