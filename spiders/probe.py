"""Availability probes (W-V1): one GET of a home page, timed, plus what the host offers.

A probe records facts only: whether a page arrived within the timeout, the
status or the reason it did not, the latency, whether the host has an AAAA
record (IPv6) and whether it answers over HTTPS with a valid certificate.
rules/website/site_unreachable.py judges them.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

import httpx

from monitor.model import ErrorKind
from spiders.errors import httpx_error_kind

# the crawler's User-Agent (spiders/settings.py), as UTF-8 bytes: httpx encodes str headers as ASCII
USER_AGENT = "Mozilla/5.0 (compatible; GovSiteMonitor/0.1; +政府网站监测)".encode("utf-8")
HTTPS_TIMEOUT_SECS = 10  # the HTTPS side check; the probe itself uses the site's probe timeout


@dataclass(frozen=True)
class ProbeTarget:
    site: str
    url: str
    timeout: float = 15.0  # W-V1: a probe fails when no page arrived after 15 s (S4)


@dataclass
class ProbeResult:
    site: str
    url: str
    at: datetime  # UTC, naive (as the store keeps it)
    ok: bool
    status: int | None = None
    error_kind: str | None = None
    error_detail: str | None = None
    elapsed_ms: int | None = None
    ipv6: bool | None = None
    https: bool | None = None

    def row(self) -> dict:
        return dict(self.__dict__)


async def has_aaaa(host: str) -> bool | None:
    """True when the host name resolves to an IPv6 address (AAAA); an IPv4 literal has none."""
    try:
        socket.inet_pton(socket.AF_INET, host)
        return False  # an IPv4 literal has no AAAA record
    except OSError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, None, family=socket.AF_INET6, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError, OSError):
        return False
    return bool(infos)


async def answers_https(url: str, timeout: float) -> bool:
    """The home host answers over HTTPS (port 443 unless the home is https already) with a valid certificate."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        target = url
    else:
        target = urlunsplit(("https", parts.hostname or "", parts.path or "/", parts.query, ""))
    try:
        async with httpx.AsyncClient(
            verify=ssl.create_default_context(), timeout=timeout, headers={"User-Agent": USER_AGENT}
        ) as client:
            await client.get(target)
        return True
    except httpx.HTTPError:
        return False


async def probe_one(target: ProbeTarget) -> ProbeResult:
    at = datetime.now(timezone.utc).replace(tzinfo=None)
    host = urlsplit(target.url).hostname or ""
    started = time.monotonic()
    result = ProbeResult(site=target.site, url=target.url, at=at, ok=False)
    try:
        async with httpx.AsyncClient(
            timeout=target.timeout,
            follow_redirects=True,
            max_redirects=10,
            verify=False,
            headers={"User-Agent": USER_AGENT},
        ) as client:
            # the whole answer must arrive within the timeout, not just each read
            resp = await asyncio.wait_for(client.get(target.url), timeout=target.timeout)
        result.status = resp.status_code
        result.ok = resp.status_code < 400
        if not result.ok:
            result.error_kind = ErrorKind.HTTP
            result.error_detail = f"HTTP {resp.status_code}"
    except (asyncio.TimeoutError, httpx.HTTPError, OSError) as exc:
        if isinstance(exc, asyncio.TimeoutError):
            result.error_kind, result.error_detail = ErrorKind.TIMEOUT, f"no page after {target.timeout:g} s"
        else:
            result.error_kind, result.error_detail = httpx_error_kind(exc), f"{type(exc).__name__}: {exc}"[:500]
    result.elapsed_ms = int((time.monotonic() - started) * 1000)
    result.ipv6 = await has_aaaa(host)
    # the probe itself accepts any certificate (availability); this check wants a valid one
    result.https = await answers_https(target.url, min(HTTPS_TIMEOUT_SECS, target.timeout))
    return result


async def probe_all(targets: list[ProbeTarget]) -> list[ProbeResult]:
    return list(await asyncio.gather(*(probe_one(t) for t in targets)))


def probe_sites(targets: list[ProbeTarget]) -> list[ProbeResult]:
    """One round: every target probed concurrently."""
    return asyncio.run(probe_all(targets))
