"""``chainsight assign`` and ``chainsight assignments``: an admin puts prospects in a branch or with a manager.

Firms are named by id or taken from a filtered prospect list (the options of ``chainsight prospects``);
``--dry-run`` says how many would be assigned and writes nothing. The command acts as ``--by``, an
enabled admin user: it reads every firm through the API's Reader as that admin (each read in the
audit log, route ``cli:assign``) and the assignment history records the admin's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

import chainsight
from chainsight.api import _assigning
from chainsight.api._scope import Index, Reader
from chainsight.api.appdb import AppDB
from chainsight.api.principal import Principal
from chainsight.cli._access import AppDbOption, _frame, _opened
from chainsight.cli._console import out
from chainsight.cli._export import emit
from chainsight.cli._options import (
    DbOption, Direction, FormatOption, Kind, OutputOption, Segment, Sort, Stage, StoreOption,
)
from chainsight.config import Settings
from chainsight.errors import ConfigError
from chainsight.graph.stores.protocol import ProspectFilter

ByOption = Annotated[str, typer.Option("--by", help="the admin user making the assignment (recorded)")]


def admin_principal(appdb: AppDB, name: str) -> Principal:
    """The enabled admin user called ``name`` as a principal; :class:`ConfigError` otherwise."""
    user = next((u for u in appdb.list_users() if u.name == name), None)
    if user is None or user.disabled or user.role != "admin":
        raise ConfigError(f"--by {name}: not an enabled admin user (chainsight users list)")
    return Principal(kind="user", id=user.id, name=user.name, role=user.role, branches=user.branches)


@contextmanager
def _reader(db: Path, store: str, appdb: AppDB, who: Principal, route: str) -> Iterator[Reader]:
    def record(what: str, rows: int, status: int) -> None:
        appdb.append_audit(who, route, {"read": what}, rows, "cli", status)

    with chainsight.open(db, settings=Settings(db_path=db, store=store)) as cs:
        yield Reader(cs.store, Index(cs.store), who, set(), record)


def assign(  # noqa: PLR0913 - the target, the prospect filters and the usual options
    firm: Annotated[list[str] | None, typer.Argument(help="firm ids (or use --core / --all-cores and filters)",
                                                     show_default=False)] = None,
    by: ByOption = "",
    to_branch: Annotated[str | None, typer.Option("--to-branch", help="the branch the firms go to")] = None,
    to_manager: Annotated[str | None, typer.Option(
        "--to-manager", help="the manager they go to (their branch unless --to-branch)")] = None,
    unassign: Annotated[bool, typer.Option("--unassign", help="remove the firms' assignment instead")] = False,
    core: Annotated[str | None, typer.Option(help="assign this core's filtered prospects")] = None,
    all_cores: Annotated[bool, typer.Option("--all-cores", help="assign every core's filtered prospects")] = False,
    kind: Annotated[list[Kind] | None, typer.Option(help="repeatable; default deepen and acquire")] = None,
    direction: Annotated[Direction | None, typer.Option(help="up (suppliers) or down (customers)")] = None,
    tier: Annotated[int | None, typer.Option(help="only this tier (1 = direct)", min=1)] = None,
    segment: Annotated[Segment | None, typer.Option(help="only this segment")] = None,
    stage: Annotated[Stage | None, typer.Option(help="only this lifecycle stage")] = None,
    eligible: Annotated[bool | None, typer.Option("--eligible/--not-eligible",
                                                  help="only firms the 小额无贷户 rule admits (or not)")] = None,
    branch: Annotated[str | None, typer.Option(help="only prospects of this branch")] = None,
    manager: Annotated[str | None, typer.Option(help="only prospects of this relationship manager")] = None,
    min_score: Annotated[float | None, typer.Option(help="only scores at least this", min=0.0, max=1.0)] = None,
    name: Annotated[str | None, typer.Option(help="only names containing this")] = None,
    sort: Annotated[Sort, typer.Option(help="rank, score (best first) or name")] = "rank",
    limit: Annotated[int, typer.Option(help="assign at most this many of the list", min=1)] = 1000,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say how many would be assigned; change nothing")]
    = False,
    db: DbOption = Path("chainsight.duckdb"),
    app_db: AppDbOption = None,
    store: StoreOption = "local",
) -> None:
    """Assign prospects to a branch or a manager (admins): by id, or a core's / every core's filtered list."""
    if not by:
        raise ConfigError("--by ADMIN is required: the admin user the assignment is recorded under")
    listed = core is not None or all_cores
    if bool(firm) == listed or (core is not None and all_cores):
        raise ConfigError("give firm ids, or --core ID or --all-cores (with filters), one of them")
    if unassign and (to_branch or to_manager):
        raise ConfigError("--unassign takes no --to-branch or --to-manager")
    if not unassign and not (to_branch or to_manager):
        raise ConfigError("give --to-branch, --to-manager (or both), or --unassign")
    filters = ProspectFilter(kinds=tuple(k.value for k in kind) if kind else ("deepen", "acquire"),
                             direction=direction, tier=tier, segment=segment, stage=stage, eligible=eligible,
                             branch=branch, manager=manager, min_score=min_score, name_contains=name)
    with _opened(db, app_db) as appdb:
        who = admin_principal(appdb, by)
        with _reader(db, store, appdb, who, "cli:assign") as reader:
            if listed:
                rows, matched = _assigning.by_filter(reader, core, filters, sort, limit)
            else:
                rows, matched = _assigning.by_ids(reader, firm or []), 0
        if unassign:
            ids = list(dict.fromkeys(r[0] for r in rows))
            if not dry_run:
                appdb.assign_many(ids, by=who)
            out.print(Text(f"{'would remove' if dry_run else 'removed'} the assignment of {len(ids):,} firms"))
            return
        planned = _assigning.apply(appdb, reader, rows, to_branch, to_manager, dry_run=dry_run, matched=matched)
    target = " and ".join(x for x in (planned.branch and f"branch {planned.branch}",
                                      planned.manager and f"manager {planned.manager}") if x)
    verb = "would assign" if dry_run else "assigned"
    of = f" (of {planned.matched:,} matching rows, --limit {limit:,})" if listed else ""
    out.print(Text(f"{verb} {len(planned.firms):,} firms to {target}{of}"), soft_wrap=True)
    for firm_id, why in planned.skipped.items():
        out.print(Text(f"left out {firm_id}: {why}"), soft_wrap=True)


def assignments(
    history: Annotated[bool, typer.Option("--history", help="every assignment and removal, newest first")] = False,
    branch: Annotated[str | None, typer.Option(help="only assignments to this branch")] = None,
    manager: Annotated[str | None, typer.Option(help="only assignments to this manager")] = None,
    limit: Annotated[int, typer.Option(help="--history: how many", min=1)] = 1000,
    db: DbOption = Path("chainsight.duckdb"),
    app_db: AppDbOption = None,
    format: FormatOption = "table",  # noqa: A002
    output: OutputOption = None,
) -> None:
    """Current assignments (who assigned which firm to which branch and manager, when), or their history."""
    with _opened(db, app_db) as appdb:
        found = appdb.assignment_history(limit=limit) if history else appdb.assignments(branch, manager)
    if history and (branch or manager):
        found = [a for a in found if (branch is None or a.branch == branch)
                 and (manager is None or a.manager == manager)]
    columns = ["firm_id", "branch", "manager", "assigned_by", "assigned_at"]
    emit(_frame([asdict(a) for a in found], columns), format, output,
         "Assignment history" if history else "Assignments", columns)
