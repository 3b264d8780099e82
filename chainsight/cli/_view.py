"""``chainsight view``: a core's chain as one self-contained HTML file, to open in any browser offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from chainsight.cli._commands import _session, _top_core, app
from chainsight.cli._console import out
from chainsight.cli._export import writable, write_text
from chainsight.cli._options import DbOption, StoreOption
from chainsight.errors import ConfigError


@app.command()
def view(
    out_path: Annotated[Path, typer.Option("--out", help="HTML file to write (its folder must exist)",
                                           dir_okay=False, callback=writable)],
    core: Annotated[str | None, typer.Option(help="core enterprise id (default: the top core)")] = None,
    overview: Annotated[bool, typer.Option("--overview", help="every core and the links between their "
                                                              "chains, instead of one chain")] = False,
    enterprise: Annotated[str | None, typer.Option(help="one firm's neighbourhood: its counterparties and "
                                                        "cores, instead of a chain")] = None,
    db: DbOption = Path("chainsight.duckdb"),
    store: StoreOption = "local",
    depth: Annotated[int, typer.Option(help="1: tier-1 only; 2: tiers 1 and 2", min=1, max=2)] = 2,
    max_per_side: Annotated[int, typer.Option(help="members drawn per side before folding into "
                                                   "\"+N more\" (best prospects first)", min=1)] = 150,
) -> None:
    """Draw a core's chain: suppliers left, core centre, customers right; legend, search, evidence, PNG."""
    from chainsight.views import chain_page, neighbourhood_page, overview_page  # (pyvis) only for this command

    if sum((core is not None, overview, enterprise is not None)) > 1:
        raise ConfigError("give one of --core, --overview and --enterprise")
    if overview or enterprise is not None:
        with _session(db, store) as cs:
            document = overview_page(cs.store) if overview else neighbourhood_page(cs.store, str(enterprise))
        write_text(out_path, document)
        out.print(Text(f"wrote the {'overview' if overview else 'neighbourhood'} to {out_path}"), soft_wrap=True)
        return
    with _session(db, store) as cs:
        core_id = core or _top_core(cs, db)
        document = chain_page(cs.store, core_id, depth=depth, max_per_side=max_per_side)
        chain = cs.chain_frame(core_id, depth)
    write_text(out_path, document)
    name = chain.core.get("name") or core_id
    out.print(Text(f"wrote the chain of {name} ({len(chain.members):,} members, {len(chain.edges):,} ties) "
                   f"to {out_path}"), soft_wrap=True)
