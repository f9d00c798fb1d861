"""The pool's queueing and pacing against a real Redis, without workers: fast checks beside test_worker_pool."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from monitor.ops import jobs
from monitor.config import ConfigError, parse_config
from monitor.store import Store
from tests.integration.test_worker_pool import REDIS, _redis_or_skip


def _config(ns: str, *, broker: str | None = REDIS, accounts: int = 0):
    return parse_config(
        {
            "organisation": {"name": "测试"},
            "units": [{"name": "单位"}],
            "sites": [{"key": "portal", "name": "门户", "home": "http://127.0.0.1:9/", "unit": "单位"}],
            "accounts": [
                {
                    "key": f"a{i}",
                    "platform": "wechat",
                    "name": f"账号{i}",
                    "unit": "单位",
                    "source": f"http://127.0.0.1:9/{i}.xml",
                }
                for i in range(accounts)
            ],
            **({"workers": {"broker": broker, "namespace": ns, "feeds_batch": 2}} if broker else {}),
        },
        source="test",
    )


def _messages(client, queue: str) -> list[dict]:
    return [json.loads(m) for m in reversed(client.lrange(queue, 0, -1))]  # oldest first


def _paced(times: list[float], delay: float) -> None:
    """Starts at least ``delay`` apart by Redis's clock; seen from here a start may come back a little late (a
    busy machine), so: the whole run is as long as the delays add up to, and no gap is far below the delay.
    Two pacers keeping their own counts would take half as long."""
    times = sorted(times)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert times[-1] - times[0] >= (len(times) - 1) * delay * 0.95, gaps
    assert min(gaps) >= delay / 2, gaps


def test_the_daemon_queues_jobs_when_a_broker_is_named(tmp_path):
    _redis_or_skip()
    import redis

    from monitor.ops.workers import pool_status

    ns = f"q{uuid.uuid4().hex[:10]}"
    config = _config(ns, accounts=5)
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    client = redis.Redis.from_url(REDIS)
    try:
        jobs.RUNTIME = jobs.Runtime("sites.yaml", None, config, store)
        assert jobs.dispatch("crawl", "portal") == "queued"
        assert jobs.dispatch("feeds") == "queued"
        assert jobs.dispatch("notice") == "queued"
    finally:
        jobs.RUNTIME = None
    [crawl] = _messages(client, f"{ns}.crawl")
    assert crawl["headers"]["task"] == "monitor.run" and "'crawl', 'portal'" in crawl["headers"]["argsrepr"]
    feeds = _messages(client, f"{ns}.feeds")
    assert [json.loads(__import__("base64").b64decode(m["body"]))[1]["accounts"] for m in feeds] == [
        ["a0", "a1"],
        ["a2", "a3"],
        ["a4"],
    ]  # one task per batch of workers.feeds_batch accounts
    assert len(_messages(client, f"{ns}.jobs")) == 1
    # nothing ran here: no job_runs row, the work waits in the queues
    status = pool_status(config, store)
    assert [(q["queue"], q["waiting"]) for q in status["queues"]] == [
        (f"{ns}.crawl", 1),
        (f"{ns}.feeds", 3),
        (f"{ns}.jobs", 1),
    ]
    assert status["queues"][0]["oldest_job"] == "crawl:portal" and status["queues"][0]["oldest_enqueued"]
    assert status["workers"] == [] and status["given_up"] == []
    client.delete(f"{ns}.crawl", f"{ns}.feeds", f"{ns}.jobs")


def test_workers_broker_must_be_redis():
    with pytest.raises(ConfigError, match="workers → broker"):
        _config("x", broker="amqp://127.0.0.1//")


def test_redis_pacer_holds_concurrency_and_delay_across_pacers():
    _redis_or_skip()
    from spiders.pace_redis import RedisPacer

    ns = f"p{uuid.uuid4().hex[:10]}"
    delay, per_host = 0.05, 2
    starts: list[float] = []
    in_flight = {"now": 0, "peak": 0}

    async def crawl(pacer: RedisPacer, n: int):
        async def one():
            pace = pacer.host("http://gov.example:80/a")
            await pace.acquire()  # a slot ...
            await pace.at_send()  # ... and the send's turn, taken right before the write
            starts.append(time.monotonic())
            in_flight["now"] += 1
            in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
            await asyncio.sleep(0.12)  # longer than the delay: the concurrency limit is what holds them
            in_flight["now"] -= 1
            pace.release()

        await asyncio.gather(*(one() for _ in range(n)))

    async def main():
        # two pacers = two worker processes; other hosts are not held back by this one
        await asyncio.gather(
            crawl(RedisPacer(REDIS, ns, per_host, delay), 6), crawl(RedisPacer(REDIS, ns, per_host, delay), 6)
        )
        other = RedisPacer(REDIS, ns, per_host, delay).host("http://other.example/")
        t0 = time.monotonic()
        await other.acquire()
        return time.monotonic() - t0

    other_wait = asyncio.run(main())
    assert len(starts) == 12 and in_flight["peak"] == per_host
    _paced(starts, delay)
    assert other_wait < 0.5


def test_feed_fetches_keep_one_delay_per_host_across_processes():
    _redis_or_skip()
    import threading

    from spiders.pace_redis import RedisTurns

    ns = f"f{uuid.uuid4().hex[:10]}"
    delay = 0.05
    times: list[float] = []

    def fetcher():  # one blocking feed fetcher per worker process
        turns = RedisTurns(REDIS, ns)
        for _ in range(5):
            turns.wait("http://rsshub.example/weibo/user/1", delay)
            times.append(time.monotonic())

    threads = [threading.Thread(target=fetcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(times) == 10
    _paced(times, delay)
