"""`monitor probe`: availability probes of every configured site's home page (W-V1 facts)."""

from __future__ import annotations

import time

import click

from monitor.model import ErrorKind, error_label
from monitor.store import Probe, Store


def _describe(r) -> str:
    flags = f"IPv6 {'有' if r.ipv6 else '无'}，HTTPS {'可用' if r.https else '不可用'}"
    if r.ok:
        return f"可访问（HTTP {r.status}，{r.elapsed_ms} 毫秒；{flags}）"
    why = f"HTTP {r.status}" if r.error_kind == ErrorKind.HTTP else error_label(r.error_kind)
    return f"无法访问（{why}，{r.elapsed_ms} 毫秒；{flags}）"


def run_probes(
    config, store: Store, site_keys: tuple[str, ...] = (), *, times: int = 1, interval: float = 0, say=click.echo
) -> list:
    """Probe the chosen sites ``times`` rounds, ``interval`` seconds apart; every result is stored."""
    from spiders.probe import ProbeTarget, probe_sites

    sites = [config.site(k) for k in site_keys] if site_keys else list(config.sites)
    targets = [ProbeTarget(s.key, s.home, s.limits.probe_timeout_seconds) for s in sites]
    names = {s.key: s.name for s in sites}
    results = []
    for n in range(times):
        if n:
            time.sleep(interval)
        batch = probe_sites(targets)
        store.insert_rows(Probe, [r.row() for r in batch])
        results.extend(batch)
        prefix = f"第 {n + 1}/{times} 轮 " if times > 1 else ""
        for r in batch:
            say(f"{prefix}{names[r.site]}：{_describe(r)}")
    return results


def register(group: click.Group) -> None:
    @group.command("probe")
    @click.option("--site", "site_keys", multiple=True, help="只探测指定 key 的网站（可重复）")
    @click.option("--times", type=click.IntRange(1, 10000), default=1, show_default=True, help="探测轮数")
    @click.option(
        "--interval", type=click.FloatRange(0, 86400), default=60, show_default=True, help="两轮探测之间的间隔（秒）"
    )
    @click.pass_obj
    def probe_cmd(obj, site_keys, times, interval):
        """探测各网站首页能否访问（W-V1 的依据），记录状态码、耗时、IPv6 和 HTTPS 情况。

        每轮对每个网站请求一次首页，超时时间为 limits.probe_timeout_seconds（默认 15 秒）。
        W-V1 需要 7 天内每天至少 20 次探测：可用定时任务每小时运行一次 monitor probe（每天 24 次）。
        """
        from monitor.cli.app import MonitorError
        from monitor.config import ConfigError

        config = obj.config()
        try:
            sites = [config.site(k) for k in site_keys] if site_keys else list(config.sites)
        except ConfigError as exc:
            raise MonitorError(str(exc), exit_code=2) from exc
        if not sites:
            raise MonitorError("配置中没有任何网站（sites 为空），没有可探测的首页", exit_code=2)
        store = obj.store(config)
        results = run_probes(config, store, site_keys, times=times, interval=interval)
        failed = sum(1 for r in results if not r.ok)
        click.echo(f"共探测 {len(results)} 次，成功 {len(results) - failed} 次，失败 {failed} 次；结果已保存")
