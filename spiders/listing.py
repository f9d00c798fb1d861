"""List pages and article pages: which entries a column shows, each paired with its date,
and when an article was published.

Pure helpers over a parsel ``Selector``; the spiders call them and store what
they return. Nothing here judges whether a column is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from lxml import etree
from parsel import Selector

from monitor.model import ItemFacts
from spiders.dates import DateMatch, iter_dates, normalize, parse_date, parse_relative
from spiders.listpage import all_dated_entries

# Blocks that carry dates which are not list entries.
_SKIP_ANCESTORS = "ancestor::*[self::footer or @id='footer' or contains(@class,'footer')]"
_EMPTY_MARKERS = ("暂无信息", "暂无数据", "暂无内容", "没有记录", "暂无相关信息")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]\s*(.{6,24})")
_NOT_LINKS = ("javascript:", "#", "mailto:", "tel:")


def list_items(
    sel: Selector, base_url: str, *, today: date | None = None, html: str | None = None, keep_yearless: bool = False
) -> list[ItemFacts]:
    """Dated entries of every list on the page outside its footer, in page order (the home page's lists).

    See ``spiders.listpage``: an entry is a row (``li``, ``tr``, ``dd``, ``div`` card…) pairing a title
    link with a date. A month-day (``[11-20]``) gets its year from the entry's URL or the dated entries
    around it, never from ``today`` (kept for callers; it only bounds nothing now): an entry whose year
    cannot be inferred is left out here (kept undated with ``keep_yearless``), as an undated one is.
    A date after ``today`` is left out (a mistyped year, an event announced ahead).
    """
    return [
        ItemFacts(url=e.url, title=e.title, date=e.date, date_text=e.date_text, date_source=e.date_source)
        for e in all_dated_entries(sel, base_url, html=html, keep_yearless=keep_yearless)
        if today is None or e.date is None or e.date <= today
    ]


def looks_empty(sel: Selector) -> bool:
    """A list page that says it lists nothing (暂无信息…)."""
    body = " ".join(sel.xpath("//body//text()").getall())
    return any(marker in body for marker in _EMPTY_MARKERS)


_column_name = etree.XPath("//meta[@name='ColumnName']/@content", smart_strings=False)
_column_type = etree.XPath("//meta[@name='ColumnType']/@content", smart_strings=False)


def column_meta(sel: Selector) -> tuple[str | None, str | None]:
    """The ``ColumnName`` and ``ColumnType`` meta tags of the 网页设计规范, when present: the first content of
    each, as ``//meta[@name='ColumnName']/@content`` reads it, found in one pass over the metas."""
    iter_metas = getattr(sel.root, "iter", None)
    if iter_metas is None:  # not an element tree
        names, kinds = _column_name(sel.root), _column_type(sel.root)
        name, kind = (names[0] if names else None), (kinds[0] if kinds else None)
    else:
        name = kind = None
        for m in iter_metas("meta"):
            which = m.get("name")
            if which == "ColumnName" and name is None:
                name = m.get("content")
            elif which == "ColumnType" and kind is None:
                kind = m.get("content")
    return (name.strip() if name else None, kind.strip() if kind else None)


# ------------------------------------------------------------------ article pages
#
# Order of evidence for the publication time of an article page, and why:
#
# 1. WeChat ``var ct = "<unix>"``: the only absolute time on a WeChat article (the visible
#    element is empty or relative, 昨天). Read in Asia/Shanghai (UTC+8).
# 2. Declared publication metas: ``PubDate`` (网页设计规范, the tag gov sites must carry),
#    ``publishdate``, ``firstpublishedtime`` (www.gov.cn), ``og:release_date``,
#    ``itemprop=datePublished``, ``og:time``. Never ``Maketime`` (page regeneration time),
#    ``lastmodifiedtime`` or ``dateUpdate``.
#    When the meta gives a date only and the visible text near the title has the same date with
#    a time, the visible one is returned (same day, more precise).
# 3. The visible time: the first date labelled 发布时间/发布日期 (zsnews: the body's earlier
#    event date comes right after the title), else a 日期/时间 label or the first date just after
#    the title. This is what an inspector sees. Dates after 最后更新/更新时间/版权 are
#    skipped; dates before the title (nfra sidebar 留言) and far below it (related lists) are not
#    taken when a title is found.
# 4. ``article:published_time`` (og), inline script ``pubtime``, JSON-LD ``datePublished``.
#    They come after the visible time on purpose: on sina the og time (06:52:51) differs from the
#    visible one (04:04) and MANIFEST records the visible one as publish(visible); on guancha the
#    JSON-LD pubDate is the 最后更新 time, not the publish time.
# 5. htmldate (fast mode), as a last fallback only.
# 6. Relative visible forms (昨天, N小时前) against ``now``.

_META_PUBLISHED = (
    "//meta[translate(@name,'PUBDATE','pubdate')='pubdate']/@content",
    "//meta[translate(@name,'PUBLISHDATE','publishdate')='publishdate']/@content",
    "//meta[@name='firstpublishedtime']/@content",
    "//meta[@property='og:release_date' or @name='og:release_date']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='og:time' or @property='og:time']/@content",
)
_META_SECONDARY = ("//meta[@property='article:published_time' or @name='article:published_time']/@content",)
_WECHAT_CT = re.compile(r"""var\s+ct\s*=\s*["']?(\d{9,11})["']?""")
_SCRIPT_PUBTIME = re.compile(r"""["']?pubtime["']?\s*[:=]\s*["']([^"']{8,25})["']""", re.IGNORECASE)
_JSONLD_PUBLISHED = re.compile(r'"(?:datePublished|pubDate)"\s*:\s*"([^"]{8,30})"')
_LABEL = re.compile(
    r"(?:发布时间|发布日期|发表时间|发表日期|发稿时间|发文日期|时间|日期|日　期|Date)\s*[:：]?\s*$", re.IGNORECASE
)
_STRONG_LABEL = re.compile(r"(?:发布时间|发布日期|发表时间|发表日期|发稿时间|发文日期)\s*[:：]?\s*$")
_SKIP_TAGS = {"script", "style", "noscript", "template", "select", "option", "textarea", "head", "footer"}
_AFTER_TITLE_WINDOW = 400
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class PublishedTime:
    """What ``article_datetime`` found: the value, whether a time of day is known, the raw text and
    where it came from (``wechat-ct``, ``meta:PubDate``, ``visible``, ``script``, ``htmldate``, ``relative``)."""

    value: datetime
    has_time: bool
    raw: str
    source: str

    @property
    def date(self) -> date:
        return self.value.date()


_WS = re.compile(r"\s+")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||--|-\s|–|—|－)\s*")
# The visible text is read for dates up to these bounds (the page's stored text is cut at 200,000 characters
# too): a hostile page of millions of elements is not walked whole for a date near its top.
MAX_LINEAR_CHARS = 200_000
MAX_LINEAR_ELEMENTS = 100_000
_TITLE_XPATH = etree.XPath("//title//text()", smart_strings=False)
_BODY_XPATH = etree.XPath("//body")


