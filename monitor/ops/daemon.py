"""`monitor schedule`: the APScheduler daemon that runs the jobs of sites.yaml for months unattended.

Jobs live in a persistent job store in the monitor database (table ``apscheduler_jobs``), so a
restart keeps their next run times and misfired runs within the grace time are run once
(coalesced). Each job runs at most once at a time; a crawl also holds its site's lock. SIGTERM (or
Ctrl-C) stops cleanly: running children get SIGTERM (Scrapy closes, the run is marked interrupted),
the daemon waits for them, and the next start re-runs every interrupted crawl.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from monitor.ops import jobs
from monitor.config import Config, Schedule
from monitor.ops.locks import DbLock
from monitor.ops.logs import event
from monitor.store import CrawlRun, Store

log = logging.getLogger("monitor.daemon")

FUNC = "monitor.ops.jobs:dispatch"
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def make_trigger(spec: str, tz: ZoneInfo, *, stagger_minutes: int = 0):
    """A cron expression or "every N[smhd]"; a cron at a fixed hour:minute is shifted by the stagger."""
    m = re.fullmatch(r"every\s+(\d+)\s*([smhd])", spec.strip())
    if m:
        return IntervalTrigger(**{UNITS[m.group(2)]: int(m.group(1))}, timezone=tz)
    fields = spec.split()
    if stagger_minutes and fields[0].isdigit() and fields[1].isdigit():
        total = int(fields[1]) * 60 + int(fields[0]) + stagger_minutes
        fields[0], fields[1] = str(total % 60), str((total // 60) % 24)
    return CronTrigger.from_crontab(" ".join(fields), timezone=tz)


def _trigger_key(trigger) -> str:
    # repr of a cron trigger names its fields and zone; an interval's repr has a start date, its str does not
    return str(trigger) if isinstance(trigger, IntervalTrigger) else repr(trigger)


def desired_jobs(config: Config, commands: set[str]) -> dict[str, tuple[object, tuple, str]]:
    """job id → (trigger, dispatch args, name) for everything sites.yaml asks for."""
    sched: Schedule = config.schedule
    tz = ZoneInfo(sched.timezone)
    out: dict[str, tuple[object, tuple, str]] = {}
    for i, site in enumerate(config.sites):
        if sched.probe and "probe" in commands:
            out[f"probe:{site.key}"] = (make_trigger(sched.probe, tz), ("probe", site.key), f"{site.name} 可用性探测")
        if sched.crawl:
            out[f"crawl:{site.key}"] = (
                make_trigger(sched.crawl, tz, stagger_minutes=i * sched.crawl_stagger_minutes),
                ("crawl", site.key),
                f"{site.name} 全站抓取",
            )
    for kind in ("feeds", "recheck", "recheck_requested"):
        spec = getattr(sched, kind)
        if spec and jobs.COMMANDS[kind][0] in commands and (kind != "feeds" or config.accounts):
            out[kind] = (make_trigger(spec, tz), (kind,), jobs.KIND_NAMES[kind])
    for kind in ("notice", "notify"):
        spec = getattr(sched, kind)
        if spec:
            out[kind] = (make_trigger(spec, tz), (kind,), jobs.KIND_NAMES[kind])
    return out


def interrupted_sites(store: Store, config: Config) -> list[str]:
    """Sites whose newest crawl did not finish (stopped, or its process killed): to crawl again now."""
    out = []
    with store.session() as s:
        for site in config.sites:
            run = s.scalars(
                select(CrawlRun)
                .where(CrawlRun.site == site.key, CrawlRun.kind == "site")
                .order_by(CrawlRun.id.desc())
                .limit(1)
            ).first()
            if run is not None and run.status in ("interrupted", "running"):
                out.append(site.key)
    return out


class DaemonRunning(Exception):
    """Another daemon holds this database's daemon lock; the message is for the user."""


