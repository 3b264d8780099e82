"""Assigning firms in bulk, the same way from the API and the command line.

The firms come through a :class:`~chainsight.api._scope.Reader` (read and audited like any access):
chosen by id (each card read first; an unknown firm is :class:`~chainsight.errors.NotFound`) or as a
filtered prospect list (one read). A firm that is **our customer of another branch** than the target is
left out and reported: the access rule shows a customer to its own branch only, so the assignment would
give the target nothing and hide nothing. Each firm is assigned once however many cores list it.

Examples
--------
>>> rows = [("F1", False, None), ("F2", True, "B2"), ("F1", False, None), ("F3", True, "B1")]
>>> p = plan(rows, "B1", "wang")
>>> p.firms, p.skipped
(['F1', 'F3'], {'F2': 'our customer of branch B2'})
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chainsight.api._scope import Reader
from chainsight.api.principal import Principal
from chainsight.graph.stores.protocol import ProspectFilter

Row = tuple[str, bool, str | None]  # (firm id, is our customer, its branch)


class Assigner(Protocol):
    """What assigning needs of the app database (:class:`chainsight.api.appdb.AppDB`)."""

    def check_target(self, branch: str | None, manager: str | None) -> tuple[str | None, str | None]: ...
    def assign_many(self, firm_ids: Iterable[str], branch: str | None = None, manager: str | None = None, *,
                    by: Principal) -> int: ...


@dataclass(frozen=True)
class Plan:
    """What an assignment will do: the firms assigned, the ones left out (firm -> why)."""

    branch: str | None
    manager: str | None
    firms: list[str]
    skipped: dict[str, str] = field(default_factory=dict)
    matched: int = 0  # how many rows the filtered list had in all (0 when chosen by id)


def plan(rows: Iterable[Row], branch: str | None, manager: str | None, matched: int = 0) -> Plan:
    """The firms of ``rows`` to assign to ``branch``/``manager`` and those left out, in order, once each."""
    firms: dict[str, None] = {}
    skipped: dict[str, str] = {}
    for firm_id, is_customer, home in rows:
        if firm_id in firms or firm_id in skipped:
            continue
        if is_customer and branch is not None and home != branch:
            skipped[firm_id] = f"our customer of branch {home}"
        else:
            firms[firm_id] = None
    return Plan(branch, manager, list(firms), skipped, matched)


def _flag(value: Any) -> bool:
    return bool(value) if value is not None and value == value else False


def by_ids(reader: Reader, firm_ids: Iterable[str]) -> list[Row]:
    """Each firm's card read through ``reader`` (NotFound for one it cannot see or that is unknown)."""
    rows = []
    for firm_id in dict.fromkeys(firm_ids):
        card = reader.enterprise(firm_id)
        rows.append((firm_id, _flag(card.get("is_customer")), card.get("branch")))
    return rows


def by_filter(reader: Reader, core_id: str | None, filters: ProspectFilter, sort: str, limit: int,
              ) -> tuple[list[Row], int]:
    """The firms of a filtered prospect list (one core's or every core's) and the list's whole length."""
    page = reader.prospects(core_id, filters, sort, 0, limit)
    frame = page.data
    rows = [(str(f), _flag(c), None if b is None or b != b else str(b))
            for f, c, b in zip(frame["enterprise_id"], frame["is_customer"], frame["branch"])]
    return rows, page.count


def apply(appdb: Assigner, reader: Reader, rows: list[Row], branch: str | None, manager: str | None,
          *, dry_run: bool, matched: int = 0) -> Plan:
    """Check the target, plan, and (unless ``dry_run``) assign as ``reader``'s principal."""
    branch, manager = appdb.check_target(branch, manager)
    planned = plan(rows, branch, manager, matched)
    if not dry_run:
        appdb.assign_many(planned.firms, branch, manager, by=reader.principal)
    return planned
