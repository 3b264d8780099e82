"""The one exception tree of ChainSight.

::

    ChainSightError                 root: catch this to catch everything we raise on purpose
    ├── ConfigError                 a setting or a manifest is wrong (bad TOML, unknown key, missing file)
    ├── UnusableInputError          a whole input file cannot be read (type, encoding, missing column)
    ├── StoreError                  a graph store failed
    │   ├── StoreUnavailable        the store cannot be reached (server down, file locked)
    │   └── NotAnalysed             the store holds no analytics yet: run ``chainsight analyze`` first
    ├── NotFound                    an enterprise or core that the store does not know
    └── ConvergenceError            an iterative algorithm (PageRank, HITS) did not converge

A bad *row* is never an exception: it is a row in the ``rejects`` table with file, line and reason.
"""

from __future__ import annotations


class ChainSightError(Exception):
    """Root of every error ChainSight raises on purpose."""


class ConfigError(ChainSightError):
    """A setting, a manifest or a mapping profile is invalid."""


class UnusableInputError(ChainSightError):
    """A whole input file cannot be used; nothing of it reaches the staging tables.

    Examples
    --------
    >>> str(UnusableInputError("a.csv", "undecodable bytes at offset 10"))
    'a.csv: undecodable bytes at offset 10'
    """

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


class StoreError(ChainSightError):
    """A graph store failed to answer."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (Neo4j down, wrong credentials, DuckDB file locked)."""


class NotAnalysed(StoreError):
    """The store has staging data but no analytics: run ``chainsight analyze``."""


class NotFound(ChainSightError):
    """An enterprise, core or resource that the store does not know."""


class ConvergenceError(ChainSightError):
    """An iterative centrality (PageRank, HITS) did not converge within its iteration budget.

    Examples
    --------
    >>> str(ConvergenceError("PageRank did not converge in 100 iterations"))
    'PageRank did not converge in 100 iterations'
    """


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a library's multi-line dump shortened), or its type.

    >>> first_line(ValueError("bad value\\n  at line 3"))
    'bad value'
    >>> first_line(KeyError())
    'KeyError'
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
