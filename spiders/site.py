"""SiteSpider: crawls one government site within its scope and records what it sees.

It records pages, links, list pages and their dated entries. It judges
nothing: whether a link is broken or a column stale is for the rules.
Retries, politeness and storage are Scrapy components configured in
``spiders.settings``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from datetime import date
from typing import Any, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import lxml.etree
import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy import signals as scrapy_signals
from parsel import Selector
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from spiders.annual_report import ANNUAL_REPORT_TITLE
from spiders.columns import Trail, breadcrumb_trail, classify_column, nav_columns
from spiders.hidden import hidden_links
from spiders.links import LinkResolver
from spiders.pagination import (
    inline_datastore,
    is_jpage_proxy,
    jpage_next,
    jpage_requests,
    jpage_response_html,
    pagination_urls,
    series_pattern,
)
from spiders.encoding import decode_html, text_quality
from spiders.parsing import html_selector, xpath
from spiders.listing import article_datetime, column_meta, list_items
from spiders.listpage import read_list
from spiders.mailbox import MAILBOX_WORDS, looks_like_mailbox, mailbox_rows
from spiders.netguard import BlockedRequest, NetPolicy
from spiders.render import looks_like_list_page, script_may_fill, serve_decided_bytes
from spiders.revalidate import LightPath, Revalidator
from spiders.search import result_links_to, search_box_only, search_form, search_query
from spiders.settings import add_monitor_defaults, monitor_defaults
from monitor.model import (
    ItemFacts,
    ListItem,
    MessageItem,
    NetworkItem,
    PageItem,
    ReportDocumentItem,
    ReuseItem,
    SearchItem,
)
from monitor.store import FOLLOW_TAGS
from spiders.verdicts import (
    PatternCap,
    attachment_text,
    canonical_url,
    fragment_of,
    is_readable_attachment,
    not_found_text,
    page_signals,
)

ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".zip", ".rar", ".ppt", ".pptx")
# tag -> attribute holding a link worth checking
LINK_ATTRS = (("a", "href"), ("img", "src"), ("iframe", "src"), ("script", "src"), ("link", "href"))
_LINK_ATTR = dict(LINK_ATTRS)


def _document(root: lxml.etree._Element) -> list[lxml.etree._Element]:
    """The top-level nodes of ``root``'s document, in order: libxml2 may leave more than one (a second <html>), and
    an XPath ``//…`` searches them all."""
    top = root.getroottree().getroot()
    return [*reversed(list(top.itersiblings(preceding=True))), top, *top.itersiblings()]


def _link_nodes(root: lxml.etree._Element) -> list[tuple[str, str, list[lxml.etree._Element]]]:
    """(tag, attribute, elements) for each of LINK_ATTRS in turn, the elements in document order: what the XPaths
    ``//a[@href]``, ``//img[@src]`` … select, found in one pass over the document instead of five."""
    found: dict[str, list[lxml.etree._Element]] = {tag: [] for tag in _LINK_ATTR}
    for top in _document(root):
        for el in top.iter(*_LINK_ATTR):
            if el.get(_LINK_ATTR[el.tag]) is not None:
                found[el.tag].append(el)
    return [(tag, attr, found[tag]) for tag, attr in LINK_ATTRS]


_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")
_INDEX_PAGE = re.compile(r"(?:index|default|list)(?:_\d+)?\.s?html?$")
_PAGE_QUERY = re.compile(
    r"(?:(?<=[?&])|^)(?:page|pagenum|pageindex|pageno|p|pn|curpage|currentpage|page_no|pageidx)"
    r"=\d+(?:&|$)",
    re.IGNORECASE,
)
# Article URL shapes of the common CMS families: TRS t20261120_1.html, 大汉 /art/2026/11/20/art_1_2.html,
# content_123.html, /2026/11/20/…, detail/show pages with an id.
ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+\.\w+$|/art_\d+_\d+\.\w+$|/art/\d{4}/|/content_\d+\.\w+$|/(?:19|20)\d{2}/\d{1,2}/\d{1,2}/[^/]+\.\w+$"
    r"|/(?:19|20)\d{4}/[^/]*\d{5,}[^/]*\.s?html?$|/(?:detail|show|view|article)[\w-]*\.(?:s?html?|jsp|aspx?|php)\?"
    r"|/(?:detail|show|view|article)/\d+",
    re.IGNORECASE,
)
_SEARCH_PAGE = re.compile(r"/search|[?&](?:q|keyword|keywords|searchword|wd|kw|query)=|/(?:tag|tags)/", re.IGNORECASE)
_NOT_NAMES = ("正文", "详情", "内容", "详细信息", "文章", "浏览文章", "列表", "当前位置", "首页", "网站首页")


def host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


@functools.lru_cache(maxsize=4096)
def canonical(url: str) -> str:
    """The URL the crawl keys on: no fragment, no session id, sorted query, default path '/'. Cached: a page's
    own URL is asked for half a dozen times while it is read (its fact, its links, its columns)."""
    return canonical_url(url)


def column_url(page_url: str) -> str:
    """List pages index.html, index_1.html, ?page=2 … of one column share the column's URL (its first page's
    directory, without the page number)."""
    base, sep, query = page_url.partition("?")
    base = _INDEX_PAGE.sub("", base)
    if sep:
        query = _PAGE_QUERY.sub("", query).rstrip("&")
        return f"{base}?{query}" if query else base
    return base


_ERROR_NAMES = {
    # Scrapy >= 2.14 wraps download errors in its own exceptions; Twisted's names are the older ones.
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "DownloadConnectionRefusedError": "refused",
    "ConnectionRefusedError": "refused",
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadCancelledError": "too_large",
    "ResponseDataLossError": "reset",
    "ResponseNeverReceived": "reset",
    "ConnectionLost": "reset",
    "ConnectionDone": "reset",
    "ConnectionAborted": "reset",
    "DownloadFailedError": "reset",
}


