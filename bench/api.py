"""The API under load: ``chainsight serve`` in one process, this load generator in another.

Over an analysed demo bank (``--db``, local store by default): ``/health`` closed-loop as the
baseline of the same run; (a) open-loop arrivals at ``--rate`` requests/s mixing a prospects page
(50 rows, filters), the core list and one core's chain, as a manager (scoped) — p50, p99, max,
errors; (b) ``--clients`` closed-loop clients on the same mix: requests/s and p99; (c) an XLSX
export of 1,000 prospects: seconds. Server RSS before and after each.

    python bench/api.py --db demo/chainsight.duckdb --seconds 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

from chainsight.api.appdb import AppDB, default_url

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _mix(core: str) -> list[str]:
    return [f"/api/v1/cores/{core}/prospects?limit=50&tier=1&kind=deepen&kind=acquire",
            "/api/v1/cores?limit=50", f"/api/v1/cores/{core}/chain?depth=1"]


def closed_loop(url: str, key: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    times: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker(i: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            n = i
            while time.monotonic() < stop:
                t = time.perf_counter()
                ok = c.get(paths[n % len(paths)]).status_code == 200
                with lock:
                    times.append(time.perf_counter() - t)
                    errors[0] += not ok
                n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rps": len(times) / seconds, "p50": _pct(times, 0.5), "p99": _pct(times, 0.99),
            "max": max(times) * 1000, "errors": errors[0]}


def open_loop(url: str, key: str, paths: list[str], rate: float, seconds: float) -> dict[str, float]:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30,
                          limits=httpx.Limits(max_connections=200))

    def one(path: str) -> None:
        t = time.perf_counter()
        try:
            ok = client.get(path).status_code == 200
        except httpx.HTTPError:
            ok = False
        with lock:
            times.append(time.perf_counter() - t)
            errors[0] += not ok

    start = time.monotonic()
    threads = []
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        th = threading.Thread(target=one, args=(paths[n % len(paths)],))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    client.close()
    return {"rps": len(times) / seconds, "p50": _pct(times, 0.5), "p99": _pct(times, 0.99),
            "max": max(times) * 1000, "errors": errors[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--store", default="local")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with AppDB.open(default_url(args.db)) as appdb:
        manager = appdb.create_key("bench-manager", "manager", ["0101"])[1]
        analyst = appdb.create_key("bench-analyst", "analyst", [])[1]
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "chainsight", "serve", "--db", str(args.db), "--store",
                               args.store, "--port", str(args.port)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        proc = psutil.Process(server.pid)
        rss = lambda: proc.memory_info().rss / 2**20  # noqa: E731
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {manager}"}) as c:
            core = c.get("/api/v1/cores?limit=1").json()["data"][0]["enterprise_id"]
        rows = []
        for name, run in (
                ("/health, 10 closed-loop clients (baseline)", lambda: closed_loop(url, manager, ["/health"], 10,
                                                                                     args.seconds / 3)),
                (f"(a) open loop {args.rate:.0f} req/s, mix", lambda: open_loop(url, manager, _mix(core), args.rate,
                                                                                 args.seconds)),
                (f"(b) {args.clients} closed-loop clients, mix", lambda: closed_loop(url, manager, _mix(core),
                                                                                    args.clients, args.seconds)),
                (f"/health, {args.clients} closed-loop clients", lambda: closed_loop(url, manager, ["/health"],
                                                                                    args.clients, args.seconds / 3))):
            before = rss()
            r = run()
            rows.append([name, f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", f"{r['max']:.0f}",
                         str(int(r["errors"])), f"{before:.0f} → {rss():.0f}"])
        before = rss()
        t = time.perf_counter()
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {analyst}"}, timeout=120) as c:
            query = "limit=1000&kind=deepen&kind=acquire&kind=existing&kind=credit_team"
            export = c.get(f"/api/v1/prospects.xlsx?{query}")
            took = time.perf_counter() - t
            n = min(1000, c.get(f"/api/v1/prospects?{query}").json()["count"])
        rows.append([f"(c) XLSX export of {n:,} prospects (p50 column: seconds)", "", f"{took:.2f}", "", "",
                     str(int(export.status_code != 200)), f"{before:.0f} → {rss():.0f}"])
    finally:
        server.terminate()
        server.wait(30)
    print_table(f"API under load — {args.store} store, load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
                ["run", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "server RSS MiB"], rows)


if __name__ == "__main__":
    main()
