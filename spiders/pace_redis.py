"""Per-host politeness across a worker pool: the ``Pacer`` interface of ``spiders.revalidate``, kept in Redis.

One process's ``Pacer`` holds ``concurrency_per_host`` and ``delay_seconds`` for its own requests only.
On a pool (``workers.broker`` in sites.yaml) several processes, on several machines, crawl sites that
often share a host (department sites under the portal's host), so the count of requests in flight and
the time of the last send live in Redis, and Lua scripts decide atomically, on Redis's clock, whether
a request may take a slot, or be sent, now or how long it should wait. A slot is a lease: a process that
dies holding one loses it when the lease runs out (the request timeout plus a margin), so a killed worker
never blocks a host for good.

As in ``spiders.revalidate.HostPace`` the delay is kept at the send: ``acquire`` takes a slot and waits
until the next send is due without booking it; ``at_send``, called right before the request is written,
books the send in Redis. The booking is Redis's; the write follows when the answer is back, so a turn
answered later than ``SEND_SLACK`` of the delay after it was asked (a slow answer, a stalled loop) is not
used but asked again: across processes, sends stay at least the delay less that slack apart; within one
process, exactly the delay (checked again here, in the step that writes).
"""

from __future__ import annotations

import asyncio
import time
import uuid

# KEYS: slots (zset token -> lease expiry ms), next (ms of the earliest next send)
# ARGV: token, concurrency, lease ms.  Returns 0 when the slot is taken, else ms to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return nxt - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 0
"""

FULL_POLL = 0.02  # all slots taken: ask again this soon (seconds)
SEND_SLACK = 0.1  # of the delay: a send's turn answered later than this after it was asked is asked again


class RedisHostPace:
    """At most ``concurrency`` requests in flight to one host across all processes, ``delay`` s between starts."""

    def __init__(self, pacer: "RedisPacer", host: str):
        self.pacer, self.host = pacer, host
        prefix = f"{pacer.namespace}:pace:{host}"
        self.keys = (f"{prefix}:slots", f"{prefix}:next")
        self.held: list[str] = []
        self.last_send: float | None = None  # time.monotonic() of this process's last send to the host

    @property
    def delay(self) -> float:
        return self.pacer.delay

    async def acquire(self) -> None:
        client, script = self.pacer.script()
        token = uuid.uuid4().hex
        p = self.pacer
        while True:
            wait = int(await script(keys=self.keys, args=[token, p.concurrency, p.lease_ms], client=client))
            if wait == 0:
                self.held.append(token)
                return
            await asyncio.sleep(FULL_POLL if wait < 0 else min(wait / 1000, 1.0))

    def _local_wait(self) -> float:
        if self.last_send is None:
            return 0.0
        return self.last_send + self.pacer.delay - time.monotonic()

    async def at_send(self) -> None:
        """Return when the request may be written, its send booked in Redis; the caller writes it before it
        awaits anything (see the module docstring)."""
        p = self.pacer
        if not p.delay:
            return
        client, turn = p.turn_script()
        while True:
            wait = self._local_wait()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            asked = time.monotonic()
            wait_ms = int(await turn(keys=[self.keys[1]], args=[int(p.delay * 1000)], client=client))
            if wait_ms > 0:
                await asyncio.sleep(min(wait_ms / 1000, 1.0))
                continue
            now = time.monotonic()
            # a turn booked too long before this write, or one this process used meanwhile, is not this send's
            if now - asked <= p.delay * SEND_SLACK and self._local_wait() <= 0:
                self.last_send = now
                return

    def release(self) -> None:
        if not self.held:
            return
        token = self.held.pop()  # this process's slots on the host are interchangeable
        client, _ = self.pacer.script()
        task = asyncio.get_running_loop().create_task(client.zrem(self.keys[0], token))
        self.pacer.pending.add(task)
        task.add_done_callback(self.pacer.pending.discard)


class RedisPacer:
    """The ``spiders.revalidate.Pacer`` interface with its counts in Redis (see the module docstring)."""

    def __init__(self, url: str, namespace: str, concurrency: int, delay: float, *, lease_seconds: float = 60):
        self.url, self.namespace = url, namespace
        self.concurrency, self.delay = max(1, concurrency), max(0.0, delay)
        self.lease_ms = int(lease_seconds * 1000)
        self.hosts: dict[str, RedisHostPace] = {}
        self.pending: set[asyncio.Task] = set()
        self._client = None
        self._script = None
        self._turn = None

    def script(self):
        # created on first use, inside the crawl's running event loop
        if self._client is None:
            import redis.asyncio as aredis

            self._client = aredis.Redis.from_url(self.url, socket_timeout=10)
            self._script = self._client.register_script(_ACQUIRE)
            self._turn = self._client.register_script(_TURN)
        return self._client, self._script

    def turn_script(self):
        client, _ = self.script()
        return client, self._turn

    def host(self, url: str) -> RedisHostPace:
        from spiders.site import host_port

        key = host_port(url)
        pace = self.hosts.get(key)
        if pace is None:
            pace = self.hosts[key] = RedisHostPace(self, key)
        return pace


# KEYS: next.  ARGV: delay ms.  Returns 0 when this caller may send now (booked), else ms to wait.
# Used by RedisHostPace.at_send and RedisTurns.
_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nxt > now then return nxt - now end
local delay = tonumber(ARGV[1])
if delay > 0 then redis.call('SET', KEYS[1], now + delay, 'PX', delay + 1000) end
return 0
"""


class RedisTurns:
    """The delay between two requests to one host across the pool, for blocking clients (spiders/feeds.py, which
    sends one request at a time). Shares the ``next`` key with ``RedisPacer``: feeds and crawls of one host
    keep one pace."""

    def __init__(self, url: str, namespace: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=10)
        self.script = self.client.register_script(_TURN)
        self.namespace = namespace

    def wait(self, url: str, delay: float) -> None:
        import time

        from spiders.site import host_port

        key = f"{self.namespace}:pace:{host_port(url)}:next"
        while True:
            wait = int(self.script(keys=[key], args=[int(delay * 1000)]))
            if wait == 0:
                return
            time.sleep(min(wait / 1000, 1.0))
