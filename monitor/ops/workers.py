"""The worker pool: the daemon's jobs as Celery tasks (Redis broker, PostgreSQL as the shared store).

Without ``workers.broker`` in sites.yaml nothing here runs: ``monitor schedule`` runs every job itself.
With it, ``monitor schedule`` only queues (``enqueue``) and any number of ``monitor worker`` processes, on
any number of machines, run the jobs through the same code as the daemon (``monitor.ops.jobs``).

At least once, and safe to run twice:
- tasks are acknowledged late and rejected back to the queue when their process dies; a message whose
  worker vanished (kill -9, power cut) goes back to the queue after ``workers.redelivery_seconds``. A running
  task keeps its message from that timeout by touching its entry in kombu's unacked index (``_Beat``), so a
  crawl of many hours is never handed to a second worker while the first is alive;
- a crawl resumes from the stored frontier of the interrupted run (``monitor.crawl.resume``);
- the site's Redis lock keeps two workers off one site; a re-delivered crawl waits for the dead holder's
  lease to run out instead of being skipped;
- a crawl task that already finished its crawl (recorded on its ``job_runs`` row) only checks, and a run
  with a stored check is not checked again;
- a task that fails is tried ``workers.max_attempts`` times in all; its ``job_runs`` rows stay, and
  ``monitor status`` lists it until it succeeds.

``celery -A monitor.ops.workers inspect active`` (and Flower) work with ``MONITOR_CONFIG`` naming sites.yaml.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from celery import Celery
from celery.signals import worker_process_init
from sqlalchemy import select, update

from monitor.ops import jobs
from monitor.config import Config, ConfigError, load_config
from monitor.ops.locks import HOST, RedisLock
from monitor.ops.logs import event
from monitor.store import Check, CrawlRun, JobRun, Store, utcnow

log = logging.getLogger("monitor.ops.workers")

TASK = "monitor.run"
QUEUES = ("crawl", "feeds", "jobs")  # short names; the broker's are "<namespace>.<name>"
QUEUE_NAMES = {"crawl": "网站抓取", "feeds": "新媒体抓取", "jobs": "其他任务"}
PRIORITY_SEP = "\x06\x16"  # kombu's Redis transport keeps priorities in "<queue><sep><n>" lists

app = Celery("monitor")
_configured: dict = {}


def queue_for(config: Config, kind: str) -> str:
    short = kind if kind in ("crawl", "feeds") else "jobs"
    return f"{config.workers.namespace}.{short}"


def transport_options(config: Config) -> dict:
    w = config.workers
    return {
        "visibility_timeout": w.redelivery_seconds,
        # look for messages of vanished workers often: each look is one small ZRANGE
        "unacked_restore_interval": max(1.0, min(10.0, w.redelivery_seconds / 3)),
        "unacked_restore_throttle": 1,
        "unacked_key": f"{w.namespace}:unacked",
        "unacked_index_key": f"{w.namespace}:unacked_index",
        "unacked_mutex_key": f"{w.namespace}:unacked_mutex",
        "unacked_mutex_expire": 60,
    }


def configure(config: Config) -> Celery:
    """Point the app at the config's broker and queues (once per process and broker)."""
    w = config.workers
    if w.broker is None:
        raise ConfigError(
            "sites.yaml 没有 workers.broker：请填写 Redis 地址（如 redis://127.0.0.1:6379/0）后再启动工作进程"
        )
    key = (w.broker, w.namespace, w.redelivery_seconds)
    if _configured.get("key") == key:
        return app
    app.conf.update(
        broker_url=w.broker,
        broker_transport_options=transport_options(config),
        broker_connection_retry_on_startup=True,
        task_default_queue=f"{w.namespace}.jobs",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        worker_send_task_events=True,
        task_send_sent_event=True,  # Flower and `celery events` see the tasks
        worker_hijack_root_logger=False,
        timezone=config.schedule.timezone,
        # a task process that grew past ~1.5 GB (a huge site's check) is replaced after its task
        worker_max_memory_per_child=1_500_000,
    )
    _configured["key"] = key
    _configured["namespace"] = w.namespace
    return app