class Daemon:
    def __init__(
        self,
        config_path: str,
        db_url: str | None,
        config: Config,
        store: Store,
        commands: Iterable[str] = jobs.KNOWN_COMMANDS,
    ):
        self.config, self.store = config, store
        self.rt = jobs.Runtime(config_path, db_url, config, store, commands=frozenset(commands))
        self.stop_event = threading.Event()
        self.scheduler: BackgroundScheduler | None = None
        self.daemon_lock = DbLock(store, "daemon", ttl=max(config.schedule.lock_ttl_seconds, 30))

    def build_scheduler(self) -> BackgroundScheduler:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        sched = self.config.schedule
        workers = min(64, 4 + 2 * len(self.config.sites))
        return BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.store.engine, tablename="apscheduler_jobs")},
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": sched.misfire_grace_seconds},
            timezone=ZoneInfo(sched.timezone),
        )

    def sync_jobs(self) -> dict[str, int]:
        """Make the job store match sites.yaml, keeping unchanged jobs (and their due times) as they are."""
        assert self.scheduler is not None
        want = desired_jobs(self.config, set(self.rt.commands))
        have = {j.id: j for j in self.scheduler.get_jobs()}
        kept = added = removed = 0
        for job_id, (trigger, args, name) in want.items():
            old = have.get(job_id)
            if (
                old is not None
                and old.func_ref == FUNC
                and tuple(old.args) == args
                and _trigger_key(old.trigger) == _trigger_key(trigger)
            ):
                kept += 1
                continue
            self.scheduler.add_job(FUNC, trigger, args=args, id=job_id, name=name, replace_existing=True)
            added += 1
        for job_id in have:
            if job_id not in want and not job_id.endswith(":resume"):
                self.scheduler.remove_job(job_id)
                removed += 1
        # on a worker pool an interrupted crawl's task goes back to the queue by itself (monitor.ops.workers)
        for key in [] if self.config.workers.broker else interrupted_sites(self.store, self.config):
            if f"crawl:{key}" in want:
                self.scheduler.add_job(
                    FUNC,
                    DateTrigger(datetime.now(ZoneInfo(self.config.schedule.timezone))),
                    args=("crawl", key),
                    id=f"crawl:{key}:resume",
                    name=f"{key} 续抓",
                    replace_existing=True,
                    misfire_grace_time=None,
                )
                event(log, "crawl.resume", "上次抓取未完成，立即重新抓取", job=f"crawl:{key}", site=key)
        return {"kept": kept, "added": added, "removed": removed}

    def run(self) -> int:
        if not self.daemon_lock.acquire():
            raise DaemonRunning(
                f"另一个守护进程正在使用这个数据库运行（{self.daemon_lock.holder()}）；"
                "同一数据库只能运行一个 monitor schedule"
            )
        jobs.RUNTIME = self.rt
        try:
            reaped = jobs.reap_abandoned(self.store)
            if reaped:
                event(log, "daemon.reaped", f"{reaped} 个任务因上次进程意外退出而未完成", level=logging.WARNING)
            self.scheduler = self.build_scheduler()
            self.scheduler.start(paused=True)
            counts = self.sync_jobs()
            self.scheduler.resume()
            event(log, "daemon.started", f"守护进程已启动：{len(self.scheduler.get_jobs())} 个任务", **counts)
            self._install_signals()
            while not self.stop_event.wait(1.0):
                pass
            self._shutdown()
        finally:
            jobs.RUNTIME = None
            self.daemon_lock.release()
        event(log, "daemon.stopped", "守护进程已停止")
        return 0

    def _install_signals(self) -> None:
        def on_signal(signum, _frame):
            event(log, "daemon.stopping", f"收到 {signal.Signals(signum).name}，正在停止", signal=signum)
            self.stop_event.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def _shutdown(self) -> None:
        assert self.scheduler is not None
        self.rt.stopping.set()
        self.scheduler.pause()
        self.rt.stop_children(signal.SIGTERM)
        done = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, daemon=True)
        done.start()
        done.join(self.config.schedule.stop_timeout_seconds)
        if done.is_alive():
            event(log, "daemon.kill", "等待超时，强制结束子进程", level=logging.WARNING)
            self.rt.stop_children(signal.SIGKILL)
            done.join(10)
