"""The HTTP layer: the prospect API, the manager pages and the app's own database (``appdb``).

Everything a person or another system reaches over HTTP passes through this package, and every
data access in it passes through one access rule (who may see which branch's firms,
:mod:`chainsight.api._scope`) and the audit log. ``create_app(settings)`` builds the app;
``chainsight serve`` runs it. FastAPI is imported only when the app is asked for, so the CLI's
``users``/``keys``/``audit`` commands do not pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from chainsight.api._app import create_app

        return create_app
    raise AttributeError(name)
