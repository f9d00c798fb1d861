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
_FILLS = (
    b"fetch(",
    b"xmlhttprequest",
    b"$.ajax",
    b"$.get",
    b"$.post",
    b"getjson",
    b".innerhtml",
    b"document.write",
    b"appendchild",
    b"insertadjacenthtml",
    b"axios",
    b".load(",
    b".html(",
    b".append(",
)
LIST_CONTAINER = (
    "//*[self::ul or self::ol or self::div or self::table or self::tbody]"
    "[contains(@class,'list') or contains(@id,'list') or contains(@class,'List')]"
)


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


# Python codec names (spiders.encoding) as the WHATWG labels Chromium knows
_WEB_LABELS = {
    "big5hkscs": "big5",
    "cp1252": "windows-1252",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "euc_jp": "euc-jp",
    "cp932": "shift_jis",
    "euc_kr": "euc-kr",
    "cp949": "euc-kr",
}


def web_charset(codec: str) -> str:
    return _WEB_LABELS.get(codec, codec.replace("_", "-"))


async def serve_decided_bytes(page, request) -> None:
    """scrapy-playwright page-init callback: Chromium gets the page's bytes with the charset *we* decided
    (spiders.encoding), as an explicit ``Content-Type: text/html; charset=…``, so a page with no charset or
    with a wrong one (GB2312 over UTF-8 bytes) is not rendered as mojibake. Only the page itself is served
    this way; its scripts, styles and data requests go to the network as usual."""
    from spiders.encoding import decode_html

    target = request.url.split("#", 1)[0]
    body = request.meta.get("render_body")
    http_charset = request.meta.get("render_http_charset")

    async def fulfill(route) -> None:
        data, status, charset = body, 200, http_charset
        if data is None:  # a column rendered directly (render: browser): fetch the bytes ourselves
            fetched = await route.fetch()
            data, status = await fetched.body(), fetched.status
            ctype = (fetched.headers.get("content-type") or "").lower()
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype else None
            if "html" not in ctype and ctype:
                await route.fulfill(response=fetched, body=data)
                return
        _, codec = decode_html(data, http_charset=charset)
        await route.fulfill(
            status=status, body=data, headers={"Content-Type": f"text/html; charset={web_charset(codec)}"}
        )

    # the navigation only (times=1): later requests to the same URL from the page's scripts go out as usual
    await page.route(lambda url: url.split("#", 1)[0] == target, fulfill, times=1)
