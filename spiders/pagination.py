"""Pagination of column lists: the further list pages a column has.

Pure helpers over a parsel ``Selector`` and the page's HTML text. ``pagination_urls`` reads, in this order:

1. TRS WCM scripts ``createPageHTML(countPage, currentPage, "index", "html")``: literal arguments or
   variables defined in the same or another inline script (``var countPage = 15//共多少页``, no semicolon),
   also the ``createPageHTML('page_div', 15, 0, 'index', 'html', 300)`` form: pages ``index_1.html`` …
   ``index_{N-1}.html`` next to the current page (TRS numbers the first page ``index.html``);
2. links labelled 下一页 / 下页 / 后页 / next / 末页 / 尾页 / last, and ``rel=next``;
3. numbered links: ``index_N.html``-style series, and query-string pages (``?page=2``, ``?pageNum=2``,
   ``&pageIndex=3``, ``p=``, ``pageNo=``, ``curpage=``) — a series found on the page is extended from
   its lowest to its highest number (a 1 2 3 … 36 bar lists only some pages), and up to a "共N页" total.

大汉 JCMS ``jpage`` lists are separate (``inline_datastore``, ``jpage_requests``, ``jpage_next``): their
entries sit in ``<script type="text/xml"><datastore><recordset><record><![CDATA[…]]>`` inside the page,
and the further groups of pages come from ``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…
&perpage=…`` with the column's parameters (JSP reads them from the query string as from a form body, so
each group is a plain GET URL that can be stored as a link and fetched again on a re-crawl).

The results are absolute, deduplicated, in page order, without the page itself, bounded by ``max_pages``
(further pages, not counting the page given), and never leave the base URL's scheme, host and port.
Fragment-only links (``#page=2``, used by JS-driven lists such as 163's rolling news) are not pages.
A page without any pagination hint (``has_pagination_hint``, plain substring checks) costs no xpath pass.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from typing import Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]{0,400})\)")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_NEXT_WORDS = ("下一页", "下页", "后页", "下一頁", "next", "›", "»", ">")
_LAST_WORDS = ("末页", "尾页", "最后一页", "last")
_PAGE_PARAMS = ("page", "pageindex", "pageno", "pagenum", "p", "pn", "curpage", "currentpage", "page_no", "pageidx")
_INDEX_N = re.compile(r"^(?P<stem>.*?_?)(?P<n>\d+)(?P<ext>\.s?html?)$", re.IGNORECASE)
# "共15页", "共 <b>15</b> 页", "共15页 当前第1页"
_TOTAL = re.compile(r"共\s*(?:<[^<>]{0,80}>\s*){0,3}(\d{1,6})\s*(?:<[^<>]{0,80}>\s*){0,3}页")
# cheap gates on the page text: any of these and the page may have further list pages
_NEXT_REL = ('rel="next"', "rel='next'", "rel=next")
_TOTAL_BEFORE = re.compile(r"共\s*(?:<[^<>]{0,80}>\s*){0,3}\d{1,6}\s*(?:<[^<>]{0,80}>\s*){0,3}$")


def _page_word(html: str) -> bool:
    """下一页 / 下页 / 后页 / 尾页 / 末页 / 最后一页 or a 共N页 total: one scan for 页, a look at what precedes each."""
    i = html.find("页")
    while i != -1:
        if (
            html[i - 1 : i] in ("下", "后", "尾", "末")
            or html[max(0, i - 2) : i] in ("下一", "后一")
            or ("共" in html[max(0, i - 130) : i] and _TOTAL_BEFORE.search(html, max(0, i - 130), i))
        ):
            return True
        i = html.find("页", i + 1)
    return "下一頁" in html


def has_pagination_hint(html: str) -> bool:
    """Whether the page text may carry any pagination form (substring checks before any regex or xpath)."""
    if "Page" in html and ("createPageHTML" in html or "countPage" in html):
        return True
    if "<datastore" in html or "jpage" in html or _page_word(html):
        return True
    if "next" in html and any(h in html for h in _NEXT_REL):
        return True
    return _number_link(html)


def _number_link(html: str) -> bool:
    """A link whose text is a page number (``<a href="index_2.html">2</a>``): a look before each ``</a>``."""
    for close in ("</a>", "</A>"):
        i = html.find(close)
        while i != -1:
            j = html.rfind(">", max(0, i - 16), i)
            if j != -1 and html[j + 1 : i].strip().isdigit() and len(html[j + 1 : i].strip()) <= 4:
                return True
            i = html.find(close, i + 4)
    return False


_SPACE = re.compile(r"\s+")


def _anchors(sel: Selector):
    """The page's ``a`` elements with an href, as lxml elements (no Selector wrapper a link)."""
    root = sel.root
    if not hasattr(root, "iter"):
        return []
    return [el for el in root.iter("a") if el.get("href") is not None]


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return a.scheme in ("http", "https") and (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def _origin_test(base: str) -> Callable[[str], bool]:
    """``_same_origin(url, base)`` for many URLs: a URL spelled with the base's own ``scheme://netloc/`` is of its
    origin without being split (the pages a list bar names nearly all are); any other is split and compared."""
    parts = urlsplit(base)
    prefix = f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") else None

    def same(url: str) -> bool:
        if prefix is not None and url.startswith(prefix):
            return True
        return _same_origin(url, base)

    return same


def _strip_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def _js_int(text: str, name: str, before: int) -> int | None:
    """The integer a script assigns to ``name`` (``var countPage = 15//共多少页``), the assignment nearest
    before the call, else the first one anywhere (it may sit in another inline script)."""
    # The name leads the pattern, so the regex engine jumps from one occurrence to the next; the character before
    # it (no identifier, member or $ part) is looked at here: as a lookbehind it made the engine try every position.
    pattern = re.compile(rf"{re.escape(name)}\s*=(?!=)\s*(['\"]?)(\d{{1,7}})\1(?![\w.])")
    value = None
    for m in pattern.finditer(text):
        i = m.start()
        if i and (text[i - 1].isalnum() or text[i - 1] in "_.$"):
            continue
        if i > before and value is not None:
            break
        value = int(m.group(2))
    return value


def _js_args(raw: str) -> list[str]:
    return [a.strip() for a in re.findall(r"'[^']*'|\"[^\"]*\"|[^,]+", raw)]


def _trs_pages(text: str, base_url: str, max_pages: int) -> list[str]:
    if "createPageHTML" not in text and "countPage" not in text:
        return []
    for m in _CREATE_PAGE.finditer(text):
        if "function" in text[max(0, m.start() - 20) : m.start()]:
            continue  # the function's own definition, inlined by some sites
        values: list[int | str | None] = []
        for arg in _js_args(m.group(1)):
            if arg[:1] in "'\"" and arg[-1:] == arg[:1] and len(arg) >= 2:
                inner = arg[1:-1].strip()
                values.append(int(inner) if inner.isdigit() else inner)
            elif arg.isdigit():
                values.append(int(arg))
            elif re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
                values.append(_js_int(text, arg, m.start()))
            else:
                values.append(None)
        # (count, current, stem, ext) wherever they start: TRS has forms with a div id before them
        for i in range(len(values) - 3):
            count, current, stem, ext = values[i : i + 4]
            if (
                isinstance(count, int)
                and isinstance(current, int)
                and isinstance(stem, str)
                and isinstance(ext, str)
                and stem
                and re.fullmatch(r"s?html?|jsp|php|aspx?", ext, re.IGNORECASE)
            ):
                return _numbered(base_url, f"{stem}_", f".{ext}", range(1, min(count, max_pages + 1)))
    c = _COUNT_PAGE.search(text)
    if not c:
        return []
    count = int(c.group(1))
    return _numbered(base_url, "index_", ".html", range(1, min(count, max_pages + 1)))


def _numbered(base_url: str, before: str, after: str, numbers: range) -> list[str]:
    """``urljoin(base_url, f"{before}{n}{after}")`` for each n: the join is made once, for the first number, and
    the others written into its result where that number stands (a page of a 60-page column named every page
    of its bar with a join of its own). Joined one by one where the first's result does not end with it."""
    if not numbers:
        return []
    first = urljoin(base_url, f"{before}{numbers[0]}{after}")
    tail = f"{numbers[0]}{after}"
    if not first.endswith(tail) or any(c in after for c in "?#/\\"):
        return [urljoin(base_url, f"{before}{n}{after}") for n in numbers]
    head = first[: len(first) - len(tail)]
    return [f"{head}{n}{after}" for n in numbers]


@functools.lru_cache(maxsize=4096)
def _series_key(url: str) -> tuple[str, str, int] | None:
    """(pattern, kind, number) for a numbered page URL: ``…/index_3.html`` or ``…?page=3``. Cached: every page
    of a column's bar names the same pages, and the spider asks again of each page it schedules."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(query):
        if k.lower() in _PAGE_PARAMS and v.isdigit():
            rest = query[:i] + [(k, "{n}")] + query[i + 1 :]
            pattern = urlunsplit(parts._replace(query=urlencode(rest, safe="{}"), fragment=""))
            return pattern, "query", int(v)
    name = parts.path.rsplit("/", 1)[-1]
    m = _INDEX_N.match(name)
    if m and "_" in name:
        folder = parts.path[: len(parts.path) - len(name)]
        pattern = urlunsplit(parts._replace(path=f"{folder}{m['stem']}{{n}}{m['ext']}", fragment=""))
        return pattern, "path", int(m["n"])
    return None


def series_pattern(url: str) -> str | None:
    """The series a numbered page URL belongs to (``…/index_{n}.html``, ``…?page={n}``), if it is one."""
    key = _series_key(url)
    return key[0] if key else None


def total_pages(text: str) -> int | None:
    """The "共N页" total a page bar states, if any."""
    m = _TOTAL.search(text) if "共" in text else None
    return int(m.group(1)) if m else None


def pagination_urls(sel: Selector, base_url: str, *, max_pages: int, html: str | None = None) -> list[str]:
    """Further list pages of the column shown at ``base_url`` (see the module docstring). ``html``: the
    page's text, when the caller has it (its scripts are read from it, and a page without any pagination
    hint returns at once)."""
    if max_pages <= 0:
        return []
    if html is not None and not has_pagination_hint(html):
        return []
    text = html if html is not None else " ".join(sel.xpath("//script/text()").getall())
    here = _strip_fragment(base_url)
    same_origin = _origin_test(base_url)
    found: list[str] = list(_trs_pages(text, base_url, max_pages))
    series: dict[str, list[int]] = {}
    for a in _anchors(sel):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
            continue
        rel = (a.get("rel") or "").lower()
        label = _SPACE.sub("", "".join(a.itertext()) or a.get("title") or "").lower()
        is_number = label.isdigit()
        is_word = label in _NEXT_WORDS or label in _LAST_WORDS
        if not (is_number or is_word or rel == "next" or "页" in label) or (len(label) > 12 and rel != "next"):
            continue  # an entry's title or any other link, not a page bar's button (most links: no URL work)
        url = _strip_fragment(urljoin(base_url, href))
        if not same_origin(url):
            continue
        key = _series_key(url)
        if (
            rel == "next"
            or is_word
            or any(w in label for w in ("下一页", "末页", "尾页"))
            or is_number
            and key is not None
        ):
            found.append(url)
        if key is not None:
            series.setdefault(key[0], []).append(key[2])
    total = total_pages(html if html is not None else " ".join(sel.xpath("//body//text()").getall()))
    # Fill the gaps of a numbered series (1 2 3 … 36), up to the stated total.
    # TRS/path series number the second page 1 (index_1.html); query series the second page 2.
    for pattern, numbers in series.items():
        kind = _series_key(pattern.replace("{n}", "1"))
        start = 1 if kind and kind[1] == "path" else 2
        lo, hi = min(numbers), max(numbers)
        if total is not None and total > 1:
            hi = max(hi, total - 1 if start == 1 else total)
        first = start if lo <= start + 1 else lo
        for n in range(first, min(hi, first + max_pages) + 1):  # a page saying page=99999999 stays bounded
            found.append(pattern.replace("{n}", str(n)))
    out: list[str] = []
    seen = {here}
    for url in found:
        if url in seen or not same_origin(url):
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


# ------------------------------------------------------------ 大汉 JCMS jpage

JPAGE_PROXY = "/module/web/jpage/dataproxy.jsp"
_DATASTORE_SCRIPT = re.compile(
    r"<script\b[^>]*>\s*(<datastore\b.*?</datastore>)\s*</script>", re.DOTALL | re.IGNORECASE
)
_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.DOTALL | re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>.*?href\s*=\s*['\"]([^'\"]+)['\"]", re.DOTALL | re.IGNORECASE)
_TOTAL_RECORD = re.compile(r"(?:totalRecord|totalrecord)\s*(?:[:=]\s*|>\s*)['\"]?(\d{1,9})")
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d{1,4})", re.IGNORECASE)
_GROUP_SIZE = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d{1,3})", re.IGNORECASE)
_PROXY_URL = re.compile(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", re.IGNORECASE)
_JPAGE_PARAMS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
_RANGE_PARAMS = ("startrecord", "endrecord", "perpage", "page")


def is_jpage_proxy(url: str) -> bool:
    return urlsplit(url).path.lower().endswith("/dataproxy.jsp")


def _records(datastore: str) -> list[str]:
    """The records' HTML: in CDATA sections, or entity-escaped (``&lt;li&gt;…``) in older templates."""
    out = []
    for cdata, plain in _RECORD.findall(datastore):
        if cdata:
            out.append(cdata.strip())
        elif plain.strip():
            out.append(html_lib.unescape(plain.strip()) if "&lt;" in plain else plain.strip())
    return out


