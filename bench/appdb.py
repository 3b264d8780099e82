"""Benchmark: the app database's hot paths, SQLite against PostgreSQL, each next to a bare baseline.

    .venv/bin/python bench/appdb.py                 # 2,000 timed calls per operation
    .venv/bin/python bench/appdb.py --calls 500

Every API request checks a key (or a session) and appends one audit entry, so these two set the
app database's share of a request's latency. Per backend, in the same run:

- baseline read: ``SELECT 1`` in a read transaction of the same shape as a key lookup;
- key lookup: ``authenticate_key`` among 1,000 keys (good key, and a forged secret with a real key id);
- session lookup: ``authenticate_session`` among 1,000 sessions;
- baseline write: one INSERT of an integer into a table without index, committed — what the
  durable commit of any write costs;
- audit append: ``append_audit`` with a typical parameter dict;
- sign-in: ``sign_in`` with the right password (argon2id verify), fewer calls.

SQLite is a file in a temp dir (WAL, synchronous NORMAL: no fsync per commit); PostgreSQL a
throw-away Debian cluster (tests/_postgres.py) with fsync on (an fsync per commit), over TCP on
127.0.0.1. Times are
per call in one thread; the machine is shared, so the load average is printed with the ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import print_table  # noqa: E402
from chainsight.api.appdb import AppDB  # noqa: E402
from chainsight.api.principal import Principal  # noqa: E402
from tests._postgres import remove_cluster, start_cluster  # noqa: E402

PASSWORD = "correct horse battery"
WHO = Principal(kind="key", id=1, name="crm", role="manager", branches=frozenset({"BR01"}))
PARAMS = {"core": "91310000MA1K4XXXX1", "kind": ["deepen", "acquire"], "limit": 50, "skip": 0}


def timed(call: Callable[[], object], n: int) -> list[float]:
    """Milliseconds of ``n`` calls after 20 untimed warm-up calls."""
    for _ in range(20):
        call()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(db: AppDB, calls: int) -> dict[str, list[float]]:
    """The timings of every operation on one open app database."""
    secrets = [db.create_key(f"k{i}", "manager", ["BR01"])[1] for i in range(1000)]
    good = secrets[500]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    db.add_user("wang", PASSWORD, "manager", ["BR01"])
    tokens = [db.sign_in("wang", PASSWORD, "bench") for _ in range(3)]
    # Fill the sessions table without paying argon2 1,000 times: copy a session under new digests.
    with db._write() as c:
        row = c.execute(sa.text("SELECT user_id, client, created_at, expires_at FROM sessions")).first()
        assert row is not None
        c.execute(sa.text("INSERT INTO sessions VALUES (:h, :u, :c, :a, :e)"),
                  [{"h": f"{i:064x}", "u": row[0], "c": row[1], "a": row[2], "e": row[3]} for i in range(1000)])
    token = tokens[0]
    assert token is not None and db.authenticate_key(good) is not None and db.authenticate_key(forged) is None

    def select_1() -> None:
        with db._read() as c:
            c.execute(sa.text("SELECT 1")).scalar()

    with db._write() as c:
        c.execute(sa.text("CREATE TABLE bench_scratch (n INTEGER)"))

    def bare_insert() -> None:
        with db._write() as c:
            c.execute(sa.text("INSERT INTO bench_scratch VALUES (1)"))

    return {
        "baseline read (SELECT 1)": timed(select_1, calls),
        "key lookup": timed(lambda: db.authenticate_key(good), calls),
        "key lookup, forged secret": timed(lambda: db.authenticate_key(forged), calls),
        "session lookup": timed(lambda: db.authenticate_session(token), calls),
        "baseline write (bare INSERT)": timed(bare_insert, calls),
        "audit append": timed(lambda: db.append_audit(WHO, "/api/v1/prospects", PARAMS, 50, "10.0.0.7", 200),
                              calls),
        "sign-in (argon2id)": timed(lambda: db.sign_in("wang", PASSWORD, "bench"), max(5, calls // 100)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    load = os.getloadavg()
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, AppDB.open(f"sqlite:///{tmp}/app.sqlite") as db:
        results["SQLite"] = measure(db, args.calls)
    cluster = start_cluster(fsync=True)
    try:
        with AppDB.open(cluster.database()) as db:
            results["PostgreSQL"] = measure(db, args.calls)
    finally:
        remove_cluster(cluster)
    rows = []
    for backend, ops in results.items():
        base = {"read": statistics.median(ops["baseline read (SELECT 1)"]),
                "write": statistics.median(ops["baseline write (bare INSERT)"])}
        for op, times in ops.items():
            p50 = statistics.median(times)
            p99 = statistics.quantiles(times, n=100)[98] if len(times) >= 100 else max(times)
            kind = "write" if op in {"baseline write (bare INSERT)", "audit append"} else "read"
            rows.append([backend, op, len(times), f"{p50:.3f}", f"{p99:.3f}", f"{p50 / base[kind]:.2f}× {kind}"])
    print_table(f"App database, ms per call (load average at start {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
                f"{os.cpu_count()} cores)", ["backend", "operation", "calls", "p50 ms", "p99 ms", "p50 / baseline"],
                rows)
    print(f"load average at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
