"""Scrapy's HTTP/1.1 download handler, with each host's pace kept at the send.

``limits.delay_seconds`` is the time between two requests reaching a host. Scrapy's own per-slot delay, and the
pacer ``spiders.revalidate.PaceMiddleware`` waits for, count it from the moment a request is let go; between that
moment and the bytes on the wire come a connection (from the pool, a TCP connect, a TLS handshake) and whatever
else the event loop runs meanwhile. A loop stalled there by a long parse sent a request late and, counted from
that one's release, the next right behind it: 6 ms apart where 0.2 s was configured.

Here a connection sends a request only on its host's turn. Twisted's ``HTTP11ClientProtocol.request`` writes the
request with ``Request.writeTo(transport)``, and a TCP transport only buffers what it is given until the reactor
finds the socket writable; so the connection's ``request`` first takes the turn (``at_send`` of the host's pace:
the ``LightPath`` extension's ``pacer``, shared with the light path of ``spiders.revalidate`` and kept in Redis on a worker pool by
``spiders.pace_redis``; without one, a pace of its own at ``DOWNLOAD_DELAY``), then, in the same step, lets the
protocol write the request and flushes the socket's buffer: no other send can come between the check and the
bytes leaving. On a TLS connection the turn is taken after the handshake, when the request itself can leave.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from twisted.internet.abstract import FileDescriptor
from twisted.internet.defer import Deferred, fail
from twisted.internet.interfaces import IHandshakeListener
from twisted.python.failure import Failure
from twisted.web.client import RequestNotSent, ResponseNeverReceived
from zope.interface import alsoProvides


class PacedHTTP11DownloadHandler(HTTP11DownloadHandler):
    """The http/https handler: Scrapy's HTTP/1.1 handler whose connections send on their host's turn."""

    def __init__(self, crawler):
        super().__init__(crawler)  # installs Scrapy's fallbacks for host names the idna package refuses
        _cache_host_encoding()
        from spiders.revalidate import Pacer

        self._crawler = crawler
        # Without a spider's pacer (a first crawl outside a worker pool) Scrapy's slots keep DOWNLOAD_DELAY
        # between releases and this keeps it between sends; the concurrency stays with Scrapy's slots.
        self._own_pacer = Pacer(1, crawler.settings.getfloat("DOWNLOAD_DELAY"))
        self._pool._factory = _paced_factory(self._pool._factory, self._pace_for)

    def _pace_for(self, request: Any) -> Any:
        """The pace of the host a Twisted request goes to, or None when no delay applies."""
        from spiders.revalidate import LightPath

        try:
            light = self._crawler.get_extension(LightPath)
        except RuntimeError:  # asked before the extension manager exists
            light = None
        pacer = (light.pacer if light is not None else None) or self._own_pacer
        url = request.absoluteURI
        if not pacer.delay or not url:
            return None
        return pacer.host(url.decode("ascii", "replace"))


def _cache_host_encoding() -> None:
    """Remember the IDNA form of each host name Twisted's endpoints ask for.

    Twisted builds a ``HostnameEndpoint`` for every request, even one that reuses a pooled connection, and each
    encodes the host with the pure-Python idna package: 1.4% of a demo crawl's CPU for a handful of hosts. The
    encoding is a function of the name alone; a name it refuses raises again each time (errors are not cached)."""
    from twisted.internet import endpoints

    encode = getattr(endpoints, "_idnaBytes", None)
    if encode is None or getattr(encode, "cache_info", None) is not None:
        return  # not there in this Twisted, or already cached by an earlier crawler of the process
    endpoints._idnaBytes = functools.lru_cache(maxsize=1024)(encode)


def _paced_factory(base: type, pace_for: Callable[[Any], Any]) -> type:
    """A subclass of the pool's protocol factory whose connections send on their host's turn."""

    class PacedFactory(base):
        def buildProtocol(self, addr):  # Twisted's name
            proto = super().buildProtocol(addr)
            _Connection(proto, pace_for)
            return proto

    return PacedFactory


class _Connection:
    """One HTTP/1.1 connection: its ``request`` waits for the host's turn, then writes and flushes at once."""

    def __init__(self, proto: Any, pace_for: Callable[[Any], Any]):
        self.proto = proto
        self.pace_for = pace_for
        self.write = proto.request  # the protocol's own: writes the request to its transport
        self.tls_ready = False  # set by a TLS transport when its handshake is done (IHandshakeListener)
        self.lost: Failure | None = None
        self.waiters: list[asyncio.Future] = []
        self._connection_lost = proto.connectionLost
        proto.request = self.request
        proto.connectionLost = self.connection_lost
        proto.handshakeCompleted = self.handshake_completed
        alsoProvides(proto, IHandshakeListener)

    # ------------------------------------------------------------ what the transport tells

    def handshake_completed(self) -> None:
        self.tls_ready = True
        self._wake()

    def connection_lost(self, reason: Failure) -> None:
        self.lost = reason
        self._wake()
        self._connection_lost(reason)

    def _wake(self) -> None:
        waiters, self.waiters = self.waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(None)

    # ------------------------------------------------------------ sending

    def request(self, request: Any) -> Deferred:
        pace = self.pace_for(request)
        if pace is None:
            return self.write(request)
        tls = (request.absoluteURI or b"").startswith(b"https:")
        try_send = getattr(pace, "try_send", None)  # a pace kept in this process answers at once
        if (self.tls_ready or not tls) and try_send is not None and try_send() <= 0:
            return self._write_now(request)
        result: Deferred = Deferred(self._cancel)
        self.result, self.sent = result, None
        self.task = asyncio.ensure_future(self._send_on_turn(request, pace, tls))
        self.task.add_done_callback(self._task_done)
        return result

    async def _send_on_turn(self, request: Any, pace: Any, tls: bool) -> None:
        while tls and not self.tls_ready and self.lost is None:  # the request cannot leave before the handshake
            waiter = asyncio.get_running_loop().create_future()
            self.waiters.append(waiter)
            await waiter
        if self.lost is not None:  # as Twisted says of a connection lost before it could answer
            raise ResponseNeverReceived([self.lost])
        await pace.at_send()
        self.sent = self._write_now(request)  # no await between the recorded turn and the write
        self.sent.addBoth(self._deliver)

    def _write_now(self, request: Any) -> Deferred:
        """Write the request and put it on the wire (its turn was just recorded)."""
        if self.proto.state != "QUIESCENT":  # closed by the server while this waited; a new connection retries
            return fail(RequestNotSent())
        sent = self.write(request)
        _flush(self.proto.transport)
        return sent

    def _deliver(self, outcome: Any) -> None:
        if not self.result.called:
            if isinstance(outcome, Failure):
                self.result.errback(outcome)
            else:
                self.result.callback(outcome)

    def _task_done(self, task: asyncio.Task) -> None:
        if task.cancelled() or self.result.called:
            return
        exc = task.exception()
        if exc is not None:
            self.result.errback(Failure(exc))

    def _cancel(self, _result: Deferred) -> None:
        if self.sent is not None:  # written: Twisted cancels the request itself
            self.sent.cancel()
            return
        self.task.cancel()  # still waiting for its turn: nothing was sent, the connection is given up
        self.proto.abort()


def _flush(transport: Any) -> None:
    """Hand what the request wrote to the socket now, not at a later reactor turn: Twisted's TLS transport
    (``BufferingTLSTransport``) holds small writes until the next turn, and a TCP transport its buffer until
    the reactor finds the socket writable."""
    for _ in range(3):  # plain TCP, or TLS over TCP
        if isinstance(transport, FileDescriptor):
            if transport.connected and not transport.disconnecting:
                transport.doWrite()  # a failed send is left to the reactor's next doWrite, which reports it
            return
        aggregator = getattr(transport, "_aggregator", None)
        if aggregator is not None:
            aggregator.flush()
        transport = getattr(transport, "transport", None)