def _squash(text: str) -> str:
    """``normalize`` then whitespace runs to one space (ASCII needs no NFKC: it is its own normal form)."""
    return _WS.sub(" ", text if text.isascii() else normalize(text))


# tag -> how the date walk treats it: skipped with its subtree, a heading (h1/h2), or any other element
_SKIPPED, _HEADING, _OTHER = "skip", "heading", "other"
_TAG_FLAGS: dict[str, str] = {}


def _tag_flags(tag: str) -> str:
    low = tag.lower()
    flags = _SKIPPED if low in _SKIP_TAGS else _HEADING if low in ("h1", "h2") else _OTHER
    if len(_TAG_FLAGS) < 1000:  # hostile pages make up tag names: the table stays small
        _TAG_FLAGS[tag] = flags
    return flags


def _title_attr(el) -> bool:
    """A ``*title*`` class or id (either, in any case)."""
    cls, ident = el.get("class"), el.get("id")
    return bool(cls and "title" in cls.lower()) or bool(ident and "title" in ident.lower())


def _linear_text(sel: Selector) -> tuple[str, Iterable[list[int]]]:
    """The visible text of ``<body>`` as one string (whitespace runs collapsed), and the spans
    where the article title appears.

    A title is an ``h1``/``h2`` (or ``*title*`` classed element) whose text starts like the first
    segment of ``<title>``; failing that, any element whose own text does (those are tested lazily, in
    order, as the caller asks for them). Bounded by MAX_LINEAR_CHARS and MAX_LINEAR_ELEMENTS.
    """
    root = sel.root
    page_title = normalize(" ".join(_TITLE_XPATH(root))).strip() if hasattr(root, "xpath") else ""
    key = _TITLE_SPLIT.split(page_title)[0].strip() if page_title else ""
    key = _WS.sub("", key)
    key12 = key[:12]
    titled = len(key) >= 4  # a shorter key matches nothing
    parts: list[str] = []
    length = 0
    ends_space = False  # whether the last piece added ends with a space
    title_at: list[list[int]] = []  # [start, end) of each title element's text
    head_candidates: list[tuple[int, str]] = []  # (start, own text) of every element with text, tested lazily

    def matches_title(text: str) -> bool:
        t = _WS.sub("", normalize(text))
        return len(t) >= 4 and (key.startswith(t[:12]) or t.startswith(key12))

    def walk(top, budget: int) -> int:
        nonlocal length, ends_space
        # the running length and trailing space are kept in locals here (the hot loop of the date reading) and
        # written back when the walk ends
        n, space = length, ends_space
        append = parts.append
        spans: list = []  # one per open element: its title span, or None
        walker = etree.iterwalk(top, events=("start", "end"))  # no recursion: pages nest thousands deep
        for event, el in walker:
            if event == "end":
                span = spans.pop()
                if span is not None:
                    span[1] = n  # the title element ends here
                text = el.tail
                if text:
                    # a piece of text, whitespace runs squashed (_squash); a blank one is one space
                    if text.isspace():
                        if not space:
                            append(" ")
                            n += 1
                            space = True
                    else:
                        text = _squash(text)
                        append(text)
                        n += len(text)
                        space = text.endswith(" ")
                if not space:
                    append(" ")
                    n += 1
                    space = True
                continue
            budget -= 1
            if budget < 0 or n > MAX_LINEAR_CHARS:
                break
            tag = el.tag
            flags = _TAG_FLAGS.get(tag) if isinstance(tag, str) else _SKIPPED
            if flags is None:
                flags = _tag_flags(tag)
            if flags is _SKIPPED:
                walker.skip_subtree()
                spans.append(None)
                continue
            span = None
            if titled and (flags is _HEADING or _title_attr(el)):
                if matches_title("".join(el.itertext())):
                    span = [n, n]
                    title_at.append(span)
            spans.append(span)
            text = el.text
            if text:
                if titled:
                    head_candidates.append((n, text))
                if text.isspace():
                    if not space:
                        append(" ")
                        n += 1
                        space = True
                else:
                    text = _squash(text)
                    append(text)
                    n += len(text)
                    space = text.endswith(" ")
        length, ends_space = n, space
        return budget

    bodies = _BODY_XPATH(root) if hasattr(root, "xpath") else []
    budget = MAX_LINEAR_ELEMENTS
    for b in bodies or [root]:
        budget = walk(b, budget)
        if budget < 0 or length > MAX_LINEAR_CHARS:
            break
    if title_at:
        return "".join(parts), title_at
    return "".join(parts), ([start, start + len(text)] for start, text in head_candidates if matches_title(text))


