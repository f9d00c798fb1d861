"""The main job: crawl, check, report, findings, rules."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from datetime import date

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from monitor.config import Config, adhoc_config
from monitor.model import cell_safe
from monitor.model import FindingStatus
from monitor.store import Finding, Store

EXIT_SITE_DOWN = 3


def console() -> Console:
    from monitor.cli.termtext import SafeConsole

    # crawled text is printed: no Rich markup, control characters escaped (monitor.cli.termtext)
    return SafeConsole(highlight=False, soft_wrap=True)


def _cli():
    from monitor.cli.app import MonitorError

    return MonitorError


def _as_of(text: str | None) -> date:
    from monitor.timeutil import parse_day

    try:
        return parse_day(text)
    except ValueError as exc:
        raise _cli()(str(exc), exit_code=2) from exc


def run_crawl(
    config: Config,
    store: Store,
    site_keys: tuple[str, ...] = (),
    *,
    today: date,
    say=lambda m: click.echo(m, err=True),
    full: bool = False,
) -> list:
    """Crawl the chosen sites; returns their results. Shared by `crawl`, `demo` and the daemon.

    ``full``: every URL is requested again (no leaf carried over by the revisit policy)."""
    from monitor.crawl.runner import crawl_sites

    try:
        sites = [config.site(k) for k in site_keys] if site_keys else list(config.sites)
    except Exception as exc:
        raise _cli()(str(exc), exit_code=2) from exc
    if not sites:
        raise _cli()("配置中没有任何网站（sites 为空），没有可抓取的内容", exit_code=2)
    from monitor.cli.progress import CrawlProgress

    say(f"开始抓取 {len(sites)} 个网站：" + "、".join(s.name for s in sites))
    with CrawlProgress(say) as reporter:
        results = crawl_sites(config, store, sites=sites, today=today, progress=reporter, full=full)
    for r in results:
        site = config.site(r.site)
        state = {"finished": "完成", "interrupted": "中断", "running": "未完成", "failed": "失败"}.get(
            r.status, r.status
        )
        if r.status != "finished" and r.error:
            state += f"（{r.error}）"
        x = r.extra
        carried = x.get("carried", 0)
        unchanged = ""
        if r.reused - carried:
            light = x.get("revalidated", 0)
            unchanged = f"，其中 {r.reused - carried} 个未变化、沿用上次结果" + (
                f"（{light} 个经轻量复核）" if light else ""
            )
        say(
            f"  {site.name}：{state}，{r.pages} 个地址{unchanged}"
            + (f"；首页无法访问：{r.home_error}" if r.home_error else "")
        )
        if "revisit_days" in x:
            say("    " + revisit_line(r.pages, x))
        if "max_requests" in x:
            say(
                f"    请求 {x['requests']} 次（上限 {x['max_requests']}）；外部链接检查 {x['external_checks']} 个"
                f"（每次上限 {x['max_external_checks']}，每页上限 {x['max_external_per_page']}）"
                + (f"；因达到上限未检查 {x['not_checked']} 个地址" if x["not_checked"] else "")
                + (f"；{x['blocked']} 个地址指向本机或内网、不在本网站范围内，未访问" if x["blocked"] else "")
            )
        if r.network:
            say(f"  {site.name}：{r.network}")
    return results


def revisit_line(pages: int, x: dict) -> str:
    """The revisit policy's part of the crawl summary: verified, carried over, when the next is due."""
    from datetime import timezone

    from monitor.timeutil import CHINA

    days, carried, due = x["revisit_days"], x["carried"], x.get("next_due")
    when = due.replace(tzinfo=timezone.utc).astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if due else ""
    if not days:
        return f"本次复核全部 {pages} 个地址（revisit_days 为 0：每次抓取都重新请求全部地址）"
    if carried:
        return (
            f"本次复核 {pages - carried} 个地址（首页、栏目列表页、有未整改问题的、失效的和新出现的地址每次都复核，"
            f"其余轮流复核），{carried} 个未到复核时间、沿用上次结果未重新请求；每个地址至少每 {days} 天复核一次，"
            f"最早的一个须在 {when} 前复核"
        )
    how = "首次抓取或完整抓取" if x.get("full") else "均已到复核时间"
    return f"本次复核全部 {pages} 个地址（{how}）；以后的抓取按每 {days} 天轮流复核，最早的一个须在 {when} 前复核"


