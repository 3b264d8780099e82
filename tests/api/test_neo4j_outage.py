"""With the real Neo4j: stop it while the app serves → 503 with a clear body; start it → the next call
succeeds, without restarting the app (tools/neo4j/stop and start, on the test server's port)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from chainsight.config import Settings
from chainsight.graph.result import Analysis
from tests.api.served import serve
from tests.conftest import neo4j_settings_or_skip

pytestmark = pytest.mark.integration
TOOLS = Path(__file__).parents[2] / "tools" / "neo4j"


def test_a_neo4j_outage_is_503_and_the_app_recovers(small_analysis: Analysis, tmp_path: Path) -> None:
    from chainsight.api._app import server_store
    from chainsight.graph.stores.neo4j_store import Neo4jStore

    neo4j = neo4j_settings_or_skip()
    publisher = Neo4jStore(neo4j)
    try:
        publisher.publish(small_analysis)
    finally:
        publisher.close()
    settings = Settings(db_path=tmp_path / "unused.duckdb", store="neo4j", neo4j=neo4j)
    gen = serve(settings, f"sqlite:///{tmp_path / 'app.sqlite'}", store=server_store(settings))
    served = next(gen)
    try:
        with served.client("analyst") as client:
            assert client.get("/api/v1/cores").status_code == 200
            subprocess.run([str(TOOLS / "stop")], check=True, capture_output=True, timeout=120)
            try:
                down = client.get("/api/v1/cores")  # within the client's 30 s: the server gives up fast
                assert down.status_code == 503
                assert down.json()["error"] == "store_unavailable" and "Traceback" not in down.text
                assert client.get("/health").status_code == 503
            finally:
                subprocess.run([str(TOOLS / "start")], check=True, capture_output=True, timeout=300)
            back = client.get("/api/v1/cores", timeout=120)
            assert back.status_code == 200, back.text
            assert client.get("/health").json()["status"] == "ok"
    finally:
        gen.close()