def _wrap(records: list[str]) -> str:
    """Records as the list a browser shows (jpage writes them between its dataBefore and dataAfter)."""
    if not records:
        return '<div class="jpage-list"></div>'
    head = records[0].lstrip()[:4].lower()
    body = "\n".join(records)
    if head.startswith(("<tr", "<tb")):
        return f'<table class="jpage-list">{body}</table>'
    if head.startswith("<td"):
        return '<table class="jpage-list">' + "".join(f"<tr>{r}</tr>" for r in records) + "</table>"
    if head.startswith("<li"):
        return f'<ul class="jpage-list">{body}</ul>'
    return f'<div class="jpage-list">{body}</div>'


def inline_datastore(html: str) -> str:
    """The page with each jpage datastore (its records hidden in a ``text/xml`` script) written into the
    DOM as the list it is, so list recognition and link extraction see the entries."""
    if "<datastore" not in html and "<DATASTORE" not in html:
        return html
    return _DATASTORE_SCRIPT.sub(lambda m: _wrap(_records(m.group(1))), html)


def jpage_response_html(text: str) -> str:
    """A dataproxy answer (the same datastore XML) as a small HTML list page."""
    m = _DATASTORE.search(text)
    return f"<html><body>{_wrap(_records(m.group(0)) if m else [])}</body></html>"