@contextmanager
def crawl_locks(config: Config, store: Store, sites: list, *, say=lambda m: click.echo(m, err=True)):
    """Take each site's crawl lock, the one the scheduler takes; yields the sites this process may crawl.

    A site another process is crawling is skipped with a message (crawling it twice doubles the load on
    the site and races on its run). The scheduler's own child finds the lock held for it and goes on."""
    from monitor.ops.locks import HELD_LOCK_ENV, make_lock

    name_held, _, owner_held = os.environ.get(HELD_LOCK_ENV, "").partition("\t")
    taken, free, busy = [], [], []
    try:
        for site in sites:
            name = f"crawl:{site.key}"
            lock = make_lock(config, store, name)
            if name == name_held and owner_held and lock.holder() == owner_held:
                free.append(site)
            elif lock.acquire():
                taken.append(lock)
                free.append(site)
            else:
                busy.append((site, lock.holder()))
        for site, holder in busy:
            say(
                f"网站“{site.name}”正在被另一个抓取进程抓取（{holder or '持有者未知'}），本次跳过，以免重复抓取"
                "加重网站负担；请等那次抓取结束后再试"
            )
        yield free, busy
    finally:
        for lock in taken:
            try:
                lock.release()
            except Exception:  # the lease expires on its own
                pass


def findings_table(rows: list[dict], title: str) -> Table:
    t = Table(title=title, show_lines=False)
    for col in ("编号", "规则", "严重程度", "网站", "状态", "对象", "说明"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), r["rule"], r["severity"], r["site"], r["status"], r["subject"][:60], r["evidence"][:80])
    return t


def export_rows(
    store: Store,
    *,
    status: str = "open",
    site: str | None = None,
    rule: str | None = None,
    unit: str | None = None,
    verdict: str | None = "finding",
) -> list[dict]:
    """The findings export: stable field names, documented in README (rule, severity, site, unit, url, …)."""
    q = select(Finding).order_by(Finding.id)
    if site:
        q = q.where(Finding.site == site)
    if rule:
        q = q.where(Finding.rule == rule)
    if unit:
        q = q.where(Finding.unit == unit)
    if verdict:
        q = q.where(Finding.verdict == verdict)
    with store.session() as s:
        rows = s.scalars(q).all()
    if status == "open":
        rows = [f for f in rows if FindingStatus(f.status).is_open]
    elif status != "all":
        rows = [f for f in rows if f.status == status]
    return [
        {
            "id": f.id,
            "rule": f.rule,
            "severity": f.severity,
            "site": f.site,
            "unit": f.unit,
            "url": f.url,
            "source_url": f.source_url,
            "subject": f.subject,
            "evidence": f.evidence,
            "facts": f.facts,
            "first_seen": f.first_seen.isoformat(),
            "last_seen": f.last_seen.isoformat(),
            "status": f.status,
            "verdict": f.verdict,
            "deadline": f.deadline.isoformat() if f.deadline else None,
        }
        for f in rows
    ]


def _print_account_checks(config: Config, results: list, today: date) -> None:
    t = Table(title=f"新媒体账号检查结果（截至 {today:%Y-%m-%d}）")
    for col in ("账号", "平台", "问题", "新发现", "已整改", "重新出现", "无法核实"):
        t.add_column(col)
    for r in results:
        a = config.account(r.site)
        if not r.fetched:
            t.add_row(a.name, a.platform_name, "尚未抓取", "", "", "", "")
        else:
            t.add_row(
                a.name, a.platform_name, str(r.findings), str(r.new), str(r.fixed), str(r.reopened), str(r.unverified)
            )
    console().print(t)


