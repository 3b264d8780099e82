"""Chain views: one self-contained HTML document per drawing, readable offline on a bank intranet.

The only layer that imports pyvis (for the vis-network files its wheel ships; our own template draws
them). The API's pages, the CLI (``chainsight view``) and notebooks (``cs.view``) all embed the same
documents.

* :func:`render_chain` — a core's chain: suppliers left, core centre, customers right, prospects coloured
  by kind, legend, search, filters, evidence on click, PNG export, big columns folded into "+N more".
* :func:`chain_page` — the same, read from a :class:`~chainsight.graph.stores.protocol.GraphStore`.
* :func:`render_overview` / :func:`overview_page` — every core and the strongest links between their
  chains (shared members), upstream cores left: the "surface" of 拓线成面, for a start page.
* :func:`render_neighbourhood` / :func:`neighbourhood_page` — one firm, its direct counterparties and its
  cores, for its evidence page.
* :func:`iframe` — any of these documents as an ``<iframe srcdoc>`` (what a notebook or a page embeds).

Examples
--------
>>> import pandas as pd
>>> from chainsight.graph.stores.protocol import Chain
>>> chain = Chain({"enterprise_id": "K", "name": "苏州核心制造有限公司"},
...               pd.DataFrame([dict(core_id="K", enterprise_id="S", name="<b>甲</b>", direction="up",
...                                  tier=1, via_id="K", amount=6e5, count=6, active_months=6,
...                                  share_of_core=0.3, dependency=1.0, is_customer=False)]),
...               pd.DataFrame([dict(payer_id="K", payee_id="S", amount=6e5, count=6, active_months=6)]))
>>> html = render_chain(chain)
>>> "http://" in html.split("<script>")[0] or "<b>甲" in html
False
"""

from __future__ import annotations

import html as _html
from typing import Any

import pandas as pd

from chainsight.graph.stores.protocol import Chain, GraphStore, ProspectFilter
from chainsight.views._chain import chain_data
from chainsight.views._overview import neighbourhood_data, overview_data
from chainsight.views._page import render_page

__all__ = ["chain_page", "iframe", "neighbourhood_page", "overview_page", "render_chain", "render_neighbourhood",
           "render_overview"]


def render_chain(chain: Chain, prospects: pd.DataFrame | None = None, *, max_per_side: int = 150,
                 height: str = "100vh") -> str:
    """One core's chain as a self-contained HTML document (vis-network inlined, no request leaves it).

    Parameters
    ----------
    chain : the core, its members and the trade edges among them (``GraphStore.chain``).
    prospects : the core's prospect rows of every kind (``GraphStore.prospects(core_id,
        filters=ProspectFilter(kinds=None), limit=None)``): kind, score, segment, stage, products and
        reasons of each member. Without them a member's kind follows its customer flags and it has no
        score.
    max_per_side : members drawn from the start on each side (best prospect score first); the others
        are folded into one "+N more" node per column that opens on click.
    height : CSS height of the whole view (``100vh`` fills a window; an iframe wants e.g. ``640px``).

    Returns
    -------
    str
        The HTML document, UTF-8 text.
    """
    return render_page(chain_data(chain, prospects, max_per_side=max_per_side), height=height)


def chain_page(store: GraphStore, core_id: str, *, depth: int = 2, max_per_side: int = 150,
               height: str = "100vh") -> str:
    """:func:`render_chain` of ``core_id`` as ``store`` has it (raises ``NotFound`` for an unknown core)."""
    chain = store.chain(core_id, depth)
    prospects = store.prospects(core_id, filters=ProspectFilter(kinds=None), limit=None).data
    return render_chain(chain, prospects, max_per_side=max_per_side, height=height)


def render_overview(cores: pd.DataFrame, chains: dict[str, Chain], *, max_links: int = 60,
                    height: str = "100vh") -> str:
    """Every core (``GraphStore.cores``) and the strongest links between their chains, as one document.

    Two cores are linked when their chains share members, or one sits in the other's chain; the line's
    width is the number of shared firms and its hover names the first five. ``chains`` maps a core id to
    its chain; ``max_links`` strongest links are drawn.
    """
    return render_page(overview_data(cores, chains, max_links=max_links), height=height)


def overview_page(store: GraphStore, *, top: int | None = None, depth: int = 2, height: str = "100vh") -> str:
    """:func:`render_overview` of the ``top`` cores (all by default) as ``store`` has them."""
    cores = store.cores(limit=top).data
    chains = {str(c): store.chain(str(c), depth) for c in cores["enterprise_id"]}
    return render_overview(cores, chains, height=height)


def render_neighbourhood(card: dict[str, Any], chains: list[Chain], *, height: str = "100vh") -> str:
    """One firm (``GraphStore.enterprise``) with the firms it pays (left), those paying it (right) and
    above it the cores of ``chains``, the chains it belongs to; its evidence on click."""
    return render_page(neighbourhood_data(card, chains), height=height)


def neighbourhood_page(store: GraphStore, enterprise_id: str, *, height: str = "100vh") -> str:
    """:func:`render_neighbourhood` of ``enterprise_id`` as ``store`` has it (``NotFound`` if unknown)."""
    card = store.enterprise(enterprise_id)
    cores = sorted({str(c["core_id"]) for c in card.get("chains", [])})
    return render_neighbourhood(card, [store.chain(c, 2) for c in cores], height=height)


def iframe(document: str, *, height: int = 640) -> str:
    """``document`` inside an ``<iframe srcdoc>``: the escaped document never mixes with the host page.

    >>> iframe("<p>a & b</p>", height=100)
    '<iframe srcdoc="&lt;p&gt;a &amp; b&lt;/p&gt;" style="width:100%;height:100px;border:0" sandbox="allow-scripts allow-forms allow-downloads"></iframe>'
    """
    return (f'<iframe srcdoc="{_html.escape(document, quote=True)}" style="width:100%;height:{int(height)}px;'
            f'border:0" sandbox="allow-scripts allow-forms allow-downloads"></iframe>')
