"""The unattended side: `schedule` (the daemon), `status` (what ran, what failed, what is next), `notify`."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import click
from rich.table import Table
from sqlalchemy import func, inspect, select, text

from monitor.store import JobRun, Store


def _cn(dt: datetime | None) -> str:
    from monitor.timeutil import CHINA

    if dt is None:
        return "—"
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


OUTCOMES = {"ok": "成功", "failed": "失败", "skipped": "已跳过", "interrupted": "中断", "running": "运行中"}


def job_status(store: Store) -> list[dict]:
    """The newest run of every job, with the next run time from the job store."""
    from monitor.ops.jobs import KIND_NAMES

    with store.session() as s:
        newest = select(func.max(JobRun.id)).where(JobRun.finished_at.is_not(None)).group_by(JobRun.job_id)
        last = {r.job_id: r for r in s.scalars(select(JobRun).where(JobRun.id.in_(newest)))}
        running = {
            j: started
            for j, started in s.execute(
                select(JobRun.job_id, func.max(JobRun.started_at))
                .where(JobRun.finished_at.is_(None))
                .group_by(JobRun.job_id)
            )
        }
        next_runs: dict[str, float | None] = {}
        if inspect(store.engine).has_table("apscheduler_jobs"):
            for job_id, ts in s.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")):
                base = job_id[: -len(":resume")] if job_id.endswith(":resume") else job_id
                if ts is not None and (next_runs.get(base) is None or ts < next_runs[base]):
                    next_runs[base] = ts
                else:
                    next_runs.setdefault(base, ts)
    rows = []
    for job_id in sorted(set(last) | set(next_runs) | set(running)):
        r = last.get(job_id)
        kind = job_id.split(":", 1)[0]
        ts = next_runs.get(job_id)
        rows.append(
            {
                "job": job_id,
                "kind": kind,
                "name": KIND_NAMES.get(kind, kind),
                "site": r.site if r else (job_id.split(":", 1)[1] if ":" in job_id else None),
                "started": r.started_at.isoformat() if r else None,
                "finished": r.finished_at.isoformat() if r and r.finished_at else None,
                "outcome": r.outcome if r else None,
                "ok": r.ok if r else None,
                "error": r.error if r else None,
                "duration_s": round((r.finished_at - r.started_at).total_seconds(), 1) if r and r.finished_at else None,
                "run_id": r.run_id if r else None,
                "next_run": datetime.fromtimestamp(ts, timezone.utc).isoformat() if ts else None,
                "scheduled": job_id in next_runs,
                "running_since": running[job_id].isoformat() if job_id in running else None,
            }
        )
    return rows


def recent_failures(store: Store, limit: int = 10) -> list[JobRun]:
    with store.session() as s:
        return s.scalars(
            select(JobRun).where(JobRun.outcome.in_(("failed", "interrupted"))).order_by(JobRun.id.desc()).limit(limit)
        ).all()


def register(group: click.Group) -> None:
    @group.command("schedule")
    @click.option("--log-file", help="日志文件（JSON 行，按大小轮转），默认为配置中的 schedule.log_file")
    @click.pass_obj
    def schedule_cmd(obj, log_file):
        """按配置中的 schedule 定时运行探测、抓取、检查、新媒体更新、复核、月度通报和提醒（守护进程）。

        收到 SIGTERM 或 Ctrl-C 时停止：正在进行的抓取会被中断并记录，下次启动时重新抓取。
        """
        from monitor.cli.app import MonitorError
        from monitor.ops.daemon import Daemon, DaemonRunning
        from monitor.ops.logs import setup_logging

        config = obj.config()
        store = obj.store(config)
        sched = config.schedule
        setup_logging(log_file or sched.log_file, max_bytes=sched.log_max_bytes, backups=sched.log_backups)
        daemon = Daemon(obj.config_path, obj.db_url, config, store, commands=group.commands)
        try:
            code = daemon.run()
        except DaemonRunning as exc:
            raise MonitorError(str(exc), exit_code=2) from exc
        raise SystemExit(code)

    def network_alerts(store) -> list[dict]:
        """Sites whose latest crawl found the local network broken (crawl_runs.network)."""
        from sqlalchemy import func, select

        from monitor.store import CrawlRun

        with store.session() as s:
            latest = select(func.max(CrawlRun.id)).where(CrawlRun.kind == "site").group_by(CrawlRun.site)
            runs = s.scalars(
                select(CrawlRun).where(CrawlRun.id.in_(latest), CrawlRun.network.is_not(None)).order_by(CrawlRun.site)
            ).all()
            return [{"site": r.site, "run_id": r.id, "network": r.network} for r in runs]

    @group.command("status")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.pass_obj
    def status_cmd(obj, fmt):
        """各定时任务的上次运行、结果、耗时和下次运行时间，以及最近的失败原因。"""
        store = obj.store(read_only=True)
        rows = job_status(store)
        fails = recent_failures(store)
        network = network_alerts(store)
        from monitor.cli.commands.pool_status import pool_of

        pool = pool_of(obj, store)
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "jobs": rows,
                        "failures": [
                            {
                                "job": f.job_id,
                                "started": f.started_at.isoformat(),
                                "outcome": f.outcome,
                                "error": f.error,
                                "run_id": f.run_id,
                            }
                            for f in fails
                        ],
                        "network": network,
                        **({"pool": pool} if pool else {}),
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        for n in network:
            click.echo(f"网站 {n['site']} 最近一次抓取（编号 {n['run_id']}）：{n['network']}")
        from monitor.cli.commands.core import console

        t = Table(title="定时任务状态")
        for col in ("任务", "类型", "网站", "上次运行", "结果", "耗时", "抓取编号", "下次运行"):
            t.add_column(col, overflow="fold")
        for r in rows:
            started = _cn(datetime.fromisoformat(r["started"])) if r["started"] else "从未运行"
            took = f"{r['duration_s']:.1f} 秒" if r["duration_s"] is not None else "—"
            nxt = (
                _cn(datetime.fromisoformat(r["next_run"]))
                if r["next_run"]
                else ("已暂停" if r["scheduled"] else "未排期")
            )
            result = OUTCOMES.get(r["outcome"], r["outcome"] or "—")
            if r["running_since"]:
                result += f"（正在运行，{_cn(datetime.fromisoformat(r['running_since']))[11:]} 开始）"
            t.add_row(r["job"], r["name"], r["site"] or "—", started, result, took, str(r["run_id"] or "—"), nxt)
        console().print(t)
        if fails:
            f = Table(title="最近的失败")
            for col in ("任务", "时间", "结果", "原因"):
                f.add_column(col, overflow="fold")
            for x in fails:
                f.add_row(x.job_id, _cn(x.started_at), OUTCOMES.get(x.outcome, x.outcome), x.error or "—")
            console().print(f)
        if pool:
            from monitor.cli.commands.pool_status import print_pool

            print_pool(pool)
        if not rows:
            click.echo("还没有任何定时任务：用 monitor schedule 启动守护进程")

    @group.command("notify")
    @click.pass_obj
    def notify_cmd(obj):
        """现在检查并发送提醒（单项否决问题、网站无法访问、督查通报已印发），每种情况只提醒一次。"""
        from monitor.ops.notify import send_pending

        config = obj.config()
        stats = send_pending(obj.store(config), config, job="cli")
        click.echo(f"提醒：{stats['events']} 项状态变化，发出 {stats['messages']} 条消息，失败 {stats['failed']} 组")
        if stats["failed"]:
            raise SystemExit(1)
