"""A deterministic demo bank: exports of 示范银行 with planted supply chains and known defects.

``generate(out)`` writes statement CSVs (GBK), one Excel statement workbook, one Parquet payments
extract, the customer master, a commented ``chainsight.toml``, the ground truth under ``truth/``
and a later period under ``later/`` (a customer master half a year on, with its own manifest: the
firms that converted since, for a back-test; their answer is ``truth/later_conversions.csv``). The same seed and scale give byte-identical files.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     summary = generate(Path(tmp), scale="tiny")
...     (Path(tmp) / "chainsight.toml").exists(), summary.cores
(True, 2)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from chainsight.demo._accounts import build_accounts
from chainsight.demo._config import DEFECTS, SCALES, ScaleName
from chainsight.demo._customers import build_customers
from chainsight.demo._later import build_later
from chainsight.demo._later_out import write_later
from chainsight.demo._layout import build_layout
from chainsight.demo._manifest import manifest_text
from chainsight.demo._master import write_master
from chainsight.demo._master_defects import master_defects
from chainsight.demo._payments_out import write_parquet
from chainsight.demo._relations import build_relations
from chainsight.demo._rng import stream
from chainsight.demo._statements import Tables, write_csv
from chainsight.demo._timeline import build_events
from chainsight.demo._truth import TruthSink, firm_keys, write_truth
from chainsight.demo._world import CORE, CORPORATE, build_world
from chainsight.demo._xlsx import write_xlsx

__all__ = ["DEFECTS", "SCALES", "SynthSummary", "generate"]

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`generate` wrote.

    ``rows`` counts data rows per file kind (``csv``, ``xlsx``, ``parquet``) and master file;
    ``defects`` counts injected defects by kind; ``files`` lists every export, relative to ``out``.
    """

    out: Path
    scale: str
    seed: int
    firms: int               # corporate enterprises in the world (ours and other banks')
    customers: int           # our customers of every type
    accounts: int            # our customers' accounts
    cores: int
    payments: int            # payments shown in at least one export (= transaction ids)
    rows: Mapping[str, int]
    defects: Mapping[str, int]
    files: tuple[str, ...]
    manifest: Path
    truth: Path
    seconds: float = field(compare=False)  # wall time; the only field that differs between runs


def _noop(stage: str, fraction: float) -> None:
    """Progress sink that ignores reports."""


def generate(out: Path, scale: Literal["tiny", "small", "medium", "large"] = "small", seed: int = 7,
             progress: Progress | None = None) -> SynthSummary:
    """Write a demo bank of ``scale`` into ``out`` (created if missing) and return what was written.

    Parameters
    ----------
    out : Path
        Folder for the exports. Files a previous run left there that the manifest's globs or the
        truth folder would pick up (``statements/*.csv``, ``excel/*.xlsx``, ``truth/*.csv``) are
        removed first; other files are left alone.
    scale : {"tiny", "small", "medium", "large"}
        About 300 / 2k / 20k / 200k firms and 15k / 100k / 1M / 10M statement rows.
    seed : int
        Same seed and scale give byte-identical files.
    progress : callable, optional
        Called as ``progress(stage, fraction)`` with fraction in [0, 1].

    Returns
    -------
    SynthSummary
    """
    report = progress or _noop
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in (*out.glob("statements/*.csv"), *out.glob("excel/*.xlsx"), *out.glob("truth/*.csv")):
        stale.unlink()
    spec = SCALES[_check_scale(scale)]
    report("world", 0.0)
    world = build_world(spec, seed)
    acc = build_accounts(world, seed)
    cust = build_customers(world, acc, seed)
    rel = build_relations(world, seed)
    report("payments", 0.1)
    events = build_events(world, acc, cust, rel, seed)
    lay = build_layout(world, acc, events, seed)
    tables = Tables.of(acc, lay, world.name)
    rows: dict[str, int] = {"csv": 0, "xlsx": 0, "parquet": 0}
    flaws = master_defects(world, cust, seed)
    rows.update(write_master(out, world, acc, cust, flaws))
    sink = TruthSink(out, len(lay.events))
    try:
        for f, fs in enumerate(lay.files):
            report("exports", 0.2 + 0.7 * f / len(lay.files))
            rng = stream(seed, "defects", f)
            if fs.kind == "csv":
                rep = write_csv(out, fs, f, lay, acc, tables, rng)
            elif fs.kind == "xlsx":
                rep = write_xlsx(out, fs, f, lay, acc, tables, rng)
            else:
                rep = write_parquet(out, fs, lay, acc, tables, rng)
            rows[fs.kind] += len(rep.line)
            sink.add(rep)
    finally:
        sink.close()
    report("truth", 0.9)
    write_truth(sink, world, cust, rel, lay, flaws)
    title = f"示范银行 demo ({spec.name}, seed {seed})"
    report("later", 0.95)
    later = build_later(world, cust, rel, flaws.blank, seed)
    write_later(out, world, cust, later, flaws.type_text, firm_keys(world, cust), title, seed)
    manifest = out / "chainsight.toml"
    manifest.write_text(manifest_text(title), encoding="utf-8")
    report("done", 1.0)
    return SynthSummary(
        out=out, scale=spec.name, seed=seed, firms=int((world.kind == CORPORATE).sum()),
        customers=len(cust.org), accounts=int(acc.customer.sum()), cores=int((world.role == CORE).sum()),
        payments=len(lay.events), rows=MappingProxyType(rows),
        defects=MappingProxyType(dict(sink.defect_counts)), files=tuple(fs.path for fs in lay.files),
        manifest=manifest, truth=sink.dir, seconds=round(time.perf_counter() - started, 2),
    )


def _check_scale(scale: str) -> ScaleName:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    return scale  # type: ignore[return-value]
