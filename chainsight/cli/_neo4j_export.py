"""``chainsight export neo4j-import DIR``: the analysis as files for Neo4j's offline bulk importer.

For the first load of a large bank into an empty Neo4j: the importer builds the store files
directly instead of running transactions over Bolt. The command analyses the staging database (as
``analyze`` does, without publishing), writes one CSV per label and relationship type into DIR, and
prints the ``neo4j-admin database import full`` command that loads them; ``arguments.txt`` holds
the same arguments one per line (``tools/neo4j/import DIR`` runs them against the development
server's own database). A later ``analyze --store neo4j`` MERGEs onto the imported graph.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from chainsight.cli._console import out
from chainsight.cli._options import DbOption
from chainsight.config import Settings

export_app = typer.Typer(help="Write the analysis in a form another tool loads.", no_args_is_help=True)


@export_app.command("neo4j-import")
def neo4j_import(
    folder: Annotated[Path, typer.Argument(help="folder to write the files into (created)", file_okay=False)],
    db: DbOption = Path("chainsight.duckdb"),
    database: Annotated[str, typer.Option(help="the Neo4j database to import into")] = "neo4j",
) -> None:
    """Analyse and write node/relationship files for `neo4j-admin database import`; print the command."""
    import chainsight
    from chainsight.graph.stores.graph_rows import graph_rows
    from chainsight.graph.stores.neo4j_import import write_import

    with chainsight.open(db, settings=Settings(db_path=db, store="local")) as cs:
        analysis = cs.analyze(publish=False)
    files = write_import(graph_rows(analysis), folder, run=f"{time.time_ns()}")
    (folder / "arguments.txt").write_text("\n".join(files.arguments(database)) + "\n", encoding="utf-8")
    shown = ", ".join(f"{n:,} {name}" for name, n in files.counts.items())
    out.print(f"wrote {escape(shown)} into {escape(str(folder))}", soft_wrap=True)
    out.print("stop the Neo4j server, then run (it replaces the database):", soft_wrap=True)
    out.print(escape(files.command(database)), soft_wrap=True, highlight=False)
