"""Named leases so that two processes never do the same job at once (e.g. crawl one site twice).

`DbLock` keeps a row in the ``locks`` table (SQLite and PostgreSQL alike): taken by an INSERT, or by
a conditional UPDATE of a row whose lease expired or whose holder process is gone on this host;
renewed by a heartbeat thread; dropped on release. `RedisLock` does the same with SET NX PX and a
compare-and-delete script, for installations that already run Redis.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from monitor.store import Lock, Store, utcnow

HOST = socket.gethostname()
# set by the scheduler for the crawl it runs as a child: "<lock name>\t<owner>" of the lock it holds for it,
# so that the child's `monitor crawl`, which takes the same lock, goes on under its parent's
HELD_LOCK_ENV = "MONITOR_HELD_LOCK"


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_owner() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease(Protocol):
    name: str
    owner: str

    def acquire(self) -> bool: ...
    def release(self) -> None: ...
    def holder(self) -> str | None: ...


class _Heartbeat:
    """Renews a lease every third of its lifetime until stopped."""

    def __init__(self, lease, ttl: float):
        self.lease, self.ttl = lease, ttl
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"lease:{self.lease.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(max(self.ttl / 3, 0.5)):
            try:
                self.lease.renew()
            except Exception:  # a missed beat only shortens the lease; the next one retries
                pass

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class DbLock:
    def __init__(self, store: Store, name: str, *, ttl: float = 300, owner: str | None = None, heartbeat: bool = True):
        self.store, self.name, self.ttl = store, name, ttl
        self.owner = owner or new_owner()
        self._beat = _Heartbeat(self, ttl) if heartbeat else None

    def _expiry(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.ttl)

    def acquire(self) -> bool:
        now = utcnow()
        row = {
            "name": self.name,
            "owner": self.owner,
            "host": HOST,
            "pid": os.getpid(),
            "child_pid": None,
            "acquired_at": now,
            "heartbeat_at": now,
            "expires_at": self._expiry(now),
        }
        try:
            with self.store.session() as s:
                s.execute(insert(Lock), [row])
            got = True
        except IntegrityError:
            got = self._take_over(row, now)
        if got and self._beat is not None:
            self._beat.start()
        return got

    def _take_over(self, row: dict, now: datetime) -> bool:
        with self.store.session() as s:
            cur = s.get(Lock, self.name)
            if cur is None:
                return False  # released in between: the caller tries again at its next turn
            abandoned = cur.host == HOST and not pid_alive(cur.pid) and not pid_alive(cur.child_pid)
            if not (cur.expires_at < now or abandoned or cur.owner == self.owner):
                return False
            # Conditional on the row we looked at, so two contenders cannot both win.
            res = s.execute(
                update(Lock)
                .where(Lock.name == self.name, Lock.owner == cur.owner, Lock.expires_at == cur.expires_at)
                .values(**{k: v for k, v in row.items() if k != "name"})
            )
            return res.rowcount == 1

    def renew(self) -> bool:
        now = utcnow()
        with self.store.session() as s:
            res = s.execute(
                update(Lock)
                .where(Lock.name == self.name, Lock.owner == self.owner)
                .values(heartbeat_at=now, expires_at=self._expiry(now))
            )
            return res.rowcount == 1

    def set_child(self, pid: int | None) -> None:
        """Record the child process doing the work, so a restarted daemon knows whether it is still alive."""
        with self.store.session() as s:
            s.execute(update(Lock).where(Lock.name == self.name, Lock.owner == self.owner).values(child_pid=pid))

    def release(self) -> None:
        if self._beat is not None:
            self._beat.stop()
        with self.store.session() as s:
            s.execute(delete(Lock).where(Lock.name == self.name, Lock.owner == self.owner))

    def holder(self) -> str | None:
        with self.store.session() as s:
            cur = s.scalars(select(Lock).where(Lock.name == self.name)).first()
            return None if cur is None or cur.expires_at < utcnow() else cur.owner


class RedisLock:
    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
    _RENEW = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )

    def __init__(self, url: str, name: str, *, ttl: float = 300, owner: str | None = None, heartbeat: bool = True):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5)
        self.name, self.ttl = name, ttl
        self.key = f"monitor:lock:{name}"
        self.owner = owner or new_owner()
        self._beat = _Heartbeat(self, ttl) if heartbeat else None

    def acquire(self) -> bool:
        got = bool(self.client.set(self.key, self.owner, nx=True, px=int(self.ttl * 1000)))
        if got and self._beat is not None:
            self._beat.start()
        return got

    def renew(self) -> bool:
        return bool(self.client.eval(self._RENEW, 1, self.key, self.owner, int(self.ttl * 1000)))

    def set_child(self, pid: int | None) -> None:
        pass  # the key expires with its lease; nothing to record

    def release(self) -> None:
        if self._beat is not None:
            self._beat.stop()
        self.client.eval(self._RELEASE, 1, self.key, self.owner)

    def holder(self) -> str | None:
        v = self.client.get(self.key)
        return v.decode() if v else None


def make_lock(config, store: Store, name: str, **kw):
    sched = config.schedule
    ttl = kw.pop("ttl", sched.lock_ttl_seconds)
    if sched.lock_backend == "redis":
        return RedisLock(sched.redis_url, name, ttl=ttl, **kw)
    return DbLock(store, name, ttl=ttl, **kw)
