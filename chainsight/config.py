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
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Neo4jSettings(BaseSettings):
    """Connection to a Neo4j server (local launcher, a cluster or Aura)."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_", extra="ignore")

    uri: str = "neo4j://127.0.0.1:7687"
    username: str = "neo4j"
    password: str = ""
    database: str = "neo4j"
    batch_size: int = Field(default=10_000, ge=1)


class Settings(BaseSettings):
    """Everything ChainSight can be told; defaults suit the embedded demo."""

    model_config = SettingsConfigDict(env_prefix="CHAINSIGHT_", extra="ignore")

    db_path: Path = Path("chainsight.duckdb")
    store: Literal["local", "neo4j"] = "local"
    duckdb_memory_limit: str = "4GB"
    duckdb_threads: int = Field(default=0, ge=0, description="0 lets DuckDB choose")
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
