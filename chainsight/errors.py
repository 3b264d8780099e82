"""The one exception tree of ChainSight.

::

    ChainSightError                 root: catch this to catch everything we raise on purpose
    ├── ConfigError                 a setting or a manifest is wrong (bad TOML, unknown key, missing file)
    ├── UnusableInputError          a whole input file cannot be read (type, encoding, missing column)
    ├── StoreError                  a graph store failed
    │   ├── StoreUnavailable        the store cannot be reached (server down, file locked)
    │   └── NotAnalysed             the store holds no analytics yet: run ``chainsight analyze`` first
    ├── NotFound                    an enterprise, core, user or key that we do not know
    ├── AppDBUnavailable            the app database (users, keys, audit) cannot be opened or reached
    ├── AuthError                   a sign-in, API key or session is refused (wrong, revoked, expired)
    │   └── TooManyAttempts         failed sign-ins for this name from this client are throttled
    ├── AccessDenied                a known principal asks for what their role may not do
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


class AppDBUnavailable(ChainSightError):
    """The app database cannot be opened or reached: a bad URL, a server that is down, a newer schema."""


class AuthError(ChainSightError):
    """A credential is refused: wrong password, unknown or revoked key, expired session, disabled user."""


class AccessDenied(ChainSightError):
    """A known user or key asks for something its role may not do (assigning firms as a manager)."""


class TooManyAttempts(AuthError):
    """Too many failed sign-ins for one name from one client; ``retry_after`` seconds until the next try.

    Examples
    --------
    >>> e = TooManyAttempts("wang", 300)
    >>> str(e), e.retry_after
    ('too many failed sign-ins for wang: try again in 300 s', 300)
    """

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins for {name}: try again in {retry_after} s")
        self.retry_after = retry_after


class ConvergenceError(ChainSightError):
    """An iterative centrality (PageRank, HITS) did not converge within its iteration budget.

    Examples
    --------
    >>> str(ConvergenceError("PageRank did not converge in 100 iterations"))
    'PageRank did not converge in 100 iterations'
    """