def _configure_from_env() -> None:
    """For `celery -A monitor.ops.workers …`: the config named by MONITOR_CONFIG (default sites.yaml)."""
    path = os.environ.get("MONITOR_CONFIG", "sites.yaml")
    try:
        config = load_config(path)
    except ConfigError:
        return
    if config.workers.broker:
        configure(config)


_configure_from_env()


# ---------------------------------------------------------------- queueing


def enqueue(config: Config, kind: str, site: str | None = None, *, accounts: list[str] | None = None) -> str:
    """Queue one job (a feeds job is split into batches of accounts); returns "queued"."""
    configure(config)
    if kind == "feeds" and accounts is None:
        keys = [a.key for a in config.accounts]
        n = config.workers.feeds_batch
        for i in range(0, len(keys), n):
            enqueue(config, kind, None, accounts=keys[i : i + n])
        return "queued"
    kwargs = {"accounts": accounts} if accounts else {}
    res = app.send_task(
        TASK,
        args=(kind, site),
        kwargs=kwargs,
        queue=queue_for(config, kind),
        headers={"monitor_enqueued_at": time.time(), "monitor_job": f"{kind}:{site}" if site else kind},
    )
    event(
        log,
        "job.queued",
        f"{jobs.KIND_NAMES.get(kind, kind)}已排队",
        job=f"{kind}:{site}" if site else kind,
        site=site,
        task=res.id,
    )
    return "queued"


# ---------------------------------------------------------------- the pool process's state


class _State:
    rt: jobs.Runtime | None = None
    pid: int = 0
    beat: "_Beat | None" = None


STATE = _State()


def runtime() -> jobs.Runtime:
    """This process's Runtime (config, store), made after the fork so no connection is shared."""
    if STATE.rt is None or STATE.pid != os.getpid():
        config_path = os.environ.get("MONITOR_CONFIG", "sites.yaml")
        db_url = os.environ.get("MONITOR_DB") or None
        config = load_config(config_path)
        configure(config)
        STATE.rt = jobs.Runtime(config_path, db_url, config, Store(db_url or config.storage.url))
        STATE.pid = os.getpid()
        STATE.beat = _Beat(config)
        STATE.beat.start()
    return STATE.rt


@worker_process_init.connect
def _die_with_worker(**_kw) -> None:
    # A pool process outliving its killed worker would keep crawling and renewing its leases; with it gone
    # the crawl child is stopped too (its own parent-death signal), the run is marked interrupted and the
    # message goes back to the queue.
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux
        pass
    # ready before the first task arrives: its message is kept invisible from the moment it starts
    if os.environ.get("MONITOR_CONFIG"):
        try:
            runtime()
        except Exception:  # e.g. the database is down: the first task tries again and says why
            log.exception("worker process start: no runtime yet")


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5)


