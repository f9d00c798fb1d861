"""Pure parsers for new-media sources: RSS/Atom feeds, the m.weibo.cn container JSON, JSON/CSV exports.

They turn bytes into :class:`ParsedPost` rows (publish time in Asia/Shanghai, raw date text kept beside it)
or raise :class:`SourceError` with the outcome key the fetch is recorded under (``malformed``, ``ok0``,
``blocked``). They judge nothing: staleness and content are the rules' business.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


class SourceError(Exception):
    """The source answered, but not with posts: ``outcome`` is a key of monitor.model.FETCH_OUTCOMES."""

    def __init__(self, outcome: str, detail: str):
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail


@dataclass
class ParsedPost:
    post_id: str
    title: str
    text: str
    published: datetime | None  # aware, Asia/Shanghai
    published_text: str
    url: str
    pinned: bool = False
    links: list[str] = field(default_factory=list)
    long_text: bool = False  # Weibo: the text is cut, statuses/extend has the whole of it


# ---------------------------------------------------------------- dates

_NUMERIC = re.compile(
    r"^\s*(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?)?"
    r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?\s*$"
)


def parse_time(raw: str | None, *, now: datetime | None = None) -> datetime | None:
    """A publish time in Asia/Shanghai from the forms feeds and platforms write.

    RFC 822 (``Thu, 17 Jun 2021 09:06:27 +0800``), Weibo's ``Tue Jun 08 09:35:04 +0800 2021``,
    ISO 8601, and zone-less numeric forms such as ``2005-5-28 16:05:36`` (read as Beijing time, which
    is what a Chinese feed without a zone means). Weibo's relative forms (刚刚, 5分钟前, 3小时前,
    昨天 12:00, 06-08) need ``now``.
    """
    if not raw:
        return None
    text = raw.strip()
    m = _NUMERIC.match(text)
    if m:
        try:
            dt = datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0))
        except ValueError:
            return None
        z = m["z"]
        if z:
            if z == "Z":
                return dt.replace(tzinfo=timezone.utc).astimezone(CHINA)
            sign = 1 if z[0] == "+" else -1
            digits = z[1:].replace(":", "")
            off = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return dt.replace(tzinfo=timezone(sign * off)).astimezone(CHINA)
        return dt.replace(tzinfo=CHINA)
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(CHINA)
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        dt = None
    if dt is not None:
        return (dt if dt.tzinfo else dt.replace(tzinfo=CHINA)).astimezone(CHINA)
    if now is not None:
        return _relative(text, now.astimezone(CHINA))
    return None


def _relative(text: str, now: datetime) -> datetime | None:
    if text in ("刚刚", "刚才"):
        return now
    m = re.fullmatch(r"(\d+)\s*(秒|分钟|小时)前", text)
    if m:
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours"}[m[2]]
        return now - timedelta(**{unit: int(m[1])})
    m = re.fullmatch(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})", text)
    if m:
        back = {"今天": 0, "昨天": 1, "前天": 2}[m[1]]
        return (now - timedelta(days=back)).replace(hour=int(m[2]), minute=int(m[3]), second=0, microsecond=0)
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
    if m:
        try:
            dt = now.replace(month=int(m[1]), day=int(m[2]), hour=0, minute=0, second=0, microsecond=0)
        except ValueError:
            return None
        return dt.replace(year=dt.year - 1) if dt > now else dt
    return None


# ---------------------------------------------------------------- HTML fragments


def html_text_and_links(fragment: str, base: str) -> tuple[str, list[str]]:
    """Visible text (``<br>`` and blocks as line breaks) and absolute link targets of an HTML fragment."""
    if not fragment or "<" not in fragment:
        return (fragment or "").strip(), []
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # crawled markup: fall back to tag stripping
        return re.sub(r"<[^>]+>", "", fragment).strip(), []
    for br in root.iter("br", "p", "div", "li"):
        br.tail = "\n" + (br.tail or "")
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    links: list[str] = []
    for a in root.xpath("//a[@href]"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(base, href)
        if absolute not in links:
            links.append(absolute)
    text = re.sub(r"[ \t\u3000]+\n", "\n", root.text_content())
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), links


def _short_title(text: str, n: int = 40) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= n else first[:n] + "…"


# ---------------------------------------------------------------- RSS / Atom

_BLOCK_WORDS = ("登录", "验证码", "captcha", "Captcha", "访问过于频繁", "安全验证", "passport")


def parse_feed(body: bytes, *, content_type: str = "", base: str = "", now: datetime | None = None) -> list[ParsedPost]:
    """RSS 2.0 / Atom via feedparser, whatever the encoding (GB2312 feeds included)."""
    import feedparser

    headers = {"content-type": content_type} if content_type else {}
    d = feedparser.parse(body, response_headers=headers)
    exc = d.get("bozo_exception")
    if d.entries and exc is not None and type(exc).__name__ == "SAXParseException":
        # cut off or broken XML: what the loose parser salvages may miss posts, so judge nothing on it
        raise SourceError("malformed", f"订阅源不是完整合法的 XML（{exc}）")
    if not d.entries:
        head = body[:4000].decode("utf-8", "replace")
        looks_html = "html" in content_type.lower() or re.search(r"<html[\s>]", head, re.I)
        if looks_html and any(w in head for w in _BLOCK_WORDS):
            raise SourceError("blocked", "返回的是登录或验证页面，而不是订阅源")
        if d.bozo or looks_html or not (d.get("version") or d.feed.get("title")):
            exc = d.get("bozo_exception")
            raise SourceError("malformed", f"不是可解析的 RSS/Atom 订阅源（{type(exc).__name__ if exc else '无条目'}）")
        return []
    posts = []
    for e in d.entries:
        link = e.get("link") or ""
        html = ""
        if e.get("content"):
            html = e.content[0].get("value", "")
        html = html or e.get("summary", "") or ""
        text, links = html_text_and_links(html, link or base)
        title = (e.get("title") or "").strip()
        raw = e.get("published") or e.get("updated") or ""
        published = parse_time(raw, now=now)
        if published is None:
            st = e.get("published_parsed") or e.get("updated_parsed")
            if st:  # feedparser's struct_time is UTC
                published = datetime(*st[:6], tzinfo=timezone.utc).astimezone(CHINA)
        pid = e.get("id") or link or hashlib.sha1(f"{title}\x1f{raw}".encode()).hexdigest()
        posts.append(
            ParsedPost(
                post_id=str(pid)[:200],
                title=title or _short_title(text),
                text=text or title,
                published=published,
                published_text=raw[:100],
                url=link,
                links=links,
            )
        )
    return posts


# ---------------------------------------------------------------- Weibo (m.weibo.cn)

WEIBO_BASE = "https://m.weibo.cn/"


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        head = body[:2000].decode("utf-8", "replace")
        if re.search(r"<html[\s>]", head, re.I) and any(w in head for w in _BLOCK_WORDS):
            raise SourceError("blocked", f"{what}返回的是登录或验证页面") from exc
        raise SourceError("malformed", f"{what}不是合法的 JSON：{exc}") from exc


def _mblogs(cards: Iterable[Any]) -> Iterable[dict]:
    for card in cards or ():
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        yield from _mblogs(card.get("card_group") or ())


def is_pinned(mblog: dict) -> bool:
    title = mblog.get("title")
    return bool(mblog.get("isTop")) or (isinstance(title, dict) and title.get("text") == "置顶")


def parse_weibo(body: bytes, *, now: datetime | None = None) -> list[ParsedPost]:
    """The container API's JSON: ``data.cards[].mblog`` (and ``card_group``); ok=0 raises ``ok0``."""
    doc = _json(body, "微博接口")
    if not isinstance(doc, dict) or "ok" not in doc:
        raise SourceError("malformed", "微博接口返回的 JSON 缺少 ok 字段")
    if doc.get("ok") != 1:
        msg = doc.get("msg")
        if not msg and isinstance(doc.get("data"), dict):
            msg = doc["data"].get("msg")
        raise SourceError(
            "ok0", f"微博接口返回 ok={doc.get('ok')}" + (f"：{msg}" if msg else "（账号被封禁、不存在或需要登录）")
        )
    data = doc.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("cards"), list):
        raise SourceError("malformed", "微博接口返回的 JSON 缺少 data.cards")
    posts = []
    for mb in _mblogs(data["cards"]):
        pid = str(mb.get("id") or mb.get("mid") or "")
        if not pid:
            continue
        raw = str(mb.get("created_at") or "")
        text, links = html_text_and_links(str(mb.get("text") or ""), WEIBO_BASE)
        posts.append(
            ParsedPost(
                post_id=pid,
                title=_short_title(text),
                text=text,
                published=parse_time(raw, now=now),
                published_text=raw[:100],
                url=f"https://m.weibo.cn/detail/{pid}",
                pinned=is_pinned(mb),
                links=links,
                long_text=bool(mb.get("isLongText")),
            )
        )
    return posts


