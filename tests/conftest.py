"""Shared fixtures: small hand-made datasets written the way bank exports look."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from pathlib import Path

import pytest

if TYPE_CHECKING:
    from chainsight.config import Neo4jSettings
    from chainsight.graph.result import Analysis
    from tests._postgres import Cluster

STATEMENT_HEADER = "账号,户名,交易日期,借方发生额,贷方发生额,对方账号,对方户名,对方开户行,摘要,余额"

STATEMENT_PROFILE = """
[profiles.stmt]
layout = "statement"
encoding = "auto"
[profiles.stmt.columns]
own_account = "账号"
own_name = "户名"
date = "交易日期"
debit = "借方发生额"
credit = "贷方发生额"
counterparty_account = "对方账号"
counterparty_name = "对方户名"
counterparty_bank = "对方开户行"
memo = "摘要"
balance = "余额"
"""

CUSTOMERS = """customer_id,customer_type,uscc,name,branch,manager,credit_on_balance,credit_off_balance,loan_balance,dep_demand,dep_time,dep_notice,dep_agreement,dep_margin,ebanking,products,opened
C1,corporate,,核心制造有限公司,B1,M1,1000000,0,500000,100000,0,0,0,0,1,企业网银,2020-01-01
C2,corporate,,下游乙有限公司,B1,M1,0,0,0,100000,0,0,0,0,0,,2021-01-01
"""
ACCOUNTS = "account_no,customer_id,branch,opened,closed\n1001,C1,B1,2020-01-01,\n1002,C2,B1,2021-01-01,\n"

DatasetWriter = Callable[..., Path]
#: Debian's chromium-headless-shell (tools/browser-deps installs it), driven by Playwright.
CHROMIUM = Path(os.environ.get("CHAINSIGHT_CHROMIUM", "/usr/bin/chromium-headless-shell"))


@pytest.fixture
def write_dataset(tmp_path: Path) -> DatasetWriter:
    """Write statement files (``{name: [row, ...]}``) plus a two-customer master; return the manifest.

    Rows are CSV text without the header; ``encoding`` is how the files are written.
    """

    def write(files: dict[str, Sequence[str]], *, encoding: str = "gbk", header: str = STATEMENT_HEADER,
              extra_manifest: str = "") -> Path:
        (tmp_path / "statements").mkdir(exist_ok=True)
        (tmp_path / "master").mkdir(exist_ok=True)
        for name, rows in files.items():
            text = "\n".join([header, *rows]) + "\n"
            (tmp_path / "statements" / name).write_bytes(text.encode(encoding))
        (tmp_path / "master" / "customers.csv").write_text(CUSTOMERS, encoding="utf-8-sig")
        (tmp_path / "master" / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
        manifest = tmp_path / "chainsight.toml"
        manifest.write_text(
            'name = "hand-made"\n[[sources]]\npath = "statements/*"\nprofile = "stmt"\n'
            + STATEMENT_PROFILE
            + '\n[master]\ncustomers = "master/customers.csv"\naccounts = "master/accounts.csv"\n'
            + extra_manifest, encoding="utf-8")
        return manifest

    return write


@pytest.fixture(scope="session")
def pipeline_id() -> Callable[[str], str]:
    """The pipeline's enterprise id for a demo truth key (a USCC whose check holds, or a registered name).

    The generator names firms from its own specification; this is the one place that maps its truth
    onto the pipeline's ids, through the pipeline's public functions.
    """
    from chainsight.ingest.entities import enterprise_id, valid_uscc

    def convert(key: str) -> str:
        return enterprise_id(key if valid_uscc(key) else None, key)

    return convert


@pytest.fixture(scope="session")
def small_bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small demo bank, generated and ingested once per test session: (data folder, database)."""
    from chainsight.ingest.pipeline import ingest
    from chainsight.demo import generate

    folder = tmp_path_factory.mktemp("small-bank")
    generate(folder / "data", scale="small", seed=7)
    ingest(folder / "data" / "chainsight.toml", folder / "staging.duckdb")
    return folder / "data", folder / "staging.duckdb"


