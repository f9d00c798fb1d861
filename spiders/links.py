"""Links resolved once per site: a page's navigation, sub-menus and footer repeat on every page of a site, and
resolving each of them (``urljoin``, canonical form, scope) on every page was most of a crawl's link handling.

``LinkResolver.resolve(page_url, raw)`` gives what ``urljoin`` + ``canonical_url`` + the scope test give, from a
bounded cache keyed by the part of the page URL the resolution depends on (RFC 3986 §5.2, as ``urljoin`` does it):

- an absolute URL (``http://…``, ``https://…``), a network-path (``//host/…``) or an absolute path (``/a/b``):
  the page's scheme and host only;
- a relative path (``a.html``, ``../b/``) with no ``:``: the page's directory (its URL up to the last ``/`` of
  the path);
- anything else (``?page=2``, ``#top``, ``;x``, ``http:x``): the whole page URL.

So ``/xxgk/index.html`` is resolved once per site and ``../xwzx/`` once per directory, however many pages show
them. The cache is cleared when it reaches its bound (a site with millions of distinct links keeps memory flat).
"""

from __future__ import annotations

from typing import Callable, NamedTuple
from urllib.parse import urljoin, urlsplit

from spiders.verdicts import canonical_url, fragment_of

_NOT_PATH_START = frozenset("/?#;\\")


class Resolved(NamedTuple):
    target: str | None  # the canonical absolute URL, None when it is not http(s)
    internal: bool  # within the crawl's scope
    fragment: str | None  # the decoded #fragment a link of an a/iframe names (fragment_of)


class LinkResolver:
    def __init__(self, in_scope: Callable[[str], bool], limit: int = 50_000):
        self.in_scope = in_scope
        self.limit = int(limit)
        self._cache: dict[tuple[str, str], Resolved] = {}
        self._page = ("", "", "")  # (page URL, its origin, its directory) of the last page asked about

    def _keys(self, page_url: str) -> tuple[str, str]:
        page, origin, folder = self._page
        if page != page_url:
            start = page_url.find("://")
            cut = page_url.find("/", start + 3) if start >= 0 else -1
            origin = page_url[:cut] if cut >= 0 else page_url
            path_part = page_url.split("?", 1)[0].split("#", 1)[0]
            folder = path_part[: path_part.rfind("/") + 1] if cut >= 0 else page_url
            self._page = (page_url, origin, folder)
        return origin, folder

    def base_key(self, page_url: str, raw: str) -> str:
        """The part of ``page_url`` that ``urljoin(page_url, raw)`` depends on (see the module docstring)."""
        origin, folder = self._keys(page_url)
        first = raw[:1]
        if first == "/" or raw[:7].lower() == "http://" or raw[:8].lower() == "https://":
            # "/x", "//host/x", "http://host/x": the page's scheme (and host) only; "/\\x" and the like need no
            # more either, but an origin-less page URL keys on itself
            return origin if origin != page_url else page_url
        if first and first not in _NOT_PATH_START and ":" not in raw and "\\" not in raw:
            return folder
        return page_url

    def resolve(self, page_url: str, raw: str) -> Resolved:
        """``raw`` (a stripped href/src) as seen on ``page_url``."""
        key = (self.base_key(page_url, raw), raw)
        found = self._cache.get(key)
        if found is None:
            found = resolve_link(page_url, raw, self.in_scope)
            if len(self._cache) >= self.limit:
                self._cache.clear()
            self._cache[key] = found
        return found


def resolve_link(page_url: str, raw: str, in_scope: Callable[[str], bool]) -> Resolved:
    """The straightforward resolution the cache stands for."""
    absolute = urljoin(page_url, raw)
    target = canonical_url(absolute)
    if urlsplit(target).scheme not in ("http", "https"):
        return Resolved(None, False, None)
    return Resolved(target, in_scope(target), fragment_of(absolute))