def parse_weibo_long_text(body: bytes) -> tuple[str, list[str]]:
    """statuses/extend: ``{"ok":1,"data":{"longTextContent": "<html>"}}`` → text and links."""
    doc = _json(body, "微博长文接口")
    if not isinstance(doc, dict) or doc.get("ok") != 1 or not isinstance(doc.get("data"), dict):
        raise SourceError("ok0", f"微博长文接口返回 ok={doc.get('ok') if isinstance(doc, dict) else '?'}")
    return html_text_and_links(str(doc["data"].get("longTextContent") or ""), WEIBO_BASE)


# ---------------------------------------------------------------- exports (JSON / CSV)

EXPORT_FIELDS = ("id", "title", "text", "published", "url", "pinned", "links")
_TRUE = {"1", "true", "yes", "y", "是", "置顶"}


def parse_export(body: bytes, *, name: str, now: datetime | None = None) -> list[ParsedPost]:
    """A platform back-office export: JSON (list, or {"posts": [...]}) or CSV with a header row.

    Fields: id, title, text, published, url, pinned, links (see monitor.config.Account).
    """
    try:
        raw = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            raw = body.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise SourceError("malformed", f"导出文件 {name} 不是 UTF-8 或 GBK 编码") from exc
    rows: list[dict[str, Any]]
    if name.lower().endswith(".json") or raw.lstrip()[:1] in ("[", "{"):
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SourceError("malformed", f"导出文件 {name} 第 {exc.lineno} 行不是合法的 JSON：{exc.msg}") from exc
        doc = doc.get("posts") if isinstance(doc, dict) else doc
        if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
            raise SourceError("malformed", f'导出文件 {name} 应为对象列表，或 {{"posts": [...]}}')
        rows = doc
    else:
        reader = csv.DictReader(io.StringIO(raw))
        missing = {"published"} - set(reader.fieldnames or ())
        if missing or not ({"title", "text"} & set(reader.fieldnames or ())):
            raise SourceError(
                "malformed",
                f"导出文件 {name} 的表头应包含 published 以及 title 或 text；"
                f"实际为：{', '.join(reader.fieldnames or ()) or '（空）'}",
            )
        rows = list(reader)
    posts = []
    for n, r in enumerate(rows, 1):
        title = str(r.get("title") or "").strip()
        text = str(r.get("text") or "").strip()
        url = str(r.get("url") or "").strip()
        rawdate = str(r.get("published") or "").strip()
        links = r.get("links") or []
        if isinstance(links, str):
            try:
                links = json.loads(links) if links.strip().startswith("[") else links.split()
            except json.JSONDecodeError:
                links = links.split()
        if "<" in text:
            text, found = html_text_and_links(text, url)
            links = list(links) + [x for x in found if x not in links]
        pid = str(r.get("id") or url or hashlib.sha1(f"{title}\x1f{rawdate}\x1f{n}".encode()).hexdigest())
        pinned = r.get("pinned")
        posts.append(
            ParsedPost(
                post_id=pid[:200],
                title=title or _short_title(text),
                text=text or title,
                published=parse_time(rawdate, now=now),
                published_text=rawdate[:100],
                url=url,
                pinned=pinned is True or str(pinned).strip().lower() in _TRUE,
                links=[str(x) for x in links if str(x).startswith(("http://", "https://"))],
            )
        )
    return posts


PLATFORM_HOSTS = (
    "weibo.cn",
    "weibo.com",
    "sinaimg.cn",
    "mp.weixin.qq.com",
    "douyin.com",
    "toutiao.com",
    "bilibili.com",
    "kuaishou.com",
)


def is_platform_link(url: str) -> bool:
    """Topic, mention and 全文 links the platform itself generates: not the unit's own links (N-S2)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in PLATFORM_HOSTS)
