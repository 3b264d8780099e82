"""Settings, read once at the edge (CLI entry point, ``create_app``, ``chainsight.open``) and passed down.

Every field can be set from the environment with the ``CHAINSIGHT_`` prefix; the Neo4j connection uses
the usual ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` variables.

Examples
--------
>>> s = Settings(db_path="demo/chainsight.duckdb")
>>> s.store
'local'
>>> s.duckdb_threads
0
>>> s.app_db
'sqlite:///demo/chainsight.app.sqlite'
>>> s.later_db is None, Settings(later_db="later.duckdb").later_db
(True, PosixPath('later.duckdb'))
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Neo4jSettings(BaseSettings):
    """Connection to a Neo4j server (local launcher, a cluster or Aura)."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_", extra="ignore")

    uri: str = "neo4j://127.0.0.1:7687"
    username: str = "neo4j"
    password: str = ""
    database: str = "neo4j"
    batch_size: int = Field(default=10_000, ge=1)
    retry_seconds: float = Field(default=15.0, ge=0, description=(
        "how long the driver retries a failing transaction before the store reports it unavailable"))


class Settings(BaseSettings):
    """Everything ChainSight can be told; defaults suit the embedded demo."""

    model_config = SettingsConfigDict(env_prefix="CHAINSIGHT_", extra="ignore")

    db_path: Path = Path("chainsight.duckdb")
    store: Literal["local", "neo4j"] = "local"
    duckdb_memory_limit: str = "4GB"
    duckdb_threads: int = Field(default=0, ge=0, description="0 lets DuckDB choose")
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    app_db: str | None = Field(default=None, description=(
        "SQLAlchemy URL of the app database (users, keys, sessions, audit), e.g. "
        "postgresql+psycopg://user:pw@host/db; unset: a SQLite file beside db_path"))
    later_db: Path | None = Field(default=None, description=(
        "staging DuckDB of a later period (its customer master), which the back-test page compares the "
        "ranking with; unset: the page says how to provide one"))

    @model_validator(mode="after")
    def _app_db_beside_the_data(self) -> Settings:
        if self.app_db is None:
            self.app_db = default_app_db(self.db_path)
        return self


def default_app_db(db_path: Path) -> str:
    """The SQLite URL of the app database that sits beside the staging DuckDB file.

    Examples
    --------
    >>> default_app_db(Path("demo/chainsight.duckdb"))
    'sqlite:///demo/chainsight.app.sqlite'
    >>> default_app_db(Path("/data/bank.duckdb"))
    'sqlite:////data/bank.app.sqlite'
    """
    return "sqlite:///" + db_path.with_suffix(".app.sqlite").as_posix()