def register(group: click.Group) -> None:
    @group.command("crawl")
    @click.option("--site", "site_keys", multiple=True, help="只抓取指定 key 的网站（可重复）")
    @click.option("--url", help="临时检查一个网址：不需要配置文件，使用默认规则和阈值，抓取后直接检查")
    @click.option("--as-of", "as_of", help="按哪一天判断（YYYY-MM-DD），默认今天（北京时间）")
    @click.option(
        "--delay", type=click.FloatRange(0, 60), help="与 --url 一起用：同一主机两次请求的间隔（秒），默认 0.5"
    )
    @click.option("--max-pages", type=click.IntRange(1), help="与 --url 一起用：最多抓取的页面数，默认 2000")
    @click.option(
        "--allow-private-network",
        is_flag=True,
        help="与 --url 一起用：允许访问本机和内网的其他地址（同 sites.yaml 的 limits.allow_private_network，仅用于本机测试）",
    )
    @click.option(
        "--full",
        is_flag=True,
        help="完整抓取：重新请求全部页面和链接，不沿用上次的结果（默认按 limits.revisit_days 轮流复核未变化的"
        "文章页、附件和外部链接）",
    )
    @click.pass_obj
    def crawl_cmd(obj, site_keys, url, as_of, delay, max_pages, allow_private_network, full):
        """抓取网站，记录页面、链接和栏目信息。

        用 --url 可不带配置文件临时检查一个网站：抓取后按默认规则检查并列出问题，
        有问题时退出码为 1，首页无法访问时为 3。
        """
        from monitor.check.checking import check_sites

        today = _as_of(as_of)
        if url:
            try:
                config = adhoc_config(
                    url,
                    db_url=obj.db_url,
                    delay=delay,
                    max_pages=max_pages,
                    allow_private_network=allow_private_network,
                )
            except Exception as exc:
                raise _cli()(str(exc), exit_code=2) from exc
        else:
            config = obj.config()
        store = obj.store(config)
        try:
            wanted = [config.site(k) for k in site_keys] if site_keys else list(config.sites)
        except Exception as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        with crawl_locks(config, store, wanted) as (free, busy):
            if busy and not free:
                names = "、".join(s.name for s, _ in busy)
                raise _cli()(f"另一个抓取正在进行（{names}），本次未抓取；请等其结束后再试", exit_code=2)
            results = run_crawl(config, store, tuple(s.key for s in free), today=today, full=full)
        down = [r for r in results if r.home_error]
        unfinished = [r for r in results if r.status != "finished"]
        rows = []
        if url and unfinished:
            # its facts are incomplete: judging them would report what is merely missing (and move states)
            click.echo(
                f"{url} 的抓取未完成（{unfinished[0].error or unfinished[0].status}），未做检查；"
                "再次运行同一命令会接着抓取",
                err=True,
            )
        elif url:
            check_sites(store, config, as_of=today)
            rows = export_rows(store, status="open", site=config.sites[0].key)
            click.echo(f"{url} 检查结果：{len(rows)} 个问题")
            for r in rows:  # one line each, URL whole, so the output can be grepped like a link checker's
                click.echo(f"[{r['rule']} {r['severity']}] {r['url']}\n    {r['evidence']}")
        if down:
            names = "、".join(f"{config.site(r.site).name}（{r.home_error}）" for r in down)
            raise _cli()(
                f"以下网站首页无法访问：{names}。其他网站已正常抓取；请确认网址是否正确、网站是否在线",
                exit_code=EXIT_SITE_DOWN,
            )
        if unfinished:
            names = "、".join(config.site(r.site).name for r in unfinished)
            raise _cli()(f"以下网站的抓取未完成：{names}；已抓取的内容已保存，再次运行 crawl 会接着抓取", exit_code=2)
        if busy:
            names = "、".join(s.name for s, _ in busy)
            raise _cli()(f"以下网站正被另一个抓取进程抓取，本次未抓取：{names}", exit_code=2)
        if rows:
            sys.exit(1)

    @group.command("check")
    @click.option("--site", "site_keys", multiple=True, help="只检查指定 key 的网站（可重复）")
    @click.option("--account", "account_keys", multiple=True, help="只检查指定 key 的新媒体账号（可重复）")
    @click.option("--as-of", "as_of", help="按哪一天判断（YYYY-MM-DD），默认今天（北京时间）")
    @click.pass_obj
    def check_cmd(obj, site_keys, account_keys, as_of):
        """按规则检查最近一次抓取的结果（网站和新媒体账号），更新问题及其整改状态。"""
        from monitor.check.checking import check_accounts, check_site
        from monitor.cli.progress import progress

        config = obj.config()
        store = obj.store(config)
        today = _as_of(as_of)
        try:
            sites = [config.site(k) for k in site_keys] if site_keys else list(config.sites)
            accounts = [config.account(k) for k in account_keys] if account_keys else list(config.accounts)
        except Exception as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        if account_keys and not site_keys:
            sites = []
        if site_keys and not account_keys:
            accounts = []
        if accounts:
            _print_account_checks(config, check_accounts(store, config, as_of=today, accounts=accounts), today)
        if not sites:
            return
        results = []
        with progress("检查网站", total=len(sites)) as p:
            for site in sites:
                results.append(check_site(store, config, site, as_of=today))
                p.advance(extra=site.name)
        t = Table(title=f"检查结果（截至 {today:%Y-%m-%d}）")
        for col in ("网站", "问题", "新发现", "已整改", "重新出现", "待核实", "待人工确认"):
            t.add_column(col)
        for r in results:
            name = config.site(r.site).name
            if r.run_id is None:
                t.add_row(name, "尚未抓取", "", "", "", "", "")
            else:
                t.add_row(
                    name, str(r.findings), str(r.new), str(r.fixed), str(r.reopened), str(r.unverified), str(r.pending)
                )
        console().print(t)
        if any(r.pending for r in results):
            click.echo(
                "待人工确认的候选问题不计入通报和统计；审核人员确认：monitor finding 编号 --confirm --reason 说明，"
                "误报：monitor finding 编号 --set 不成立 --reason 说明"
            )

    @group.command("report")
    @click.option("--month", required=True, help="通报月份，YYYY-MM，如 2026-11")
    @click.option("--as-of", "as_of", help="截至哪一天（YYYY-MM-DD），默认今天或该月最后一天")
    @click.option("--out", "out_dir", help="输出目录，默认为配置中的 storage.notices_dir")
    @click.option(
        "--format",
        "formats",
        multiple=True,
        type=click.Choice(["html", "pdf", "docx", "xlsx"]),
        help="输出格式（可重复）：html、pdf、docx，xlsx 为整改台账；默认 html",
    )
    @click.option("--screenshots", is_flag=True, help="先为尚无截图的问题打开页面截图（需要 Chromium），再生成通报")
    @click.option(
        "--issue",
        is_flag=True,
        help="正式印发：问题转为“已通报”并确定整改期限，记录印发人和时间，并为各单位生成问题清单；"
        "不加时只生成征求意见稿，不改变任何问题的状态",
    )
    @click.option("--by", "issued_by", help="与 --issue 一起用：印发人（默认为当前系统用户名）")
    @click.option("--force", is_flag=True, help="与 --issue 一起用：该月已印发过时仍重新印发（如更正后）")
    @click.pass_obj
    def report_cmd(obj, month, as_of, out_dir, formats, screenshots, issue, issued_by, force):
        """生成某月的督查通报（HTML、PDF、Word），可同时导出整改台账（xlsx）。

        默认生成征求意见稿（文件名带“征求意见稿”），供校对，不改变任何问题的状态；
        校对无误后加 --issue 正式印发，每月只印发一次。
        """
        from monitor.notices.notice import (
            NoticeError,
            beijing,
            build_notice,
            issue_notice,
            issued_notices,
            month_bounds,
            register_files,
        )
        from reports.notice import write_notice, write_unit_extracts

        if (force or issued_by) and not issue:
            raise _cli()("--force 和 --by 只能与 --issue 一起使用", exit_code=2)
        config = obj.config()
        store = obj.store(config)
        try:
            _, last = month_bounds(month)
        except ValueError as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        today = _as_of(as_of) if as_of else min(_as_of(None), last)
        out = out_dir or config.storage.notices_dir
        if screenshots:
            from monitor.cli.progress import screenshots_with_progress as run_with_progress
            from monitor.crawl.evidence import summary_lines

            for line in summary_lines(run_with_progress(store, config, as_of=today, out_dir=out)):
                click.echo(line, err=True)
        formats = tuple(dict.fromkeys(formats or ("html",)))
        doc_formats = tuple(f for f in formats if f != "xlsx")
        issue_id = None
        if issue:
            import getpass

            try:
                view, issue_id = issue_notice(
                    store, config, month=month, as_of=today, force=force, actor=issued_by or getpass.getuser()
                )
            except NoticeError as exc:
                raise _cli()(str(exc), exit_code=2) from exc
        else:
            view = build_notice(store, config, month=month, as_of=today)
        paths = write_notice(view, out, doc_formats)
        registered = [(p, None, "notice") for p in paths]
        extracts = write_unit_extracts(view, out, doc_formats) if issue else []
        registered += [(p, unit, "extract") for unit, p in extracts]
        if "xlsx" in formats:
            from monitor.notices.ledger import build_ledger
            from reports.ledger import write_ledger

            ledger = write_ledger(build_ledger(store, config, month=month, as_of=today), out)
            paths.append(ledger)
            registered.append((ledger, None, "ledger"))
        if issue_id is not None:
            register_files(store, config, issue_id, month, registered)
        what = "督查通报已印发" if issue else "督查通报征求意见稿已生成（未印发，问题状态未改变）"
        click.echo(
            f"{what}：{'、'.join(str(p) for p in paths)}（问题 {len(view.all_rows)} 个，"
            f"其中单项否决 {view.veto_count} 个）"
        )
        if issue:
            click.echo(
                f"印发人：{view.issued_by}；整改期限：{view.deadline}；已为 {len({u for u, _ in extracts})} 个单位"
                f"生成问题清单：{Path(out) / f'{month}-各单位问题清单'}"
            )
        else:
            done = issued_notices(store, month)
            if done:
                e = done[-1]
                click.echo(f"注意：{month} 的通报已于 {beijing(e.issued_at)} 由 {e.issued_by} 印发。", err=True)
            else:
                click.echo(f"校对无误后，用 monitor report --month {month} --issue 正式印发。", err=True)

    @group.command("findings")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "csv", "table"]),
        default="table",
        show_default=True,
        help="输出格式",
    )
    @click.option("--status", default="open", show_default=True, help="open（未整改的）、all，或具体状态如 已整改")
    @click.option("--site", help="只看某个网站（key）")
    @click.option("--rule", help="只看某条规则（如 W-S1）")
    @click.option("--unit", help="只看某个单位")
    @click.option(
        "--verdict",
        type=click.Choice(["finding", "unverified", "all"]),
        default="finding",
        show_default=True,
        help="finding（确认的问题）、unverified（暂无法核实的）或 all",
    )
    @click.option("--month", help="只看该月（YYYY-MM）发现或仍在整改中的问题")
    @click.pass_obj
    def findings_cmd(obj, fmt, status, site, rule, unit, verdict, month):
        """导出问题清单（JSON 字段说明见 README）。"""
        store = obj.store(read_only=True)  # a read-only command creates nothing
        rows = export_rows(
            store, status=status, site=site, rule=rule, unit=unit, verdict=None if verdict == "all" else verdict
        )
        if month:
            from monitor.notices.notice import month_bounds

            try:
                first, last = month_bounds(month)
            except ValueError as exc:
                raise _cli()(str(exc), exit_code=2) from exc
            rows = [r for r in rows if r["first_seen"] <= last.isoformat() and r["last_seen"] >= first.isoformat()]
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            buf = io.StringIO()
            fields = [
                "id",
                "rule",
                "severity",
                "site",
                "unit",
                "url",
                "source_url",
                "subject",
                "evidence",
                "facts",
                "first_seen",
                "last_seen",
                "status",
                "verdict",
                "deadline",
            ]
            w = csv.DictWriter(buf, fieldnames=fields)
            w.writeheader()
            for r in rows:
                # crawled text in a spreadsheet: never a formula (monitor.model.cell_safe)
                w.writerow(
                    {k: cell_safe(v) for k, v in {**r, "facts": json.dumps(r["facts"], ensure_ascii=False)}.items()}
                )
            sys.stdout.write(buf.getvalue())
        else:
            console().print(findings_table(rows, f"问题清单（{len(rows)} 个）"))

    @group.command("rules")
    def rules_cmd():
        """列出全部检查规则：编号、名称、严重程度、判定标准和依据。"""
        from rules import all_rules
        from rules.explain import explain

        t = Table(title="检查规则（monitor rule 编号 查看一条的详细说明）")
        for col in ("编号", "名称", "严重程度", "判定标准", "依据"):
            t.add_column(col, overflow="fold")
        for e in all_rules():
            x = explain(e.rule)
            t.add_row(e.rule.id, e.rule.title, e.rule.severity.value, x["threshold"], x["basis"])
        console().print(t)

    @group.command("rule")
    @click.argument("rule_id")
    def rule_cmd(rule_id):
        """显示一条规则的说明：检查什么、判定标准（阈值）和依据。"""
        from rules import get_rule
        from rules.explain import explain

        try:
            e = get_rule(rule_id.upper())
        except KeyError as exc:
            raise _cli()(f"没有编号为 {rule_id} 的规则；用 monitor rules 查看全部规则", exit_code=2) from exc
        x = explain(e.rule)
        click.echo(
            f"{e.rule.title}（{e.rule.id}，{'单项否决' if e.rule.severity.value == '否决' else e.rule.severity.value}）\n\n"
            f"检查什么：{x['checks']}\n判定标准：{x['threshold']}\n依据：{x['basis']}\n\n"
            f"阈值可在 sites.yaml 的 thresholds 下按规则编号调整。"
        )
