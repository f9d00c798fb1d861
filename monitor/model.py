"""Domain vocabulary shared by every stage.

Spiders produce facts, the store keeps them, rules turn facts into outcomes,
reports render findings. These plain dataclasses are what crosses the stage
borders, so that a rule can be tested on facts built by hand, with no store
and no network.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Severity(str, enum.Enum):
    """How a rule weighs in the national indicators (国办秘函〔2019〕19号)."""

    VETO = "否决"
    DEDUCTION = "扣分"
    NOTICE = "提示"

    @property
    def rank(self) -> int:
        return {"否决": 0, "扣分": 1, "提示": 2}[self.value]


class ColumnKind(str, enum.Enum):
    """Column (栏目) types, as inspectors group them for update periods."""

    NEWS = "动态要闻"
    NOTICE = "通知公告"
    POLICY = "政策文件"
    PERSONNEL = "人事"
    PLANNING = "规划计划"
    INTERACTION = "互动交流"
    DISCLOSURE = "信息公开"
    STATIC = "静态"
    OTHER = "其他"


class FindingStatus(str, enum.Enum):
    """Rectification (整改) states of a finding."""

    OPEN = "待整改"
    NOTIFIED = "已通报"
    RECHECK = "待复核"
    FIXED = "已整改"
    OVERDUE = "逾期"
    REOPENED = "重新出现"
    WONTFIX = "无法整改"
    SUBMITTED = "已提交整改"

    @property
    def is_open(self) -> bool:
        return self not in (FindingStatus.FIXED, FindingStatus.WONTFIX)


# ---------------------------------------------------------------- facts

@dataclass(frozen=True)
class PageFacts:
    """One fetched URL of a crawl: an internal page, an attachment or an external link check."""

    url: str
    final_url: str | None = None
    status: int | None = None
    error_kind: str | None = None  # dns, refused, timeout, tls, redirects, ...
    error_detail: str | None = None
    content_type: str | None = None
    title: str | None = None
    is_home: bool = False
    is_external: bool = False
    depth: int = 0
    text: str | None = None  # visible text, when the page was parsed
    pub_date: date | None = None
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=…> tags (SiteIDCode, ColumnType, PubDate…)
    footer: str | None = None  # text of the bottom function area (网页底部功能区)
    not_found_text: str | None = None  # a 200 page's "页面不存在/404" wording (soft-404)
    anchors: frozenset[str] | None = None  # ids/names on a parsed page (None: not parsed)
    attempts: int | None = None  # requests made, retries included
    attachment: bool = False  # an in-scope PDF/DOC/XLS…, its text (if readable) in ``text``
    text_error: str | None = None  # why an attachment's text could not be read


@dataclass(frozen=True)
class LinkFacts:
    """One link as it appears on a page."""

    source_url: str
    target_url: str
    anchor_text: str = ""
    tag: str = "a"
    attr: str = "href"
    on_home: bool = False
    is_external: bool = False
    fragment: str | None = None  # #part of the href (W-S1 broken anchors)


@dataclass(frozen=True)
class ItemFacts:
    """One entry of a column list (or of the home page)."""

    url: str
    title: str
    date: date | None
    date_text: str = ""


@dataclass(frozen=True)
class ColumnFacts:
    """A column (栏目) as seen in one crawl."""

    url: str
    name: str
    kind: ColumnKind
    level: int = 1  # 1 = first-level column (一级栏目)
    parent_url: str | None = None
    items: tuple[ItemFacts, ...] = ()
    list_pages: tuple[str, ...] = ()
    failure: str | None = None  # the list page could not be read

    @property
    def dated_items(self) -> list[ItemFacts]:
        return [i for i in self.items if i.date is not None]

    @property
    def newest(self) -> ItemFacts | None:
        dated = self.dated_items
        return max(dated, key=lambda i: i.date) if dated else None


@dataclass(frozen=True)
class ProbeFacts:
    """One availability probe of a home page (W-V1): the request, its answer, and what the host offers."""

    at: datetime  # UTC
    url: str
    ok: bool  # a page arrived within the timeout
    status: int | None = None
    error_kind: str | None = None
    elapsed_ms: int | None = None
    ipv6: bool | None = None  # the host has an AAAA record (None: not looked up)
    https: bool | None = None  # the host answers over HTTPS with a valid certificate (None: not tried)


@dataclass(frozen=True)
class SiteFacts:
    """Everything one finished crawl of one site recorded: the input of the site rules."""

    site: str  # site key from sites.yaml
    site_name: str
    unit: str
    home_url: str
    run_id: int
    crawled_at: datetime
    pages: tuple[PageFacts, ...] = ()
    links: tuple[LinkFacts, ...] = ()
    columns: tuple[ColumnFacts, ...] = ()
    home_items: tuple[ItemFacts, ...] = ()
    probes: tuple[ProbeFacts, ...] = ()  # availability probes of the monitoring window
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def home(self) -> PageFacts | None:
        for p in self.pages:
            if p.is_home:
                return p
        return None


@dataclass(frozen=True)
class TextFacts:
    """A text the content rules read: a page, an attachment, a new-media post or a draft.

    The same content-rule code runs on all of them (W-S3, W-S4, W-V8, W-V9, N-V3).
    """

    url: str  # page, attachment or post URL; for a draft, the file path
    text: str
    title: str = ""
    published: date | None = None  # lets rules tell a historical mention from a current one
    kind: str = "page"  # page | attachment | post | draft
    site: str = ""  # site or account key
    source_url: str | None = None  # for an attachment, the page that links it
