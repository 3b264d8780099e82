"""Where the command line writes, and the one place that turns any error into a line and an exit status.

Data (firm names, file names, raw rows, error messages) is shown as :class:`rich.text.Text` or through
:func:`rich.markup.escape`, never as markup: a firm called ``[red]x[/red]`` prints as those characters.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from chainsight.errors import ChainSightError, ConfigError

# Piped output (CI logs, files) gets a wide console instead of rich's 80-column default. Emoji codes
# such as ``:cn:`` are data too, so rich must not replace them.
out = Console(emoji=False) if sys.stdout.isatty() else Console(width=160, emoji=False)
err = Console(stderr=True, emoji=False)

#: Set to 1 to see the traceback of an unexpected error (for developers).
DEBUG_VARIABLE = "CHAINSIGHT_DEBUG"


def error_line(message: str) -> None:
    """Print ``error: message`` on stderr as one line, the message taken literally (never markup)."""
    err.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def exit_status(exc: BaseException) -> int:
    """2 for a bad setting or option (as typer does for bad usage), 1 for anything else.

    Examples
    --------
    >>> exit_status(ConfigError("x")), exit_status(OSError("disk full"))
    (2, 1)
    """
    return 2 if isinstance(exc, ConfigError) else 1


@contextmanager
def reported() -> Iterator[None]:
    """Turn an exception raised inside into one escaped ``error:`` line and a ``typer.Exit``.

    typer's own exits and usage errors pass through untouched; they already print their message.
    """
    try:
        yield
    except ChainSightError as exc:
        error_line(str(exc))
        raise typer.Exit(exit_status(exc)) from exc
    except Exception as exc:
        # typer's and click's own exits and usage errors already print their message (their classes
        # differ between typer releases: match them by module, not by name).
        if type(exc).__module__.split(".")[0] in {"typer", "click"} or os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        # A foreign error (DuckDB, a full disk, pandas) is not ours to explain, but it is still one line.
        error_line(f"{type(exc).__name__}: {exc} (set {DEBUG_VARIABLE}=1 to see the traceback)")
        raise typer.Exit(1) from exc


class ReportingGroup(TyperGroup):
    """The command group whose every command runs inside :func:`reported`."""

    def invoke(self, ctx: Any) -> Any:
        """Run the chosen command; any error it raises ends as one line and an exit status."""
        with reported():
            return super().invoke(ctx)
