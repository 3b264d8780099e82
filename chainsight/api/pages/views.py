"""``/views/…``: the chain views as documents of their own, for the pages' ``<iframe src=…>``.

* ``/views/chain/{core_id}.html`` — a core's chain (``?depth=1..3``, default 2);
* ``/views/overview.html`` — every core I may see and the links between their chains;
* ``/views/enterprise/{id}.html`` — one firm's neighbourhood and its cores.

Each is read through the :data:`~chainsight.api.pages._auth.PageReader` (an invisible core or firm is the
404 page) and drawn by :mod:`chainsight.views`. A view inlines vis-network and its own script, so it
cannot live under the pages' policy (``script-src 'self'``); it gets a Content-Security-Policy of its
own, :func:`document_csp`, that allows exactly the inline scripts and styles it carries, by their
SHA-256, and nothing else: no ``'unsafe-inline'``, no other origin, framed only by our pages. The pages
embed it with ``src=`` (a ``srcdoc`` frame would inherit the page's policy and be blocked).

Examples
--------
>>> doc = '<style>p{}</style><p style="color:red">x</p><script>go()</script><script type="application/json">{}</script>'
>>> print(document_csp(doc).replace("; ", ";\\n"))
default-src 'none';
script-src 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw=';
style-src 'sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y=' 'unsafe-hashes' 'sha256-8f935d27GvUutRyY9yWScUMiFUk4WTdZURISiYfPOeQ=';
img-src data: blob:;
font-src data:;
form-action 'none';
base-uri 'none';
frame-ancestors 'self'
"""

import base64
import hashlib
import html
import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from chainsight.api._scope import Reader
from chainsight.api.pages._auth import PageReader
from chainsight.graph.stores.protocol import Chain, ProspectFilter
from chainsight.views import render_chain, render_neighbourhood, render_overview

__all__ = ["document_csp", "router"]

router = APIRouter(prefix="/views")
Id = Annotated[str, Path(max_length=100)]

_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)
_NONE = "'none'"
_DATA_TYPE = re.compile(r"""\stype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def document_csp(document: str) -> str:
    """The policy of one view document: its inline scripts, styles and style attributes by hash only.

    A ``<script type="application/json">`` is data, never run, so it needs no hash; a script with a
    ``src`` would need an origin, which none is given: a view has none.
    """
    scripts, styles = [], []
    for tag, attrs, body in _BLOCK.findall(document):
        if tag.lower() == "style":
            styles.append(_sha256(body))
        elif not _SRC.search(attrs) and not _DATA_TYPE.search(attrs):
            scripts.append(_sha256(body))
    outside = _BLOCK.sub("", document)
    attrs = [_sha256(html.unescape(a or b)) for a, b in _STYLE_ATTR.findall(outside)]
    style_src = " ".join(_unique(styles) + (["'unsafe-hashes'", *_unique(attrs)] if attrs else []))
    return "; ".join((
        "default-src 'none'", f"script-src {' '.join(_unique(scripts)) or _NONE}",
        f"style-src {style_src or _NONE}", "img-src data: blob:", "font-src data:",
        "form-action 'none'", "base-uri 'none'", "frame-ancestors 'self'"))


def _document(reader: Reader, key: tuple[object, ...], draw: Callable[[], str]) -> HTMLResponse:
    """The view ``draw`` makes, under its own policy — drawn once per published analysis, ``key`` and
    access (:meth:`Reader.remembered`: every later request is audited as the first was)."""

    def drawn() -> tuple[str, str]:
        text = draw()
        return text, document_csp(text)

    text, policy = reader.remembered(("view",) + key, drawn)
    return HTMLResponse(text, headers={"Content-Security-Policy": policy})


@router.get("/chain/{core_id}.html", response_class=HTMLResponse)
def chain_view(reader: PageReader, core_id: Id,
               depth: Annotated[int, Query(ge=1, le=3)] = 2) -> HTMLResponse:
    """A visible core's chain: only the members I may see, each with its prospect row."""

    def draw() -> str:
        chain = reader.chain(core_id, depth)
        rows = reader.prospects(core_id, ProspectFilter(kinds=None), "rank", 0, None).data
        return render_chain(chain, rows)

    return _document(reader, ("chain", core_id, depth), draw)


@router.get("/overview.html", response_class=HTMLResponse)
def overview_view(reader: PageReader) -> HTMLResponse:
    """Every core I may see and the links between their chains (as I may see them)."""

    def draw() -> str:
        cores = reader.cores().data
        chains = {str(c): reader.chain(str(c), 2) for c in cores["enterprise_id"]}
        return render_overview(cores, chains)

    return _document(reader, ("overview",), draw)


@router.get("/enterprise/{enterprise_id}.html", response_class=HTMLResponse)
def enterprise_view(reader: PageReader, enterprise_id: Id) -> HTMLResponse:
    """A visible firm's direct counterparties in the chains I may see, and those chains' cores."""

    def draw() -> str:
        card = reader.enterprise(enterprise_id)
        cores = sorted({str(m["core_id"]) for m in card.get("chains", [])})
        chains: list[Chain] = [reader.chain(c, 2) for c in cores]
        return render_neighbourhood(card, chains)

    return _document(reader, ("enterprise", enterprise_id), draw)