def error_kind(failure: Failure) -> tuple[str, str]:
    """A failed request's reason as a short stable kind (a fact, not a verdict)."""
    exc = failure.value
    if isinstance(exc, BlockedRequest):
        # refused by the network scope: not a fact about the target (and the same for open and closed ports)
        return "blocked", str(exc)[:500]
    name = type(exc).__name__
    text = str(exc)
    detail = f"{name}: {text}"[:500]
    low = text.lower()
    # the exception's type first: a DNS failure for "ssl.example.cn" is a DNS failure, not a TLS one
    if _ERROR_NAMES.get(name) in ("dns", "refused", "timeout"):
        return _ERROR_NAMES[name], detail
    if "ssl" in low or "tls" in low or "certificate" in low or "SSL" in name:
        return "tls", detail
    if name == "IgnoreRequest" and "redirect" in low:
        return "redirects", detail
    if "maxsize" in low or "warnsize" in low:
        return "too_large", detail
    return _ERROR_NAMES.get(name, "other"), detail


def _http_charset(response: Response) -> str | None:
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    return ctype.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype else None


def _visible(html: str, limit: int = 50_000) -> str:
    sel = Selector(text=html)
    return " ".join(
        t.strip()
        for t in sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
        if t.strip()
    )[:limit]


def page_meta(sel: Selector, limit: int = 40) -> dict[str, str]:
    """``<meta name=… content=…>`` pairs (网页设计规范 tags and the like), bounded against hostile pages."""
    out: dict[str, str] = {}
    for node in xpath("//head/meta[@name][@content]")(sel.root)[:limit]:
        name = node.get("name").strip()[:60]
        if name and name not in out:
            out[name] = node.get("content").strip()[:500]
    return out


_FOOTER_IDS = frozenset({"footer", "foot", "bottom"})


def footer_node(root: lxml.etree._Element) -> lxml.etree._Element | None:
    """The last element in document order that is a ``<footer>``, has the id footer/foot/bottom or a class
    containing "foot" or "bottom" (case as written): what the XPath ``//*[self::footer or @id='footer' …
    or contains(@class,'foot') or contains(@class,'bottom')]`` selects. The document is walked backwards, so the
    walk stops at the footer near its end instead of looking at every element before it."""
    for el in _backwards(_document(root)):
        if el.tag == "footer":
            return el
        ident = el.get("id")
        if ident is not None and ident in _FOOTER_IDS:
            return el
        cls = el.get("class")
        if cls is not None and ("foot" in cls or "bottom" in cls):
            return el
    return None


def _backwards(tops: list[lxml.etree._Element]) -> Iterator[lxml.etree._Element]:
    """The elements under ``tops`` (themselves included) in reverse document order: each element after everything
    inside it, the last child first. No recursion: pages nest thousands deep."""
    stack: list[tuple[lxml.etree._Element, bool]] = [(top, False) for top in tops]
    while stack:
        el, inside_done = stack.pop()
        if inside_done:
            yield el
            continue
        stack.append((el, True))
        stack.extend((child, False) for child in el.iterchildren(lxml.etree.Element))


