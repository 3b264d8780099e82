"""An analysis as ``neo4j-admin database import`` files: the bulk first load of an empty Neo4j.

The offline importer writes the store files directly, far faster than any transaction over Bolt; it
needs an empty (or replaced) database and a stopped server. :func:`write_import` turns the rows of
:func:`~chainsight.graph.stores.graph_rows.graph_rows` — the very rows ``Neo4jStore.publish`` sends —
into one CSV file per node label and relationship type, with typed headers (``:ID``, ``:START_ID``,
``:END_ID``, ``name:double`` …), and returns the command that imports them. Every node and
relationship carries the ``run`` a publish would give it, so a later ``analyze --store neo4j``
MERGEs onto the imported graph and its clean-up removes only what that publish no longer writes.

A null is an empty unquoted field (no property, as ``SET x += {k: null}`` leaves none); every other
value is quoted, so an empty text stays an empty text. Lists use an array delimiter that none of
their texts contains.

Examples
--------
>>> column_type([1, None, 3]), column_type([1.5, 2]), column_type([["a"], []]), column_type([None])
('long', 'double', 'string[]', 'string')
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsight.graph.stores import cypher
from chainsight.graph.stores.graph_rows import CHAIN_PROPS, EXCLUDED_PROPS, FIRM_PROPS, GraphRows

_ARRAY_DELIMITERS = ";|¦\u001f"
_CORE_PROPS = ("rank", "core_json", "leakage_json", "core_run")  # core_score: in FIRM_PROPS

Row = dict[str, Any]


@dataclass(frozen=True)
class ImportFiles:
    """The files written and how to import them."""

    nodes: dict[str, Path]          # label -> file
    relationships: dict[str, Path]  # type -> file
    array_delimiter: str
    multiline: bool
    counts: dict[str, int]          # label or type -> rows

    def arguments(self, database: str = "neo4j") -> list[str]:
        """``neo4j-admin`` arguments after ``database import full`` (paths absolute)."""
        args = [f"--nodes={label}={path.resolve()}" for label, path in self.nodes.items()]
        args += [f"--relationships={kind}={path.resolve()}" for kind, path in self.relationships.items()]
        args += [f"--array-delimiter={self.array_delimiter}", "--overwrite-destination=true"]
        if self.multiline:
            args.append("--multiline-fields=true")
        return [*args, "--", database]

    def command(self, database: str = "neo4j") -> str:
        """The shell command a user runs on the (stopped) Neo4j server's machine."""
        return shlex.join(["neo4j-admin", "database", "import", "full", *self.arguments(database)])


def column_type(values: Iterable[Any]) -> str:
    """The importer type of a property from its Python values (None ignored; text when unsure)."""
    kinds: set[str] = set()
    for value in values:
        if value is None:
            continue
        if isinstance(value, list):
            inner = column_type(value)
            kinds.add(f"{inner}[]")
        elif isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            kinds.add("long")
        elif isinstance(value, float):
            kinds.add("double")
        else:
            kinds.add("string")
    if kinds <= {"long"} and kinds:
        return "long"
    if kinds and kinds <= {"long", "double"}:
        return "double"
    if len(kinds) == 1:
        return kinds.pop()
    if kinds and all(k.endswith("[]") for k in kinds):
        return "string[]"
    return "string"


def write_import(rows: GraphRows, out: Path, run: str) -> ImportFiles:
    """Write the node and relationship files of ``rows`` into ``out``; return what to import."""
    out.mkdir(parents=True, exist_ok=True)
    delimiter = _array_delimiter(rows)
    tables = _tables(rows, run)
    multiline = any(isinstance(v, str) and ("\n" in v or "\r" in v)
                    for _, table in tables for row in table[1] for v in row.values())
    nodes: dict[str, Path] = {}
    rels: dict[str, Path] = {}
    counts: dict[str, int] = {}
    for name, (header, body, is_node) in tables:
        path = out / f"{name.lower()}.csv"
        _write(path, header, body, delimiter)
        (nodes if is_node else rels)[name] = path
        counts[name] = len(body)
    return ImportFiles(nodes, rels, delimiter, multiline, counts)