class _Beat:
    """One thread per pool process: its entry in the worker list, and the running task's message kept invisible."""

    def __init__(self, config: Config):
        w = config.workers
        self.client = _redis(w.broker)
        self.namespace = w.namespace
        self.interval = max(0.5, min(10.0, w.redelivery_seconds / 4))
        self.key = f"{w.namespace}:worker:{HOST}:{os.getpid()}"
        self.index_key = transport_options(config)["unacked_index_key"]
        self.info = {
            "host": HOST,
            "pid": os.getpid(),
            "node": "",
            "job": "",
            "task": "",
            "since": "",
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self.tag: str | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        self.beat()
        threading.Thread(target=self._run, name="monitor-beat", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                self.beat()
            except Exception:  # a missed beat is made up by the next one
                pass

    def beat(self) -> None:
        with self.lock:
            info, tag = dict(self.info), self.tag
        pipe = self.client.pipeline()
        pipe.hset(self.key, mapping={k: str(v) for k, v in info.items()})
        pipe.expire(self.key, int(self.interval * 3) + 2)
        if tag:
            pipe.zadd(self.index_key, {tag: time.time()}, xx=True)  # "still at work on it"
        pipe.execute()

    @contextmanager
    def working(self, job: str, task_id: str, tag: str | None, node: str):
        with self.lock:
            self.info.update(
                job=job, task=task_id, node=node, since=datetime.now(timezone.utc).isoformat(timespec="seconds")
            )
            self.tag = tag
        self.beat()
        try:
            yield
        finally:
            with self.lock:
                self.info.update(job="", task="", since="")
                self.tag = None
            try:
                self.beat()
            except Exception:  # the beat thread says it again within a few seconds
                pass


# ---------------------------------------------------------------- the task


@app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def run_task(self, kind: str, site: str | None = None, accounts: list[str] | None = None) -> str:
    rt = runtime()
    req = self.request
    info = req.delivery_info or {}
    attempt = req.retries + 1
    job = f"{kind}:{site}" if site else kind
    handlers = {
        **jobs.HANDLERS,
        "crawl": _crawl_handler(req.id, bool(info.get("redelivered"))),
        "check": _check_handler,
        "feeds": _feeds_handler(accounts),
    }
    assert STATE.beat is not None
    with rt.store.session() as s:  # an earlier delivery whose process died left its row open: close it
        s.execute(
            update(JobRun)
            .where(JobRun.task_id == req.id, JobRun.finished_at.is_(None))
            .values(
                finished_at=utcnow(),
                ok=False,
                outcome="interrupted",
                error="执行该任务的工作进程中止，任务已交给其他工作进程重做",
            )
        )
    tag = (getattr(req, "properties", None) or {}).get("delivery_tag")  # kombu's key in its unacked index
    with STATE.beat.working(job, req.id, tag, req.hostname or ""):
        res = jobs.run_recorded(rt, kind, site, handlers=handlers, task_id=req.id, attempt=attempt)
    if res.outcome in ("failed", "interrupted") and not res.final:
        w = rt.config.workers
        if attempt < w.max_attempts:
            raise self.retry(countdown=w.retry_seconds, max_retries=None)
        event(
            log,
            "job.given_up",
            f"{jobs.KIND_NAMES.get(kind, kind)}已失败 {attempt} 次，不再重试：{res.error}",
            level=logging.ERROR,
            job=job,
            site=site,
            task=req.id,
        )
    return res.outcome


def site_lock(rt: jobs.Runtime, site: str) -> RedisLock:
    ns = rt.config.workers.namespace
    name = f"crawl:{site}" if ns == "monitor" else f"{ns}:crawl:{site}"
    return RedisLock(rt.config.workers.broker, name, ttl=rt.config.schedule.lock_ttl_seconds)


def _take(lock: RedisLock, *, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while not lock.acquire():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def _task_run(store: Store, task_id: str) -> int | None:
    """The finished crawl an earlier delivery of this task already made, if any."""
    with store.session() as s:
        return s.scalar(
            select(CrawlRun.id)
            .join(JobRun, JobRun.run_id == CrawlRun.id)
            .where(JobRun.task_id == task_id, CrawlRun.status == "finished")
            .order_by(CrawlRun.id.desc())
            .limit(1)
        )


def _tried_before(store: Store, task_id: str) -> bool:
    with store.session() as s:
        return s.scalar(select(JobRun.id).where(JobRun.task_id == task_id).limit(1).offset(1)) is not None


def checked(store: Store, site: str, run_id: int) -> bool:
    with store.session() as s:
        return s.scalar(select(Check.id).where(Check.site == site, Check.run_id == run_id).limit(1)) is not None


def _check_once(rt: jobs.Runtime, site: str) -> int | None:
    """Check the site's newest finished run unless it was checked already (the caller holds the site lock)."""
    from monitor.check.checking import check_site

    run = rt.store.latest_run(site)
    if run is None or checked(rt.store, site, run.id):
        return run.id if run else None
    check_site(rt.store, rt.config, rt.config.site(site), as_of=rt.day())
    return run.id


def _crawl_handler(task_id: str, redelivered: bool):
    def crawl(rt: jobs.Runtime, kind: str, job: str, site: str | None) -> jobs.Outcome:
        assert site is not None
        rt.config.site(site)  # a site no longer in sites.yaml fails here with a clear message
        lock = site_lock(rt, site)
        # a re-delivered or retried task's earlier holder may be dead: wait for its lease to run out
        again = redelivered or _tried_before(rt.store, task_id)
        if not _take(lock, wait=rt.config.schedule.lock_ttl_seconds + 5 if again else 0):
            return jobs.Outcome(
                "skipped", f"已跳过：该网站正被其他进程抓取（锁 {lock.name}，持有者 {lock.holder() or '未知'}）"
            )
        code = 0
        try:
            run_id = _task_run(rt.store, task_id)
            if run_id is None:
                before = jobs._newest_run(rt.store, site)
                code, tail = jobs.run_child(
                    rt,
                    [a.format(site=site) for a in jobs.COMMANDS["crawl"]],
                    job=job,
                    site=site,
                    timeout=rt.config.schedule.crawl_timeout_seconds,
                )
                with rt.store.session() as s:
                    run_id, status = jobs.settle_child_run(s, site, before, code)
                    if run_id is not None:  # a re-delivery of this task finds its crawl here
                        s.execute(
                            update(JobRun)
                            .where(JobRun.task_id == task_id, JobRun.finished_at.is_(None))
                            .values(run_id=run_id)
                        )
                if status == "interrupted":
                    return jobs.Outcome("interrupted", "抓取被中断，重试时从中断处继续", run_id)
                if code not in (0, jobs.EXIT_SITE_DOWN) or status != "finished":
                    return jobs.Outcome("failed", f"抓取失败（退出码 {code}）：{tail}", run_id)
            event(log, "crawl.finished", "抓取完成，开始检查", job=job, site=site, run_id=run_id)
            _check_once(rt, site)
        finally:
            lock.release()
        jobs._notify(rt, job)
        if code == jobs.EXIT_SITE_DOWN:
            return jobs.Outcome("failed", f"首页无法访问（其余页面已抓取并检查）：{tail}", run_id, final=True)
        return jobs.Outcome("ok", None, run_id)

    return crawl


def _check_handler(rt: jobs.Runtime, kind: str, job: str, site: str | None) -> jobs.Outcome:
    """Check a site's newest finished crawl (what `monitor check --site` does), once per run."""
    keys = [site] if site else [s.key for s in rt.config.sites]
    for key in keys:
        lock = site_lock(rt, key)
        if not _take(lock, wait=rt.config.schedule.lock_ttl_seconds + 5):
            return jobs.Outcome("failed", f"网站 {key} 一直被其他进程占用，未能检查")
        try:
            _check_once(rt, key)
        finally:
            lock.release()
    return jobs.Outcome("ok")


def _feeds_handler(accounts: list[str] | None):
    def feeds(rt: jobs.Runtime, kind: str, job: str, site: str | None) -> jobs.Outcome:
        from pathlib import Path

        from monitor.crawl.accounts import store_fetch
        from spiders.feeds import FeedSpider
        from spiders.pace_redis import RedisTurns

        turns = RedisTurns(rt.config.workers.broker, rt.config.workers.namespace)

        class PooledFeedSpider(FeedSpider):
            def _wait(self, url: str, delay: float) -> None:  # the host's delay across the whole pool
                turns.wait(url, delay)

        chosen = [rt.config.account(k) for k in accounts] if accounts else list(rt.config.accounts)
        base_dir = Path(rt.config_path).resolve().parent
        results = []
        with PooledFeedSpider(
            own_hosts=frozenset().union(*(s.scope for s in rt.config.sites))
        ) as spider:  # as monitor.crawl.accounts.fetch_accounts, with the pool's pace
            for account in chosen:
                result = spider.fetch(account, base_dir=base_dir)
                try:
                    results.append(store_fetch(rt.store, account, result))
                except Exception:  # one account's store hiccup never stops the batch
                    log.exception("feeds: storing the fetch of %s failed", account.key)
        failed = [r.account for r in results if r.outcome != "ok"]
        if len(results) < len(chosen):
            return jobs.Outcome("failed", f"{len(chosen) - len(results)} 个账号的抓取结果未能保存")
        # a source that failed is stored as such (the account is 无法核实): trying again now changes nothing
        return jobs.Outcome("ok", f"{len(failed)} 个账号的数据源抓取失败：{'、'.join(failed[:10])}" if failed else None)

    return feeds


# ---------------------------------------------------------------- what `monitor status` shows


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds") if ts else None


def pool_status(config: Config, store: Store) -> dict:
    """Workers (host, pid, current job, since), queue lengths, the oldest waiting job, jobs given up."""
    w = config.workers
    client = _redis(w.broker)
    workers = []
    for key in client.scan_iter(f"{w.namespace}:worker:*", count=500):
        info = {k.decode(): v.decode() for k, v in client.hgetall(key).items()}
        if info:
            workers.append(
                {
                    "host": info.get("host"),
                    "pid": int(info.get("pid") or 0),
                    "node": info.get("node") or None,
                    "job": info.get("job") or None,
                    "since": info.get("since") or None,
                    "started": info.get("started"),
                }
            )
    workers.sort(key=lambda x: (x["host"] or "", x["pid"]))
    queues = []
    for short in QUEUES:
        name = f"{w.namespace}.{short}"
        lists = [name] + [f"{name}{PRIORITY_SEP}{p}" for p in (3, 6, 9)]
        length = sum(client.llen(q) for q in lists)
        oldest = None
        for q in lists:
            raw = client.lindex(q, -1)  # kombu pushes on the left and pops on the right
            if raw is None:
                continue
            try:
                msg = json.loads(raw)
                headers = msg.get("headers") or {}
                at = headers.get("monitor_enqueued_at")
                if oldest is None or (at and at < oldest["at"]):
                    oldest = {
                        "at": at,
                        "task": headers.get("id"),
                        "job": headers.get("monitor_job") or headers.get("argsrepr"),
                        "retries": headers.get("retries") or 0,
                    }
            except (ValueError, TypeError):
                continue
        queues.append(
            {
                "queue": name,
                "name": QUEUE_NAMES[short],
                "waiting": length,
                "oldest_enqueued": _iso(oldest["at"]) if oldest else None,
                "oldest_job": oldest["job"] if oldest else None,
            }
        )
    unacked = client.zcard(transport_options(config)["unacked_index_key"])
    return {
        "workers": workers,
        "queues": queues,
        "running_or_reserved": unacked,
        "given_up": given_up(store, w.max_attempts),
    }


def given_up(store: Store, max_attempts: int, limit: int = 50) -> list[dict]:
    """Pool jobs that failed on their last allowed attempt and have not succeeded since."""
    with store.session() as s:
        rows = s.scalars(
            select(JobRun)
            .where(
                JobRun.task_id.is_not(None),
                JobRun.attempt >= max_attempts,
                JobRun.outcome.in_(("failed", "interrupted")),
            )
            .order_by(JobRun.id.desc())
            .limit(limit)
        ).all()
        out = []
        for r in rows:
            later_ok = s.scalar(
                select(JobRun.id).where(JobRun.job_id == r.job_id, JobRun.id > r.id, JobRun.outcome == "ok").limit(1)
            )
            if later_ok is None:
                out.append(
                    {
                        "job": r.job_id,
                        "kind": r.kind,
                        "site": r.site,
                        "task": r.task_id,
                        "attempts": r.attempt,
                        "failed_at": (r.finished_at or r.started_at).isoformat(),
                        "error": r.error,
                        "host": r.host,
                    }
                )
    return out
