"""Pagination of column lists: the further list pages a column has.

A pure helper over a parsel ``Selector``. It reads, in this order:

1. TRS WCM scripts ``createPageHTML(countPage, currentPage, "index", "html")`` (and the
   ``countPage = N`` variable form): pages ``index_1.html`` … ``index_{N-1}.html`` next to the
   current page (TRS numbers the first page ``index.html``);
2. links labelled 下一页 / 下页 / 后页 / next / 末页 / 尾页 / last, and ``rel=next``;
3. numbered links: ``index_N.html``-style series, and query-string pages (``?page=2``,
   ``&pageIndex=3``, ``p=``, ``pageNo=``, ``curpage=``) — a series found on the page is extended from
   its lowest to its highest number (a 1 2 3 … 36 bar lists only some pages).

The result is absolute, deduplicated, in page order, without the page itself, at most
``max_pages`` URLs (further pages, not counting the page given), and never leaves the base URL's scheme, host and port. Fragment-only links
(``#page=2``, used by JS-driven lists such as 163's rolling news) are not pages.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]")
_COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_NEXT_WORDS = ("下一页", "下页", "后页", "下一頁", "next", "›", "»", ">")
_LAST_WORDS = ("末页", "尾页", "最后一页", "last")
_PAGE_PARAMS = ("page", "pageindex", "pageno", "pagenum", "p", "pn", "curpage", "currentpage", "page_no", "pageidx")
_INDEX_N = re.compile(r"^(?P<stem>.*?_?)(?P<n>\d+)(?P<ext>\.s?html?)$", re.IGNORECASE)


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return a.scheme in ("http", "https") and (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def _strip_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def _trs_pages(sel: Selector, base_url: str, max_pages: int) -> list[str]:
    scripts = " ".join(sel.xpath("//script/text()").getall())
    m = _CREATE_PAGE.search(scripts)
    if m:
        count, stem, ext = int(m.group(1)), m.group(3), m.group(4)
    else:
        c = _COUNT_PAGE.search(scripts)
        if not c:
            return []
        count, stem, ext = int(c.group(1)), "index", "html"
    return [urljoin(base_url, f"{stem}_{n}.{ext}") for n in range(1, min(count, max_pages + 1))]


def _series_key(url: str) -> tuple[str, str, int] | None:
    """(pattern, kind, number) for a numbered page URL: ``…/index_3.html`` or ``…?page=3``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(query):
        if k.lower() in _PAGE_PARAMS and v.isdigit():
            rest = query[:i] + [(k, "{n}")] + query[i + 1:]
            pattern = urlunsplit(parts._replace(query=urlencode(rest, safe="{}"), fragment=""))
            return pattern, "query", int(v)
    name = parts.path.rsplit("/", 1)[-1]
    m = _INDEX_N.match(name)
    if m and "_" in name:
        folder = parts.path[: len(parts.path) - len(name)]
        pattern = urlunsplit(parts._replace(path=f"{folder}{m['stem']}{{n}}{m['ext']}", fragment=""))
        return pattern, "path", int(m["n"])
    return None


def pagination_urls(sel: Selector, base_url: str, *, max_pages: int) -> list[str]:
    """Further list pages of the column shown at ``base_url`` (see the module docstring)."""
    if max_pages <= 0:
        return []
    here = _strip_fragment(base_url)
    found: list[str] = list(_trs_pages(sel, base_url, max_pages))
    series: dict[str, list[int]] = {}
    for a in sel.xpath("//a[@href]"):
        href = a.attrib.get("href", "").strip()
        if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
            continue
        url = _strip_fragment(urljoin(base_url, href))
        if not _same_origin(url, base_url):
            continue
        label = re.sub(r"\s+", "", " ".join(a.xpath(".//text()").getall()) or a.attrib.get("title", "")).lower()
        rel = a.attrib.get("rel", "").lower()
        key = _series_key(url)
        is_number = label.isdigit()
        if rel == "next" or label in _NEXT_WORDS or label in _LAST_WORDS or any(w in label for w in ("下一页", "末页", "尾页")):
            found.append(url)
        elif is_number and key is not None:
            found.append(url)
        if key is not None and (is_number or label in _NEXT_WORDS or label in _LAST_WORDS
                                or rel == "next" or "页" in label):
            series.setdefault(key[0], []).append(key[2])
    # Fill the gaps of a numbered series (1 2 3 … 36).
    # TRS/path series number the second page 1 (index_1.html); query series the second page 2.
    for pattern, numbers in series.items():
        lo, hi = min(numbers), max(numbers)
        kind = _series_key(pattern.replace("{n}", "1"))
        start = 1 if kind and kind[1] == "path" else 2
        first = start if lo <= start + 1 else lo
        for n in range(first, min(hi, first + max_pages) + 1):  # a page saying page=99999999 stays bounded
            found.append(pattern.replace("{n}", str(n)))
    out: list[str] = []
    seen = {here}
    for url in found:
        if url in seen or not _same_origin(url, base_url):
            continue
        seen.add(url)
        out.append(url)
    return _order(out)[:max_pages]


def _order(urls: list[str]) -> list[str]:
    """Page order: numbered pages by number, the rest where they were found."""
    def key(item: tuple[int, str]) -> tuple[int, int]:
        i, url = item
        k = _series_key(url)
        return (k[2], i) if k else (10**9, i)
    return [u for _, u in sorted(enumerate(urls), key=key)]