def footer_text(sel: Selector) -> str | None:
    """Text of the bottom function area (网页底部功能区), where the site identifiers belong (W-S5)."""
    node = footer_node(sel.root)
    if node is None:
        return None
    parts = [t.strip() for t in xpath(".//text() | .//img/@alt")(node) if t.strip()]
    return " ".join(parts)[:5000] or None


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(
        self,
        site_key: str = "adhoc",
        home: str = "",
        scope: Iterable[str] = (),
        max_pages: int = 2000,
        max_depth: int = 5,
        check_external: bool = True,
        today: date | None = None,
        mailbox: bool = True,
        mailbox_words: Iterable[str] = (),
        mailbox_urls: Iterable[str] = (),
        max_list_pages: int = 50,
        previous: Any = None,
        frontier: Any = None,
        browser_urls: Iterable[str] = (),
        browser: bool = False,
        reference_urls: Iterable[str] = (),
        max_requests: int = 10_000,
        max_external_checks: int = 2000,
        max_external_per_page: int = 300,
        allow_private: bool = False,
        **kwargs: Any,
    ):
        """``previous``: a ``monitor.crawl.reuse.PreviousRun`` (facts of unchanged pages are reused from it);
        ``frontier``: a ``monitor.crawl.resume.Frontier`` when resuming a killed run; ``browser_urls``: column URLs
        configured ``render: browser``; ``browser``: whether Chromium may be used at all."""
        super().__init__(**kwargs)
        self.reference_urls = tuple(reference_urls)  # fetched once: is our own network up? (monitor.crawl.network)
        self.max_list_pages = int(max_list_pages)
        if not home:
            raise ValueError("SiteSpider needs home=URL")
        self.site_key = site_key
        self.home = canonical(home)
        self.scope = frozenset(scope) or frozenset({host_port(self.home)})
        self.max_pages = int(max_pages)
        self.max_depth = int(max_depth)
        self.check_external = bool(check_external)
        self.today = today
        self.mailbox = bool(mailbox)
        self.mailbox_words = MAILBOX_WORDS + tuple(mailbox_words)
        self.mailbox_urls = tuple(mailbox_urls)
        self.scheduled: set[str] = set()
        self.internal_pages = 0
        self.previous = previous
        self.frontier = frontier
        self.browser = bool(browser)
        self.browser_urls = frozenset(canonical(u) for u in browser_urls)
        self.rendered = 0
        # bounds on what one crawl sends (sites.yaml limits; NetGuardMiddleware enforces the total)
        self.max_requests = int(max_requests)
        self.max_external_checks = int(max_external_checks)
        self.max_external_per_page = int(max_external_per_page)
        self.requests_made = 0
        self.external_checks = 0
        self.not_checked = 0  # links left unchecked because a bound was reached
        self._page_externals: tuple[str | None, int] = (None, 0)
        self.net_policy = NetPolicy(scope=self.scope, allow_private=bool(allow_private))
        self._series: dict[str, str] = {}  # jpage dataproxy URL -> the list page it continues
        # the revisit policy (``previous.carry``): leaves held back until the crawl is otherwise idle, then carried
        # over unfetched, or fetched after all when a page parsed this crawl dropped or added a link to them
        self.held: dict[str, scrapy.Request] = {}
        self.released: set[str] = set()
        self.relinked: set[str] = set()
        self._paged: dict[str, int] = {}  # pagination series -> further pages scheduled for it

    # ------------------------------------------------------------ scheduling

    def in_scope(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and host_port(url) in self.scope

    def _request(
        self, url: str, *, depth: int, external: bool = False, parse: bool = True, referer: str | None = None
    ) -> scrapy.Request | None:
        if url in self.scheduled:
            return None
        if self.requests_made >= self.max_requests:
            self.not_checked += 1
            return None
        if not external and parse:
            if self.internal_pages >= self.max_pages:
                return None
            self.internal_pages += 1
        self.requests_made += 1
        self.scheduled.add(url)
        meta = {"depth": depth, "external": external, "parse": parse, "started": time.monotonic(), "key_url": url}
        if not parse:
            # a checked resource or external link: read the status, not the whole body
            meta["download_maxsize"] = 2 * 1024 * 1024
        elif not external and self.browser and column_url(url) in self.browser_urls:
            meta.update(self._browser_meta())  # a column configured `render: browser`
        headers = {"Referer": referer} if referer else None
        return scrapy.Request(
            url, callback=self.on_response, errback=self.failed, meta=meta, headers=headers, dont_filter=True
        )

    def _follow(self, target: str, *, tag: str, depth: int, referer: str) -> scrapy.Request | None:
        """Schedule a link known from the store (a reused page's, or a resumed run's frontier)."""
        if target in self.scheduled:  # most of a reused page's links (navigation, footer) already are
            return None
        return self._schedule(target, tag=tag, depth=depth, referer=referer)

    def _schedule(self, target: str, *, tag: str, depth: int, referer: str) -> scrapy.Request | None:
        """The one decision on a link seen on a page: crawl it, check it once, or leave it."""
        if tag in FOLLOW_TAGS:
            # a further page of a list (pagination script, jpage group): the same depth as the list, in scope only
            if not self.in_scope(target):
                return None
            req = self._request(target, depth=depth, referer=referer)
            if req is not None and tag == "jpage":
                req.meta["series"] = self._series.setdefault(target, self._series.get(referer, referer))
            return req
        if self.in_scope(target):
            page_like = tag in ("a", "iframe") and not target.lower().endswith(ATTACHMENT_EXT)
            if page_like and depth + 1 > self.max_depth:
                return None
            if page_like and target not in self.scheduled and not self._pattern_cap().allow(target, referer=referer):
                return None  # a trap: this path already generated its share of query variants
            req = self._request(target, depth=depth + 1, parse=page_like, referer=referer)
            if req is not None and tag == "a" and is_readable_attachment(target):
                req.meta["attachment"] = True
                req.meta["download_maxsize"] = self._attachment_maxsize()
            return req
        if self.check_external:
            # external links are checked once (status only), never crawled, and boundedly
            page, n = self._page_externals if self._page_externals[0] == referer else (referer, 0)
            if target in self.scheduled:
                return None
            if n >= self.max_external_per_page or self.external_checks >= self.max_external_checks:
                self.not_checked += 1
                return None
            req = self._request(target, depth=depth + 1, external=True, parse=False, referer=referer)
            if req is not None:
                self._page_externals = (page, n + 1)
                self.external_checks += 1
            return req
        return None

    async def start(self):
        self._use_light_path()
        async for req in self._start_requests():
            if not self._diverted(req):
                yield req

    def _reference_requests(self):
        for url in self.reference_urls:
            yield scrapy.Request(
                url,
                callback=self.on_reference,
                errback=self.reference_failed,
                dont_filter=True,
                meta={"reference": True, "dont_redirect": False, "handle_httpstatus_all": True},
            )

    def on_reference(self, response: Response):
        yield NetworkItem(url=response.request.url, status=response.status, error_kind=None)

    def reference_failed(self, failure: Failure):
        kind, detail = error_kind(failure)
        yield NetworkItem(url=failure.request.url, status=None, error_kind=kind, error_detail=detail)

    async def _start_requests(self):
        for req in self._reference_requests():
            yield req
        f = self.frontier
        if f is not None:  # resuming a killed run: skip what it stored, fetch what it had not reached
            self.scheduled |= f.stored
            self.internal_pages = f.internal_pages
            if self.home not in f.stored:
                req = self._request(self.home, depth=0)
                if req:
                    yield req
            for target, source, depth, tag, _external in f.pending:
                req = self._follow(target, tag=tag, depth=depth, referer=source)
                if req:
                    yield req
            self.frontier = None
            return
        req = self._request(self.home, depth=0)
        if req:
            yield req

    # ------------------------------------------------------------ before parsing: reuse, render, bundle

    def _browser_meta(self) -> dict[str, Any]:
        from scrapy_playwright.page import PageMethod

        self.rendered += 1
        return {
            "playwright": True,
            "rendered": True,
            "playwright_page_init_callback": serve_decided_bytes,
            "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")],
        }

    # ------------------------------------------------------------ the light path for unchanged pages

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=scrapy_signals.spider_idle)  # the revisit policy's leaves
        return spider

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        add_monitor_defaults(settings)  # any crawler of this spider reads our settings with their defaults

    light: LightPath | None = None  # the pace and light path of this crawl, when it has them (spiders.revalidate)
    revalidator: Revalidator | None = None

    def _use_light_path(self) -> None:
        """On a re-crawl, requests with stored validators go to the ``LightPath`` extension's ``Revalidator``."""
        crawler = getattr(self, "crawler", None)
        self.light = crawler.get_extension(LightPath) if crawler is not None else None
        self.revalidator = self.light.revalidator if self.light is not None else None

    def _diverted(self, obj: Any) -> bool:
        """Whether the light path took this request (it has the previous run's validators), or the revisit
        policy holds it back."""
        if self._held(obj):
            return True
        rv = self.revalidator
        # the light path goes only where the network scope surely allows (no host name to resolve first);
        # anything else takes the Scrapy path, where NetGuardMiddleware decides
        if (
            rv is not None
            and isinstance(obj, scrapy.Request)
            and rv.takes(obj)
            and self.net_policy.refuse(obj.url) is None
            and not self.net_policy.needs_lookup(obj.url)
        ):
            rv.submit(obj)
            return True
        return False

    def emit_item(self, item: Any) -> None:
        """Store an item produced outside Scrapy's callbacks (by the light path, or a leaf carried over), as if a
        callback had yielded it."""
        if self.light is not None:
            self.light.emit(item)
            return
        self._stored(item)  # no light path (a re-crawl without revalidation): the store pipeline's sink, if any

    def _on_idle(self, spider) -> None:
        # the LightPath extension keeps the crawl open while its light path is busy; held leaves wait for that
        if self.revalidator is not None and self.revalidator.busy():
            return
        if self.held and self._release_held():
            raise DontCloseSpider

    # ------------------------------------------------------------ the revisit policy: leaves not due are carried

    def _held(self, obj: Any) -> bool:
        """Whether the revisit policy holds this request back: a leaf of the previous run not due this crawl
        (``previous.carry``, monitor.crawl.revisit). It is decided once nothing else is left to do."""
        carry = getattr(self.previous, "carry", None)
        if not carry or not isinstance(obj, scrapy.Request):
            return False
        key = obj.meta.get("key_url")
        if key is None or key not in carry or key in self.released or obj.meta.get("playwright"):
            return False
        self.held.setdefault(key, obj)
        return True

    def _relink(self, page_url: str, targets: set[str]) -> None:
        """A page parsed (or failed) this crawl: the leaves it links to now and did not in the previous run, or
        linked to then and does not now, are fetched, not carried. The site changed around them: an article
        taken off its list is often gone, one a new page cites may have been edited to cite it back."""
        carry = getattr(self.previous, "carry", None)
        if not carry:
            return
        before = {target for target, _tag, _external in self.previous.links(page_url)}
        self.relinked.update(u for u in before.symmetric_difference(targets) if u in carry)

    def _release_held(self) -> bool:
        """The crawl is otherwise idle, so every page fetched this crawl has been parsed: carry each held leaf
        over (its facts copied, its stored links followed) or, when a parsed page dropped or added a link to it,
        fetch it. Stops after a leaf that sent a page to be parsed (it may change links too) and goes on at the
        next idle; returns whether a request was sent."""
        engine = self.crawler.engine
        stats = self.crawler.stats
        sent = False
        while self.held:
            key = next(iter(self.held))
            request = self.held.pop(key)
            self.released.add(key)
            if key in self.relinked:
                stats.inc_value("revisit/relinked")
                outs: Iterable[Any] = [request]
            else:
                stats.inc_value("revisit/carried")
                self.requests_made -= 1  # it was counted against the bounds when scheduled, and is not sent
                if request.meta.get("external"):
                    self.external_checks -= 1
                outs = self._reused(request.meta, how="carried", elapsed_ms=None, etag=None, last_modified=None)
            parsed = False
            for out in outs:
                if not isinstance(out, scrapy.Request):
                    self.emit_item(out)
                elif not self._held(out):
                    sent = True
                    parsed = parsed or (out.meta.get("parse") and not out.meta.get("external"))
                    if not self._diverted(out) and engine is not None:
                        engine.crawl(out)
            if parsed:
                return True
        return sent

    # ------------------------------------------------------------ every response

    def on_response(self, response: Response):
        """Every response comes here first: an unchanged page is reused, a script-filled list rendered."""
        for out in self._on_response(response):
            if isinstance(out, scrapy.Request):
                if not self._diverted(out):
                    yield out
            elif not self._stored(out):
                yield out

    def _stored(self, item: Any) -> bool:
        """Hand a fact to the store pipeline at once, where a crawl has one (``item_sink``), instead of yielding it.

        Scrapy takes a yielded item through the spider middlewares, a queue and a task per response and the item
        pipeline's chain of coroutines and deferreds, for a pipeline that stores synchronously anyway: 2.6% of a
        demo crawl's CPU (py-spy, 6,000 pages). The signal is still sent (the progress line and Scrapy's
        item count listen to it). Without a sink (no store, or a spider driven by tests) the item is yielded."""
        crawler = getattr(self, "crawler", None)
        sink = getattr(crawler, "item_sink", None)
        if sink is None:
            return False
        try:
            sink(item)
        except Exception:  # as Scrapy does for a pipeline's error: logged, and the crawl goes on
            self.logger.exception("storing a crawl item failed, site=%s item=%s", self.site_key, type(item).__name__)
            crawler.stats.inc_value("store/item_failed")
        else:
            crawler.signals.send_catch_log(scrapy_signals.item_scraped, item=item, response=None, spider=self)
        return True

    def _on_response(self, response: Response):
        meta = response.meta
        if meta.get("unchanged") and self.previous is not None:
            yield from self._reuse(response)
            return
        if self._needs_browser(response):
            headers = {
                k: v
                for k, v in response.request.headers.items()
                if k.lower() not in (b"if-none-match", b"if-modified-since")
            }
            yield response.request.replace(
                meta={
                    **meta,
                    **self._browser_meta(),
                    "started": time.monotonic(),
                    "raw_response": response,
                    "render_body": response.body,
                    "render_http_charset": _http_charset(response),
                },
                headers=headers,
                errback=self._render_failed,
            )
            return
        raw = meta.get("raw_response")
        if meta.get("rendered") is True and raw is not None and not self._render_as_good(response, raw):
            # the browser's text is worse than our own decode of the same bytes (mojibake): keep ours
            self.crawler.stats.inc_value("browser/kept_raw_decode")
            self.logger.warning(
                "render kept out, site=%s url=%s: its text reads worse than the raw decode", self.site_key, response.url
            )
            raw.meta["rendered"] = "worse"
            yield from self._bundle(raw, self._parse_or_record(raw))
            return
        yield from self._bundle(response, self._parse_or_record(response))

    def _parse_or_record(self, response: Response):
        """The page's facts; a page our parsing cannot read is still stored, with why (never dropped: a
        missing page reads as a site that is down or a link that leads nowhere)."""
        try:
            out = list(self.parse_page(response))
        except Exception as exc:  # any page may be hostile; the crawl goes on
            self.logger.warning("parse failed, site=%s url=%s: %r", self.site_key, response.url, exc)
            self.crawler.stats.inc_value("parse/failed")
            fact = self._page_fact(response)
            fact["text_error"] = f"页面解析失败：{type(exc).__name__}: {exc}"[:500]
            if isinstance(response, TextResponse):
                try:
                    fact["title"] = (response.xpath("//title/text()").get() or "").strip()[:500] or None
                except Exception:  # the title is a nicety
                    pass
            out = [PageItem(page=fact)]
        yield from out

    @staticmethod
    def _render_as_good(rendered: Response, raw: Response) -> bool:
        """Whether the rendered page's text reads at least as well as the raw bytes decoded our way."""
        raw_html, _ = decode_html(raw.body, http_charset=_http_charset(raw))
        new_html, _ = decode_html(rendered.body, http_charset=_http_charset(rendered))
        return text_quality(_visible(new_html)) >= text_quality(_visible(raw_html)) - 0.05

    def _needs_browser(self, response: Response) -> bool:
        meta = response.meta
        if (
            not self.browser
            or meta.get("rendered")
            or not meta.get("parse")
            or meta.get("external")
            or response.status != 200
            or not isinstance(response, TextResponse)
            or self.rendered >= self.settings.getint("MONITOR_BROWSER_MAX_PAGES")
            or not script_may_fill(response.body)
            or not self.in_scope(response.url)
        ):
            return False
        try:
            text = response.text
            if "<datastore" in text or "<DATASTORE" in text:
                text = inline_datastore(text)  # a jpage list is in the page, only hidden in an XML script
            sel, _ = html_selector(text)
            return looks_like_list_page(sel) and not read_list(sel, canonical(response.url), html=text).entries
        except Exception:  # parse_page records what is wrong with the page
            return False

    def _render_failed(self, failure: Failure):
        """The browser could not render it: keep what the plain HTTP response showed."""
        raw = failure.request.meta.get("raw_response")
        self.crawler.stats.inc_value("browser/failed")
        self.logger.warning("render failed, site=%s url=%s: %s", self.site_key, failure.request.url, failure.value)
        if raw is None:
            yield from self.failed(failure)
            return
        raw.meta["rendered"] = "failed"
        yield from self._bundle(raw, self._parse_or_record(raw))

    def _bundle(self, response: Response, out: Iterable[Any]):
        """One item per response: the page row with its links and list facts, so they are stored together."""
        page = None
        rest = []
        for obj in out:
            if isinstance(obj, PageItem) and page is None:
                page = obj
                fact = page.page
                headers = response.headers
                fact["etag"] = (headers.get(b"ETag") or b"").decode("latin-1")[:200] or None
                fact["last_modified"] = (headers.get(b"Last-Modified") or b"").decode("latin-1")[:100] or None
                if response.meta.get("rendered") is True:
                    fact["rendered"] = True
            elif isinstance(obj, ListItem) and page is not None:
                page.lists.append(obj)
            else:
                rest.append(obj)
        if page is not None:
            yield page
        yield from rest

    def _reuse(self, response: Response):
        meta = response.meta
        yield from self._reused(
            meta,
            how=meta["unchanged"],
            elapsed_ms=int((time.monotonic() - meta.get("started", time.monotonic())) * 1000),
            etag=(response.headers.get(b"ETag") or b"").decode("latin-1")[:200] or None,
            last_modified=(response.headers.get(b"Last-Modified") or b"").decode("latin-1")[:100] or None,
        )

    def _reused(self, meta: dict[str, Any], *, how: str, elapsed_ms: int, etag: str | None, last_modified: str | None):
        """An unchanged page (answered 304, or the same body): its facts are copied from the previous run and
        the links that run stored for it are followed."""
        key = meta["key_url"]
        yield ReuseItem(url=key, how=how, elapsed_ms=elapsed_ms, etag=etag, last_modified=last_modified)
        if meta.get("parse") and not meta.get("external"):
            scheduled, depth = self.scheduled, meta.get("depth", 0)
            for target, tag, _external in self.previous.links(key):
                if target in scheduled:  # _follow's test, inline: most of a page's links (navigation, footer) are
                    continue
                req = self._schedule(target, tag=tag, depth=depth, referer=key)
                if req is not None and not self._held(req):
                    yield req

    # ------------------------------------------------------------ parsing

    def _page_fact(self, response: Response, **extra: Any) -> dict[str, Any]:
        meta = response.meta
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")[:200] or None
        chain = [canonical(u) for u in meta.get("redirect_urls", [])]
        return {
            "url": chain[0] if chain else canonical(response.request.url),
            "final_url": canonical(response.url),
            "redirect_chain": chain or None,
            "status": response.status,
            "content_type": ctype,
            "size": len(response.body),
            "elapsed_ms": int((time.monotonic() - meta.get("started", time.monotonic())) * 1000),
            "depth": meta.get("depth", 0),
            "is_home": (chain[0] if chain else canonical(response.request.url)) == self.home,
            "is_external": meta.get("external", False),
            "content_hash": hashlib.sha256(response.body).hexdigest(),
            "attempts": meta.get("retry_times", 0) + 1,
            **extra,
        }

    def parse_page(self, response: Response):
        meta = response.meta
        if meta.get("attachment") and response.status < 400:
            yield self._attachment(response)
            return
        # a jpage dataproxy answer is XML holding list entries: read as the list page it is
        jpage = isinstance(response, TextResponse) and is_jpage_proxy(response.url) and response.status < 400
        is_html = isinstance(response, TextResponse) and (
            b"html" in response.headers.get(b"Content-Type", b"html") or jpage
        )
        if (
            not meta.get("parse")
            or meta.get("external")
            or not is_html
            or response.status >= 400
            or not self.in_scope(response.url)
        ):
            if meta.get("parse") and not meta.get("external"):
                self._relink(meta.get("key_url") or canonical(response.url), set())  # no page to link from now
            fact = self._page_fact(response)
            if is_html and response.status < 400 and isinstance(response, TextResponse):
                fact["title"] = (response.xpath("//title/text()").get() or "").strip()[:500] or None
                fact["not_found_text"] = not_found_text(fact["title"])
            yield PageItem(page=fact)
            return

        ctype_header = response.headers.get(b"Content-Type", b"").decode("latin-1")
        charset = (
            ctype_header.lower().split("charset=", 1)[1].split(";")[0].strip()
            if "charset=" in ctype_header.lower()
            else None
        )
        html_text, encoding = decode_html(response.body, http_charset=charset)
        raw_text = html_text
        if jpage:
            html_text = jpage_response_html(html_text)
        elif "<datastore" in html_text or "<DATASTORE" in html_text:
            html_text = inline_datastore(html_text)  # a jpage list's entries, hidden in an XML script
        sel, parse_note = html_selector(html_text)
        page_url = canonical(response.url)
        is_home = canonical(response.meta.get("redirect_urls", [response.url])[0]) == self.home
        published = article_datetime(sel, today=self.today, source=html_text)
        pub, pub_text = (published.date, published.raw) if published else (None, "")
        root = sel.root
        text = " ".join(
            t.strip()
            for t in xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")(root)
            if t.strip()
        )
        title = xpath("//title/text()")(root)
        fact = self._page_fact(
            response,
            title=(title[0] if title else "").strip()[:500] or None,
            encoding=encoding,
            pub_date=pub,
            pub_date_text=pub_text[:100] or None,
            text=text[:200_000],
            meta=page_meta(sel),
            footer=footer_text(sel),
        )
        fact["is_home"] = is_home
        if parse_note:
            fact["text_error"] = parse_note
        fact.update(page_signals(sel, fact["title"], fact["text"]))
        links, follow = self._links(sel, page_url, depth=meta.get("depth", 0), on_home=is_home, html=html_text)
        self._paginate(sel, response, page_url, html_text, raw_text, links, follow, on_home=is_home, jpage=jpage)
        self._relink(page_url, {link["target_url"] for link in links})
        yield PageItem(page=fact, links=links)
        heading = " ".join(xpath("//h1//text()")(root))
        if ANNUAL_REPORT_TITLE.search(re.sub(r"\s+", "", f"{fact.get('title') or ''} {heading}")):
            # the report as published: the annual-report rules (A-1 …) parse its tables from this
            yield ReportDocumentItem(
                url=page_url, title=(fact.get("title") or heading)[:500], published=pub, body=html_text[:2_000_000]
            )

        name, ctype = column_meta(sel)
        if is_home:
            items = list_items(sel, page_url, today=self.today, html=html_text, keep_yearless=True)
            yield ListItem(
                role="home",
                column_url=page_url,
                page_url=page_url,
                name="首页",
                column_type="首页",
                items=items,
                empty=False,
            )
            yield from self._search_probe(sel, page_url, items)
        elif jpage:  # a further group of a jpage column: the column is the page the group continues
            col = column_url(canonical(meta.get("series") or self._series.get(page_url) or page_url))
            reading = read_list(sel, page_url, html=html_text, text=fact.get("text"))
            items = [
                ItemFacts(
                    url=canonical(e.url), title=e.title, date=e.date, date_text=e.date_text, date_source=e.date_source
                )
                for e in reading.entries
            ]
            yield ListItem(
                role="column",
                column_url=col,
                page_url=page_url,
                name="",
                column_type=classify_column(None, None, col).value,
                items=items,
                empty=False,
                how="structure",
                evidence={
                    "how": "structure",
                    "entries": len(items),
                    "dated": sum(1 for i in items if i.date is not None),
                    "datastore": True,
                },
            )
        else:
            column = self._column(
                sel,
                page_url,
                fact,
                name,
                ctype,
                published,
                html_text,
                rendered=response.meta.get("rendered") is True,
                body=response.body,
            )
            if column is not None:
                yield column
                name = name or column.name
        if (
            self.mailbox
            and not is_home
            and (looks_like_mailbox(name, ctype, self.mailbox_words) or page_url.startswith(self.mailbox_urls))
        ):
            for row in mailbox_rows(
                sel, page_url, column_url=column_url(page_url), column_name=name or "", today=self.today
            ):
                yield MessageItem(message=row)
        yield from follow

    # ------------------------------------------------------------ columns (栏目)

    def _column(
        self,
        sel: Selector,
        page_url: str,
        fact: dict[str, Any],
        meta_name: str | None,
        meta_type: str | None,
        published,
        html_text: str,
        *,
        rendered: bool,
        body: bytes,
    ) -> ListItem | None:
        """The list fact of a column page, or None for any other page (an article above all).

        Evidence, strongest first (``how``): the ColumnName meta; the structure of the main content (a list
        of dated entries, ``spiders.listpage``); the site's navigation or breadcrumb naming the page, with a
        list container, entries or an empty-list marker on it. An article page is never a column, whatever
        ColumnName it carries: it has ArticleTitle/PubDate metas, an article URL, or one dated body.
        """
        metas = fact.get("meta") or {}
        if any(metas.get(k) for k in ("ArticleTitle", "PubDate", "pubdate", "publishdate")):
            return None
        if _SEARCH_PAGE.search(page_url) or "搜索结果" in (fact.get("title") or ""):
            return None  # a search or tag result list shows whatever matches, it is no column
        reading = read_list(sel, page_url, html=html_text, text=fact.get("text"))
        strong = reading.strong()
        if not strong and ARTICLE_URL.search(page_url.split("#", 1)[0]):
            return None
        if (
            not strong
            and published is not None
            and (
                published.source == "visible:publish-label"
                or (published.source.startswith("visible:") and len(fact.get("text") or "") >= 300)
            )
        ):
            return None  # one dated body (a 发布时间 label, or a date right below the title of a long text): an article
        col = column_url(page_url)
        trail = breadcrumb_trail(sel)  # its names here, its links for the parent below: one search of the page
        crumb = trail.parts
        crumb_name = crumb[-1] if len(crumb) >= 2 and crumb[-1] not in _NOT_NAMES and len(crumb[-1]) <= 20 else None
        nav = None
        if not meta_name or not crumb:
            nav = next(
                ((n, u, parent) for n, u, parent in nav_columns(sel, page_url) if column_url(canonical(u)) == col), None
            )
        if meta_name:
            how = "meta"
        elif strong:
            how = "structure"
        elif (
            (nav or crumb_name)
            and not reading.overview
            and (len(reading.entries) >= 2 or reading.empty_container or reading.empty_marker)
        ):
            how = "navigation"
        else:
            return None
        heading = reading.main.heading if reading.main is not None else ""
        name, name_from = meta_name, "meta"
        for candidate, source in (
            (crumb_name, "breadcrumb"),
            (heading, "heading"),
            (self._title_prefix(fact.get("title"), metas), "title"),
            (nav[0] if nav else None, "navigation"),
        ):
            if name:
                break
            if candidate and 2 <= len(candidate) <= 20 and candidate not in _NOT_NAMES:
                name, name_from = candidate, source
        if not name:
            return None  # a list nobody names is no column an inspector could be told about
        level = len(crumb) - 1 if len(crumb) >= 2 and crumb[0] in ("首页", "网站首页") else None
        parent = self._crumb_parent(trail, page_url, col)
        if nav is not None and nav[2] and level is None:
            level = 2
            if parent is None:
                parent = next(
                    (column_url(canonical(u)) for n, u, _p in nav_columns(sel, page_url) if n == nav[2]), None
                )
        empty = None
        if not reading.entries:
            if reading.empty_marker:
                empty = "marker"
            elif reading.empty_container:
                empty = "container"
        script = not reading.entries and not rendered and not reading.empty_marker and script_may_fill(body)
        weak = (
            how == "navigation"
            and not (reading.empty_container or reading.empty_marker)
            and len(reading.entries) < 3
            and not (reading.main is not None and reading.main.container)
        )
        items = [
            ItemFacts(
                url=canonical(e.url), title=e.title, date=e.date, date_text=e.date_text, date_source=e.date_source
            )
            for e in reading.entries
        ]
        evidence = {
            "how": how,
            "name_from": name_from,
            "weak": weak,
            "entries": len(items),
            "dated": sum(1 for i in items if i.date is not None),
            "empty": empty,
            "script": script,
            "rendered": rendered,
            "datastore": reading.datastore,
            "pinned": sum(1 for e in reading.entries if e.pinned),
        }
        return ListItem(
            role="column",
            column_url=col,
            page_url=page_url,
            name=name,
            column_type=classify_column(name, meta_type, col).value,
            items=items,
            empty=empty is not None,
            level=level,
            parent_url=parent,
            how=how,
            evidence=evidence,
        )

    @staticmethod
    def _title_prefix(title: str | None, metas: dict[str, str]) -> str | None:
        """通知公告 from ``<title>通知公告_某县人民政府</title>``: the part before the site's name."""
        if not title:
            return None
        parts = [p.strip() for p in re.split(r"\s*(?:_|\||--|-\s|\s-|–|—|－|-)\s*", title) if p.strip()]
        if len(parts) < 2:
            return None
        site = metas.get("SiteName") or parts[-1]
        first = parts[0]
        return first if first != site and not site.startswith(first) else None

    # ------------------------------------------------------------ site search (W-S10)

    def _search_probe(self, sel: Selector, page_url: str, items):
        """Record the home page's search form and search it for an item the home page lists."""
        form = search_form(sel, page_url)
        if form is None:
            yield SearchItem(search={"page_url": page_url, "kind": "box" if search_box_only(sel) else "none"})
            return
        row = {
            "page_url": page_url,
            "kind": "form",
            "action": canonical(form.action)[:2000],
            "method": form.method,
            "field": form.field[:100],
        }
        # the form is submitted only where the crawl may go: over http(s), to the site itself
        in_scope = self.in_scope(form.action)
        target = next((it for it in items if len(search_query(it.title)) >= 4), None) if in_scope else None
        if not in_scope:
            row["error_kind"] = "out_of_scope"
        if target is not None:
            row.update(query=search_query(target.title), expected_url=target.url)
        yield SearchItem(search=row)
        if target is None:
            return
        data = {**form.params, form.field: row["query"]}
        yield scrapy.FormRequest(
            form.action,
            method=form.method.upper(),
            formdata=data,
            callback=self.on_search,
            errback=self.search_failed,
            dont_filter=True,
            headers={"Referer": page_url},
            meta={"search": row, "started": time.monotonic()},
        )

    def on_search(self, response: Response):
        row = response.meta["search"]
        found = False
        if isinstance(response, TextResponse) and response.status < 400:
            found = result_links_to(
                Selector(text=response.text), response.url, row["expected_url"], row["query"], canonical
            )
        yield SearchItem(
            search={
                **row,
                "kind": "result",
                "result_url": canonical(response.url)[:2000],
                "status": response.status,
                "found": found,
            }
        )

    def search_failed(self, failure: Failure):
        row = failure.request.meta["search"]
        kind, _ = error_kind(failure)
        response = getattr(failure.value, "response", None)
        yield SearchItem(
            search={
                **row,
                "kind": "result",
                "error_kind": kind,
                "found": False,
                "status": response.status if response is not None else None,
            }
        )

    def _paginate(
        self,
        sel: Selector,
        response: Response,
        page_url: str,
        html: str,
        raw: str,
        links: list[dict[str, Any]],
        follow: list[scrapy.Request],
        *,
        on_home: bool,
        jpage: bool,
    ) -> None:
        """Follow the further pages of a list, on any page that has a pagination form, and record each URL
        this schedules as a link of its own tag (FOLLOW_TAGS): an unchanged re-crawl follows the stored links
        of a page and a resume rebuilds its frontier from them, so they must reach what this crawl reached."""
        depth = response.meta.get("depth", 0)
        if jpage:
            nxt = jpage_next(raw, response.url, max_pages=self.max_list_pages)
            found = [("jpage", nxt)] if nxt else []
        else:
            found = [("page", u) for u in pagination_urls(sel, page_url, max_pages=self.max_list_pages, html=html)]
            found += [("jpage", u) for u in jpage_requests(raw, page_url, max_pages=self.max_list_pages)]
        for tag, url in found:
            target = canonical(url)
            # one series (index_N.html, ?page=N …) gets max_list_pages pages in all, however many of its pages
            # show a further window of the page bar (a 末页 link to page 99999 on each)
            series = (series_pattern(target) or column_url(page_url)) if tag == "page" else None
            if (
                series is not None
                and target not in self.scheduled
                and self._paged.get(series, 0) >= self.max_list_pages
            ):
                continue
            req = self._schedule(target, tag=tag, depth=depth, referer=page_url)
            if req is None:
                continue  # already scheduled: the link that scheduled it is recorded where it was found
            if series is not None:
                self._paged[series] = self._paged.get(series, 0) + 1
            follow.append(req)
            links.append(
                {
                    "source_url": page_url,
                    "target_url": target,
                    "anchor_text": "",
                    "tag": tag,
                    "attr": "script",
                    "on_home": on_home,
                    "is_external": False,
                    "fragment": None,
                }
            )

    def _crumb_parent(self, trail: Trail, page_url: str, col: str) -> str | None:
        """The column one level up: the last breadcrumb link that is neither the home page nor this column."""
        parent = None
        for _, raw in trail.links():
            if not raw or raw.lower().startswith(_SKIP_SCHEMES):
                continue
            target = column_url(canonical(urljoin(page_url, raw)))
            if target not in (self.home, col) and self.in_scope(target):
                parent = target
        return parent

    def _links(self, sel: Selector, page_url: str, *, depth: int, on_home: bool, html: str | None = None):
        links: list[dict[str, Any]] = []
        follow: list[scrapy.Request] = []
        # a page reached through a redirect is not fetched a second time under its final URL
        self.scheduled.add(page_url)
        hidden = hidden_links(sel, html=html)
        resolve = self._resolver().resolve
        for tag, attr, nodes in _link_nodes(sel.root):
            page_links = tag in ("a", "iframe")
            for node in nodes:
                raw = node.get(attr).strip()
                same_page = tag == "a" and raw.startswith("#") and fragment_of(raw) is not None
                if not raw or (raw.lower().startswith(_SKIP_SCHEMES) and not same_page):
                    continue
                if (
                    tag == "link"
                    and "stylesheet" not in (node.get("rel") or "")
                    and "icon" not in (node.get("rel") or "")
                ):
                    continue
                target, internal, fragment = resolve(page_url, raw)
                if target is None:
                    continue
                if len(node):
                    anchor = " ".join(t.strip() for t in node.itertext() if t.strip())
                else:  # no child elements: itertext() is the element's own text alone
                    anchor = (node.text or "").strip()
                anchor = anchor or node.get("title") or node.get("alt") or ""
                links.append(
                    {
                        "source_url": page_url,
                        "target_url": target,
                        "anchor_text": anchor[:300],
                        "tag": tag,
                        "attr": attr,
                        "on_home": on_home,
                        "is_external": not internal,
                        "fragment": fragment if page_links else None,
                    }
                )
                if hidden and tag == "a" and raw in hidden:
                    links[-1]["hidden"] = True
                    links[-1]["hiding"] = hidden[raw].encode()
                if same_page or target in self.scheduled:
                    continue  # most links of a page (navigation, footer) were scheduled from an earlier one
                req = self._schedule(target, tag=tag, depth=depth, referer=page_url)
                if req is not None:
                    follow.append(req)
        return links, follow

    def _resolver(self) -> LinkResolver:
        resolver = getattr(self, "_link_resolver", None)
        if resolver is None:
            resolver = self._link_resolver = LinkResolver(self.in_scope)
        return resolver

    def _pattern_cap(self) -> PatternCap:
        cap = getattr(self, "_cap", None)
        if cap is None:
            cap = self._cap = PatternCap(int(self._setting("MONITOR_MAX_URLS_PER_PATTERN")))
        return cap

    def _attachment_maxsize(self) -> int:
        return int(self._setting("MONITOR_ATTACHMENT_MAXSIZE"))

    def _setting(self, name: str) -> Any:
        """One of our settings: the crawl's, or its declared default for a spider made without a crawler."""
        settings = getattr(self, "settings", None)
        return settings.get(name) if settings is not None else monitor_defaults[name]

    def _attachment(self, response: Response) -> PageItem:
        """An in-scope PDF/DOC/DOCX/XLS/XLSX: its text for the content rules, or why it could not be read."""
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        name = urlsplit(response.url).path.rsplit("/", 1)[-1]
        fact = self._page_fact(response, attachment=True, title=name[:500] or None)
        if "html" in ctype.lower() and isinstance(response, TextResponse):
            # an HTML page where a document should be: often a "file not found" page answered with 200
            sel = Selector(text=response.text)
            title = (sel.xpath("//title/text()").get() or "").strip()[:500] or None
            text = " ".join(
                t.strip()
                for t in sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
                if t.strip()
            )
            fact.update(
                title=title or fact["title"],
                not_found_text=not_found_text(title, text),
                text_error="附件地址返回的是网页而不是文件",
            )
        else:
            text, error = attachment_text(response.body, url=response.url, content_type=ctype)
            fact.update(text=text, text_error=error)
        return PageItem(page=fact)

    def failed(self, failure: Failure):
        for out in self._failure_facts(failure):
            if not self._stored(out):
                yield out

    def _failure_facts(self, failure: Failure):
        request = failure.request
        kind, detail = error_kind(failure)
        response = getattr(failure.value, "response", None)
        # a failure after redirects is the failure of the URL that was linked, not of the last hop
        chain = [canonical(u) for u in request.meta.get("redirect_urls", [])]
        url = chain[0] if chain else canonical(request.url)
        if request.meta.get("parse") and not request.meta.get("external"):
            self._relink(url, set())  # the page is gone: what it linked to is no longer reached through it
        if chain:
            last = canonical(request.url)
            if kind == "redirects" and last in chain:
                detail = f"redirect loop back to {last}; {detail}"[:500]
            chain = chain + [last]
        yield PageItem(
            page={
                "url": url,
                "final_url": None,
                "redirect_chain": chain or None,
                "status": response.status if response is not None else None,
                "content_type": None,
                "size": None,
                "elapsed_ms": int((time.monotonic() - request.meta.get("started", time.monotonic())) * 1000),
                "depth": request.meta.get("depth", 0),
                "is_home": url == self.home,
                "is_external": request.meta.get("external", False),
                "error_kind": kind,
                "error_detail": detail,
                "attempts": request.meta.get("retry_times", 0) + 1,
                "attachment": bool(request.meta.get("attachment")),
            }
        )
