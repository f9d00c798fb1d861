"""Site locks on SQLite, PostgreSQL and Redis; schedule triggers; the job store on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from monitor.config import ConfigError, parse_config
from monitor.ops.locks import DbLock, RedisLock
from monitor.store import Lock, Store, utcnow
from tests.conftest import need_service


def _exercise_db_lock(store: Store) -> None:
    a = DbLock(store, "crawl:x", ttl=60, owner="a", heartbeat=False)
    b = DbLock(store, "crawl:x", ttl=60, owner="b", heartbeat=False)
    assert a.acquire()
    assert not b.acquire() and b.holder() == "a"
    assert DbLock(store, "crawl:y", ttl=60, owner="b", heartbeat=False).acquire()  # other names are free
    # An expired lease is taken over, exactly once.
    with store.session() as s:
        s.execute(update(Lock).where(Lock.name == "crawl:x").values(expires_at=utcnow() - timedelta(seconds=1)))
    c = DbLock(store, "crawl:x", ttl=60, owner="c", heartbeat=False)
    assert b.acquire() and not c.acquire()
    a.release()  # not the holder any more: releases nothing
    assert b.holder() == "b"
    b.release()
    assert c.acquire()
    c.release()
    assert c.holder() is None


def test_db_lock_sqlite(tmp_path):
    _exercise_db_lock(Store(f"sqlite:///{tmp_path / 'm.db'}"))


@pytest.mark.postgres
def test_db_lock_postgres(pg_url):
    _exercise_db_lock(Store(pg_url))


def test_db_lock_taken_over_from_a_dead_process_and_renewed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    code = (
        "import sys; sys.path.insert(0, '.'); from monitor.store import Store; from monitor.ops.locks import DbLock; "
        f"assert DbLock(Store('sqlite:///{tmp_path / 'm.db'}'), 'crawl:x', ttl=600, heartbeat=False).acquire()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    # The holder exited without releasing; its lease runs 10 minutes, but its pid is gone on this host.
    alive = DbLock(store, "crawl:x", ttl=2, owner="me")
    assert alive.acquire()
    with store.session() as s:
        first = s.get(Lock, "crawl:x").expires_at
    time.sleep(1.5)  # the heartbeat renews every ttl/3
    with store.session() as s:
        assert s.get(Lock, "crawl:x").expires_at > first
    alive.release()


def test_redis_lock():
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=2).ping()
    except Exception as exc:
        need_service(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    name = f"test:{time.time_ns()}"
    a = RedisLock("redis://127.0.0.1:6379/0", name, ttl=1, owner="a", heartbeat=False)
    b = RedisLock("redis://127.0.0.1:6379/0", name, ttl=1, owner="b", heartbeat=False)
    assert a.acquire() and not b.acquire() and b.holder() == "a"
    b.release()  # not the holder: nothing happens
    assert a.holder() == "a"
    time.sleep(1.2)
    assert b.acquire()  # a's lease expired
    assert not a.renew()
    b.release()
    assert a.holder() is None


def _cfg(schedule: dict, sites: int = 3):
    return parse_config(
        {
            "organisation": {"name": "x"},
            "units": [{"name": "u"}],
            "sites": [
                {"key": f"s{i}", "name": f"站{i}", "home": f"http://127.0.0.1:9/{i}/", "unit": "u"}
                for i in range(sites)
            ],
            "schedule": schedule,
        }
    )


def test_default_schedule_and_staggered_crawls():
    from apscheduler.triggers.interval import IntervalTrigger

    from monitor.ops.daemon import desired_jobs

    config = _cfg({})
    jobs = desired_jobs(config, {"crawl", "probe", "recheck"})
    assert set(jobs) == {
        "probe:s0",
        "probe:s1",
        "probe:s2",
        "crawl:s0",
        "crawl:s1",
        "crawl:s2",
        "recheck",
        "recheck_requested",
        "notice",
        "notify",
    }  # no feeds: no accounts, and no command yet
    crawl_times = [repr(jobs[f"crawl:s{i}"][0]) for i in range(3)]
    assert "hour='1', minute='0'" in crawl_times[0] and "hour='1', minute='20'" in crawl_times[1]
    assert "hour='1', minute='40'" in crawl_times[2]
    assert "day='1', day_of_week='*', hour='8', minute='0'" in repr(jobs["notice"][0]) and "Asia/Shanghai" in repr(
        jobs["notice"][0]
    )
    # W-V1 needs ≥ 20 probes a day: every 30 minutes is 48
    probe = jobs["probe:s0"][0]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    t = datetime(2026, 11, 26, tzinfo=ZoneInfo("Asia/Shanghai"))
    n, end = 0, t + timedelta(days=1)
    while (t := probe.get_next_fire_time(None, t + timedelta(seconds=1))) < end:
        n += 1
    assert n >= 20
    # commands not in this build are not scheduled at all
    assert "probe:s0" not in desired_jobs(config, {"crawl"})
    fast = desired_jobs(_cfg({"crawl": "every 5s", "probe": "off"}), {"crawl", "probe"})
    assert isinstance(fast["crawl:s0"][0], IntervalTrigger) and "probe:s0" not in fast


def test_bad_schedule_is_named():
    with pytest.raises(ConfigError) as err:
        _cfg({"crawl": "0 25 * * *", "timezone": "Mars/Base"})
    text = str(err.value)
    assert "schedule → crawl" in text and "cron" in text and "schedule → timezone" in text


@pytest.mark.postgres
def test_job_store_on_postgres_keeps_jobs_and_their_due_times(pg_url):
    from monitor.ops.daemon import Daemon

    config = _cfg(
        {"crawl": "0 3 * * *", "probe": "off", "recheck": "off", "feeds": "off", "recheck_requested": "off"}, sites=2
    )
    store = Store(pg_url)
    first = Daemon("sites.yaml", pg_url, config, store)
    first.scheduler = first.build_scheduler()
    first.scheduler.start(paused=True)
    assert first.sync_jobs()["added"] == 4  # crawl ×2, notice, notify
    due = {j.id: j.next_run_time for j in first.scheduler.get_jobs()}
    first.scheduler.shutdown(wait=False)

    again = Daemon(
        "sites.yaml",
        pg_url,
        _cfg(
            {"crawl": "0 3 * * *", "probe": "off", "recheck": "off", "feeds": "off", "recheck_requested": "off"},
            sites=1,
        ),
        Store(pg_url),
    )
    again.scheduler = again.build_scheduler()
    again.scheduler.start(paused=True)
    counts = again.sync_jobs()
    assert counts == {"kept": 3, "added": 0, "removed": 1}  # s1 left sites.yaml: its job goes
    kept = {j.id: j.next_run_time for j in again.scheduler.get_jobs()}
    assert kept == {k: v for k, v in due.items() if k != "crawl:s1"}
    again.scheduler.shutdown(wait=False)
