"""The API under load: ``chainsight serve`` in one process, this load generator (asyncio) in another.

Over an analysed demo bank (``--db``, local store by default): ``/health`` closed-loop as the
baseline of the same run; (a) open-loop arrivals at ``--rate`` requests/s mixing a prospects page
(50 rows, filters), the core list and one core's chain, as a manager (scoped) — p50, p99, max,
errors; (b) ``--clients`` closed-loop clients on the same mix: requests/s and p99; (c) an XLSX
export of 1,000 prospects: seconds. Server RSS before and after each.

    python bench/api.py --db demo/chainsight.duckdb --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

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


class _Pool:
    """Keep-alive HTTP/1.1 connections to the server, spoken over asyncio streams.

    A load generator on the same two cores as the server must cost little: httpx's async client
    spends more CPU per request than the server's remembered answers (and its pool slows down with
    hundreds of requests in flight), so this one sends a fixed request head and reads the status
    and the ``Content-Length`` body (or the chunks).
    """

    def __init__(self, url: str, key: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.head = f"Host: {parts.netloc}\r\nAuthorization: Bearer {key}\r\n\r\n"
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> int:
        conn = self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
        try:
            status = await asyncio.wait_for(self._exchange(conn, path), 30)
        except BaseException:
            conn[1].close()
            raise
        self.idle.append(conn)
        return status

    async def _exchange(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str) -> int:
        reader, writer = conn
        writer.write(f"GET {path} HTTP/1.1\r\n{self.head}".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower().split("\r\n")
        fields = dict(line.split(":", 1) for line in head[1:] if ":" in line)
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif "chunked" in fields.get("transfer-encoding", ""):
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        return int(head[0].split()[1])

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _timed(pool: _Pool, path: str, times: list[float], errors: list[int]) -> None:
    t = time.perf_counter()
    try:
        ok = await pool.get(path) == 200
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
        ok = False
    times.append(time.perf_counter() - t)
    errors[0] += not ok


def _result(times: list[float], errors: int, seconds: float) -> dict[str, float]:
    return {"rps": len(times) / seconds, "p50": _pct(times, 0.5), "p99": _pct(times, 0.99),
            "max": max(times) * 1000 if times else float("nan"), "errors": errors}


async def _closed_loop(url: str, key: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    times: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    pool = _Pool(url, key)

    async def worker(n: int) -> None:
        while time.monotonic() < stop:
            await _timed(pool, paths[n % len(paths)], times, errors)
            n += 1

    await asyncio.gather(*(worker(i) for i in range(clients)))
    pool.close()
    return _result(times, errors[0], seconds)


async def _open_loop(url: str, key: str, paths: list[str], rate: float, seconds: float) -> dict[str, float]:
    times: list[float] = []
    errors = [0]
    tasks = []
    pool = _Pool(url, key)
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_timed(pool, paths[n % len(paths)], times, errors)))
    await asyncio.gather(*tasks)
    pool.close()
    return _result(times, errors[0], seconds)


def closed_loop(url: str, key: str, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` clients, each sending its next request when the last one is answered."""
    return asyncio.run(_closed_loop(url, key, paths, clients, seconds))


def open_loop(url: str, key: str, paths: list[str], rate: float, seconds: float) -> dict[str, float]:
    """Requests at ``rate`` per second whether or not the earlier ones were answered (arrivals, not clients)."""
    return asyncio.run(_open_loop(url, key, paths, rate, seconds))


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
    load_before = os.getloadavg()[0]
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
    print_table(f"API under load — {args.store} store, load average {load_before:.1f} → "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
                ["run", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "server RSS MiB"], rows)


if __name__ == "__main__":
    main()
