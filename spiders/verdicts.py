"""Facts the link verdicts need, read off a fetched page or attachment.

Pure helpers for SiteSpider: canonical URLs (session ids and fragments
dropped, query sorted), the anchors a page offers, the "not found" wording of
a soft-404 page, the per-pattern cap against crawler traps, and the text of
an attachment. They record what they see; rules/website/broken_link.py
(W-S1) decides what is broken.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from parsel import Selector

from spiders.parsing import xpath

# Query parameters that carry a session, never a page: links differing only in them are one page.
SESSION_PARAMS = frozenset(
    {"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken", "sessid", "s_id"}
)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.I)

MAX_ANCHORS = 2000  # ids and names kept per page (a hostile page may have millions)
MAX_ANCHOR_LEN = 200

# A 200 page saying the page does not exist (soft-404). Title: strong enough alone.
_TITLE_404 = re.compile(
    r"^\W*404\s*(?:$|[-–—|_:：)）】\]])|404\s*(?:not\s*found|错误|页面|error)|(?:错误|error)\s*[:：]?\s*404|not\s*found|"
    r"页面不存在|页面未找到|页面找不到|找不到(?:该|您要的|您要访问的|您访问的)?页面|您(?:所)?访问的页面|"
    r"(?:文章|信息|内容|页面)(?:不存在|已被?删除)",
    re.I,
)
# Body: only on a short page, and only with wording that names the page itself.
_BODY_404 = re.compile(
    r"404\s*not\s*found|page\s+not\s+found|页面不存在|页面未找到|找不到(?:该|您要访问的|您访问的|相关)?页面|"
    r"您(?:所)?访问的页面(?:不存在|已删除|已被删除|找不到)|(?:文章|信息|内容)(?:不存在|已被?删除)|"
    r"错误代码[:：]?\s*404|\b404\b\s*[-–—:：]?\s*(?:错误|页面)",
    re.I,
)
_BODY_404_KEYS = ("404", "found", "页面", "不存在", "删除")
SOFT_404_MAX_TEXT = 3000  # characters of visible text: longer pages are real pages that mention "404"


def canonical_url(url: str) -> str:
    """The URL the crawl keys on: no fragment, no session id, sorted query, lower-case host, path '/' at least."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if "@" not in netloc:
        netloc = netloc.lower()
    if scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    path = _PATH_SESSION.sub("", parts.path) or ("/" if netloc else "")
    query = parts.query
    if query:
        # raw pieces, not decoded and re-encoded: "?123" or "a=b%20c" must reach the server as written
        pieces = [p for p in query.split("&") if p and unquote(p.split("=", 1)[0]).lower() not in SESSION_PARAMS]
        query = "&".join(sorted(pieces))
    return urlunsplit((scheme, netloc, path, query, ""))


def fragment_of(url: str) -> str | None:
    """The #fragment of a link, decoded, or None for none / a placeholder / a script route (#/…, #!…)."""
    frag = urlsplit(url.strip()).fragment
    if not frag or frag.startswith(("/", "!")):
        return None
    return unquote(frag)[:MAX_ANCHOR_LEN]


def page_anchors(sel: Selector) -> list[str]:
    """Element ids and <a name> values a fragment link can land on, bounded."""
    out: dict[str, None] = {}
    for value in xpath("//*[@id]/@id | //a[@name]/@name")(sel.root):
        v = value.strip()[:MAX_ANCHOR_LEN]
        if v:
            out.setdefault(v, None)
            if len(out) >= MAX_ANCHORS:
                break
    return list(out)


def not_found_text(title: str | None, text: str | None = None) -> str | None:
    """The wording by which a page that answered 200 says it does not exist, or None."""
    if title:
        m = _TITLE_404.search(title)
        if m:
            return m.group(0)[:100]
    if text and len(text) <= SOFT_404_MAX_TEXT:
        # every wording _BODY_404 knows holds one of these (ASCII in lower case, as its re.I compares it): a
        # page with none is passed over without running the pattern's alternatives at every position
        low = text.lower()
        if any(k in low for k in _BODY_404_KEYS):
            m = _BODY_404.search(text)
            if m:
                return m.group(0)[:100]
    return None


def page_signals(sel: Selector, title: str | None, text: str | None) -> dict[str, Any]:
    """Page-row facts for W-S1: soft-404 wording and the anchors present."""
    return {"not_found_text": not_found_text(title, text), "anchors": page_anchors(sel)}


class PatternCap:
    """Counts distinct URLs per (host:port, path) that differ only in their query, against trap loops.

    /calendar?date=… or /search?q=… generate unbounded URLs; past ``limit`` distinct
    queries of one path, further ones are recorded as links but not crawled. Only
    variants a page of the same path links to count (the trap feeds itself): article
    pages /content.jsp?id=… linked from list pages are never capped.
    """

    def __init__(self, limit: int):
        self.limit = int(limit)
        self.seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.capped: dict[str, int] = defaultdict(int)  # pattern -> URLs not crawled

    def allow(self, url: str, referer: str | None = None) -> bool:
        if self.limit <= 0:
            return True
        parts = urlsplit(url)
        if not parts.query:
            return True
        key = (parts.netloc, parts.path)
        if referer is not None:
            ref = urlsplit(referer)
            if (ref.netloc, ref.path) != key:
                return True
        bucket = self.seen[key]
        if parts.query in bucket:
            return True
        if len(bucket) >= self.limit:
            self.capped[f"{parts.netloc}{parts.path}"] += 1
            return False
        bucket.add(parts.query)
        return True


ATTACHMENT_TEXT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et")


def is_readable_attachment(url: str) -> bool:
    return _suffix(urlsplit(url).path.lower()) in ATTACHMENT_TEXT_EXT


def _suffix(path: str) -> str:
    """``PurePosixPath(path).suffix`` without building the path object (asked of every link a crawl schedules):
    the last part that is neither empty nor ".", from its last dot, unless that dot starts or ends it."""
    name = next((part for part in reversed(path.split("/")) if part and part != "."), "")
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def attachment_text(
    body: bytes, *, url: str, content_type: str | None, max_chars: int = 200_000
) -> tuple[str | None, str | None]:
    """(text, error): the attachment's text via spiders.documents, or why it could not be read."""
    from spiders.documents import DocumentError, extract_text

    name = PurePosixPath(unquote(urlsplit(url).path)).name or "附件"
    try:
        text = extract_text(body, filename=name, content_type=content_type or "")
    except DocumentError as exc:
        return None, str(exc)[:1000]
    if not text.strip():
        return None, f"{name}：没有可读取的文字（可能是扫描件）"
    return text[:max_chars], None
