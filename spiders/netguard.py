"""Where a crawled page may send us: the network scope of the crawler and of the browser.

A government site can be hijacked (that is what we look for), so its pages are
written by an attacker: links, form actions, redirects and scripts may all
point at the monitoring host's own network. The rules, one place for all paths
(Scrapy, the light re-check path, the rendering browser, evidence screenshots,
`recheck`):

- only http and https;
- a loopback, private, link-local or otherwise non-public address is refused,
  unless it is the configured site's own host:port, or the site sets
  ``limits.allow_private_network`` (the demo, the tests and local benchmarks run on
  127.0.0.1 and set it);
- a host name is resolved and every address it resolves to is checked.

A refused request is recorded as ``error_kind = "blocked"``: not a finding, and
the same whether the port is open or closed, so nothing is learnt by probing.
The check happens before the connection; a DNS answer that changes between our
lookup and the connection (DNS rebinding) is not caught by this layer alone.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

SCHEMES = ("http", "https")
# Scrapy's handlers for other schemes read local files or other services on our behalf
DISABLED_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}


class BlockedRequest(IgnoreRequest):
    """A request the network scope refuses (see the module docstring)."""


def host_port(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def is_public_ip(text: str) -> bool:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class NetPolicy:
    scope: frozenset[str] = frozenset()  # host:port pairs of the configured site: always reachable
    allow_private: bool = False

    def refuse(self, url: str, addresses: tuple[str, ...] | None = None) -> str | None:
        """Why ``url`` may not be fetched (``scheme`` | ``private``), None when it may (as far as known:
        a host name still to resolve answers None here; see ``needs_lookup``)."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES or not parts.hostname:
            return "scheme"
        if self.allow_private or host_port(url) in self.scope:
            return None
        host = parts.hostname.lower().rstrip(".")
        if host == "localhost" or host.endswith(".localhost"):
            return "private"
        if _ip_literal(host):
            return None if is_public_ip(host) else "private"
        if addresses is not None and (not addresses or not all(is_public_ip(a) for a in addresses)):
            return "private" if addresses else None
        return None

    def needs_lookup(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return not (
            self.allow_private
            or not host
            or _ip_literal(host)
            or host_port(url) in self.scope
            or parts.scheme.lower() not in SCHEMES
        )

    def check(self, url: str) -> str | None:
        """``refuse`` with the host name resolved here (blocking; for the synchronous callers)."""
        reason = self.refuse(url)
        if reason is None and self.needs_lookup(url):
            reason = self.refuse(url, resolve(url))
        return reason

    async def acheck(self, url: str) -> str | None:
        reason = self.refuse(url)
        if reason is None and self.needs_lookup(url):
            reason = self.refuse(url, await aresolve(url))
        return reason


def resolve(url: str) -> tuple[str, ...]:
    host = urlsplit(url).hostname or ""
    try:
        return tuple({info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)})
    except (OSError, UnicodeError):
        return ()  # no address: the fetch itself fails with the DNS error the rules know


async def aresolve(url: str) -> tuple[str, ...]:
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return ()
    return tuple({info[4][0] for info in infos})


class NetGuardMiddleware:
    """Downloader middleware, first in line: every request the crawler sends, redirects and meta refreshes
    included (they come back through the chain), is checked against the spider's ``net_policy``."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._hosts: dict[str, tuple[str, ...]] = {}
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        policy: NetPolicy | None = getattr(self.crawler.spider, "net_policy", None)
        if policy is None:
            return None
        url = request.url
        if request.meta.get("reference"):
            # the reference sites sites.yaml names (network.reference_urls): configured, not found on a page
            policy = NetPolicy(scope=policy.scope, allow_private=True)
        reason = policy.refuse(url)
        if reason is None and policy.needs_lookup(url):
            host = urlsplit(url).hostname or ""
            addrs = self._hosts.get(host)
            if addrs is None:
                addrs = await aresolve(url)
                if len(self._hosts) < 10_000:
                    self._hosts[host] = addrs
            reason = policy.refuse(url, addrs)
        cap = getattr(self.crawler.spider, "max_requests", None)
        if reason is None and cap is not None:
            # the hard bound on one crawl's requests: retries, redirects and meta refreshes count too
            if self.sent >= cap:
                reason = "budget"
            else:
                self.sent += 1
                self.crawler.stats.set_value("monitor/requests", self.sent)
        if reason is not None:
            self.crawler.stats.inc_value(f"monitor/blocked/{reason}")
            raise BlockedRequest(f"blocked ({reason}): {url[:300]}")
        return None
