"""One self-contained HTML document per view: our Jinja2 template, vis-network and our script inlined.

The drawing's data goes into a ``<script type="application/json">`` block, parsed by the page with
``JSON.parse``; :func:`embed_json` escapes every character that could end that block or start markup,
so a firm named ``</script><script>…`` stays a string. Autoescape is on for everything else.

Examples
--------
>>> embed_json({"name": "</script><img src=x>", "sep": "\\u2028"})
'{"name": "\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e", "sep": "\\\\u2028"}'
>>> html = render_page({"view": "chain", "title": "<b>甲</b>", "nodes": [], "edges": [], "folds": [],
...                     "headings": [], "kinds": {}, "filters": []})
>>> html.startswith("<!DOCTYPE html>") and "&lt;b&gt;甲&lt;/b&gt;" in html and "<b>甲" not in html
True
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from chainsight.views._assets import VIS_VERSION, own_asset, vis_network_css, vis_network_js

__all__ = ["compact", "embed_json", "render_page"]

_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embed_json(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element (no ``<``, ``>``, ``&``, U+2028/9)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return "".join(_UNSAFE.get(ch, ch) for ch in text) if any(ch in text for ch in _UNSAFE) else text


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("chainsight.views", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as the page carries it: repeated text in one shared table, numbers rounded.

    Every member repeats the same evidence labels and many of the same values (its kind, position,
    verdict) and hover lines; a 2,000-member document carried them 2,000 times. Here every evidence row
    ``[zh, en, value]`` becomes ``[i, j]`` with ``labels[i] == [zh, en]`` and ``strings[j] == value``,
    every hover line (``tip``) an index into ``strings``; sizes, widths and scores keep the digits a
    drawing can show.

    >>> compact({"nodes": [{"ev": [["笔数", "payments", "6"]], "tip": ["6"], "size": 7.123456}], "edges": [],
    ...          "folds": []})
    {'nodes': [{'ev': [[0, 0]], 'tip': [0], 'size': 7.12}], 'edges': [], 'folds': [], 'labels': [['笔数', 'payments']], 'strings': ['6']}
    """
    labels: dict[tuple[str, str], int] = {}
    strings: dict[str, int] = {}

    def text(value: str) -> int:
        return strings.setdefault(str(value), len(strings))

    def item(x: dict[str, Any]) -> dict[str, Any]:
        out = dict(x)
        if "ev" in out:
            out["ev"] = [[labels.setdefault((r[0], r[1]), len(labels)), text(r[2])] for r in out["ev"]]
        if "tip" in out:
            out["tip"] = [text(t) for t in out["tip"]]
        if isinstance(out.get("edge"), dict):
            out["edge"] = item(out["edge"])
        for key, digits in (("size", 2), ("width", 2), ("score", 4)):
            if isinstance(out.get(key), float):
                out[key] = round(out[key], digits)
        return out

    return {**data, "nodes": [item(n) for n in data["nodes"]], "edges": [item(e) for e in data["edges"]],
            "folds": [item(f) for f in data["folds"]], "labels": [list(pair) for pair in labels],
            "strings": list(strings)}


def render_page(data: dict[str, Any], *, height: str = "100vh") -> str:
    """The HTML document that draws ``data`` (what :mod:`chainsight.views._chain` builds)."""
    template = _environment().get_template("view.html.j2")
    return template.render(
        title=str(data["title"]), height=height, vis_version=VIS_VERSION,
        # Markup: these are our own files (checked for a closing tag) and escaped JSON, not data.
        data_json=Markup(embed_json(compact(data))), vis_js=Markup(vis_network_js()), vis_css=Markup(vis_network_css()),
        view_js=Markup(own_asset("view.js")), view_css=Markup(own_asset("view.css")))
