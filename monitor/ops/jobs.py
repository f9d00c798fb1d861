"""Scheduled jobs: each is what a CLI command does, run by the daemon and recorded in ``job_runs``.

Crawls run ``monitor crawl --site KEY`` in a child process (Scrapy's reactor runs once per process)
under the site's lock, then the site is checked in-process (the function ``monitor check`` calls) and
notifications go out. Jobs whose command lives in another module (probe, feeds, recheck) are run by
command name through the same child-process runner, so the daemon schedules whatever the CLI offers.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import select, update

from monitor.config import Config
from monitor.ops.locks import HOST, make_lock
from monitor.ops.logs import event
from monitor.store import CrawlRun, JobRun, Store, utcnow

log = logging.getLogger("monitor.ops.jobs")

ROOT = Path(__file__).resolve().parents[2]

# Child-process commands by job kind; "{site}" is replaced by the site key. Adjust here when a
# command's interface changes: nothing else in the daemon knows these arguments.
COMMANDS: dict[str, list[str]] = {
    "crawl": ["crawl", "--site", "{site}"],
    "probe": ["probe", "--site", "{site}"],
    "feeds": ["feeds"],
    "recheck": ["recheck"],
    "recheck_requested": ["recheck", "--requested"],
}

KIND_NAMES = {
    "crawl": "全站抓取",
    "probe": "可用性探测",
    "feeds": "新媒体更新",
    "recheck": "整改复核",
    "recheck_requested": "已提交整改复查",
    "check": "网站检查",
    "notice": "月度督查通报",
    "notify": "发送提醒",
}

# The command line's commands, as the daemon's owner (`monitor schedule`) passes them: a job whose command
# this build lacks is skipped. Without that list every command named above is taken to exist.
KNOWN_COMMANDS = frozenset(args[0] for args in COMMANDS.values())

EXIT_SITE_DOWN = 3  # monitor crawl: the home page could not be fetched, the rest was crawled


@dataclass
class Outcome:
    outcome: str  # ok | failed | skipped | interrupted
    error: str | None = None
    run_id: int | None = None
    final: bool = False  # a failure that trying again would not change (the worker pool does not retry it)


@dataclass
class Runtime:
    """What jobs need from the daemon that runs them."""

    config_path: str
    db_url: str | None
    config: Config
    store: Store
    stopping: threading.Event = field(default_factory=threading.Event)
    children: dict[int, subprocess.Popen] = field(default_factory=dict)
    children_lock: threading.Lock = field(default_factory=threading.Lock)
    today: Callable[[], date] | None = None
    commands: frozenset[str] = KNOWN_COMMANDS

    def day(self) -> date:
        from monitor.timeutil import today_cn

        return self.today() if self.today else today_cn()

    def stop_children(self, sig: int = signal.SIGTERM) -> None:
        with self.children_lock:
            procs = list(self.children.values())
        for p in procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, sig)
                except ProcessLookupError:
                    pass


RUNTIME: Runtime | None = None


# ---------------------------------------------------------------- the one entry point the job store references


def dispatch(kind: str, site: str | None = None) -> str:
    """Run one job and record it. Referenced by the job store as ``monitor.ops.jobs:dispatch``."""
    rt = RUNTIME
    if rt is None:  # pragma: no cover - only the daemon schedules jobs
        raise RuntimeError("monitor.ops.jobs.RUNTIME is not set: jobs run inside `monitor schedule`")
    if rt.config.workers.broker:  # a worker pool runs it (monitor worker); the daemon only queues it
        from monitor.ops.workers import enqueue

        return enqueue(rt.config, kind, site)
    return run_job(rt, kind, site)


def run_job(rt: Runtime, kind: str, site: str | None = None) -> str:
    return run_recorded(rt, kind, site).outcome


def run_recorded(
    rt: Runtime,
    kind: str,
    site: str | None = None,
    *,
    handlers: dict | None = None,
    task_id: str | None = None,
    attempt: int | None = None,
) -> Outcome:
    """Run one job and record it in ``job_runs``; the pool (monitor.ops.workers) passes its handlers and task."""
    job_id = f"{kind}:{site}" if site else kind
    if rt.stopping.is_set():
        return Outcome("skipped")
    with rt.store.session() as s:
        row = JobRun(
            job_id=job_id,
            kind=kind,
            site=site,
            started_at=utcnow(),
            outcome="running",
            host=HOST,
            pid=os.getpid(),
            task_id=task_id,
            attempt=attempt,
        )
        s.add(row)
        s.flush()
        row_id = row.id
    event(log, "job.started", f"{KIND_NAMES.get(kind, kind)}开始", job=job_id, site=site)
    try:
        handler = (handlers or HANDLERS).get(kind, _run_command)
        res = handler(rt, kind, job_id, site)
    except Exception as exc:  # one failed job never stops the daemon
        log.exception("job failed", extra={"event": "job.error", "job": job_id, "site": site, "run_id": None})
        res = Outcome("failed", f"{type(exc).__name__}: {exc}")
    with rt.store.session() as s:
        s.execute(
            update(JobRun)
            .where(JobRun.id == row_id)
            .values(
                finished_at=utcnow(), ok=res.outcome == "ok", outcome=res.outcome, error=res.error, run_id=res.run_id
            )
        )
    level = logging.INFO if res.outcome in ("ok", "skipped") else logging.WARNING
    event(
        log,
        f"job.{res.outcome}",
        res.error or f"{KIND_NAMES.get(kind, kind)}完成",
        level=level,
        job=job_id,
        site=site,
        run_id=res.run_id,
    )
    return res


# ---------------------------------------------------------------- child processes


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: a killed daemon's crawl stops cleanly, not orphaned
    except Exception:  # not Linux: the lock's child pid still protects the site
        pass


def child_argv(rt: Runtime, args: list[str]) -> list[str]:
    argv = [sys.executable, "-m", "monitor", "-c", rt.config_path]
    if rt.db_url:
        argv += ["--db", rt.db_url]
    return argv + args


def run_child(
    rt: Runtime,
    args: list[str],
    *,
    job: str,
    site: str | None,
    timeout: float,
    on_start: Callable[[int], None] | None = None,
    env_extra: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Run ``monitor <args>``; returns (exit code, the tail of its output). SIGTERMed when the daemon stops."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **(env_extra or {}),
    }
    proc = subprocess.Popen(
        child_argv(rt, args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    with rt.children_lock:
        rt.children[proc.pid] = proc
    event(log, "child.started", " ".join(["monitor", *args]), job=job, site=site, pid=proc.pid)
    if on_start:
        on_start(proc.pid)
    try:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            event(
                log, "child.timeout", f"运行超过 {timeout:.0f} 秒，正在停止", level=logging.WARNING, job=job, site=site
            )
            proc.terminate()
            try:
                out, _ = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
    finally:
        with rt.children_lock:
            rt.children.pop(proc.pid, None)
    tail = "\n".join((out or "").strip().splitlines()[-5:])
    return proc.returncode, tail


def _command_missing(rt: Runtime, kind: str) -> Outcome | None:
    name = COMMANDS.get(kind, [kind])[0]
    if name not in rt.commands:
        return Outcome("skipped", f"命令 monitor {name} 尚不可用（此版本未包含），任务未执行")
    return None


def _run_command(rt: Runtime, kind: str, job: str, site: str | None) -> Outcome:
    missing = _command_missing(rt, kind)
    if missing:
        return missing
    args = [a.format(site=site or "") for a in COMMANDS.get(kind, [kind])]
    code, tail = run_child(rt, args, job=job, site=site, timeout=rt.config.schedule.crawl_timeout_seconds)
    if rt.stopping.is_set() and code != 0:
        return Outcome("interrupted", "守护进程停止，任务已中断")
    if kind == "probe":
        _notify(rt, job)
    return Outcome("ok") if code == 0 else Outcome("failed", f"monitor {' '.join(args)} 退出码 {code}：{tail}")


# ---------------------------------------------------------------- crawl, notice, notify


def _newest_run(store: Store, site: str) -> int:
    """The crawl about to start writes into a run with a larger id than this: the newest run's id when it
    finished, else the id before it (an unfinished run is resumed by the next crawl, see monitor.crawl.resume)."""
    with store.session() as s:
        row = s.execute(
            select(CrawlRun.id, CrawlRun.status)
            .where(CrawlRun.site == site, CrawlRun.kind == "site")
            .order_by(CrawlRun.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return 0
        return row.id if row.status == "finished" else row.id - 1


def settle_child_run(s, site: str, before: int, code: int) -> tuple[int | None, str | None]:
    """The run a crawl child made for ``site`` (the newest after run ``before``) and its status; a run the child
    left "running" (it died without closing it) is closed as interrupted, so the next crawl resumes it."""
    run = s.scalars(
        select(CrawlRun).where(CrawlRun.site == site, CrawlRun.id > before).order_by(CrawlRun.id.desc()).limit(1)
    ).first()
    if run is None:
        return None, None
    if run.status == "running":
        s.execute(
            update(CrawlRun)
            .where(CrawlRun.id == run.id)
            .values(status="interrupted", finished_at=utcnow(), error=f"exit {code}")
        )
        return run.id, "interrupted"
    return run.id, run.status


def _crawl(rt: Runtime, kind: str, job: str, site: str | None) -> Outcome:
    assert site is not None
    lock = make_lock(rt.config, rt.store, f"crawl:{site}")
    if not lock.acquire():
        return Outcome(
            "skipped", f"已跳过：该网站正被其他进程抓取（锁 crawl:{site}，持有者 {lock.holder() or '未知'}）"
        )
    try:
        before = _newest_run(rt.store, site)
        from monitor.ops.locks import HELD_LOCK_ENV

        # the child's `monitor crawl` takes the same lock: it finds it held for it and goes on
        code, tail = run_child(
            rt,
            [a.format(site=site) for a in COMMANDS["crawl"]],
            job=job,
            site=site,
            timeout=rt.config.schedule.crawl_timeout_seconds,
            on_start=lock.set_child,
            env_extra={HELD_LOCK_ENV: f"{lock.name}\t{lock.owner}"},
        )
        with rt.store.session() as s:
            run_id, status = settle_child_run(s, site, before, code)
        if status == "interrupted" or (rt.stopping.is_set() and status != "finished"):
            return Outcome("interrupted", "抓取被中断（守护进程停止或子进程被终止），下次启动时会重新抓取", run_id)
        if code not in (0, EXIT_SITE_DOWN) or status != "finished":
            return Outcome("failed", f"抓取失败（退出码 {code}）：{tail}", run_id)
    finally:
        lock.release()
    from monitor.check.checking import check_sites

    event(log, "crawl.finished", f"抓取完成（退出码 {code}），开始检查", job=job, site=site, run_id=run_id)
    check_sites(rt.store, rt.config, as_of=rt.day(), sites=[rt.config.site(site)])
    _notify(rt, job)
    if code == EXIT_SITE_DOWN:
        return Outcome("failed", f"首页无法访问（其余页面已抓取并检查）：{tail}", run_id, final=True)
    return Outcome("ok", None, run_id)


def previous_month(day: date) -> str:
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"


def _notice(rt: Runtime, kind: str, job: str, site: str | None) -> Outcome:
    """What `monitor report --month <last month>` does: a draft (征求意见稿) for an auditor to proofread.

    Issuing stays a person's act (`monitor report --month … --issue`): a schedule never moves findings to
    已通报 nor sets deadlines on its own."""
    from monitor.notices.notice import build_notice, issued_notices, month_bounds
    from reports.notice import write_notice

    today = rt.day()
    month = previous_month(today)
    _, last = month_bounds(month)
    view = build_notice(rt.store, rt.config, month=month, as_of=min(today, last))
    paths = write_notice(view, rt.config.storage.notices_dir, ("html", "docx"))
    issued = (
        "（该月已印发，此稿仅供对照）"
        if issued_notices(rt.store, month)
        else f"；校对后用 monitor report --month {month} --issue 印发"
    )
    event(log, "notice.drafted", f"督查通报征求意见稿已生成：{paths[0]}{issued}", job=job, path=str(paths[0]))
    _notify(rt, job)
    return Outcome("ok")


def _notify(rt: Runtime, job: str) -> str | None:
    """Send what changed; a failure is logged and retried by the next run, never fails the caller's job."""
    from monitor.ops.notify import send_pending

    try:
        stats = send_pending(rt.store, rt.config, job=job)
    except Exception as exc:
        log.exception("notify failed", extra={"event": "notify.error", "job": job, "site": None, "run_id": None})
        return f"发送提醒出错：{exc}"
    return f"{stats['failed']} 组提醒发送失败，下次再试" if stats["failed"] else None


def _notify_job(rt: Runtime, kind: str, job: str, site: str | None) -> Outcome:
    err = _notify(rt, job)
    return Outcome("failed", err) if err else Outcome("ok")


HANDLERS = {"crawl": _crawl, "notice": _notice, "notify": _notify_job}


def reap_abandoned(store: Store) -> int:
    """Job runs left 'running' by a daemon on this host that is gone (SIGKILL, power cut): say so."""
    from monitor.ops.locks import pid_alive

    with store.session() as s:
        rows = s.scalars(select(JobRun).where(JobRun.finished_at.is_(None), JobRun.host == HOST)).all()
        dead = [r for r in rows if r.pid != os.getpid() and not pid_alive(r.pid)]
        for r in dead:
            r.finished_at, r.ok, r.outcome = utcnow(), False, "interrupted"
            r.error = f"守护进程（进程 {r.pid}）意外退出，任务未完成；已安排重新运行"
        return len(dead)
