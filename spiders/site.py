"""SiteSpider: crawls one government site within its scope and records what it sees.

It records pages, links, list pages and their dated entries. It judges
nothing: whether a link is broken or a column stale is for the rules.
Retries, politeness and storage are Scrapy components configured in
``monitor.scrapy_settings``.
"""
from __future__ import annotations

import hashlib
import re
import time
from datetime import date
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from spiders.columns import breadcrumb, classify_column
from spiders.pagination import pagination_urls
from spiders.encoding import decode_html
from spiders.listing import article_date, column_meta, list_items, looks_empty
from spiders.mailbox import MAILBOX_WORDS, looks_like_mailbox, mailbox_rows
from spiders.verdicts import (PatternCap, attachment_text, canonical_url, fragment_of, is_readable_attachment,
                              not_found_text, page_signals)

ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".zip", ".rar", ".ppt", ".pptx")
# tag -> attribute holding a link worth checking
LINK_ATTRS = (("a", "href"), ("img", "src"), ("iframe", "src"), ("script", "src"), ("link", "href"))
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")
ANNUAL_REPORT_TITLE = re.compile(r"(?:19|20)\d{2}年度?.{0,30}政府信息公开(?:工作)?年度报告")
_INDEX_PAGE = re.compile(r"index(?:_\d+)?\.s?html?$")


def host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def canonical(url: str) -> str:
    """The URL the crawl keys on: no fragment, no session id, sorted query, default path '/'."""
    return canonical_url(url)


def column_url(page_url: str) -> str:
    """List pages index.html, index_1.html … of one column share the column's directory URL."""
    return _INDEX_PAGE.sub("", page_url)


_ERROR_NAMES = {
    # Scrapy >= 2.14 wraps download errors in its own exceptions; Twisted's names are the older ones.
    "CannotResolveHostError": "dns", "DNSLookupError": "dns",
    "DownloadConnectionRefusedError": "refused", "ConnectionRefusedError": "refused",
    "DownloadTimeoutError": "timeout", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "DownloadCancelledError": "too_large",
    "ResponseDataLossError": "reset", "ResponseNeverReceived": "reset", "ConnectionLost": "reset",
    "ConnectionDone": "reset", "ConnectionAborted": "reset", "DownloadFailedError": "reset",
}