# Words that may follow a publication date on an article's byline; any other CJK character right after a
# date (召开, 起, 至…) or right before it (于, 在…) puts the date in a sentence of the body.
_BYLINE_AFTER = (
    "来源",
    "星期",
    "周",
    "浏览",
    "阅读",
    "发布",
    "作者",
    "编辑",
    "信息来源",
    "点击",
    "字号",
    "责任",
    "文章来源",
    "访问",
    "打印",
    "关闭",
    "分享",
    "【",
    "[",
    "(",
    "（",
    "|",
    "丨",
)


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _in_sentence(text: str, dm: DateMatch) -> bool:
    before = text[dm.start - 1] if dm.start > 0 else " "
    after = text[dm.end : dm.end + 4]
    if _cjk(before):
        return True
    return bool(after) and _cjk(after[0]) and not after.startswith(_BYLINE_AFTER)


def _visible_time(sel: Selector, *, today: date | None) -> PublishedTime | None:
    text, titles = _linear_text(sel)
    # Full dates only: a month-day is read only behind a 发布时间 label (a site that omits the current
    # year on its bylines), never out of a title or a sentence (issue 18: 5月20日至31日…).
    found = iter_dates(text)
    if today is not None:
        for dm in iter_dates(text, today=today):
            if not any(f.start <= dm.start < f.end for f in found) and _STRONG_LABEL.search(
                text[max(0, dm.start - 12) : dm.start]
            ):
                found.append(dm)
        found.sort(key=lambda dm: dm.start)
    if not found:
        return None

    def labelled(dm: DateMatch) -> bool:
        return bool(_LABEL.search(text[max(0, dm.start - 12) : dm.start]))

    def pick(dm: DateMatch, how: str) -> PublishedTime:
        return PublishedTime(dm.value, dm.has_time, dm.text, f"visible:{how}")

    # A 发布时间/发布日期 label is the page saying which date is the publication date: first one wins.
    for dm in found:
        if _STRONG_LABEL.search(text[max(0, dm.start - 12) : dm.start]):
            return pick(dm, "publish-label")
    for start, end in titles:
        # a date inside the title is what the article is about, not when it was published
        near = [dm for dm in found if end <= dm.start <= start + _AFTER_TITLE_WINDOW]
        for dm in near:
            if labelled(dm):
                return pick(dm, "label")
        near = [dm for dm in near if not _in_sentence(text, dm)]
        if near:
            return pick(near[0], "after-title")
    for dm in found:
        if labelled(dm):
            return pick(dm, "label")
    return None


