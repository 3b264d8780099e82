"""Every route × role over a real served app: 401, 403, JSON shapes, exports, errors, audit, docs."""

from __future__ import annotations

import io

import openpyxl
import pytest

from chainsight.graph.result import Analysis
from tests.api.served import Served, published, served, top_core  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


def data_routes(core: str, firm: str) -> list[str]:
    """Every data route with valid parameters."""
    return [
        "/api/v1/cores", "/api/v1/cores/export.csv", "/api/v1/cores/export.xlsx", f"/api/v1/cores/{core}",
        f"/api/v1/cores/{core}/chain", f"/api/v1/cores/{core}/chain.csv", f"/api/v1/cores/{core}/chain.xlsx",
        f"/api/v1/cores/{core}/leakage", f"/api/v1/cores/{core}/leakage.csv",
        f"/api/v1/cores/{core}/leakage.xlsx", f"/api/v1/cores/{core}/prospects",
        f"/api/v1/cores/{core}/prospects.csv", f"/api/v1/cores/{core}/prospects.xlsx", "/api/v1/prospects",
        "/api/v1/prospects.csv", "/api/v1/prospects.xlsx", f"/api/v1/enterprises/{firm}", "/api/v1/alerts",
        "/api/v1/alerts.csv", "/api/v1/alerts.xlsx", "/api/v1/summary",
    ]


def a_prospect(analysis: Analysis, core: str) -> str:
    return str(analysis.prospects[analysis.prospects["core_id"] == core]["enterprise_id"].iloc[0])


def test_every_data_route_refuses_anonymous_and_bad_keys(served: Served, small_analysis: Analysis,
                                                         top_core: str) -> None:
    routes = data_routes(top_core, a_prospect(small_analysis, top_core))
    with served.client(None) as anonymous:
        for route in routes:
            response = anonymous.get(route)
            assert response.status_code == 401, route
            assert response.json()["error"] == "not_authenticated"
            bad = anonymous.get(route, headers={"Authorization": "Bearer cs_000000000000_" + "x" * 43})
            assert bad.status_code == 401, route


def test_roles_use_the_routes_they_may(served: Served, small_analysis: Analysis, top_core: str) -> None:
    routes = data_routes(top_core, a_prospect(small_analysis, top_core))
    for role in ("admin", "analyst"):
        with served.client(role) as client:
            for route in routes:
                assert client.get(route).status_code == 200, (role, route)
    with served.client("manager") as manager:  # the top core is a branch-A customer
        for route in routes:
            expected = 403 if route.endswith("/summary") else None
            status = manager.get(route).status_code
            assert status == expected if expected else status in (200, 404), route
        assert manager.get("/api/v1/summary").json()["error"] == "forbidden"


def test_lists_page_and_count(served: Served, small_analysis: Analysis, top_core: str) -> None:
    with served.client("analyst") as client:
        body = client.get(f"/api/v1/cores/{top_core}/prospects", params={"limit": 5, "skip": 2}).json()
        lead = small_analysis.prospects[(small_analysis.prospects["core_id"] == top_core)
                                        & small_analysis.prospects["kind"].isin(["deepen", "acquire"])]
        assert body["count"] == len(lead)
        assert [r["rank"] for r in body["data"]] == sorted(lead["rank"])[2:7]
        cores = client.get("/api/v1/cores", params={"q": top_core}).json()
        assert [c["enterprise_id"] for c in cores["data"]] == [top_core]
        name = str(small_analysis.cores.set_index("enterprise_id").loc[top_core, "name"])
        assert client.get("/api/v1/cores", params={"q": name[:4]}).json()["count"] >= 1
        chain = client.get(f"/api/v1/cores/{top_core}/chain", params={"depth": 1}).json()
        assert {m["tier"] for m in chain["members"]} == {1}
        filtered = client.get("/api/v1/prospects", params={"direction": "up", "tier": 1, "kind": "acquire"}).json()
        assert filtered["count"] and all(r["direction"] == "up" and r["tier"] == 1 and r["kind"] == "acquire"
                                         for r in filtered["data"])


def test_errors_are_problems_naming_the_parameter(served: Served) -> None:
    with served.client("analyst") as client:
        missing = client.get("/api/v1/cores/NO-SUCH-CORE")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        assert client.get("/api/v1/enterprises/NO-SUCH").status_code == 404
        bad = client.get("/api/v1/prospects", params={"segment": "nonsense"})
        assert bad.status_code == 422 and bad.json()["message"].startswith("segment")
        assert client.get("/api/v1/cores/x/chain", params={"depth": 9}).json()["message"].startswith("depth")
        assert "Traceback" not in bad.text


def test_exports_are_readable_files_with_a_watermark(served: Served, top_core: str) -> None:
    with served.client("analyst") as client:
        csv = client.get(f"/api/v1/cores/{top_core}/prospects.csv")
        assert csv.content.startswith(b"\xef\xbb\xbf") and "企业名称" in csv.text.splitlines()[0]
        assert csv.text.rstrip().splitlines()[-1].startswith("# exported by analyst (analyst)")
        assert "['" not in csv.text  # lists are text, not Python reprs
        xlsx = client.get(f"/api/v1/cores/{top_core}/leakage.xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        header = [c.value for c in sheet[1]]
        amount = header.index("他行金额") + 1
        assert isinstance(sheet.cell(2, amount).value, float)
        assert sheet.cell(2, amount).number_format == "#,##0.00"
        assert "exported by analyst" in str(sheet.cell(sheet.max_row, 1).value)


def test_every_access_is_audited(served: Served, top_core: str) -> None:
    with served.client("analyst") as client:
        client.get(f"/api/v1/cores/{top_core}/prospects", params={"limit": 3})
    entry = served.appdb.list_audit(limit=1, user="analyst")[0]
    assert (entry.route, entry.params, entry.rows, entry.status) == (
        f"/api/v1/cores/{top_core}/prospects", {"limit": "3"}, 3, 200)
    with served.client(None) as anonymous:
        anonymous.get("/api/v1/cores")
    assert served.appdb.list_audit(limit=1)[0].status == 401


def test_docs_and_openapi_load_nothing_from_outside(served: Served) -> None:
    with served.client(None) as client:
        docs = client.get("/docs").text
        assert "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
        spec = client.get("/openapi.json").json()
        ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
        assert len(ids) == len(set(ids)) and "listCoreProspects" in ids
        assert client.get("/favicon.ico").status_code == 200
        home = client.get("/", follow_redirects=False)  # the address `chainsight serve` prints
        assert home.status_code == 303 and home.headers["location"] == "/sign-in?next=/"
        assert client.get("/health").json() == {"status": "ok", "store": "local", "analysed": True}
