"""What a node's look means: colour and shape by kind, the bilingual words of legends and panels.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies), and
every kind also has its own shape, so a printed black-and-white PNG still tells them apart.

Examples
--------
>>> KINDS["deepen"]["zh"], KINDS["acquire"]["shape"]
('可深耕的小额无贷户', 'triangle')
>>> position_words("up", 2)
('上游二级供应商', 'tier-2 supplier')
>>> pct(0.0842), pct(None)
('8.4%', '–')
"""

from __future__ import annotations

from typing import Any

from chainsight.graph.eligibility import RULES

__all__ = ["COLUMN_WORDS", "KINDS", "eligibility_words", "pct", "position_words"]

KINDS: dict[str, dict[str, str]] = {
    "core": {"short_zh": "核心", "short_en": "core", "color": "#D55E00", "border": "#8a3c00", "shape": "star", "zh": "核心企业",
             "en": "core enterprise"},
    "deepen": {"short_zh": "深耕", "short_en": "deepen", "color": "#009E73", "border": "#006b4e", "shape": "dot", "zh": "可深耕的小额无贷户",
               "en": "our eligible no-loan customer: deepen"},
    "acquire": {"short_zh": "拓户", "short_en": "acquire", "color": "#E69F00", "border": "#9c6c00", "shape": "triangle", "zh": "他行客户（拓户）",
                "en": "banks elsewhere: acquire"},
    "credit_team": {"short_zh": "有贷", "short_en": "credit", "color": "#0072B2", "border": "#004c77", "shape": "square", "zh": "我行有贷客户",
                    "en": "our customer with credit"},
    "existing": {"short_zh": "其他", "short_en": "other", "color": "#9a9a9a", "border": "#666666", "shape": "diamond", "zh": "其他成员",
                 "en": "other member"},
    "fold": {"short_zh": "折叠", "short_en": "folded", "color": "#f2f2f2", "border": "#777777", "shape": "box", "zh": "折叠的成员（点击展开）",
             "en": "folded members (click to open)"},
}

COLUMN_WORDS: dict[tuple[str, int], tuple[str, str]] = {
    ("up", 2): ("上游二级", "tier-2 suppliers"), ("up", 1): ("上游一级", "tier-1 suppliers"),
    ("down", 1): ("下游一级", "tier-1 customers"), ("down", 2): ("下游二级", "tier-2 customers"),
}

NOT_CUSTOMER = ("not our customer: it banks elsewhere", "非我行客户（他行）")


def position_words(direction: str, tier: int) -> tuple[str, str]:
    """Where a member sits, in Chinese and English."""
    zh, en = COLUMN_WORDS.get((direction, tier), (f"{direction}{tier}", f"tier-{tier} {direction}"))
    return zh + ("供应商" if direction == "up" else "客户"), en.removesuffix("s")


def eligibility_words(rule: Any) -> tuple[str, str]:
    """The 小额无贷户 verdict: eligible, or the rule that excluded the firm."""
    if rule == "eligible":
        return "小额无贷户（符合）", "eligible small no-loan customer"
    en, zh = RULES.get(str(rule), (NOT_CUSTOMER if rule in (None, "not_customer") else (str(rule), str(rule))))
    return f"不符合：{zh}", f"not eligible: {en}"


def pct(value: Any) -> str:
    """A share as a percentage with one decimal; ``–`` when unknown."""
    if value is None or value != value:
        return "–"
    return f"{float(value):.1%}"