_COMPILED: dict[str, etree.XPath] = {}


def _named_metas(root) -> bool:
    """Whether the page has a meta with a name, property or itemprop, which every meta query reads: one pass over
    the meta elements instead of six searches of the whole page on the many pages with none."""
    iter_metas = getattr(root, "iter", None)
    if iter_metas is None:
        return True  # not an element tree: let the queries decide
    return any(
        m.get("name") is not None or m.get("property") is not None or m.get("itemprop") is not None
        for m in iter_metas("meta")
    )


def _meta_parent(root):
    """The one element every <meta> of the page is a child of (the <head>, on nearly every page), else None."""
    iter_metas = getattr(root, "iter", None)
    if iter_metas is None:
        return None
    parent = None
    for m in iter_metas("meta"):
        up = m.getparent()
        if up is None:  # a <meta> at the top of the tree: no parent to ask
            return None
        if parent is None:
            parent = up
        elif up is not parent:
            return None
    return parent


def _meta_time(sel: Selector, queries: tuple[str, ...], *, today: date | None) -> PublishedTime | None:
    if not _named_metas(sel.root):
        return None
    # each query is "//meta[...]/@content", a search of the whole page; when all the metas share one parent,
    # the same query asked of that parent's children ("meta[...]") finds the same values in the same order
    parent = _meta_parent(sel.root)
    for query in queries:
        if parent is not None:
            query = query.removeprefix("//")
        find = _COMPILED.get(query)
        if find is None:
            find = _COMPILED[query] = etree.XPath(query, smart_strings=False)
        for raw in find(sel.root if parent is None else parent):
            found = iter_dates(raw, today=today, keep_excluded=True)
            if found:
                name = query.split("'")[-2] if "'" in query else query
                return PublishedTime(found[0].value, found[0].has_time, raw.strip(), f"meta:{name}")
    return None


