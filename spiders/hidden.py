"""Links a page hides from its readers: the usual shape of a planted 暗链 (black-hat SEO link).

A hacked page carries links to gambling or porn sites inside an element that
no reader sees: ``display:none``, ``visibility:hidden``, a zero font size, a
box pushed a thousand pixels off-screen, or the ``hidden`` attribute. Only
inline styles and attributes are read: a stylesheet or script that hides a
block is not evaluated (the page is never executed). This records the facts
(how the link is hidden, which hidden block holds it, and what the block calls
itself when it is a menu, pop-up or widget a reader can open); whether a
hidden link is a 暗链 is for rule W-V9b.
"""

from __future__ import annotations

import re
from parsel import Selector

from monitor.model import HiddenLink

_HIDING_STYLE = re.compile(
    r"display\s*:\s*none"
    r"|visibility\s*:\s*hidden"
    r"|font-size\s*:\s*0(?![.\d]*[1-9])"  # font-size:0 / 0px, not 0.8em
    r"|(?:left|top|text-indent|margin-left|margin-top)\s*:\s*-\s*\d{3,}",  # off-screen: -999px, -9999em
    re.I,
)
_OFFSCREEN = re.compile(r"(?:left|top|margin-left|margin-top)\s*:\s*-\s*\d{3,}", re.I)
_INDENT = re.compile(r"text-indent\s*:\s*-\s*\d{3,}", re.I)
_FONT0 = re.compile(r"font-size\s*:\s*0(?![.\d]*[1-9])", re.I)
_VISIBILITY = re.compile(r"visibility\s*:\s*hidden", re.I)
_CANDIDATES = (
    "//body//*[@hidden or contains(@style, 'none') or contains(@style, 'hidden') "
    "or contains(@style, ':0') or contains(@style, ': 0') or contains(@style, '-')]"
)


_ANY_HIDING = re.compile(_HIDING_STYLE.pattern + r"|\shidden[\s>=/]", re.I)
# substrings one of which any hiding markup contains: a plain `in` test per word is far cheaper than the regex
_HINTS = ("none", "NONE", "None", "hidden", "HIDDEN", "Hidden", "font-size", "FONT-SIZE", "Font-Size", ":-", ": -")

# What a block a reader opens calls itself in its class or id: drop-down menus, login and other pop-ups,
# share and social widgets, QR codes, tabs. Matched as a word part of class/id names (sub-menu, loginPop …).
_UI_WORDS = (
    "menu",
    "nav",
    "drop",
    "sub",
    "pop",
    "layer",
    "login",
    "logon",
    "user",
    "dialog",
    "modal",
    "share",
    "bshare",
    "bds",
    "jiathis",
    "social",
    "sns",
    "weixin",
    "wechat",
    "weibo",
    "qrcode",
    "erweima",
    "ewm",
    "code",
    "tabs?(?![a-z])",
    "more",
    "tip",
    "toggle",
    "slide",
    "hover",
    "panel",
    "mask",
    "search",
    "select",
    "mobile",
    "wap",
    "app(?![a-z])",
    "lang",
    "tool",
    "float",
    "fixed",
    "popup",
)
_UI_RE = re.compile(r"(?<![a-z])(" + "|".join(_UI_WORDS) + r")")
_UI_TAGS = {"nav", "li", "dd", "select", "option", "dialog", "menu"}
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def _how(attrib) -> str:
    style = attrib.get("style", "")
    if _OFFSCREEN.search(style):
        return "offscreen"
    if _INDENT.search(style):
        return "indent"
    if _FONT0.search(style):
        return "font0"
    if _VISIBILITY.search(style):
        return "visibility"
    if "hidden" in attrib and not _HIDING_STYLE.search(style):
        return "attr"
    return "display"


def _ui(node) -> str:
    """The first class/id word (or tag) on the block or its near ancestors that names a menu, pop-up or widget;
    also a block whose id the page's scripts mention (a script opens it)."""
    for anc in [node, *node.xpath("ancestor::*[position() <= 4]")[::-1]]:
        tag = anc.root.tag if isinstance(anc.root.tag, str) else ""
        if tag in ("body", "html"):  # a page-wide handler (<body onload>) says nothing about the block
            break
        if tag in _UI_TAGS:
            return tag
        for attr in ("class", "id"):
            m = _UI_RE.search(_CAMEL.sub(r"\1 \2", anc.attrib.get(attr, "")).lower())
            if m:
                return m.group(1)
        if any(k.startswith("on") for k in anc.attrib):
            return "script"
    return ""


def hidden_links(sel: Selector, limit: int = 2000, *, html: str | None = None) -> dict[str, HiddenLink]:
    """The raw ``href`` of every ``<a>`` inside an element hidden by its inline style or ``hidden`` attribute,
    with how it is hidden. The innermost hiding element decides.

    ``html``: the page's markup, when at hand: a page with no hiding wording anywhere is not walked."""
    if html is not None and not (any(h in html for h in _HINTS) and _ANY_HIDING.search(html)):
        return {}
    out: dict[str, HiddenLink] = {}
    for block, node in enumerate(sel.xpath(_CANDIDATES)[:limit]):
        attrib = node.attrib
        if "hidden" not in attrib and not _HIDING_STYLE.search(attrib.get("style", "")):
            continue
        ident = attrib.get("id", "")
        ui = _ui(node)
        if not ui and ident and html is not None and html.count(ident) > 1 and len(ident) >= 3:
            ui = "script"  # the page's own script refers to the block: it is shown on demand
        how = _how(attrib)
        is_link = node.root.tag == "a"
        for href in node.xpath("descendant-or-self::a/@href").getall()[:limit]:
            # document order: an inner hidden block comes later and overrides its ancestor's record
            out[href.strip()] = HiddenLink(how, block, ui, is_link)
    return out


def hidden_hrefs(sel: Selector, limit: int = 2000, *, html: str | None = None) -> frozenset[str]:
    """The raw ``href`` of every ``<a>`` inside an element hidden by its inline style or ``hidden`` attribute."""
    return frozenset(hidden_links(sel, limit, html=html))