def _tables(rows: GraphRows, run: str) -> list[tuple[str, tuple[list[tuple[str, str]], list[Row], bool]]]:
    """``(label or type, (header [(name, header cell)], rows, is node))`` for every file."""
    cores = {r["enterprise_id"]: r for r in rows.cores}
    enterprises = []
    for r in rows.enterprises:
        row = {"enterprise_id": r["enterprise_id"], **r["props"], "firm_json": r["json"],
               "links_json": r["links_json"], "run": run}
        core = cores.get(r["enterprise_id"])
        if core is not None:
            row.update(rank=core["rank"], core_score=core["score"], core_json=core["json"],
                       leakage_json=core["leakage_json"], core_run=run)
        row[":LABEL"] = "Enterprise;Core" if core is not None else "Enterprise"
        enterprises.append(row)
    known = {r["enterprise_id"] for r in rows.enterprises}
    branches = sorted({r["branch"] for r in rows.branches if r["enterprise_id"] in known})
    works = sorted({(r["manager"], r["branch"]) for r in rows.branches
                    if r["enterprise_id"] in known and r["manager"] is not None})
    alerts = list({(a["core_id"], a["enterprise_id"], a["kind"]): a for a in rows.alerts
                   if a["core_id"] in cores}.values())
    chains = list({(c["enterprise_id"], c["core_id"]): c for c in rows.chains
                   if c["core_id"] in cores and c["enterprise_id"] in known}.values())
    leaks = list({(x["core_id"], x["enterprise_id"], x["direction"]): x for x in rows.leaks
                  if x["core_id"] in cores and x["enterprise_id"] in known}.values())
    excluded = list({(x["enterprise_id"], x["core_id"], x["direction"], x["tier"]): x for x in rows.excluded
                     if x["core_id"] in cores and x["enterprise_id"] in known}.values())
    pays = list({(p["payer_id"], p["payee_id"]): p for p in rows.pays
                 if p["payer_id"] in known and p["payee_id"] in known}.values())
    e_props = ("enterprise_id", *FIRM_PROPS, "firm_json", "links_json", "run", *_CORE_PROPS)
    return [
        ("Enterprise", _node(enterprises, "enterprise_id", "Enterprise", e_props, with_label=True)),
        ("Branch", _node([{"name": b, "run": run} for b in branches], "name", "Branch", ("name", "run"))),
        ("Manager", _node([{"name": m, "run": run} for m in sorted({m for m, _ in works})], "name",
                          "Manager", ("name", "run"))),
        ("Alert", _node([{":ID": i, "core_id": a["core_id"], "enterprise_id": a["enterprise_id"],
                          "kind": a["kind"], **a["props"], "row_json": a["json"], "run": run}
                         for i, a in enumerate(alerts)], ":ID", "Alert",
                        (":ID", "core_id", "enterprise_id", "kind", "severity", "direction", "name",
                         "row_json", "run"))),
        ("Analysis", _node([{"key": "current", "meta": rows.meta, "run": run, "excluded_run": run,
                             "links_run": run}], "key", "Analysis", ("key", "meta", "run", "excluded_run",
                                                                     "links_run"))),
        ("PAYS", _rel([{**p, "run": run} for p in pays], ("payer_id", "Enterprise"), ("payee_id", "Enterprise"),
                      (*cypher.PAYS_PROPERTIES, "run"))),
        ("BANKS_AT", _rel([{"e": r["enterprise_id"], "b": r["branch"], "run": run}
                           for r in {(r["enterprise_id"], r["branch"]): r for r in rows.branches
                                     if r["enterprise_id"] in known}.values()],
                          ("e", "Enterprise"), ("b", "Branch"), ("run",))),
        ("WORKS_AT", _rel([{"m": m, "b": b, "run": run} for m, b in works], ("m", "Manager"), ("b", "Branch"),
                          ("run",))),
        ("IN_CHAIN", _rel([{**c["props"], "e": c["enterprise_id"], "c": c["core_id"],
                            "member_json": c["member_json"], "prospect_json": c["prospect_json"], "run": run}
                           for c in chains], ("e", "Enterprise"), ("c", "Enterprise"),
                          (*CHAIN_PROPS, "member_json", "prospect_json", "run"))),
        ("LEAKS_TO", _rel([{**x["props"], "c": x["core_id"], "e": x["enterprise_id"],
                            "direction": x["direction"], "row_json": x["json"], "run": run} for x in leaks],
                          ("c", "Enterprise"), ("e", "Enterprise"),
                          ("direction", "amount_offus", "share_of_core", "rank", "row_json", "run"))),
        ("LEFT_OUT_OF", _rel([{**x["props"], "e": x["enterprise_id"], "c": x["core_id"], "direction": x["direction"],
                               "tier": x["tier"], "row_json": x["json"], "run": run} for x in excluded],
                             ("e", "Enterprise"), ("c", "Enterprise"),
                             ("direction", "tier", *EXCLUDED_PROPS, "row_json", "run"))),
        ("ABOUT", _rel([{"a": i, "c": a["core_id"], "run": run} for i, a in enumerate(alerts)],
                       ("a", "Alert"), ("c", "Enterprise"), ("run",))),
    ]


def _node(body: list[Row], key: str, space: str, columns: Sequence[str],
          with_label: bool = False) -> tuple[list[tuple[str, str]], list[Row], bool]:
    header = []
    for name in columns:
        if name == key:
            header.append((name, f"{'' if name == ':ID' else name}:ID({space})"))
        else:
            header.append((name, f"{name}:{column_type(r.get(name) for r in body)}"))
    if with_label:
        header.append((":LABEL", ":LABEL"))
    return header, body, True


def _rel(body: list[Row], start: tuple[str, str], end: tuple[str, str],
         columns: Sequence[str]) -> tuple[list[tuple[str, str]], list[Row], bool]:
    header = [(start[0], f":START_ID({start[1]})"), (end[0], f":END_ID({end[1]})")]
    header += [(name, f"{name}:{column_type(r.get(name) for r in body)}") for name in columns]
    return header, body, False


def _write(path: Path, header: list[tuple[str, str]], body: list[Row], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(_quote(cell) for _, cell in header) + "\n")
        keys = [k for k, _ in header]
        for row in body:
            fh.write(",".join(_cell(row.get(k), delimiter) for k in keys) + "\n")


def _cell(value: Any, delimiter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return _quote(delimiter.join(_text(v) for v in value))
    return _quote(_text(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _array_delimiter(rows: GraphRows) -> str:
    texts = [str(v) for c in rows.chains for value in c["props"].values() if isinstance(value, list)
             for v in value]
    for candidate in _ARRAY_DELIMITERS:
        if not any(candidate in t for t in texts):
            return candidate
    raise ValueError("every array delimiter the importer could use occurs in a list's texts")


__all__ = ["ImportFiles", "column_type", "write_import"]
