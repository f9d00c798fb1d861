"""HTML to a selector that never loses a page to its nesting.

libxml2 stops building the tree at 2,048 nested elements (10,000 ``div``s, 1,200 unclosed ``<font>``s are
seen on real sites): everything after that point, text and links alike, silently vanishes. Browsers keep
such pages readable, so we do too: when the parser reports that depth, the page is parsed again with its
purely presentational wrappers removed, which keeps its text, links, title and meta, and the page's
fact says what was done.
"""

from __future__ import annotations

import re

import lxml.etree
from parsel import Selector

# containers that carry layout only: dropping their tags keeps every word and every link of the page
_WRAPPERS = re.compile(
    rb"(?:</?(?:div|span|font|b|i|u|s|em|strong|small|big|center|section|article|main|aside|nav|header|footer"
    rb"|blockquote|p|dl|dt|dd|ul|ol|li|label|strike|tt|sub|sup|mark|figure|figcaption)\b[^>]*>\s*)+",
    re.I,
)
DEEP_NOTE = "页面元素嵌套过深（超过 2048 层），已去掉排版标签后解析"


_XPATHS: dict[str, lxml.etree.XPath] = {}


def xpath(query: str) -> lxml.etree.XPath:
    """``query`` compiled once, giving plain strings and lxml elements (no parsel Selector around each node)."""
    found = _XPATHS.get(query)
    if found is None:
        found = _XPATHS[query] = lxml.etree.XPath(query, smart_strings=False)
    return found


def _parse(body: bytes) -> tuple[lxml.etree._Element, bool]:
    # lxml.etree's HTML parser, not lxml.html's: the same tree, but plain elements. lxml.html calls a Python class
    # lookup (``HtmlElementClassLookup``) for every element proxy it hands out, some 500 a page, for methods
    # (text_content, forms …) the extraction does not use.
    parser = lxml.etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = lxml.etree.fromstring(body or b"<html/>", parser=parser)
    if root is None:
        root = lxml.etree.fromstring(b"<html/>", parser=parser)
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    return root, too_deep


def html_selector(html_text: str) -> tuple[Selector, str | None]:
    """The page as a parsel Selector, and a note when it had to be flattened to be read whole."""
    body = html_text.replace("\x00", "").strip().encode("utf-8")
    root, too_deep = _parse(body)
    if not too_deep:
        return Selector(root=root, type="html"), None
    flat, _ = _parse(_WRAPPERS.sub(b" ", body))
    return Selector(root=flat, type="html"), DEEP_NOTE
