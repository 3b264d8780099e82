"""What every page form needs: its CSRF token checked, a safe way back, and a short notice after it.

* :func:`require_csrf` — the dependency of every page POST: the form's ``csrf`` field must be the token of
  the session (:func:`~chainsight.api.pages._security.check_csrf`), else 403 and nothing is done.
* :func:`local_path` — where a form may send the browser after it (``next`` of the sign-in, ``back`` of the
  work buttons): a path of this site only, never another host (no open redirect).
* :func:`with_notice` — that path with ``?notice=<key>``; the page shows the message of one of
  :data:`NOTICES` (a fixed word list: nothing the asker types is echoed).

Examples
--------
>>> local_path("/cores/K1?tab=prospects"), local_path("//evil.example/x"), local_path("https://evil.example")
('/cores/K1?tab=prospects', '/', '/')
>>> with_notice("/mine?status=new&notice=released", "taken")
'/mine?status=new&notice=taken'
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Request

from chainsight.api._deps import audit
from chainsight.api.pages._security import check_csrf
from chainsight.errors import AccessDenied

__all__ = ["NOTICES", "local_path", "notice_of", "require_csrf", "with_notice"]

#: notice key → whether it reports a refusal (shown as an error).
NOTICES: dict[str, bool] = {"taken": False, "released": False, "recorded": False, "signed_out": False,
                            "taken_by_other": True, "not_taken": True, "not_yours": True,
                            "invalid_outcome": True, "list_saved": False, "list_shared": False,
                            "invalid_list": True, "invalid_share": True, "assigned": False,
                            "invalid_assign": True}


def local_path(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site (``/…``, no ``//``, no scheme, no backslash), else ``default``.

    >>> [local_path(v) for v in ("/mine", "/\\\\evil", "javascript:alert(1)", "", None, "/a\\nb", "mine")]
    ['/mine', '/', '/', '/', '/', '/', '/']
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value) or len(value) > 2000:
        return default
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else default


def with_notice(path: str, notice: str) -> str:
    """``path`` with its ``notice`` query parameter set to ``notice`` (one of :data:`NOTICES`)."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "notice"]
    return urlunsplit(("", "", parts.path, urlencode([*query, ("notice", notice)]), ""))


def notice_of(request: Request) -> tuple[str, bool] | None:
    """The page's notice: ``(key, is an error)`` when ``?notice=`` names one of :data:`NOTICES`."""
    key = request.query_params.get("notice", "")
    return (key, NOTICES[key]) if key in NOTICES else None


async def require_csrf(request: Request) -> None:
    """Refuse (403) a form post whose ``csrf`` field is not the token of the asker's session."""
    form = await request.form()  # parsed once: the route's Form() fields read the same cached form
    submitted = form.get("csrf")
    if not check_csrf(request, submitted if isinstance(submitted, str) else None):
        audit(request, None)("csrf", 0, 403)
        raise AccessDenied("this form has no valid security token (CSRF): reload the page and send it again")
