"""An httpx failure as a stored ``ErrorKind``: one mapping for every httpx client (probe, feeds, re-check).

The Scrapy crawl maps Twisted's failures in ``spiders.site.error_kind``; both record the same kinds, so a
rule reads a timeout the same whoever fetched. The order matters: the OS error underneath first (httpx wraps
it: "All connection attempts failed"), DNS before TLS (a lookup failure for "ssl.example.cn" is a DNS failure),
and a connection error that names no refusal stays ``other`` (an unreachable host is not a refusal).
"""

from __future__ import annotations

import socket
import ssl

import httpx

from monitor.model import ErrorKind

_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name",
    "getaddrinfo",
    "name resolution",
)


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def httpx_error_kind(exc: BaseException) -> ErrorKind:
    """The kind of an httpx (or underlying OS) failure: dns, refused, timeout, tls, redirects, reset or other."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return ErrorKind.REFUSED
        if isinstance(e, socket.gaierror):
            return ErrorKind.DNS
        if isinstance(e, ssl.SSLError):
            return ErrorKind.TLS
    if isinstance(exc, httpx.TimeoutException):
        return ErrorKind.TIMEOUT
    if isinstance(exc, httpx.TooManyRedirects):
        return ErrorKind.REDIRECTS
    text = " ".join(f"{type(e).__name__}: {e}" for e in chain).lower()
    if any(w in text for w in _DNS_WORDS):
        return ErrorKind.DNS
    if "certificate" in text or "ssl" in text or "tls" in text:
        return ErrorKind.TLS
    if "refused" in text:
        return ErrorKind.REFUSED
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)) or "reset" in text:
        return ErrorKind.RESET
    return ErrorKind.OTHER
