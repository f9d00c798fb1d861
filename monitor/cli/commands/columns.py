"""`monitor columns`: a site's column inventory from its latest crawl: how each column was recognised, its list
pages, its newest entry and the verdict the column rules reach, with what was added or removed since the crawl
before."""

from __future__ import annotations

import json
from datetime import date

import click
from rich.table import Table
from sqlalchemy import select

from monitor.check.facts import column_facts
from monitor.model import ColumnFacts
from monitor.store import Column, CrawlRun, Store
from rules.website._columns import Periods, is_empty, stale, unverified_reason

HOW = {"meta": "元数据", "structure": "页面结构", "navigation": "导航/面包屑"}


DEFAULT_PERIODS = Periods()


def verdict(col: ColumnFacts, today: date, periods: Periods = DEFAULT_PERIODS) -> str:
    """What the column rules make of a column: 正常, 未更新, 僵尸栏目, 空白栏目 or 待核实（why）."""
    if is_empty(col):
        return "空白栏目"
    reason = unverified_reason(col)
    if reason is not None:
        return f"待核实：{reason}"
    found = stale(col, today, periods)
    if found is None:
        return "正常"
    return "僵尸栏目" if found.zombie else f"未更新（{found.age} 天，应在 {found.period} 天内）"


def inventory(store: Store, site: str, *, today: date | None = None) -> tuple[list[dict], list[str], list[str]]:
    """Columns of the latest finished crawl, and the URLs added and removed since the crawl before it."""
    with store.session() as s:
        runs = s.scalars(
            select(CrawlRun.id)
            .where(CrawlRun.site == site, CrawlRun.kind == "site", CrawlRun.status == "finished")
            .order_by(CrawlRun.id.desc())
            .limit(2)
        ).all()
        if not runs:
            return [], [], []
        cols = {
            c.url: c
            for c in s.scalars(
                select(Column).where(Column.run_id == runs[0], Column.role == "column").order_by(Column.url)
            )
        }
        before = (
            set(s.scalars(select(Column.url).where(Column.run_id == runs[1], Column.role == "column")))
            if len(runs) > 1
            else None
        )
    facts = {f.url: f for f in column_facts(store, runs[0])}
    today = today or date.today()
    names = {url: c.name for url, c in cols.items()}
    rows = []
    for url, c in sorted(cols.items()):
        f = facts[url]
        newest = f.newest
        evidence = c.evidence or {}
        rows.append(
            {
                "url": url,
                "name": c.name,
                "kind": c.kind,
                "level": c.level,
                "items": c.item_count,
                "parent_url": c.parent_url,
                "parent": names.get(c.parent_url) if c.parent_url else None,
                "how": c.how,
                "how_label": HOW.get(c.how or "", "—"),
                "weak": f.weak,
                "name_from": evidence.get("name_from"),
                "newest": newest.date.isoformat() if newest else None,
                "newest_title": newest.title if newest else None,
                "newest_source": newest.date_source or None if newest else None,
                "dated_items": len(f.dated_items),
                "list_pages": len(c.list_pages or []),
                "verdict": verdict(f, today),
                "added": before is not None and url not in before,
            }
        )
    removed = sorted(before - set(cols)) if before is not None else []
    return rows, [r["url"] for r in rows if r["added"]], removed


def register(group: click.Group) -> None:
    @group.command(
        "columns", short_help="列出网站最近一次抓取发现的栏目：识别方式、类型、层级、列表页数、最新信息和结论。"
    )
    @click.option("--site", "site_key", required=True, help="网站 key（sites.yaml 中的 key）")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式"
    )
    @click.option("--as-of", "as_of", help="按哪一天判断是否更新（YYYY-MM-DD），默认今天（北京时间）")
    @click.pass_obj
    def columns_cmd(obj, site_key, fmt, as_of):
        """列出网站最近一次抓取发现的栏目：识别方式、上级栏目、类型、层级、列表页数、信息条数、最新信息和结论，
        并标出新增和消失的栏目。仅凭导航识别、证据不足的栏目只列为“待核实”，不作为问题。"""
        from monitor.cli.commands.core import _as_of, console

        store = obj.store(read_only=True)
        rows, added, removed = inventory(store, site_key, today=_as_of(as_of))
        if fmt == "json":
            click.echo(json.dumps({"columns": rows, "added": added, "removed": removed}, ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo(f"网站 {site_key} 还没有完成的抓取；请先运行 monitor crawl --site {site_key}")
            return
        t = Table(title=f"{site_key} 的栏目（{len(rows)} 个）")
        for col in (
            "栏目",
            "识别方式",
            "上级栏目",
            "类型",
            "层级",
            "列表页",
            "信息条数",
            "最新信息",
            "结论",
            "变化",
            "地址",
        ):
            t.add_column(col, overflow="fold")
        for r in rows:
            newest = r["newest"] or "—"
            if r["newest_source"] == "article":
                newest += "（据文章页）"
            elif r["newest_source"] == "url":
                newest += "（据链接地址）"
            t.add_row(
                r["name"],
                r["how_label"] + ("（弱）" if r["weak"] else ""),
                r["parent"] or r["parent_url"] or "",
                r["kind"],
                str(r["level"]),
                str(r["list_pages"]),
                str(r["items"]),
                newest,
                r["verdict"],
                "新增" if r["added"] else "",
                r["url"],
            )
        for url in removed:
            t.add_row("—", "", "", "", "", "", "", "", "", "消失", url)
        click.echo("")
        # eleven columns: a pipe or a file gets them on one line each instead of wrapped to 80 characters
        out = console()
        if not out.is_terminal:
            from rich.console import Console

            out = Console(highlight=False, soft_wrap=True, width=220)
        out.print(t)
