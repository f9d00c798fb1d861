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


class SelfRefreshAwareMiddleware(MetaRefreshMiddleware):
    def process_response(self, request, response):
        if isinstance(response, HtmlResponse) and not request.meta.get("dont_redirect"):
            try:
                _interval, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            except Exception:  # undecodable: let Scrapy's own handling decide
                url = None
            if url and _same_page(url, response.url):
                return response
        return super().process_response(request, response)
