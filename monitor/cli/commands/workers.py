"""The worker pool: `worker` (run jobs from the queue) and `enqueue` (queue a job now); see monitor/ops/workers.py."""

from __future__ import annotations

import os

import click

CHOICES = ("crawl", "check", "probe", "feeds", "recheck", "recheck_requested", "notice", "notify")


def _pool_config(obj):
    from monitor.cli import MonitorError

    config = obj.config()
    if not config.workers.broker:
        raise MonitorError(
            f"{obj.config_path} 没有配置 workers.broker；请填写 Redis 地址，"
            "如 workers: {broker: redis://127.0.0.1:6379/0}",
            exit_code=2,
        )
    return config


def register(group: click.Group) -> None:
    @group.command("worker")
    @click.option(
        "--concurrency",
        type=click.IntRange(1, 256),
        default=None,
        help="同时运行的任务数（每个任务一个进程），默认为本机 CPU 核数",
    )
    @click.option(
        "--queues",
        default="crawl,feeds,jobs",
        show_default=True,
        help="处理哪些队列（逗号分隔）：crawl 网站抓取，feeds 新媒体抓取，jobs 其他任务",
    )
    @click.option(
        "--loglevel",
        type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
        default="INFO",
        show_default=True,
        help="日志级别",
    )
    @click.pass_obj
    def worker_cmd(obj, concurrency, queues, loglevel):
        """启动工作进程：从 workers.broker 的队列取出抓取、检查、新媒体、复核、通报等任务并执行。

        可在多台机器上各启动一个，共用同一个 Redis 和 PostgreSQL。收到 SIGTERM 时等正在执行的任务结束再退出；
        进程意外中止时，未完成的任务在 workers.redelivery_seconds 后交给其他工作进程，抓取从中断处继续。
        """
        from monitor.cli import MonitorError
        from monitor.ops.workers import QUEUES, configure

        config = _pool_config(obj)
        wanted = [q.strip() for q in queues.split(",") if q.strip()]
        bad = [q for q in wanted if q not in QUEUES]
        if bad or not wanted:
            raise MonitorError(
                f"--queues 中的“{'、'.join(bad) or queues}”不是队列名；可选：{','.join(QUEUES)}", exit_code=2
            )
        store = obj.store(config)  # brings the schema up to date once, before the pool processes start
        store.engine.dispose()
        os.environ["MONITOR_CONFIG"] = os.path.abspath(obj.config_path)
        if obj.db_url:
            os.environ["MONITOR_DB"] = obj.db_url
        app = configure(config)
        ns = config.workers.namespace
        argv = [
            "worker",
            f"--queues={','.join(f'{ns}.{q}' for q in wanted)}",
            f"--loglevel={loglevel}",
            f"--hostname={ns}-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ]
        if concurrency:
            argv.append(f"--concurrency={concurrency}")
        app.worker_main(argv)

    @group.command("enqueue")
    @click.argument("kind", type=click.Choice(CHOICES))
    @click.option("--site", "sites", multiple=True, help="网站 key（抓取、检查、探测；可重复），默认全部网站")
    @click.pass_obj
    def enqueue_cmd(obj, kind, sites):
        """现在把一个任务放入队列，由工作进程执行（如 monitor enqueue crawl --site portal）。"""
        from monitor.ops.workers import enqueue

        config = _pool_config(obj)
        per_site = kind in ("crawl", "check", "probe")
        from monitor.cli import MonitorError
        from monitor.config import ConfigError

        try:
            keys = [config.site(k).key for k in sites] if sites else [s.key for s in config.sites]
        except ConfigError as exc:
            raise MonitorError(str(exc), exit_code=2) from exc
        if per_site:
            for key in keys:
                enqueue(config, kind, key)
            click.echo(f"已排队：{len(keys)} 个网站的任务（{kind}）")
        else:
            enqueue(config, kind)
            click.echo(f"已排队：{kind}")
