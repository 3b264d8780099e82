"""The command line's fixed value sets and shared options, so typer refuses anything else (exit 2).

The sets mirror the analysis (``chainsight.graph``): kinds and directions of prospects, their
segments and stages, and the sort keys of the stores; a test pins them to the analysis' own lists.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Literal

import typer

from chainsight.cli._export import Format, writable

Scale = Literal["tiny", "small", "medium", "large"]
StoreName = Literal["local", "neo4j"]
Engine = Literal["native", "gds"]
Direction = Literal["up", "down"]
Segment = Literal["closure_warning", "tier_threshold", "volatile_active", "low_yield", "chain_potential"]
Stage = Literal["entry", "growth", "stable", "warning", "lost"]
Sort = Literal["rank", "score", "name"]


class Kind(enum.StrEnum):
    """A prospect's kind; an enum rather than a Literal because typer repeats only enums in a list."""

    deepen = "deepen"
    acquire = "acquire"
    credit_team = "credit_team"
    existing = "existing"


DbOption = Annotated[Path, typer.Option(help="staging DuckDB file (must exist)", dir_okay=False)]
FormatOption = Annotated[Format, typer.Option("--format", help="table, csv, json or xlsx (needs --output)")]
OutputOption = Annotated[Path | None, typer.Option(
    help="file to write instead of stdout (its folder must exist)", callback=writable)]
StoreOption = Annotated[StoreName, typer.Option(help="read from the DuckDB file or from Neo4j")]
