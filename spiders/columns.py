"""Columns (栏目): what kind a column is, and where the navigation says the columns are.

Pure helpers over strings and parsel ``Selector``s. The kind decides which update period the
rules apply (W-V3 stale-column); the spider only records it.

Order of precedence in ``classify_column``:

1. the ``ColumnType`` meta value of the 网页设计规范 (spec/inspection-rules.md §2), when it is one
   of the listed values: the site declares what the column is;
2. keywords in the column name, in the order of ``_NAME_RULES``. The order matters for names that
   hold two keywords: 信息公开 words first (政府信息公开年报 is disclosure, not planning),
   then interaction (政策咨询 is a mailbox, not a policy column), personnel (人事任免通知),
   notice (通知公告 before 公示文件), policy, planning, news, static;
3. keywords in the URL path (tzgg, zcwj, xxgk …), for columns whose name is missing or an icon;
4. otherwise ``OTHER``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from spiders.parsing import xpath

from monitor.model import ColumnKind

# ColumnType values listed in 网页设计规范 (§2 of the inspection rules) and their kinds.
COLUMN_TYPES: dict[str, ColumnKind] = {
    "首页": ColumnKind.OTHER,
    "概况信息": ColumnKind.STATIC,
    "机构职能": ColumnKind.STATIC,
    "负责人信息": ColumnKind.STATIC,
    "工作动态": ColumnKind.NEWS,
    "政策文件": ColumnKind.POLICY,
    "政策解读": ColumnKind.POLICY,
    "信息公开指南": ColumnKind.DISCLOSURE,
    "信息公开目录": ColumnKind.DISCLOSURE,
    "信息公开年报": ColumnKind.DISCLOSURE,
    "依法申请公开": ColumnKind.DISCLOSURE,
    "数据发布": ColumnKind.DISCLOSURE,
    "数据开放": ColumnKind.DISCLOSURE,
    "回应关切": ColumnKind.INTERACTION,
    "办事服务": ColumnKind.OTHER,
    "咨询投诉": ColumnKind.INTERACTION,
    "征集调查": ColumnKind.INTERACTION,
    "在线访谈": ColumnKind.INTERACTION,
    "通知公告": ColumnKind.NOTICE,
    "人事信息": ColumnKind.PERSONNEL,
    "规划计划": ColumnKind.PLANNING,
}

_NAME_RULES: tuple[tuple[ColumnKind, tuple[str, ...]], ...] = (
    (ColumnKind.DISCLOSURE, ("信息公开", "公开指南", "公开目录", "公开年报", "公开制度", "依申请公开", "依法申请公开")),
    (ColumnKind.INTERACTION, ("信箱", "留言", "咨询", "互动", "访谈", "征集", "调查", "投诉", "回应关切", "问答")),
    (ColumnKind.PERSONNEL, ("人事", "任免", "招聘", "招考", "录用", "干部任前")),
    (ColumnKind.NOTICE, ("通知", "公告", "公示", "通告")),
    (ColumnKind.POLICY, ("政策", "文件", "法规", "规范性文件", "解读", "规章")),
    (ColumnKind.PLANNING, ("规划", "计划", "总结")),
    (ColumnKind.NEWS, ("要闻", "动态", "新闻", "资讯", "工作信息", "快讯", "头条")),
    (ColumnKind.DISCLOSURE, ("年报",)),
    (ColumnKind.STATIC, ("概况", "简介", "机构", "领导", "职能", "负责人")),
)
# Path words that TRS/JCMS/Hanweb sites use for column folders (pinyin initials).
_URL_RULES: tuple[tuple[ColumnKind, tuple[str, ...]], ...] = (
    (ColumnKind.DISCLOSURE, ("xxgk", "zfxxgk", "gkzn", "gkml", "gknb")),
    (ColumnKind.INTERACTION, ("hdjl", "zxft", "myzj", "ldxx", "zxts", "zjdc")),
    (ColumnKind.PERSONNEL, ("rsxx", "rsrm", "zkzp")),
    (ColumnKind.NOTICE, ("tzgg", "gsgg", "tzgs", "gggs")),
    (ColumnKind.POLICY, ("zcwj", "zcjd", "zfwj", "gfxwj", "zcfg")),
    (ColumnKind.PLANNING, ("ghjh", "fzgh")),
    (ColumnKind.NEWS, ("gzdt", "xwdt", "xwzx", "zwdt", "bmdt", "jryw", "tpxw", "news")),
    (ColumnKind.STATIC, ("jgzn", "ldxx", "gk", "about")),
)


def classify_column(name: str | None, meta_type: str | None, url: str) -> ColumnKind:
    """The kind of a column from its ColumnType meta, its name, then its URL (see module docstring)."""
    if meta_type:
        kind = COLUMN_TYPES.get(meta_type.strip())
        if kind is not None:
            return kind
        # An unlisted ColumnType still reads like a name (e.g. "部门动态").
        name = f"{name or ''} {meta_type}"
    if name:
        clean = re.sub(r"\s+", "", name)
        for kind, words in _NAME_RULES:
            if any(w in clean for w in words):
                return kind
    segments = [s for s in re.split(r"[/_.\-?=&]", urlsplit(url or "").path.lower()) if s]
    for kind, words in _URL_RULES:
        if any(s in words for s in segments):
            return kind
    return ColumnKind.OTHER


# ------------------------------------------------------------------ navigation

_NAV_XPATH = (
    "//nav"
    " | //*[self::ul or self::div or self::dl][contains(translate(@id,'NAVMENU','navmenu'),'nav')"
    " or contains(translate(@id,'NAVMENU','navmenu'),'menu')"
    " or contains(translate(@class,'NAVMENU','navmenu'),'nav')"
    " or contains(translate(@class,'NAVMENU','navmenu'),'menu')"
    " or contains(@aria-label,'导航') or contains(@title,'导航') or @role='navigation']"
)
_NOT_LINKS = ("javascript:", "#", "mailto:", "tel:")


_NESTED_MENU_XPATH = (
    "ancestor::nav | ancestor::*[self::ul or self::div or self::dl]"
    "[contains(translate(@id,'NAVMENU','navmenu'),'nav') or contains(translate(@class,'NAVMENU','navmenu'),'nav')"
    " or contains(translate(@id,'NAVMENU','navmenu'),'menu') or contains(translate(@class,'NAVMENU','navmenu'),'menu')]"
)
_SUB_MENU_XPATH = "ancestor::*[self::ul or self::ol or self::dl or self::dd or self::div][1]"
_OWN_LINK_XPATH = "./a[@href] | ./*[not(self::ul or self::ol or self::div or self::dl)]//a[@href]"


def _label(a) -> str:
    text = " ".join(t.strip() for t in xpath(".//text()")(a) if t.strip())
    return re.sub(r"\s+", " ", text or a.get("title", "")).strip()


def nav_columns(sel: Selector, base_url: str) -> list[tuple[str, str, str | None]]:
    """Columns in the navigation menus: (name, absolute url, parent name or None), in page order.

    A menu is a ``nav`` or a ``ul/div/dl`` whose id or class holds "nav"/"menu" (or labelled 导航).
    A link inside a nested ``ul``/``dl``/``div`` of a menu ``li`` is a second-level column; its
    parent is the ``li``'s own first link. Only links on the base URL's host:port are kept; the
    home link (首页) and script/anchor links are skipped. Each URL appears once.
    """
    root = sel.root
    if not hasattr(root, "xpath"):
        return []
    # lxml elements, not parsel Selectors: a list page's menus hold dozens of links, each asked several XPaths
    base = urlsplit(base_url)
    out: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for menu in xpath(_NAV_XPATH)(root):
        # Skip a menu nested in one already taken (its links were read with the outer one).
        if xpath(_NESTED_MENU_XPATH)(menu):
            continue
        for a in xpath(".//a[@href]")(menu):
            href = a.get("href", "").strip()
            name = _label(a)
            if not href or href.lower().startswith(_NOT_LINKS) or not name or name in ("首页", "网站首页"):
                continue
            url = urljoin(base_url, href)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
                continue
            url = parts._replace(fragment="").geturl()
            if url in seen:
                continue
            seen.add(url)
            out.append((name, url, _parent_name(a)))
    return out


def _parent_name(a) -> str | None:
    """The first link of the ``li`` (or ``dt``) that holds the sub-menu this link sits in."""
    sub = xpath(_SUB_MENU_XPATH)(a)
    if not sub:
        return None
    owner = xpath("ancestor::li[1]")(sub[0])
    if owner:
        first = xpath(_OWN_LINK_XPATH)(owner[0])
        if first and first[0] is not a:
            return _label(first[0]) or None
        return None
    # <dl><dt><a>父</a></dt><dd><a>子</a></dd></dl>
    if sub[0].tag == "dd":
        dt = xpath("preceding-sibling::dt[1]//a[@href]")(sub[0])
        if dt:
            return _label(dt[0]) or None
    return None


_BREADCRUMB_XPATH = (
    "//*[contains(@class,'breadcrumb') or contains(@class,'crumb') or contains(@class,'location')"
    " or contains(@class,'position') or contains(@id,'location') or contains(@id,'position')"
    " or contains(@class,'dqwz') or contains(@class,'m_local')]"
)
_HERE = re.compile(r"(?:当前位置|您的位置|您现在的位置|现在位置|所在位置|位置)\s*[:：]?")
_SEP = re.compile(r"\s*(?:>>|>|»|›|→|/|＞|〉|\|)\s*")


class Trail:
    """A page's breadcrumb trail, found once (a search of the whole document) for its names and its links."""

    __slots__ = ("node", "parts")

    def __init__(self, found: tuple[Selector, list[str]] | None):
        self.node, self.parts = found if found else (None, [])

    def links(self) -> list[tuple[str, str]]:
        """(text, raw href) of the links in the trail, in order (首页 first)."""
        if self.node is None:
            return []
        out = []
        for a in self.node.xpath(".//a[@href]")[:20]:
            text = " ".join(t.strip() for t in a.xpath(".//text()").getall() if t.strip())
            out.append((text, a.attrib["href"].strip()))
        return out


def breadcrumb_trail(sel: Selector) -> Trail:
    return Trail(_breadcrumb(sel))


def breadcrumb(sel: Selector) -> list[str]:
    """The breadcrumb trail (当前位置：首页 > A > B) as ["首页", "A", "B"], or [] when none is found."""
    return breadcrumb_trail(sel).parts


def _breadcrumb(sel: Selector):
    candidates = sel.xpath(_BREADCRUMB_XPATH)
    if not candidates:
        # An element whose own text starts with 当前位置/您的位置.
        candidates = sel.xpath(
            "//*[not(self::script or self::style)][text()[contains(.,'当前位置') or "
            "contains(.,'您的位置') or contains(.,'您现在的位置')]]"
        )
    for node in candidates:
        text = " ".join(t.strip() for t in node.xpath(".//text()[not(ancestor::script)]").getall() if t.strip())
        text = _HERE.split(text, maxsplit=1)[-1]
        parts = [p.strip() for p in _SEP.split(text) if p.strip()]
        if len(parts) >= 2 or (parts and node.xpath(".//a")):
            return node, parts
    return None
