"""The managers' pages: server-rendered HTML over the same :class:`~chainsight.api._scope.Reader` as the API.

Every page reads through the one access rule (scoped to the signed-in manager's branches, account numbers
masked, every read audited), is rendered by :func:`~chainsight.api.pages._render.render` from a Jinja2
template with autoescape on, and loads only this app's own files (``/static/pages/…``): nothing from
outside, no inline script, so the Content-Security-Policy of :mod:`~chainsight.api.pages._security` can
forbid every script but ours.

* ``/`` — start page: my branch's cores (search, sort) and the overview view.
* ``/cores/{id}`` — a core: key figures, its chain view, its prospects (filters, sorting, paging, CSV/XLSX
  export), leakage and alerts; ``/enterprises/{id}`` — a firm's evidence card, its chains, its
  neighbourhood view, who took it and what happened.
* ``/views/…`` — the chain views the pages frame, each under a policy of its own (:mod:`.views`).
* ``/sign-in``, ``/sign-out`` — sessions of the app database (HTTP-only, SameSite cookie; throttled).
* ``/mine`` — my prospects: what I have taken, follow-ups due first, by status, with CSV/XLSX export;
  the take, release and record-outcome forms post to ``/enterprises/{id}/…`` (:mod:`.work`).
* ``/lists``, ``/lists/{id}`` — the named lists I see (mine, shared with my branch or team), each firm
  within my own access and the rest only counted (:mod:`.lists`).
* ``/backtest`` — precision@k of the ranking against a later period and recorded outcomes (admins and
  analysts; :mod:`.backtest`).

Chinese by default; ``?lang=en`` (remembered in a cookie) switches to English.
"""

from pathlib import Path

from fastapi import APIRouter

from chainsight.api.pages import backtest, core, enterprise, lists, mine, signin, start, views, work

#: The pages' own CSS and JavaScript, served at ``/static/pages/``.
PAGES_STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)
router.include_router(start.router)
router.include_router(signin.router)
router.include_router(mine.router)
router.include_router(work.router)
router.include_router(core.router)
router.include_router(enterprise.router)
router.include_router(views.router)
router.include_router(lists.router)
router.include_router(lists.forms)
router.include_router(backtest.router)

__all__ = ["PAGES_STATIC", "router"]
