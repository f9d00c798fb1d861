"""Links a page hides from its readers: the usual shape of a planted 暗链 (black-hat SEO link).

A hacked page carries links to gambling or porn sites inside an element that
no reader sees: ``display:none``, ``visibility:hidden``, a zero font size, a
box pushed a thousand pixels off-screen, or the ``hidden`` attribute. Only
inline styles and attributes are read: a stylesheet or script that hides a
block is not evaluated (the page is never executed). This records the fact;
whether a hidden link is a 暗链 is for rule W-V9b.
"""
from __future__ import annotations

import re

from parsel import Selector

_HIDING_STYLE = re.compile(
    r"display\s*:\s*none"
    r"|visibility\s*:\s*hidden"
    r"|font-size\s*:\s*0(?![.\d]*[1-9])"  # font-size:0 / 0px, not 0.8em
    r"|(?:left|top|text-indent|margin-left|margin-top)\s*:\s*-\s*\d{3,}",  # off-screen: -999px, -9999em
    re.I)
_CANDIDATES = ("//body//*[@hidden or contains(@style, 'none') or contains(@style, 'hidden') "
               "or contains(@style, ':0') or contains(@style, ': 0') or contains(@style, '-')]")


_ANY_HIDING = re.compile(_HIDING_STYLE.pattern + r"|\shidden[\s>=/]", re.I)
# substrings one of which any hiding markup contains: a plain `in` test per word is far cheaper than the regex
_HINTS = ("none", "NONE", "None", "hidden", "HIDDEN", "Hidden", "font-size", "FONT-SIZE", "Font-Size", ":-", ": -")


def hidden_hrefs(sel: Selector, limit: int = 2000, *, html: str | None = None) -> frozenset[str]:
    """The raw ``href`` of every ``<a>`` inside an element hidden by its inline style or ``hidden`` attribute.

    ``html``: the page's markup, when at hand: a page with no hiding wording anywhere is not walked."""
    if html is not None and not (any(h in html for h in _HINTS) and _ANY_HIDING.search(html)):
        return frozenset()
    out: set[str] = set()
    for node in sel.xpath(_CANDIDATES)[:limit]:
        attrib = node.attrib
        if "hidden" not in attrib and not _HIDING_STYLE.search(attrib.get("style", "")):
            continue
        for href in node.xpath("descendant-or-self::a/@href").getall()[:limit]:
            out.add(href.strip())
    return frozenset(out)
