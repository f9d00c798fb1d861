"""What a crawl hands the store: one dataclass per kind of crawl item.

``spiders.site.SiteSpider`` yields these (and the light re-check path emits them); the store pipeline
(``monitor.crawl.runner.StorePipeline``) dispatches on their type, one handler each. Rows that go to the
store as they are (a page's facts, its links, a search check) stay dicts keyed by their table's columns;
the item around them says what they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monitor.model.facts import ItemFacts, MessageFacts

__all__ = [
    "CRAWL_ITEMS",
    "ListItem",
    "MessageItem",
    "NetworkItem",
    "PageItem",
    "ReportDocumentItem",
    "ReuseItem",
    "SearchItem",
]


@dataclass(slots=True)
class ListItem:
    """A list page's facts: the home page's list or one page of a column, with its entries."""

    role: str  # "home" or "column"
    column_url: str  # the column's URL (its first page's directory; all pages of a column share it)
    page_url: str
    name: str
    column_type: str  # a monitor.model.ColumnKind value
    items: list[ItemFacts]
    empty: bool
    level: int | None = None
    parent_url: str | None = None
    how: str | None = None  # the evidence it is a column: meta, structure or navigation
    evidence: dict[str, Any] | None = None


@dataclass(slots=True)
class PageItem:
    """A fetched (or failed) URL: its page row, its links (stored with it) and its list facts, stored together."""

    page: dict[str, Any]  # a pages row (monitor.store.Page columns)
    links: list[dict[str, Any]] = field(default_factory=list)  # links found on the page (LINK_FIELDS keys)
    lists: list[ListItem] = field(default_factory=list)


@dataclass(slots=True)
class ReuseItem:
    """A page unchanged since the previous run (answered 304, or the same body): its facts are copied over."""

    url: str
    how: str  # "304" or "hash"
    elapsed_ms: int | None  # None: carried over by the revisit policy, not requested
    etag: str | None
    last_modified: str | None


@dataclass(slots=True)
class MessageItem:
    """One letter of a mailbox column (领导信箱 …): when it was asked and answered."""

    message: MessageFacts


@dataclass(slots=True)
class SearchItem:
    """The home page's site search: its form (or why there is none), or the answer to a query sent to it."""

    search: dict[str, Any]  # a search_checks row (monitor.store.SearchCheck columns)


@dataclass(slots=True)
class NetworkItem:
    """A reference site's answer: is our own network up? (monitor.crawl.network)"""

    url: str
    status: int | None
    error_kind: str | None
    error_detail: str | None = None


@dataclass(slots=True)
class ReportDocumentItem:
    """A 政府信息公开年度报告 as published: the annual-report rules parse its tables."""

    url: str
    title: str
    published: date | None
    body: str


CRAWL_ITEMS = (PageItem, ListItem, ReuseItem, MessageItem, SearchItem, NetworkItem, ReportDocumentItem)