def error_kind(failure: Failure) -> tuple[str, str]:
    """A failed request's reason as a short stable kind (a fact, not a verdict)."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc)
    detail = f"{name}: {text}"[:500]
    low = text.lower()
    if "ssl" in low or "tls" in low or "certificate" in low or "SSL" in name:
        return "tls", detail
    if name == "IgnoreRequest" and "redirect" in low:
        return "redirects", detail
    if "maxsize" in low or "warnsize" in low:
        return "too_large", detail
    return _ERROR_NAMES.get(name, "other"), detail


def page_meta(sel: Selector, limit: int = 40) -> dict[str, str]:
    """``<meta name=… content=…>`` pairs (网页设计规范 tags and the like), bounded against hostile pages."""
    out: dict[str, str] = {}
    for node in sel.xpath("//head/meta[@name][@content]")[:limit]:
        name = node.attrib["name"].strip()[:60]
        if name and name not in out:
            out[name] = node.attrib["content"].strip()[:500]
    return out


_FOOTER_XPATH = ("//*[self::footer or @id='footer' or @id='foot' or contains(@class,'footer') "
                 "or contains(@class,'foot') or contains(@class,'bottom') or @id='bottom']")


def footer_text(sel: Selector) -> str | None:
    """Text of the bottom function area (网页底部功能区), where the site identifiers belong (W-S5)."""
    blocks = sel.xpath(_FOOTER_XPATH)
    node = blocks[-1] if blocks else None
    if node is None:
        return None
    parts = [t.strip() for t in node.xpath(".//text() | .//img/@alt").getall() if t.strip()]
    return " ".join(parts)[:5000] or None


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, site_key: str = "adhoc", home: str = "", scope: Iterable[str] = (),
                 max_pages: int = 2000, max_depth: int = 5, check_external: bool = True,
                 today: date | None = None, mailbox: bool = True, mailbox_words: Iterable[str] = (),
                 mailbox_urls: Iterable[str] = (), max_list_pages: int = 50, **kwargs: Any):
        super().__init__(**kwargs)
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

    # ------------------------------------------------------------ scheduling

    def in_scope(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and host_port(url) in self.scope

    def _request(self, url: str, *, depth: int, external: bool = False, parse: bool = True,
                 referer: str | None = None) -> scrapy.Request | None:
        if url in self.scheduled:
            return None
        if not external and parse:
            if self.internal_pages >= self.max_pages:
                return None
            self.internal_pages += 1
        self.scheduled.add(url)
        meta = {"depth": depth, "external": external, "parse": parse, "started": time.monotonic()}
        if not parse:
            # a checked resource or external link: read the status, not the whole body
            meta["download_maxsize"] = 2 * 1024 * 1024
        headers = {"Referer": referer} if referer else None
        return scrapy.Request(url, callback=self.parse_page, errback=self.failed, meta=meta,
                              headers=headers, dont_filter=True)

    async def start(self):
        req = self._request(self.home, depth=0)
        if req:
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
        is_html = isinstance(response, TextResponse) and b"html" in response.headers.get(b"Content-Type", b"html")
        if not meta.get("parse") or meta.get("external") or not is_html or response.status >= 400 \
                or not self.in_scope(response.url):
            fact = self._page_fact(response)
            if is_html and response.status < 400 and isinstance(response, TextResponse):
                fact["title"] = (response.xpath("//title/text()").get() or "").strip()[:500] or None
                fact["not_found_text"] = not_found_text(fact["title"])
            yield {"kind": "page", "page": fact, "links": []}
            return

        ctype_header = response.headers.get(b"Content-Type", b"").decode("latin-1")
        charset = ctype_header.lower().split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype_header.lower() else None
        html_text, encoding = decode_html(response.body, http_charset=charset)
        sel = Selector(text=html_text)
        page_url = canonical(response.url)
        is_home = canonical(response.meta.get("redirect_urls", [response.url])[0]) == self.home
        pub, pub_text = article_date(sel, today=self.today)
        text = " ".join(t.strip() for t in sel.xpath(
            "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall() if t.strip())
        fact = self._page_fact(
            response,
            title=(sel.xpath("//title/text()").get() or "").strip()[:500] or None,
            encoding=encoding,
            pub_date=pub, pub_date_text=pub_text[:100] or None,
            text=text[:200_000],
            meta=page_meta(sel),
            footer=footer_text(sel),
        )
        fact["is_home"] = is_home
        fact.update(page_signals(sel, fact["title"], fact["text"]))
        links, follow = self._links(sel, page_url, depth=meta.get("depth", 0), on_home=is_home)
        yield {"kind": "page", "page": fact, "links": links}
        heading = " ".join(sel.xpath("//h1//text()").getall())
        if ANNUAL_REPORT_TITLE.search(re.sub(r"\s+", "", f"{fact.get('title') or ''} {heading}")):
            # the report as published: the annual-report rules (A-1 …) parse its tables from this
            yield {"kind": "report_document", "document": {
                "url": page_url, "title": (fact.get("title") or heading)[:500], "published": pub,
                "body": html_text[:2_000_000]}}

        name, ctype = column_meta(sel)
        items = list_items(sel, page_url, today=self.today)
        if is_home:
            yield {"kind": "list", "role": "home", "column_url": page_url, "page_url": page_url,
                   "name": "首页", "column_type": "首页", "items": items, "empty": False}
        elif name:
            col = column_url(page_url)
            crumb = breadcrumb(sel)
            level = len(crumb) - 1 if len(crumb) >= 2 and crumb[0] in ("首页", "网站首页") else None
            yield {"kind": "list", "role": "column", "column_url": col, "page_url": page_url, "name": name,
                   "column_type": classify_column(name, ctype, col).value, "items": items, "empty": looks_empty(sel),
                   "level": level}
            # list pages only a script links to (TRS createPageHTML) or beyond the visible page bar
            for url in pagination_urls(sel, page_url, max_pages=self.max_list_pages):
                req = self._request(url, depth=meta.get("depth", 0), referer=page_url)
                if req is not None:
                    follow.append(req)
        if self.mailbox and not is_home and (looks_like_mailbox(name, ctype, self.mailbox_words)
                                             or page_url.startswith(self.mailbox_urls)):
            for row in mailbox_rows(sel, page_url, column_url=column_url(page_url), column_name=name or "",
                                    today=self.today):
                yield {"kind": "message", "message": {
                    "column_url": row.column_url, "column_name": row.column_name, "page_url": row.page_url,
                    "url": row.url, "title": row.title, "asked": row.asked, "asked_text": row.asked_text,
                    "answered": row.answered, "answered_text": row.answered_text, "status": row.status}}
        yield from follow

    def _links(self, sel: Selector, page_url: str, *, depth: int, on_home: bool):
        links: list[dict[str, Any]] = []
        follow: list[scrapy.Request] = []
        # a page reached through a redirect is not fetched a second time under its final URL
        self.scheduled.add(page_url)
        cap = self._pattern_cap()
        for tag, attr in LINK_ATTRS:
            for node in sel.xpath(f"//{tag}[@{attr}]"):
                raw = (node.attrib.get(attr) or "").strip()
                same_page = tag == "a" and raw.startswith("#") and fragment_of(raw) is not None
                if not raw or (raw.lower().startswith(_SKIP_SCHEMES) and not same_page):
                    continue
                if tag == "link" and "stylesheet" not in (node.attrib.get("rel") or "") \
                        and "icon" not in (node.attrib.get("rel") or ""):
                    continue
                absolute = urljoin(page_url, raw)
                target = canonical(absolute)
                if urlsplit(target).scheme not in ("http", "https"):
                    continue
                internal = self.in_scope(target)
                anchor = " ".join(t.strip() for t in node.xpath(".//text()").getall() if t.strip()) \
                    or node.attrib.get("title") or node.attrib.get("alt") or ""
                links.append({"source_url": page_url, "target_url": target, "anchor_text": anchor[:300],
                              "tag": tag, "attr": attr, "on_home": on_home, "is_external": not internal,
                              "fragment": fragment_of(absolute) if tag in ("a", "iframe") else None})
                if same_page:
                    continue
                if internal:
                    page_like = tag in ("a", "iframe") and not target.lower().endswith(ATTACHMENT_EXT)
                    if page_like and depth + 1 > self.max_depth:
                        continue
                    if page_like and target not in self.scheduled and not cap.allow(target, referer=page_url):
                        continue  # a trap: this path already generated its share of query variants
                    req = self._request(target, depth=depth + 1, parse=page_like, referer=page_url)
                    if req is not None and tag == "a" and is_readable_attachment(target):
                        req.meta["attachment"] = True
                        req.meta["download_maxsize"] = self._attachment_maxsize()
                elif self.check_external:
                    req = self._request(target, depth=depth + 1, external=True, parse=False, referer=page_url)
                else:
                    req = None
                if req is not None:
                    follow.append(req)
        return links, follow

    def _pattern_cap(self) -> PatternCap:
        cap = getattr(self, "_cap", None)
        if cap is None:
            settings = getattr(self, "settings", None)
            limit = settings.getint("MONITOR_MAX_URLS_PER_PATTERN", 50) if settings is not None else 50
            cap = self._cap = PatternCap(limit)
        return cap

    def _attachment_maxsize(self) -> int:
        settings = getattr(self, "settings", None)
        return settings.getint("MONITOR_ATTACHMENT_MAXSIZE", 20 * 1024 * 1024) if settings is not None \
            else 20 * 1024 * 1024

    def _attachment(self, response: Response) -> dict[str, Any]:
        """An in-scope PDF/DOC/DOCX/XLS/XLSX: its text for the content rules, or why it could not be read."""
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        name = urlsplit(response.url).path.rsplit("/", 1)[-1]
        fact = self._page_fact(response, attachment=True, title=name[:500] or None)
        if "html" in ctype.lower() and isinstance(response, TextResponse):
            # an HTML page where a document should be: often a "file not found" page answered with 200
            sel = Selector(text=response.text)
            title = (sel.xpath("//title/text()").get() or "").strip()[:500] or None
            text = " ".join(t.strip() for t in sel.xpath(
                "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall() if t.strip())
            fact.update(title=title or fact["title"], not_found_text=not_found_text(title, text),
                        text_error="附件地址返回的是网页而不是文件")
        else:
            text, error = attachment_text(response.body, url=response.url, content_type=ctype)
            fact.update(text=text, text_error=error)
        return {"kind": "page", "page": fact, "links": []}

    def failed(self, failure: Failure):
        request = failure.request
        kind, detail = error_kind(failure)
        response = getattr(failure.value, "response", None)
        # a failure after redirects is the failure of the URL that was linked, not of the last hop
        chain = [canonical(u) for u in request.meta.get("redirect_urls", [])]
        url = chain[0] if chain else canonical(request.url)
        if chain:
            last = canonical(request.url)
            if kind == "redirects" and last in chain:
                detail = f"redirect loop back to {last}; {detail}"[:500]
            chain = chain + [last]
        yield {"kind": "page", "links": [], "page": {
            "url": url, "final_url": None, "redirect_chain": chain or None,
            "status": response.status if response is not None else None,
            "content_type": None, "size": None,
            "elapsed_ms": int((time.monotonic() - request.meta.get("started", time.monotonic())) * 1000),
            "depth": request.meta.get("depth", 0),
            "is_home": url == self.home,
            "is_external": request.meta.get("external", False),
            "error_kind": kind, "error_detail": detail,
            "attempts": request.meta.get("retry_times", 0) + 1,
            "attachment": bool(request.meta.get("attachment")),
        }}
