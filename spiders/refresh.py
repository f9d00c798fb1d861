"""Meta refresh that points back at the page itself is a reload timer, not a redirect.

Many portals put ``<meta http-equiv="refresh" content="300;url=index.html">`` on their home page so an
unattended screen shows fresh news. Scrapy follows it like a redirect, to the same URL, again and again
until REDIRECT_MAX_TIMES: the page was recorded as a redirect loop, a broken link, and on a home page as a
site that is down. A browser shows the page; so do we. A refresh to another URL is still followed.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh


def _same_page(a: str, b: str) -> bool:
    from spiders.site import canonical

    return canonical(a.split("#", 1)[0]) == canonical(b.split("#", 1)[0])


# Scrapy reads a meta refresh from the first 4,096 characters of the decoded page, at most 16,384 bytes in any
# encoding a page here comes in (UTF-8, GBK, GB18030: four bytes a character at most).
_REFRESH_SCAN_BYTES = 4096 * 4


def may_refresh(body: bytes) -> bool:
    """Whether the page's first 4,096 characters can hold a meta refresh: they must spell ``refresh`` (w3lib
    looks for it in a meta tag's attributes, case-insensitively), and in an ASCII-compatible encoding that word
    is in the bytes. Most pages have none, and ruling it out here spares decoding the whole page a second time
    (Scrapy's ``response.text``; the spider decodes it itself): 2% of a crawl's CPU. A page with NUL bytes
    (UTF-16, UTF-32) is left to the full check."""
    head = body[:_REFRESH_SCAN_BYTES]
    return b"\x00" in head or b"refresh" in head.lower()


class SelfRefreshAwareMiddleware(MetaRefreshMiddleware):
    def process_response(self, request, response):
        if isinstance(response, HtmlResponse) and not may_refresh(response.body):
            return response  # what MetaRefreshMiddleware returns for a page without a refresh
        if isinstance(response, HtmlResponse) and not request.meta.get("dont_redirect"):
            try:
                _interval, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            except Exception:  # undecodable: let Scrapy's own handling decide
                url = None
            if url and _same_page(url, response.url):
                return response
        return super().process_response(request, response)