def _script_time(html: str, *, today: date | None) -> PublishedTime | None:
    for pattern, source in ((_SCRIPT_PUBTIME, "script:pubtime"), (_JSONLD_PUBLISHED, "script:datePublished")):
        for m in pattern.finditer(html):
            found = iter_dates(m.group(1), today=today, keep_excluded=True)
            if found:
                return PublishedTime(found[0].value, found[0].has_time, m.group(0), source)
    return None


def _htmldate_time(html: str) -> PublishedTime | None:
    written = {dm.date for dm in iter_dates(html)}
    if not written:
        return None  # whatever htmldate found would be dropped below: no full date is written on the page
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - htmldate is a declared dependency
        return None
    try:
        found = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises on odd markup; it is only a fallback
        return None
    if not found:
        return None
    value = datetime.strptime(found, "%Y-%m-%d")
    # htmldate turns "版权所有 2008-2024" into 2008-01-01 (field notes): keep its answer only when
    # that full date is written somewhere on the page outside copyright/update wording.
    if value.date() not in written:
        return None
    return PublishedTime(value, False, found, "htmldate")


def _may_hold_wechat_ct(source: str) -> bool:
    """Whether the page parsed from ``source`` can serialise to text ``_WECHAT_CT`` matches: its words are in the
    source as written, or something there may spell or join them: a character reference (``&#99;``), or a NUL,
    which html_selector removes (libxml2 keeps the other C0 controls; a test goes through them all)."""
    return ("var" in source and "ct" in source) or "&#" in source or "\x00" in source


def article_datetime(
    sel: Selector, *, now: datetime | None = None, today: date | None = None, source: str | None = None
) -> PublishedTime | None:
    """The publication time of an article page (see the order of evidence above), or None.

    ``today`` gives month-day dates their year; ``now`` resolves relative forms (昨天, 3小时前) and
    implies ``today``. The WeChat ``ct`` time is returned as a naive Asia/Shanghai datetime. ``source``: the text
    ``sel`` was parsed from, when the caller has it: the page is serialised for the scripts' forms only when that
    text may hold them (most pages answer from their metas and are never serialised).
    """
    if now is not None and today is None:
        today = now.date()
    serialised: list[str] = []

    def page_html() -> str:
        if not serialised:
            serialised.append(sel.get())
        return serialised[0]

    if source is None or _may_hold_wechat_ct(source):
        m = _WECHAT_CT.search(page_html())
        if m:
            value = datetime.fromtimestamp(int(m.group(1)), SHANGHAI).replace(tzinfo=None)
            return PublishedTime(value, True, m.group(0), "wechat-ct")

    meta = _meta_time(sel, _META_PUBLISHED, today=today)
    if meta is not None and meta.has_time:
        return meta  # a date and time in the metas: the visible text could not say more (the walk is skipped)
    visible = _visible_time(sel, today=today)
    if meta is not None:
        if not meta.has_time and visible is not None and visible.has_time and visible.date == meta.date:
            return visible
        return meta
    if visible is not None:
        return visible
    for fallback in (
        lambda: _meta_time(sel, _META_SECONDARY, today=today),
        lambda: _script_time(page_html(), today=today),
        lambda: _htmldate_time(page_html()),
    ):  # in order, each only when the ones before found nothing
        found = fallback()
        if found is not None:
            return found
    if now is not None:
        for raw in sel.xpath(
            "//*[@id='publish_time' or contains(@class,'time') or contains(@class,'date')]//text()"
        ).getall():
            value = parse_relative(raw, now=now)
            if value is not None:
                return PublishedTime(value, value.time() != datetime.min.time(), raw.strip(), "relative")
    return None


def article_date(sel: Selector, *, now: datetime | None = None, today: date | None = None) -> tuple[date | None, str]:
    """The publication date of an article page and the raw text it was read from."""
    found = article_datetime(sel, now=now, today=today)
    if found is None:
        return None, ""
    return found.date, found.raw


__all__ = [
    "PublishedTime",
    "article_date",
    "article_datetime",
    "column_meta",
    "list_items",
    "looks_empty",
    "parse_date",
]
