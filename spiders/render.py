"""Which pages need a browser: a list page whose entries a script writes in.

Pure helpers; the spider decides to re-request such a page in Chromium. The
raw HTML is a fact too: a column whose list only a script fills is still a
column, and we want the entries an inspector sees in the browser.
"""
from __future__ import annotations

import re

from parsel import Selector

_INLINE_SCRIPT = re.compile(rb"<script\b[^>]*>(.+?)</script>", re.S | re.I)
# what a script does when it writes a list into the page or loads one
_FILLS = (b"fetch(", b"xmlhttprequest", b"$.ajax", b"$.get", b"$.post", b"getjson", b".innerhtml",
          b"document.write", b"appendchild", b"insertadjacenthtml", b"axios", b".load(", b".html(", b".append(")
LIST_CONTAINER = ("//*[self::ul or self::ol or self::div or self::table or self::tbody]"
                  "[contains(@class,'list') or contains(@id,'list') or contains(@class,'List')]")


def script_may_fill(body: bytes) -> bool:
    """Cheap first test on the raw bytes: an inline script that loads or writes content."""
    if b"<script" not in body and b"<SCRIPT" not in body:
        return False
    for m in _INLINE_SCRIPT.finditer(body):
        code = m.group(1).lower()
        if any(f in code for f in _FILLS):
            return True
    return False


def looks_like_list_page(sel: Selector) -> bool:
    """A ColumnName meta (网页设计规范) or a list container."""
    return bool(sel.xpath("//meta[@name='ColumnName'][normalize-space(@content)]")) or bool(sel.xpath(LIST_CONTAINER))