@pytest.fixture(scope="session")
def small_later_db(small_bank: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small bank's later period (``data/later``), ingested into a second staging database of its own."""
    from chainsight.ingest.pipeline import ingest

    db = tmp_path_factory.mktemp("small-later") / "later.duckdb"
    report = ingest(small_bank[0] / "later" / "chainsight.toml", db)
    assert report.ok and sum(report.master_totals.rejected.values()) == 0
    return db


@pytest.fixture(scope="session")
def small_analysis(small_bank: tuple[Path, Path]) -> "Analysis":
    """The analysis of the small demo bank, computed once per session."""
    from chainsight.graph.analysis import analyze
    from chainsight.ingest.staging import connect

    con = connect(small_bank[1], read_only=True)
    try:
        return analyze(con)
    finally:
        con.close()


GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def golden_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The canonical "1+N" extract (``tests/golden``, answers in ``tests/golden/expected.py``),
    ingested once per session: the staging database."""
    from chainsight.ingest.pipeline import ingest

    db = tmp_path_factory.mktemp("golden") / "staging.duckdb"
    ingest(GOLDEN / "chainsight.toml", db)
    return db


@pytest.fixture(scope="session")
def golden_analysis(golden_bank: Path) -> "Analysis":
    """The analysis of the golden extract, computed once per session."""
    from chainsight.graph.analysis import analyze
    from chainsight.ingest.staging import connect

    con = connect(golden_bank, read_only=True)
    try:
        return analyze(con)
    finally:
        con.close()


def neo4j_settings_or_skip() -> "Neo4jSettings":
    """The Neo4j test server's settings; skip when none is configured, fail when CI requires one."""
    import os

    from chainsight.config import Neo4jSettings

    if not os.environ.get("NEO4J_URI"):
        if os.environ.get("CHAINSIGHT_REQUIRE_NEO4J"):
            pytest.fail("CHAINSIGHT_REQUIRE_NEO4J is set but NEO4J_URI is not: start tools/neo4j/start")
        pytest.skip("no Neo4j configured (set NEO4J_URI, or run `make test` which starts one)")
    return Neo4jSettings()


@pytest.fixture(scope="session")
def postgres() -> Iterator["Cluster"]:
    """A throw-away PostgreSQL cluster for the session; skips without PostgreSQL, fails when CI
    requires it (``CHAINSIGHT_REQUIRE_POSTGRES=1``, set by tools/test)."""
    import os

    from tests._postgres import remove_cluster, start_cluster

    try:
        cluster = start_cluster()
    except RuntimeError as exc:
        if os.environ.get("CHAINSIGHT_REQUIRE_POSTGRES"):
            pytest.fail(f"CHAINSIGHT_REQUIRE_POSTGRES is set but {exc}")
        pytest.skip(str(exc))
    yield cluster
    remove_cluster(cluster)


BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.integration)]


@pytest.fixture(params=BACKENDS)
def app_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty app database: a SQLite file, or a new database in the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite'}"
    cluster: "Cluster" = request.getfixturevalue("postgres")
    return cluster.database()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright); skipped when absent unless CHAINSIGHT_REQUIRE_BROWSER is set."""
    required = bool(os.environ.get("CHAINSIGHT_REQUIRE_BROWSER"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        if required:
            pytest.fail("CHAINSIGHT_REQUIRE_BROWSER is set but playwright is not installed")
        pytest.skip("playwright is not installed")
    if not CHROMIUM.is_file():
        if required:
            pytest.fail(f"CHAINSIGHT_REQUIRE_BROWSER is set but {CHROMIUM} is missing: run tools/browser-deps")
        pytest.skip(f"no browser at {CHROMIUM} (tools/browser-deps installs it)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()
