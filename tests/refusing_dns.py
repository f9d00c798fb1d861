"""A DNS server on loopback that refuses every query, and a Scrapy resolver that asks it.

Stands in for a monitoring server without working DNS (an intranet machine, a proxy down): the crawler
resolves every external host through ``127.0.0.1:$MONITOR_TEST_DNS_PORT`` and is refused (RCODE 5).
Addresses (127.0.0.1) need no lookup, so the local test site itself stays reachable.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from contextlib import contextmanager

from twisted.internet import defer
from twisted.internet.interfaces import IResolverSimple
from twisted.names import client
from zope.interface import implementer


@contextmanager
def refusing_dns_server():
    """A UDP DNS server on 127.0.0.1 answering REFUSED to everything; yields its port and the queries seen."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, addr = sock.recvfrom(4096)
            except OSError:
                continue
            if len(data) < 12:
                continue
            seen.append(data)
            flags = 0x8000 | (data[2] & 0x79) << 8 | 0x0080 | 5  # QR, opcode and RD copied, RA, RCODE=REFUSED
            sock.sendto(data[:2] + flags.to_bytes(2, "big") + data[4:6] + b"\0\0\0\0\0\0" + data[12:], addr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(2)
        sock.close()


@implementer(IResolverSimple)
class LoopbackResolver:
    """Scrapy TWISTED_DNS_RESOLVER: every name through the DNS server at 127.0.0.1:$MONITOR_TEST_DNS_PORT."""

    def __init__(self, reactor, port: int):
        self.reactor = reactor
        self.resolver = client.Resolver(servers=[("127.0.0.1", port)], reactor=reactor)

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor, int(os.environ["MONITOR_TEST_DNS_PORT"]))

    def install_on_reactor(self):
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()):
        try:
            ipaddress.ip_address(name)
            return defer.succeed(name)
        except ValueError:
            return self.resolver.getHostByName(name, timeout=(2,))


# run the CLI with this resolver: python -m tests.refusing_dns <monitor arguments>
if __name__ == "__main__":
    from spiders import settings as scrapy_settings

    scrapy_settings.TWISTED_DNS_RESOLVER = "tests.refusing_dns.LoopbackResolver"
    from monitor.cli import main

    main(prog_name="monitor")
