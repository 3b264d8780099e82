"""The browser code a view inlines: vis-network 9.1.2 as the pyvis wheel ships it, and our own script.

pyvis's own templates fetch Bootstrap (and, in its ``local`` mode, still vis-network) from a CDN; a bank
intranet has none. So the views take only the library files out of the installed pyvis package and inline
them into our template: nothing a view shows is loaded from anywhere. vis-network is dual-licensed
Apache-2.0 / MIT; its licence header stays at the top of the inlined script.

Examples
--------
>>> js = vis_network_js()
>>> "@version 9.1.2" in js[:400] and "</script" not in js.lower()
True
>>> ".vis-tooltip" in vis_network_css()
True
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pyvis

__all__ = ["VIS_VERSION", "own_asset", "vis_network_css", "vis_network_js"]

VIS_VERSION = "9.1.2"
_VIS = resources.files(pyvis) / "lib" / f"vis-{VIS_VERSION}"
_OWN = resources.files(__package__ or "chainsight.views") / "static"
# The only vis-network rule a view needs: the hover popup. The rest of its CSS styles the editing and
# navigation widgets (left off: they are a 220 kB of inlined images nobody sees).
_TOOLTIP = re.compile(r"div\.vis-tooltip\{[^}]*\}")


def _no_script_end(text: str, what: str) -> str:
    """``text`` unchanged, or an error when it would close the ``<script>``/``<style>`` it goes into."""
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"{what} contains a closing script/style tag: it cannot be inlined")
    return text


@cache
def vis_network_js() -> str:
    """vis-network's standalone build, from the installed pyvis package."""
    return _no_script_end((_VIS / "vis-network.min.js").read_text(encoding="utf-8"), "vis-network.min.js")


@cache
def vis_network_css() -> str:
    """vis-network's tooltip rule, from the installed pyvis package."""
    found = _TOOLTIP.findall((_VIS / "vis-network.css").read_text(encoding="utf-8"))
    if not found:
        raise ValueError(f"pyvis {getattr(pyvis, '__version__', '?')} ships no vis-network tooltip rule")
    return _no_script_end("".join(found), "vis-network.css")


@cache
def own_asset(name: str) -> str:
    """One of our own static files (``view.js``, ``view.css``)."""
    return _no_script_end((_OWN / name).read_text(encoding="utf-8"), name)