def _proxy_base(html: str, base_url: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The dataproxy URL and the column's parameters, from the datastore's ``nextgroup`` link or from the
    jpage call's options."""
    m = _NEXTGROUP.search(html)
    if m:
        href = m.group(1).replace("&amp;", "&")
        parts = urlsplit(urljoin(base_url, href))
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _RANGE_PARAMS]
        return urlunsplit(parts._replace(query="", fragment="")), params
    if "jpage" not in html:
        return None
    params = []
    for name in _JPAGE_PARAMS:
        p = re.search(rf"(?<![\w]){name}\s*[:=]\s*['\"]?([^'\",&\s}}]*)", html)
        if p:
            params.append((name, p.group(1)))
    if not any(k == "columnid" for k, _ in params):
        return None
    proxy = _PROXY_URL.search(html)
    return urljoin(base_url, proxy.group(1) if proxy else JPAGE_PROXY), params


def _proxy_url(proxy: str, params: list[tuple[str, str]], start: int, end: int, per_page: int) -> str:
    query = [("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(per_page))] + params
    return f"{proxy}?{urlencode(query)}"


def jpage_requests(html: str, base_url: str, *, max_pages: int) -> list[str]:
    """The dataproxy URLs of a jpage column's further page groups (``max_pages`` further pages at most).

    The page holds the first group (``groupSize`` pages of ``perPage`` records); with a ``totalRecord``
    every further group is known at once, without one only the next group is (``jpage_next`` continues)."""
    if max_pages <= 0 or ("<datastore" not in html and "jpage" not in html):
        return []
    base = _proxy_base(html, base_url)
    if base is None:
        return []
    proxy, params = base
    ds = _DATASTORE.search(html)
    inline = len(_records(ds.group(0))) if ds else 0
    per_page = int(m.group(1)) if (m := _PER_PAGE.search(html)) else 15
    group = int(m.group(1)) if (m := _GROUP_SIZE.search(html)) else 3
    chunk = max(1, per_page * max(1, group))
    total = int(m.group(1)) if (m := _TOTAL_RECORD.search(html)) else None
    bound = (max_pages + 1) * per_page  # records on the first page and max_pages further ones
    start = inline + 1
    if total is None:
        return (
            [_proxy_url(proxy, params, start, start + chunk - 1, per_page)]
            if ds and inline >= chunk and start <= bound
            else []
        )
    out = []
    while start <= min(total, bound):
        out.append(_proxy_url(proxy, params, start, start + chunk - 1, per_page))
        start += chunk
    return [u for u in out if _same_origin(u, base_url)]


def jpage_next(text: str, url: str, *, max_pages: int) -> str | None:
    """After a dataproxy answer that filled its whole range and states no smaller total: the next group."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    q = {k.lower(): v for k, v in query}
    try:
        start, end, per_page = int(q["startrecord"]), int(q["endrecord"]), int(q.get("perpage") or 15)
    except (KeyError, ValueError):
        return None
    chunk = end - start + 1
    got = len(_records(text))
    total = int(m.group(1)) if (m := _TOTAL_RECORD.search(text)) else None
    if chunk <= 0 or got < chunk or (total is not None and end >= total) or end + 1 > (max_pages + 1) * per_page:
        return None
    rest = [(k, v) for k, v in query if k.lower() not in ("startrecord", "endrecord", "perpage")]
    return _proxy_url(urlunsplit(parts._replace(query="", fragment="")), rest, end + 1, end + chunk, per_page)
