"""Domain vocabulary shared by every stage.

Spiders produce facts, the store keeps them, rules turn facts into outcomes,
reports render findings. These plain dataclasses are what crosses the stage
borders, so that a rule can be tested on facts built by hand, with no store
and no network.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/U+FFFF): one of them in
# a link text makes python-docx and openpyxl refuse the whole notice or ledger. PostgreSQL refuses NUL too.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """A string without XML-illegal characters (other values unchanged): applied when facts are stored and
    again when any format is rendered (data stored before this rule existed, text typed in the dashboard)."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


def has_xml_illegal(text: str) -> bool:
    """Whether ``xml_safe`` would change ``text``."""
    return _XML_ILLEGAL.search(text) is not None


def template_safe(value: Any) -> Any:
    """Jinja ``finalize``: every value a template prints goes out without XML-illegal characters (Markup stays
    Markup, so nothing is escaped twice)."""
    if isinstance(value, str):
        from markupsafe import Markup

        cleaned = xml_safe(value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def cell_safe(value: Any) -> Any:
    """A spreadsheet/CSV cell that Excel or WPS will not run as a formula: text starting with = + - @ (or a tab
    or CR before one) gets a leading apostrophe. Numbers stay numbers."""
    value = xml_safe(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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
    PENDING = "待人工确认"  # a candidate (facts.candidate) an auditor has not confirmed yet
    APPEALED = "异议中"  # a unit disputes it; an auditor accepts (→ 不成立) or rejects (→ back)
    DISMISSED = "不成立"  # 误报: an auditor's decision, with a reason; not raised again for the same evidence

    @property
    def is_open(self) -> bool:
        """An open problem: counted in notices, totals and scores (a candidate or a 误报 is not)."""
        return self not in (FindingStatus.FIXED, FindingStatus.WONTFIX, FindingStatus.DISMISSED, FindingStatus.PENDING)


# ---------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)  # many thousands per crawl: no __dict__ each
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
class HiddenLink:
    """How one link is hidden. Recorded by spiders.hidden, stored in ``links.hiding`` as ``how|block|ui|self``."""

    how: str  # offscreen | indent | font0 | visibility | display | attr: the hiding element's style or attribute
    block: int  # ordinal of the hidden element on its page: links with the same block were hidden together
    ui: str = ""  # the class/id word or tag that names the block as something a reader opens (menu, login …)
    on_link: bool = False  # the link itself carries the hiding style (a single hidden link, not a block)

    def encode(self) -> str:
        return f"{self.how}|{self.block}|{self.ui}|{int(self.on_link)}"

    @classmethod
    def decode(cls, value: str | None) -> "HiddenLink | None":
        if not value:
            return None
        parts = (value.split("|") + ["", "", "", ""])[:4]
        try:
            block = int(parts[1] or 0)
        except ValueError:
            block = 0
        return cls(parts[0] or "display", block, parts[2], parts[3] == "1")


class LinkFacts(NamedTuple):
    """One link as it appears on a page.

    A named tuple, not a frozen dataclass like the other facts: a crawl has hundreds of thousands of links, and
    a frozen dataclass sets each field through ``object.__setattr__`` (a third of loading a crawl's links)."""

    source_url: str
    target_url: str
    anchor_text: str = ""
    tag: str = "a"
    attr: str = "href"
    on_home: bool = False
    is_external: bool = False
    fragment: str | None = None  # #part of the href (W-S1 broken anchors)
    hidden: bool = False  # inside an element the page hides (display:none, off-screen …): 暗链, W-V9b
    hiding: str | None = None  # how it is hidden, HiddenLink.encode (W-V9b)


@dataclass(frozen=True, slots=True)  # many thousands per crawl: no __dict__ each
class ItemFacts:
    """One entry of a column list (or of the home page)."""

    url: str
    title: str
    date: date | None
    date_text: str = ""
    # where the date came from: list (shown beside the title), split (across elements), year-inferred
    # (a month-day given its year by the page), url (the article URL's date), article (the linked
    # article's own publication date, read by the crawl); "" when undated
    date_source: str = ""


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
    # how the crawl recognised it: meta (ColumnName), structure (a dated list in the main content),
    # navigation (named by the site's menu or breadcrumb); None for facts from before recognition was recorded
    how: str | None = None
    weak: bool = False  # recognised on weak evidence only: listed, never accused
    # why the list is empty: marker (暂无信息…), container (a list container with no entry, after rendering
    # when a script fills it); None: not shown empty. script: a script fills the list and was not rendered
    empty_evidence: str | None = None
    script_unrendered: bool = False

    @property
    def dated_items(self) -> list[ItemFacts]:
        return [i for i in self.items if i.date is not None]

    @property
    def newest(self) -> ItemFacts | None:
        dated = [(i.date, i) for i in self.items if i.date is not None]
        return max(dated, key=lambda pair: pair[0])[1] if dated else None


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
class SearchFacts:
    """The home page's site search as one crawl saw it (W-S10); see ``monitor.store.SearchCheck``."""

    kind: str  # none | box | form | result
    page_url: str
    action: str | None = None
    query: str | None = None
    expected_url: str | None = None
    result_url: str | None = None
    status: int | None = None
    error_kind: str | None = None
    found: bool | None = None


@dataclass(frozen=True)
class MessageFacts:
    """One row of a mailbox list page (县长信箱, 咨询留言…): when it was asked and whether it was answered.

    Raw texts sit beside the parsed dates; ``status`` is the row's own word (已回复, 未回复, 办理中…).
    """

    column_url: str  # the list (column) it was listed in
    page_url: str  # the list page it was read from
    url: str | None  # the message's own page, when the row links one
    title: str
    asked: date | None
    answered: date | None = None
    status: str = ""
    asked_text: str = ""
    answered_text: str = ""
    column_name: str = ""


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
    messages: tuple[MessageFacts, ...] = ()  # rows of mailbox list pages (W-V7)
    searches: tuple[SearchFacts, ...] = ()  # the home page's site search (W-S10)
    network: str | None = None  # "本机网络异常…": the crawl's own network failed (monitor.crawl.network)

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


# ---------------------------------------------------------------- new media

FETCH_OUTCOMES = {
    "ok": "正常",
    "http_error": "HTTP 错误",
    "unreachable": "无法连接",
    "ok0": "接口返回 ok=0",
    "malformed": "内容无法解析",
    "blocked": "被拦截（需登录、验证或限流）",
    "unreadable": "导出文件无法读取",
}


@dataclass(frozen=True)
class PostFacts:
    """One post of a new-media account as its source showed it."""

    post_id: str  # platform id, or the post URL when the source has none
    title: str
    text: str  # plain text (HTML stripped)
    published: datetime | None  # aware, Asia/Shanghai
    url: str
    pinned: bool = False  # 置顶: shown first whatever its date
    links: tuple[str, ...] = ()  # links inside the post (absolute)
    published_text: str = ""  # the raw date as the source wrote it


@dataclass(frozen=True)
class FetchFacts:
    """One fetch of an account's source, and how it ended."""

    at: datetime  # UTC
    outcome: str  # a key of FETCH_OUTCOMES
    detail: str = ""
    http_status: int | None = None
    posts: int = 0
    new_posts: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class LinkCheckFacts:
    """One in-post link, fetched once by the feeds spider."""

    url: str
    post_url: str
    status: int | None = None
    error_kind: str | None = None
    error_detail: str | None = None


@dataclass(frozen=True)
class AccountFacts:
    """Everything known about one account: the input of the account rules (Scope.ACCOUNT)."""

    account: str  # account key from sites.yaml
    platform: str
    name: str
    unit: str
    url: str  # profile page, or the source when no profile is configured
    fetches: tuple[FetchFacts, ...] = ()  # newest first; fetches[0] is the latest
    posts: tuple[PostFacts, ...] = ()  # every post ever seen, newest first
    current_posts: tuple[PostFacts, ...] = ()  # the posts of the latest successful fetch
    link_checks: tuple[LinkCheckFacts, ...] = ()  # the link checks of the latest successful fetch
    peers: tuple[tuple[str, str], ...] = ()  # (key, name) of the unit's other accounts on the same platform
    verified: bool | None = None
    registered: bool | None = None
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def latest(self) -> FetchFacts | None:
        return self.fetches[0] if self.fetches else None

    @property
    def newest_post(self) -> PostFacts | None:
        dated = [(p.published, p) for p in self.posts if p.published is not None]
        return max(dated, key=lambda pair: pair[0])[1] if dated else None
