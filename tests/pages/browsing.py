"""The pages in a real headless Chromium, over a real served app — with everything that must not happen counted.

:class:`Site` opens one browser context per user (its own cookies) on the shared Chromium of
tests/conftest.py. Every request of a context, in every frame, goes through one handler: a request to the
app's own origin goes on, any other is **counted and refused** (``watch.outside``). Console errors,
uncaught page errors, CSP violations (the ``securitypolicyviolation`` event, reported from every frame
through a binding) and dialogs (an ``alert(1)`` that ran) are recorded too. A test ends with
:meth:`Watch.assert_clean`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Where the README's screenshots go (taken by the tests at the laptop size the issue asks for).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"
LAPTOP = {"width": 1366, "height": 768}

#: Reports every CSP violation of any frame (pages and the chain view's iframe) to the test.
_REPORT_CSP = """
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.documentURI}`));
"""


@dataclass
class Watch:
    """What one browser context did that a page must never make it do."""

    outside: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests left the app: {self.outside}"
        assert self.csp == [], f"CSP violations: {self.csp}"
        assert self.console == [], f"console errors: {self.console}"
        assert self.errors == [], f"page errors: {self.errors}"
        assert self.dialogs == [], f"a script ran a dialog: {self.dialogs}"


class Tab:
    """One user's browser context and its page, watched."""

    def __init__(self, browser: Any, origin: str) -> None:
        self.origin = origin
        self.watch = Watch()
        self.context = browser.new_context(viewport=LAPTOP, accept_downloads=True, locale="zh-CN")
        self.context.route("**/*", self._route)
        self.context.expose_binding("__cspViolation", lambda _source, text: self.watch.csp.append(text))
        self.context.add_init_script(_REPORT_CSP)
        self.context.on("console", self._console)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.watch.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.watch.dialogs.append(d.message), d.dismiss()))

    def _route(self, route: Any) -> None:
        parts = urlsplit(route.request.url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.watch.outside.append(route.request.url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.watch.console.append(f"{message.text} ({message.location.get('url', '')})")

    def goto(self, path: str) -> Any:
        """Open ``path`` of the app; the response (its status tells a refused page from a shown one)."""
        return self.page.goto(self.origin + path)

    def shot(self, name: str) -> None:
        """A screenshot of what the page shows at 1366×768, into docs/img/ (for the README)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name))

    def cookie(self, name: str) -> str | None:
        return next((c["value"] for c in self.context.cookies(self.origin) if c["name"] == name), None)

    def close(self) -> None:
        self.context.close()


def poll(frame: Any, expression: str, seconds: float = 30) -> Any:
    """Poll ``expression`` in ``frame`` until truthy (with evaluate: Playwright's wait_for_function uses
    eval, which our CSP refuses)."""
    end = time.monotonic() + seconds
    while not (value := frame.evaluate(expression)):
        assert time.monotonic() < end, f"not true within {seconds} s: {expression}"
        time.sleep(0.05)
    return value


#: Pixels of the chain view's canvas that are not blank (neither transparent nor the white background).
INKED_PIXELS = """() => {
  const canvas = document.querySelector('#cs-network canvas');
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) inked++;
  }
  return inked;
}"""
