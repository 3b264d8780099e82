"""``chainsight serve`` keeps serving while ``chainsight analyze`` runs on the same data, then answers
with the new analysis without a restart (real processes: the CLI server and the CLI analyze)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chainsight.api.appdb import AppDB, default_url
from tests.api.served import free_port

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "chainsight"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def bank(small_bank: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "bank.duckdb"
    shutil.copy(small_bank[1], db)
    assert _run("analyze", "--db", str(db)).returncode == 0
    return db


@pytest.fixture(scope="module")
def server(bank: Path) -> Iterator[tuple[str, str]]:
    with AppDB.open(default_url(bank)) as appdb:
        secret = appdb.create_key("ops", "analyst", [])[1]
    port = free_port()
    log = bank.with_suffix(".serve.log").open("w")
    proc = subprocess.Popen([*CLI, "serve", "--db", str(bank), "--port", str(port)], stdout=log,
                            stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, bank.with_suffix(".serve.log").read_text()
        time.sleep(0.2)
    try:
        yield url, secret
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_analyze_runs_while_serving_and_the_server_picks_it_up(bank: Path, server: tuple[str, str]) -> None:
    url, secret = server
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        _serve_through_analyze(client, bank)


def _serve_through_analyze(client: httpx.Client, bank: Path) -> None:
    before = client.get("/api/v1/summary").json()["analysed_at"]
    time.sleep(1.1)  # analysed_at has whole seconds
    analyze = subprocess.Popen([*CLI, "analyze", "--db", str(bank)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    answered = 0
    while analyze.poll() is None:
        assert client.get("/api/v1/cores", params={"limit": 5}).status_code == 200
        answered += 1
        time.sleep(0.1)
    assert analyze.returncode == 0
    assert answered > 0
    after = client.get("/api/v1/summary").json()["analysed_at"]
    assert after != before
    assert client.get("/api/v1/cores").json()["count"] > 0


def test_a_wrong_database_is_one_line_not_a_trace(tmp_path: Path) -> None:
    result = _run("serve", "--db", str(tmp_path / "missing.duckdb"), "--port", str(free_port()))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "missing.duckdb" in result.stderr
