"""New media: `monitor feeds` (fetch the accounts' sources) and `monitor stats` (publication counts)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

EXIT_SOURCE_FAILED = 3


def run_feeds(
    config,
    store,
    account_keys: tuple[str, ...] = (),
    *,
    base_dir: Path | None = None,
    say=lambda m: click.echo(m, err=True),
) -> list:
    """Fetch the chosen accounts; returns their summaries. Shared by `feeds`, `demo` and the daemon."""
    from monitor.crawl.accounts import fetch_accounts
    from monitor.cli.commands.core import _cli

    try:
        accounts = [config.account(k) for k in account_keys] if account_keys else list(config.accounts)
    except Exception as exc:
        raise _cli()(str(exc), exit_code=2) from exc
    if not accounts:
        raise _cli()("配置中没有任何新媒体账号（accounts 为空），没有可抓取的内容", exit_code=2)
    from monitor.cli.progress import progress

    say(f"开始抓取 {len(accounts)} 个新媒体账号：" + "、".join(a.name for a in accounts))
    with progress("抓取新媒体账号", total=len(accounts), say=say) as p:

        def each(message: str) -> None:  # one message per account fetched
            p.advance(extra=message.strip().split("：", 1)[0])
            p.note(message)

        return fetch_accounts(config, store, accounts=accounts, base_dir=base_dir, progress=each)


def register(group: click.Group) -> None:
    @group.command("feeds")
    @click.option("--account", "account_keys", multiple=True, help="只抓取指定 key 的账号（可重复）")
    @click.pass_obj
    def feeds_cmd(obj, account_keys):
        """抓取政务新媒体账号（RSS/Atom、微博接口或导出文件），记录发布内容和抓取结果。

        数据源失败（HTTP 错误、ok=0、内容无法解析、被拦截）时记录原因，该账号在检查中为“无法核实”，
        不判为不更新；有账号失败时退出码为 3，其他账号照常抓取。
        """
        from monitor.cli.commands.core import _cli, console
        from monitor.model import FETCH_OUTCOMES

        config = obj.config()
        store = obj.store(config)
        results = run_feeds(config, store, account_keys, base_dir=Path(obj.config_path).resolve().parent)
        t = Table(title="新媒体账号抓取结果")
        for col in ("账号", "平台", "结果", "发布数", "新增", "最新发布", "说明"):
            t.add_column(col, overflow="fold")
        for r in results:
            a = config.account(r.account)
            t.add_row(
                a.name,
                a.platform_name,
                FETCH_OUTCOMES.get(r.outcome, r.outcome),
                str(r.posts),
                str(r.new_posts),
                f"{r.newest:%Y-%m-%d %H:%M}" if r.newest else "—",
                r.detail,
            )
        console().print(t)
        failed = [r for r in results if r.outcome != "ok"]
        if failed:
            names = "、".join(
                f"{config.account(r.account).name}（{FETCH_OUTCOMES.get(r.outcome, r.outcome)}）" for r in failed
            )
            raise _cli()(
                f"以下账号的数据源抓取失败：{names}。这些账号将标记为“无法核实”，不判为不更新；"
                "请检查订阅地址、Cookie 或导出文件",
                exit_code=EXIT_SOURCE_FAILED,
            )

    @group.command("stats")
    @click.option("--year", required=True, type=click.IntRange(2000, 2100), help="统计年份，如 2026")
    @click.option("--month", type=click.IntRange(1, 12), help="只统计该年的某个月")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式"
    )
    @click.pass_obj
    def stats_cmd(obj, year, month, fmt):
        """统计某年（或某月）网站各栏目与新媒体账号发布的信息条数，供年度报告填写。

        网站条数取每个网站最近一次完成的抓取中各栏目列出的信息（按网址去重、按发布日期计入）；
        新媒体条数取已抓取的发布内容（按北京时间发布日期计入）。
        """
        from monitor.cli.commands.core import console
        from monitor.notices.stats import period_bounds, publication_counts

        config = obj.config()
        store = obj.store(config, read_only=True)
        start, end = period_bounds(year, month)
        c = publication_counts(store, config, start=start, end=end)
        period = f"{year}年{month}月" if month else f"{year}年"
        if fmt == "json":
            click.echo(json.dumps(c.as_dict(), ensure_ascii=False, indent=2))
            return
        con = console()
        t = Table(title=f"{period}政府网站各栏目发布信息条数")
        for col in ("网站", "栏目", "条数"):
            t.add_column(col, overflow="fold")
        for row in c.columns:
            t.add_row(row["site_name"], row["column"], str(row["items"]))
        for s in c.sites:
            t.add_row(s["site_name"], "合计（按网址去重）" if s["crawled"] else "合计（尚未抓取）", str(s["items"]))
        con.print(t)
        t = Table(title=f"{period}政务新媒体发布信息条数")
        for col in ("单位", "平台", "账号", "条数"):
            t.add_column(col, overflow="fold")
        for a in c.accounts:
            t.add_row(a["unit"], a["platform"], a["name"], str(a["items"]) if a["fetched"] else "0（尚未抓取）")
        con.print(t)
        t = Table(title=f"{period}各单位发布信息条数")
        for col in ("单位", "政府网站", "政务新媒体"):
            t.add_column(col, overflow="fold")
        for u in c.units:
            t.add_row(u["unit"], str(u["site_items"]), str(u["account_items"]))
        con.print(t)
        click.echo(f"{period}通过政府网站发布政府信息{c.site_total}条、政务新媒体发布政府信息{c.account_total}条。")
