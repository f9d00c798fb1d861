"""List pages recognised from their structure, on any CMS, with or without the 网页设计规范 metas.

One walk over the parsed tree finds every *block*: siblings of one tag (``li``, ``tr``, ``dd``,
``div`` cards, ``p``) under one parent, each holding a title link (and at most two other links,
e.g. a category tag) and usually a date beside it. Blocks inside navigation, header, footer and
side boxes (相关/热点/最新/排行) are *chrome*. The column's list is the biggest block of the main
content. Dates are read in this order for each entry:

1. a full date in the entry's text outside its links (``2026-11-20``, ``[2026-11-20]``,
   ``2026年11月20日``, ``2026/11/20``, ``2026.11.20``), before or after the title;
2. a date split across elements (a day in one ``span``, ``2026-11`` in another);
3. a month-day (``11-20``): its year from the entry's URL date, else from the fully dated entries
   around it in the list (newest first; 置顶 entries and lists out of order never give a year),
   else the entry stays undated (it is not given the current year);
4. no visible date: the date in the entry's URL (``t20261120_1.html``, ``/2026/11/20/``).
   The linked article's own date comes later, from the crawl (``monitor.check.facts``).

Pure helpers: the spider records what they return; nothing here judges a column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from spiders.dates import infer_year, iter_dates, month_days, normalize, split_date, url_date, url_year_month

ENTRY_TAGS = frozenset({"li", "tr", "dd", "div", "p", "dl", "article"})
# li/tr/dd are list rows by nature: one row is a list; a div or p needs siblings like it
_ROW_TAGS = frozenset({"li", "tr", "dd"})
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "select", "option", "textarea", "head", "iframe", "svg", "button"}
)
_CHROME_TAGS = frozenset({"nav", "footer", "header", "aside"})
# id/class words of site chrome: navigation, header, footer, side boxes, related/hot/latest lists
_CHROME_WORDS = re.compile(
    r"(?:^|[\s_\-])(?:\w*nav\w*|\w*menu\w*|footer?\w*|bottom|header|head|top_?bar|side\w*|aside|sidebar|breadcrumbs?"
    r"|crumbs?|location|position|dqwz|related|relate\w*|xgwz|xgxx|xgxw|xglj|xgyd|xgwj|recommend\w*|tuijian|hot\w*"
    r"|rank\w*|latest|zxxx|rdxw|tjyd|links?"
    r"|friend\w*|yqlj|share\w*|login|toolbar|tools|\w*tree\w*|pagebar|pages|pager|pagination|fenye|paging)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)
_SIDE_HEADINGS = ("相关", "热点", "热门", "最新", "推荐", "排行", "点击", "阅读", "友情链接", "专题")
_LIST_WORDS = re.compile(r"list|lb|news|xxgk|gkml|con_?box|column|lanmu|tab_?con|data", re.IGNORECASE)
_PINNED = re.compile(r"置顶|\btop\b|\[顶\]|【顶】|^顶$")
_NOT_LINKS = ("javascript:", "#", "mailto:", "tel:")
_MIN_TITLE = 2
# link texts that are controls, not titles
_NOT_TITLES = re.compile(
    r"^(?:更多|更多>+|more|首页|上一页|下一页|上页|下页|尾页|末页|前页|后页|跳转|确定|返回|打印|关闭|"
    r"\d+|[<>»«›‹.…\s]+|\[?\s*更多\s*\]?)$",
    re.IGNORECASE,
)
_MAX_ENTRY_TEXT = 500
EMPTY_MARKERS = (
    "暂无信息",
    "暂无数据",
    "暂无内容",
    "暂无记录",
    "暂无相关信息",
    "暂无文章",
    "暂无新闻",
    "没有记录",
    "没有相关信息",
    "没有找到相关",
    "无相关信息",
    "无记录",
)
_ZERO_COUNT = re.compile(r"共\s*0\s*(?:条|篇|页)|记录数\s*[:：]\s*0(?!\d)|总数\s*[:：]\s*0(?!\d)")
_CONTAINER_TAGS = frozenset({"ul", "ol", "table", "tbody", "dl"})
_DATE_CLASS = re.compile(r"date|time|(?:^|[\s_\-])(?:rq|sj|fbsj|fbrq|day)(?:$|[\s_\-])", re.IGNORECASE)
_DATASTORE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)


@dataclass
class Entry:
    url: str
    title: str
    date: date | None
    date_text: str = ""
    date_source: str = ""  # list | split | year-inferred | url ("" when undated)
    pinned: bool = False
    month_day: tuple[int, int] | None = None  # a yearless date still waiting for its year


@dataclass
class Block:
    entries: list[Entry]
    chrome: bool
    container: bool  # the parent looks like a list container (class/id list, table…)
    heading: str = ""
    order: int = 0
    footer: bool = False
    parent: object = None  # the element holding the entries

    def key(self):
        el = self.parent
        up = el.getparent() if el is not None else None
        top = up.getparent() if up is not None else None
        if top is None:
            return None
        return (
            el.getroottree().getpath(top),
            up.tag,
            up.get("class") or "",
            el.tag,
            el.get("class") or "",
            self.chrome,
        )

    @property
    def dated(self) -> int:
        return sum(1 for e in self.entries if e.date is not None or e.month_day is not None)


@dataclass
class ListReading:
    """What a page shows as a list: the main block's entries and the evidence around them."""

    entries: list[Entry] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    main: Block | None = None
    overview: bool = False  # several lists of similar size: a column overview page, not one list
    datastore: bool = False  # 大汉 JCMS records inside the page
    # the evidence of an empty list, read when first asked for: most pages are articles, turned away before
    _find_empty: Callable[[], tuple[bool, str | None]] | None = field(default=None, repr=False)
    _empty: tuple[bool, str | None] | None = field(default=None, repr=False)

    def _evidence(self) -> tuple[bool, str | None]:
        if self._empty is None:
            self._empty = self._find_empty() if self._find_empty is not None else (False, None)
            self._find_empty = None  # let go of the page
        return self._empty

    @property
    def empty_container(self) -> bool:
        """A list container in the main content with no entry."""
        return self._evidence()[0]

    @property
    def empty_marker(self) -> str | None:
        """暂无信息 and the like, in the main content."""
        return self._evidence()[1]

    @property
    def dated(self) -> int:
        return sum(1 for e in self.entries if e.date is not None)

    def strong(self) -> bool:
        """A list by structure alone: at least three entries in the main content, two thirds dated."""
        n = len(self.entries)
        return not self.overview and n >= 3 and 3 * self.main.dated >= 2 * n


