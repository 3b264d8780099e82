"""The ingest report: per file and in total, where every input row went.

The identity ``rows_read == loaded + Σ excluded + Σ rejected`` holds for every file and the totals;
:meth:`Tally.accounted` is the right-hand side.

Examples
--------
>>> t = Tally(rows_read=5, loaded=3, excluded={"payroll": 1}, rejected={"bad_date": 1})
>>> t.accounted() == t.rows_read
True
>>> (t + t).to_json()["excluded"]
{'payroll': 2}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

FileStatus = Literal["new", "changed", "unchanged", "removed", "failed"]


@dataclass
class Tally:
    """Counts of one file or of a whole run."""

    rows_read: int = 0
    loaded: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)

    def accounted(self) -> int:
        """Rows that ended somewhere: loaded + excluded + rejected."""
        return self.loaded + sum(self.excluded.values()) + sum(self.rejected.values())

    def __add__(self, other: Tally) -> Tally:
        def merge(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            return {k: a.get(k, 0) + b.get(k, 0) for k in sorted(set(a) | set(b))}

        return Tally(self.rows_read + other.rows_read, self.loaded + other.loaded,
                     merge(self.excluded, other.excluded), merge(self.rejected, other.rejected))

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of REPORT.json: rows_read, loaded, excluded {reason: n}, rejected {reason: n}."""
        return {"rows_read": self.rows_read, "loaded": self.loaded,
                "excluded": dict(sorted(self.excluded.items())),
                "rejected": dict(sorted(self.rejected.items()))}


@dataclass(frozen=True)
class FileReport:
    """What happened to one file in this run."""

    file: str
    status: FileStatus
    layout: str | None = None
    tally: Tally | None = None
    error: str | None = None

    def with_tally(self, tally: Tally) -> FileReport:
        """The same report with its counts filled in."""
        return replace(self, tally=tally)

    def to_json(self) -> dict[str, Any]:
        """One entry of REPORT.json's ``files``."""
        out: dict[str, Any] = {"file": self.file, "status": self.status, "layout": self.layout}
        out.update((self.tally or Tally()).to_json())
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class IngestReport:
    """The whole run: every file, the totals, and the errors that make the run fail."""

    #: the manifest file the run read
    manifest: str
    started_at: str
    finished_at: str
    files: list[FileReport]

    @property
    def totals(self) -> Tally:
        """Counts over every payment file currently in the dataset (unchanged files included).

        The customer master's files are counted apart, in :attr:`master_totals`: their rows are
        customers and accounts, not payments.
        """
        return self._sum(master=False)

    @property
    def master_totals(self) -> Tally:
        """Counts over the customer master's files."""
        return self._sum(master=True)

    def _sum(self, *, master: bool) -> Tally:
        total = Tally()
        for f in self.files:
            if f.tally is not None and (f.layout == "master") == master:
                total = total + f.tally
        return total

    @property
    def reject_share(self) -> float:
        """Rejected payment rows over payment rows read (0.0 when none were read)."""
        t = self.totals
        return sum(t.rejected.values()) / t.rows_read if t.rows_read else 0.0

    @property
    def errors(self) -> list[str]:
        """One message per unusable file."""
        return [f.error for f in self.files if f.error]

    @property
    def ok(self) -> bool:
        """True when every file was usable."""
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        """REPORT.json."""
        return {"manifest": self.manifest, "started_at": self.started_at,
                "finished_at": self.finished_at, "ok": self.ok, "errors": self.errors,
                "files": [f.to_json() for f in self.files], "totals": self.totals.to_json(),
                "master_totals": self.master_totals.to_json()}
