"""The feeds spider: fetches one new-media account's source and the links inside its posts.

Why httpx and not a Scrapy spider: an account is one request (plus a few statuses/extend calls and
in-post link checks), fetched one after another; and `monitor demo`/the daemon run the Scrapy site crawl
in the same process, whose Twisted reactor cannot be started twice. A plain synchronous httpx client
with the same politeness as the site crawl (the user agent, timeout, retry codes and retry count of
spiders/settings.py, ``limits.delay_seconds`` between two requests to one host) does the job
without a second reactor.

The spider records what it saw, including failures (outcome + reason); it never judges an account.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from monitor.model import ErrorKind
from spiders import settings as defaults
from spiders.errors import httpx_error_kind
from spiders.netguard import NetPolicy, host_port
from spiders.feed_parse import (
    ParsedPost,
    SourceError,
    is_platform_link,
    parse_export,
    parse_feed,
    parse_weibo,
    parse_weibo_long_text,
)

if TYPE_CHECKING:  # an account's settings as sites.yaml gives them; the loader itself is not needed here
    from monitor.config import Account

log = logging.getLogger(__name__)

BLOCKED_STATUSES = {401, 403, 412, 418, 429, 432}  # login walls, anti-crawler answers, rate limits
_BLOCKED_PATHS = ("login", "signin", "passport", "visitor", "captcha", "verify")


@dataclass
class LinkCheck:
    url: str
    post_url: str
    status: int | None = None
    error_kind: str | None = None
    error_detail: str | None = None


@dataclass
class FetchResult:
    account: str
    outcome: str  # a key of monitor.model.FETCH_OUTCOMES
    detail: str = ""
    http_status: int | None = None
    posts: list[ParsedPost] = field(default_factory=list)
    link_checks: list[LinkCheck] = field(default_factory=list)
    started_at: datetime | None = None  # UTC, naive
    finished_at: datetime | None = None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class FeedSpider:
    """Fetches accounts politely: one client, per-host spacing, one retry on transient failures."""

    def __init__(
        self,
        *,
        user_agent: str = defaults.USER_AGENT,
        retry_times: int = defaults.RETRY_TIMES,
        retry_codes: tuple[int, ...] = tuple(defaults.RETRY_HTTP_CODES),
        max_redirects: int = defaults.REDIRECT_MAX_TIMES,
        own_hosts: frozenset[str] = frozenset(),
    ):
        """``own_hosts``: host:port pairs of the configured sites; a post's link to them may be a private address."""
        self.retry_times = retry_times
        self.own_hosts = own_hosts
        self.max_redirects = max_redirects
        self.retry_codes = set(retry_codes)
        self.client = httpx.Client(
            headers={"User-Agent": user_agent.encode("utf-8"), "Accept": "*/*"},
            follow_redirects=True,
            max_redirects=max_redirects,
            trust_env=False,
        )
        self._last: dict[str, float] = {}

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "FeedSpider":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ HTTP

    def _wait(self, url: str, delay: float) -> None:
        host = urlsplit(url).netloc
        last = self._last.get(host)
        if last is not None and delay > 0:
            pause = last + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        self._last[host] = time.monotonic()

    def get(self, url: str, account: Account, *, stream: bool = False, follow_redirects: bool = True) -> httpx.Response:
        """GET with the account's delay and timeout; retried ``retry_times`` on 5xx/timeouts. Raises httpx errors."""
        lim = account.limits
        attempt = 0
        while True:
            self._wait(url, lim.delay_seconds)
            try:
                if stream:
                    req = self.client.build_request("GET", url, timeout=lim.timeout_seconds)
                    resp = self.client.send(req, stream=True, follow_redirects=follow_redirects)
                    resp.close()  # status is enough: never download a linked file
                else:
                    resp = self.client.get(url, timeout=lim.timeout_seconds)
            except (httpx.TimeoutException, httpx.NetworkError) as exc:
                if attempt < self.retry_times:
                    attempt += 1
                    log.info("feeds: retry %s for %s (attempt %d): %s", account.key, url, attempt, exc)
                    continue
                raise
            if resp.status_code in self.retry_codes and attempt < self.retry_times:
                attempt += 1
                log.info("feeds: retry %s for %s (attempt %d): HTTP %d", account.key, url, attempt, resp.status_code)
                continue
            return resp

    # ------------------------------------------------------------ one account

    def fetch(self, account: Account, *, base_dir: Path | None = None) -> FetchResult:
        """Fetch one account. Every failure becomes an outcome with its reason; nothing is raised."""
        result = FetchResult(account.key, "ok", started_at=_utcnow())
        now = datetime.now(timezone.utc)
        try:
            if account.kind == "export":
                result.posts = self._export(account, base_dir, now)
            else:
                resp = self._source(account, result)
                ctype = resp.headers.get("content-type", "")
                if account.kind == "weibo":
                    result.posts = parse_weibo(resp.content, now=now)
                    self._long_texts(account, result)
                else:
                    result.posts = parse_feed(resp.content, content_type=ctype, base=str(resp.url), now=now)
            result.detail = result.detail or f"取得 {len(result.posts)} 条发布内容"
            if account.limits.check_links:
                self._check_links(account, result)
        except SourceError as exc:
            result.outcome, result.detail = exc.outcome, exc.detail
            result.posts = []
        except Exception as exc:  # one account must never stop the others
            log.exception("feeds: account %s failed unexpectedly", account.key)
            result.outcome, result.detail = "malformed", f"处理数据源时出错：{type(exc).__name__}: {exc}"
            result.posts = []
        result.finished_at = _utcnow()
        return result

    def _source(self, account: Account, result: FetchResult) -> httpx.Response:
        try:
            resp = self.get(account.source, account)
        except httpx.HTTPError as exc:
            raise SourceError("unreachable", f"{httpx_error_kind(exc).label}：{account.source}") from exc
        result.http_status = resp.status_code
        final = urlsplit(str(resp.url))
        if resp.status_code in BLOCKED_STATUSES:
            raise SourceError(
                "blocked", f"数据源拒绝访问（HTTP {resp.status_code}），可能需要登录、Cookie 失效或被限流"
            )
        if str(resp.url) != account.source and any(
            w in (final.hostname or "") + final.path.lower() for w in _BLOCKED_PATHS
        ):
            raise SourceError("blocked", f"数据源跳转到登录或验证页面：{resp.url}")
        if resp.status_code >= 400:
            raise SourceError("http_error", f"数据源返回 HTTP {resp.status_code}")
        return resp

    def _export(self, account: Account, base_dir: Path | None, now: datetime) -> list[ParsedPost]:
        src = account.source[len("file://") :] if account.source.startswith("file://") else account.source
        path = Path(src)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise SourceError("unreadable", f"无法读取导出文件 {path}：{exc.strerror or exc}") from exc
        return parse_export(body, name=path.name, now=now)

    def _long_texts(self, account: Account, result: FetchResult) -> None:
        if not account.limits.fetch_long_text:
            return
        parts = urlsplit(account.source)
        template = account.long_text_url or f"{parts.scheme}://{parts.netloc}/statuses/extend?id={{id}}"
        failed = 0
        for post in result.posts:
            if not post.long_text:
                continue
            try:
                resp = self.get(template.format(id=post.post_id), account)
                if resp.status_code >= 400:
                    raise SourceError("http_error", f"HTTP {resp.status_code}")
                text, links = parse_weibo_long_text(resp.content)
            except (httpx.HTTPError, SourceError) as exc:
                failed += 1
                log.info("feeds: long text of %s/%s not fetched: %s", account.key, post.post_id, exc)
                continue
            if text:
                post.text = text
                post.links = links + [
                    x for x in post.links if x not in links and not x.endswith(f"/status/{post.post_id}")
                ]
                post.long_text = False
        if failed:
            result.detail = f"取得 {len(result.posts)} 条发布内容；{failed} 条长微博未能取得全文，按截断文本检查"

    def _get_in_scope(self, url: str, account: Account, policy: NetPolicy) -> httpx.Response | str:
        """The link's answer, its redirects followed one hop at a time; the refusal reason of the first hop the
        network policy refuses (a post is untrusted text: it must not make us probe this machine or the intranet)."""
        for _ in range(self.max_redirects + 1):
            reason = policy.check(url)
            if reason:
                return reason
            resp = self.get(url, account, stream=True, follow_redirects=False)
            if not resp.is_redirect or resp.next_request is None:
                return resp
            url = str(resp.next_request.url)
        raise httpx.TooManyRedirects(f"超过 {self.max_redirects} 次重定向", request=resp.request)

    def _check_links(self, account: Account, result: FetchResult) -> None:
        # the account's own source and the configured sites may sit on private addresses; nothing else may
        own = {host_port(account.source)} if account.source.startswith(("http://", "https://")) else set()
        policy = NetPolicy(scope=frozenset({*self.own_hosts, *own}), allow_private=account.limits.allow_private_network)
        seen: set[str] = set()
        for post in result.posts:
            for url in post.links:
                if url in seen or is_platform_link(url) or not url.startswith(("http://", "https://")):
                    continue
                if len(seen) >= account.limits.max_link_checks:
                    return
                seen.add(url)
                check = LinkCheck(url=url, post_url=post.url)
                try:
                    resp = self._get_in_scope(url, account, policy)
                    if isinstance(resp, str):  # a hop to this machine or the intranet: never fetched, never judged
                        check.error_kind, check.error_detail = ErrorKind.BLOCKED, f"不访问内网或本机地址（{resp}）"
                    else:
                        check.status = resp.status_code
                except httpx.HTTPError as exc:
                    check.error_kind = httpx_error_kind(exc)
                    check.error_detail = str(exc)[:500]
                result.link_checks.append(check)
