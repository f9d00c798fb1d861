"""The worker pool's part of `monitor status`: workers, queues, the oldest waiting job, jobs given up."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table


def pool_of(obj, store) -> dict | None:
    """The pool's state when sites.yaml names a broker; an unreachable broker is said, not raised."""
    from monitor.cli import MonitorError

    try:
        config = obj.config()
    except MonitorError:
        return None  # status of a bare database (--db only): no pool to show
    if not config.workers.broker:
        return None
    from monitor.ops.workers import pool_status

    try:
        return pool_status(config, store)
    except Exception as exc:  # the job history above is still worth showing
        return {"error": f"无法连接任务队列 {config.workers.broker}：{exc}"}


def _cn(iso: str | None) -> str:
    from monitor.cli.commands.daemon import _cn as cn

    return cn(datetime.fromisoformat(iso)) if iso else "—"


def _job(job: str | None) -> str:
    from monitor.ops.jobs import KIND_NAMES

    if not job:
        return "—"
    kind, _, site = job.partition(":")
    return f"{KIND_NAMES.get(kind, kind)}{' ' + site if site else ''}（{job}）"


def print_pool(pool: dict) -> None:
    from monitor.cli.commands.core import console

    out = console()
    if "error" in pool:
        out.print(f"[red]{pool['error']}[/red]")
        return
    t = Table(title=f"工作进程（{len(pool['workers'])} 个）")
    for col in ("主机", "进程", "当前任务", "开始时间", "工作进程名"):
        t.add_column(col, overflow="fold")
    for w in pool["workers"]:
        t.add_row(
            w["host"] or "—",
            str(w["pid"]),
            _job(w["job"]) if w["job"] else "空闲",
            _cn(w["since"]) if w["job"] else "—",
            w["node"] or "—",
        )
    out.print(t)
    if not pool["workers"]:
        out.print("没有正在运行的工作进程：在各台机器上用 monitor worker 启动")
    q = Table(title=f"任务队列（正在执行或已取走 {pool['running_or_reserved']} 个）")
    for col in ("队列", "用途", "等待中", "最早排队", "最早的任务"):
        q.add_column(col, overflow="fold")
    for x in pool["queues"]:
        q.add_row(x["queue"], x["name"], str(x["waiting"]), _cn(x["oldest_enqueued"]), _job(x["oldest_job"]))
    out.print(q)
    if pool["given_up"]:
        g = Table(title="多次失败、已停止重试的任务（修复后可用 monitor enqueue 重新排队）")
        for col in ("任务", "失败次数", "最后失败", "主机", "原因"):
            g.add_column(col, overflow="fold")
        for x in pool["given_up"]:
            g.add_row(x["job"], str(x["attempts"]), _cn(x["failed_at"]), x["host"] or "—", x["error"] or "—")
        out.print(g)
