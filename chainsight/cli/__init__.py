"""The ``chainsight`` command line: demo · synth · ingest · rejects · analyze · cores · prospects ·
view · backtest · users · keys · audit · assign · assignments.

Settings are read once here, at the edge, and passed down. Every error ends as one line on stderr and a
non-zero exit status (2 for a bad setting or option, 1 otherwise); nothing printed reads markup from
the data. ``CHAINSIGHT_DEBUG=1`` shows the traceback of an unexpected error instead.
"""

from chainsight.cli import _backtest, _view  # noqa: F401 - register `chainsight backtest` and `view`
from chainsight.cli._commands import app, main

__all__ = ["app", "main"]