def _attrs(el) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


_FOOTER = re.compile(r"(?:^|[\s_\-])(?:foot\w*|bottom|copyright)(?:$|[\s_\-\d])", re.IGNORECASE)


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _links(el) -> list:
    out = []
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith(_NOT_LINKS):
            out.append(a)
            if len(out) > 3:
                break
    return out


def _own_texts(el, skip: set) -> list[str]:
    """Text pieces of ``el`` outside the elements in ``skip`` (its links), in order, one per node."""
    out: list[str] = []

    # an explicit stack, not recursion: hostile pages nest thousands of elements deep
    stack: list = [(el, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node is not el and node.tail and node.tail.strip():
                out.append(node.tail.strip())
            continue
        if node in skip:
            if node.tail and node.tail.strip():
                out.append(node.tail.strip())
            continue
        if isinstance(node.tag, str) and node.tag.lower() in _SKIP:
            continue
        if node.text and node.text.strip():
            out.append(node.text.strip())
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return out


def _entry(el, base_url: str, *, pinned_words: bool = True) -> Entry | None:
    links = _links(el)
    if not links or len(links) > 3:
        return None
    titles = [((a.get("title") or "").strip() or _text(a)) for a in links]
    i = max(range(len(links)), key=lambda k: len(titles[k]))
    title = titles[i]
    if len(title) < _MIN_TITLE or _NOT_TITLES.match(title):
        return None
    parts = _own_texts(el, set(links))
    rest = " ".join(parts)
    if len(rest) > _MAX_ENTRY_TEXT:
        return None  # a paragraph of body text with a link in it, not a list row
    url = links[i].get("href").strip()  # resolved against the page URL only for the blocks that are used
    pinned = (
        bool(rest and _PINNED.search(rest))
        or "top" in (el.get("class") or "").lower().split()
        or "置顶" in _text(links[i])[:4]
    )
    # an element marked as the date (class date/time/rq/sj) speaks first: a card's summary may hold other dates
    marked: list[str] = []
    inside: set = set()
    for node in el.iter():
        if node is el or not isinstance(node.tag, str) or node in inside or node in links:
            continue
        if _DATE_CLASS.search(_attrs(node)):
            marked.extend(_own_texts(node, set(links)))
            inside.update(node.iter())
    for pieces in (marked, parts) if marked else (parts,):
        found = _standalone_date(pieces)
        if found is not None:
            when, text, md = found
            if md is not None:
                return Entry(url, title, None, text, "", pinned, md)
            return Entry(url, title, when, text, "list", pinned)
        whole = split_date(pieces)
        if whole is not None:
            return Entry(url, title, whole, " ".join(pieces)[:40], "split", pinned)
    return Entry(url, title, None, "", "", pinned)


# Rows repeat from page to page (a site's menus, its latest-news box): an entry is a function of its row's subtree
# alone, so it is read once per distinct row markup. Bounded: cleared when full.
_ENTRY_CACHE: dict[bytes, Entry | None] = {}
ENTRY_CACHE_SIZE = 20_000


def _cached_entry(el, base_url: str) -> Entry | None:
    key = etree.tostring(el, with_tail=False)
    if key in _ENTRY_CACHE:
        found = _ENTRY_CACHE[key]
    else:
        found = _entry(el, base_url)
        if len(_ENTRY_CACHE) >= ENTRY_CACHE_SIZE:
            _ENTRY_CACHE.clear()
        _ENTRY_CACHE[key] = found
    # a copy: the caller resolves its URL and gives it a year in place
    if found is None:
        return None
    return Entry(**found.__dict__)


_LABEL_WORDS = re.compile(r"发布时间|发布日期|发文日期|成文日期|更新时间|时间|日期|[:：\[\]()（）【】|丨/\s]")
_SENTENCE = re.compile(r"[，。；！？、,;]")


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _alone(piece: str, start: int, end: int) -> bool:
    """A date standing on its own in its text (a list's date column or span), not inside a sentence of a
    summary or a title: 2025年11月28日以来，… is no publication date."""
    before = _LABEL_WORDS.sub("", piece[:start])
    after = _LABEL_WORDS.sub("", piece[end:])
    if (before and _cjk(before[-1]) and not piece[:start].rstrip().endswith(("时间", "日期"))) or (
        after and _cjk(after[0]) and not after.startswith(("浏览", "阅读", "点击", "来源"))
    ):
        return False
    rest = before + after
    return len(rest) <= 12 and not _SENTENCE.search(rest)


def _standalone_date(pieces: list[str]):
    """(date, text, None) for the first full date standing alone in a piece, or (None, text, (m, d)) for a
    month-day; None when no piece has one."""
    for piece in pieces:
        text = normalize(piece)
        for dm in iter_dates(text):
            if _alone(text, dm.start, dm.end):
                return dm.date, dm.text, None
        for month, day, raw in month_days(text):
            at = text.find(raw)
            if at >= 0 and _alone(text, at, at + len(raw)):
                return None, raw, (month, day)
    return None


def _heading(el) -> str:
    """The heading a block sits under: a preceding h1-h4 or *title* sibling of it or of its parent."""
    node = el
    for _ in range(3):
        if node is None:
            break
        prev = node.getprevious()
        hops = 0
        while prev is not None and hops < 3:
            if isinstance(prev.tag, str):
                tag = prev.tag.lower()
                if tag in ("h1", "h2", "h3", "h4") or "title" in _attrs(prev).lower() or "tit" in _attrs(prev).lower():
                    text = _text(prev)
                    if 2 <= len(text) <= 30:
                        return re.sub(r"\s*(?:更多|more|>>|»)\s*$", "", text, flags=re.I).strip()
            prev = prev.getprevious()
            hops += 1
        node = node.getparent()
    return ""


# (id, class) -> what the element's attributes say: (footer, chrome, list-like); a site repeats a few dozen of them
_ATTR_WORDS: dict[tuple[str | None, str | None], tuple[bool, bool, bool]] = {}
_ATTR_WORDS_SIZE = 20_000


def _attr_words(ident: str | None, cls: str | None) -> tuple[bool, bool, bool]:
    key = (ident, cls)
    found = _ATTR_WORDS.get(key)
    if found is None:
        attrs = f"{ident or ''} {cls or ''}"
        found = (bool(_FOOTER.search(attrs)), bool(_CHROME_WORDS.search(attrs)), bool(_LIST_WORDS.search(attrs)))
        if len(_ATTR_WORDS) >= _ATTR_WORDS_SIZE:
            _ATTR_WORDS.clear()
        _ATTR_WORDS[key] = found
    return found


_NO_WORDS = (False, False, False)


def _walk(root, base_url: str, blocks: list[Block], containers: list[tuple[object, bool]]) -> None:
    stack = [(root, False, False)]
    order = 0
    while stack:
        el, chrome, footer = stack.pop()
        tag = el.tag  # lxml's HTML parser gives lower-case tag names
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        ident, cls = el.get("id"), el.get("class")
        is_footer, is_chrome, listy = _attr_words(ident, cls) if ident or cls else _NO_WORDS
        if not footer and (tag == "footer" or is_footer):
            footer = True
        if not chrome:
            chrome = footer or tag in _CHROME_TAGS or el.get("role") == "navigation" or is_chrome
        if tag in _CONTAINER_TAGS or (tag == "div" and listy):
            containers.append((el, chrome))
        if not len(el):
            continue  # a leaf (most elements: links, spans, text): no group, nothing to walk
        children = []
        groups: dict[tuple[str, str], list] = {}
        for c in el:
            ctag = c.tag
            if not isinstance(ctag, str):
                continue
            children.append(c)
            if ctag in ENTRY_TAGS:
                key = (ctag, "" if ctag in _ROW_TAGS else (c.get("class") or ""))
                group = groups.get(key)
                if group is None:
                    groups[key] = [c]
                else:
                    group.append(c)
        for (ctag, _cls), kids in groups.items():
            if ctag not in _ROW_TAGS and len(kids) < 2:
                continue
            entries = []
            for k in kids:
                if ctag in ("li", "tr") and k.find(".//" + ctag) is not None:
                    continue  # a menu item holding a sub-menu, a row holding a table
                e = _cached_entry(k, base_url)
                if e is not None:
                    entries.append(e)
            if ctag not in _ROW_TAGS and len(entries) < 2:
                continue
            if entries:
                heading = _heading(el)
                side = chrome or any(w in heading for w in _SIDE_HEADINGS)
                order += 1
                blocks.append(Block(entries, side, tag in _CONTAINER_TAGS or listy, heading, order, footer, el))
        stack.extend([(c, chrome, footer) for c in reversed(children)])


def _resolve(entries: list[Entry], base_url: str) -> None:
    for e in entries:
        if "://" not in e.url[:12]:
            e.url = urljoin(base_url, e.url)


def _datastore_block(html: str, base_url: str) -> Block | None:
    """大汉 JCMS keeps a list's rows as ``<record><![CDATA[<li>…</li>]]></record>`` in the page."""
    records = _DATASTORE.findall(html)
    if not records:
        return None
    frag = Selector(text="<ul>" + "".join(records) + "</ul>")
    blocks: list[Block] = []
    for ul in frag.root.iter("ul"):
        _walk(ul, base_url, blocks, [])
        break
    entries = [e for b in blocks for e in b.entries]
    return Block(entries, False, True, "", 0) if entries else Block([], False, True, "", 0)


_INDEX = re.compile(r"(?:index|default|list)(?:_\d+)?\.s?html?$")


_PAGE_PARAM = re.compile(
    r"(?:(?<=[?&])|^)(?:page|pagenum|pageindex|pageno|p|pn|curpage|currentpage)=\d+&?", re.IGNORECASE
)


def _column_key(url: str) -> str:
    path, _, query = url.split("#", 1)[0].partition("?")
    query = _PAGE_PARAM.sub("", query).rstrip("&")
    return _INDEX.sub("", path) + ("?" + query if query else "")


def _infer_years(entries: list[Entry]) -> None:
    """Give month-day entries their year from their URL, else from the dated entries around them."""
    refs = [(i, e.date) for i, e in enumerate(entries) if e.date is not None and not e.pinned]
    ordered = all(a[1] >= b[1] for a, b in zip(refs, refs[1:]))  # newest first, as lists show
    for i, e in enumerate(entries):
        if e.month_day is None:
            continue
        month, day = e.month_day
        above = below = None
        if ordered and not e.pinned:
            above = next((d for j, d in reversed(refs) if j < i), None)
            below = next((d for j, d in refs if j > i), None)
        found = infer_year(month, day, above=above, below=below, hint=url_year_month(e.url))
        if found is not None:
            e.date, e.date_source, e.month_day = found, "year-inferred", None


def _date_from_url(entries: list[Entry]) -> None:
    for e in entries:
        if e.date is None and e.month_day is None:
            found = url_date(e.url)
            if found is not None:
                e.date, e.date_source, e.date_text = found, "url", ""


def _merge_runs(blocks: list[Block]) -> list[Block]:
    """One list cut into several ``ul``s (163's rolling news: five rows a ``ul``, each in its own ``div``, with
    rules between) is one block: blocks of the same tag and class side by side, under one parent or in
    sibling wrappers of one tag and class, with no heading of their own, are joined."""
    out: list[Block] = []
    prev_key = None  # the key of out[-1] (a block's key does not change as entries join it)
    for b in blocks:
        key = b.key()
        prev = out[-1] if out else None
        if (
            prev is not None
            and key is not None
            and key == prev_key
            and not b.heading
            and not (prev.heading and b.heading)
        ):
            prev.entries.extend(b.entries)
            continue
        out.append(b)
        prev_key = key
    return out


def read_blocks(sel: Selector, base_url: str, *, html: str | None = None) -> tuple[list[Block], list]:
    blocks: list[Block] = []
    containers: list[tuple[object, bool]] = []
    bodies = sel.root.xpath("//body") if hasattr(sel.root, "xpath") else []
    _walk(bodies[0] if bodies else sel.root, base_url, blocks, containers)
    blocks = _merge_runs(blocks)
    if html is not None and ("<datastore" in html or "<DATASTORE" in html):
        ds = _datastore_block(html, base_url)
        if ds is not None:
            blocks.append(ds)
    return blocks, containers


def read_list(sel: Selector, base_url: str, *, html: str | None = None, text: str | None = None) -> ListReading:
    """The page's list (see the module docstring) and the evidence of an empty one."""
    blocks, containers = read_blocks(sel, base_url, html=html)
    out = ListReading(blocks=blocks)
    out.datastore = any(b.order == 0 and b.container for b in blocks)
    here = _column_key(base_url)
    for b in blocks:
        if not b.chrome:
            _resolve(b.entries, base_url)
    # a block linking to this very column is a menu (a list's entries never link back to the list)
    main = [b for b in blocks if not b.chrome and not any(_column_key(e.url) == here for e in b.entries)]
    main.sort(key=lambda b: (len(b.entries), b.dated, b.container), reverse=True)
    if main:
        best = main[0]
        out.main = best
        if (
            len(main) > 1
            and len(main[1].entries) >= 3
            and 2 * len(main[1].entries) >= len(best.entries)
            and main[1].heading
            and best.heading
            and main[1].heading != best.heading
        ):
            out.overview = True
        _infer_years(best.entries)
        _date_from_url(best.entries)
        out.entries = best.entries
    if not out.entries:
        out._find_empty = lambda: _empty_evidence(sel, containers, text)
    return out


def _empty_evidence(sel: Selector, containers: list, text: str | None) -> tuple[bool, str | None]:
    """(an empty list container, an empty-list marker) of a page whose main content shows no entry."""
    # an empty list container: named like a list (class/id list, news…) or a table with a header row,
    # holding no link and hardly any text (a layout table or an article body is no empty list)
    container = any(
        not chrome and not _links(el) and len(_text(el)) <= 30
        for el, chrome in containers
        if el.tag.lower() != "dl"
        and (
            _LIST_WORDS.search(_attrs(el))
            or (el.tag.lower() in ("table", "tbody") and next(el.iter("th"), None) is not None)
        )
    )
    body = text if text is not None else " ".join(sel.xpath("//body//text()[not(ancestor::script)]").getall())
    for marker in EMPTY_MARKERS:
        if marker in body:
            return container, marker
    m = _ZERO_COUNT.search(normalize(body))
    return container, (m.group(0) if m else None)


def all_dated_entries(
    sel: Selector, base_url: str, *, html: str | None = None, keep_yearless: bool = False
) -> list[Entry]:
    """Every dated entry of every block outside the footer (the home page's lists), in page order;
    with ``keep_yearless``, month-day entries whose year the page does not give too (undated)."""
    blocks, _ = read_blocks(sel, base_url, html=html)
    out: list[Entry] = []
    seen: set[str] = set()
    for b in sorted(blocks, key=lambda b: b.order if b.order else 10**9):
        if b.footer:
            continue
        _resolve(b.entries, base_url)
        _infer_years(b.entries)
        for e in b.entries:
            if (e.date is None and not (keep_yearless and e.month_day)) or e.url in seen:
                continue
            seen.add(e.url)
            out.append(e)
    return out
