"""schemathesis against the served app's OpenAPI document, as each role: no server error, and every
response as the document says it is (status code, content type, schema). The schemathesis command
line runs it, against a real served app."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.served import Served, published, served  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.mark.parametrize("role", ["admin", "analyst", "manager"])
def test_the_api_keeps_its_document(served: Served, role: str) -> None:  # noqa: F811
    st = Path(sys.executable).with_name("st")
    run = subprocess.run(
        [str(st), "run", f"{served.url}/openapi.json", "-H", f"Authorization: Bearer {served.keys[role]}",
         "-c", CHECKS, "-n", "20", "--phases", "examples,coverage,fuzzing", "-w", "1", "--no-color"],
        capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout[-6000:]
    cases = re.search(r"Tested: (\d+).*?(\d+) generated, (\d+) passed", run.stdout, re.S)
    assert cases is not None, run.stdout[-2000:]
    tested, generated, passed = map(int, cases.groups())
    assert tested >= 16 and generated == passed > 100
