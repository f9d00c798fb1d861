"""`monitor columns`: a site's column inventory from its latest crawl, with what was added or removed."""
from __future__ import annotations

import json

import click
from rich.table import Table
from sqlalchemy import func, select

from monitor.store import Column, ColumnItem, CrawlRun, Store


def inventory(store: Store, site: str) -> tuple[list[dict], list[str], list[str]]:
    """Columns of the latest finished crawl, and the URLs added and removed since the crawl before it."""
    with store.session() as s:
        runs = s.scalars(select(CrawlRun.id).where(CrawlRun.site == site, CrawlRun.kind == "site",
                                                   CrawlRun.status == "finished")
                         .order_by(CrawlRun.id.desc()).limit(2)).all()
        if not runs:
            return [], [], []
        cols = s.scalars(select(Column).where(Column.run_id == runs[0], Column.role == "column")
                         .order_by(Column.url)).all()
        newest = dict(s.execute(select(ColumnItem.column_url, func.max(ColumnItem.date))
                                .where(ColumnItem.run_id == runs[0]).group_by(ColumnItem.column_url)).all())
        before = set(s.scalars(select(Column.url).where(Column.run_id == runs[1], Column.role == "column"))) \
            if len(runs) > 1 else None
    now = {c.url for c in cols}
    names = {c.url: c.name for c in cols}
    rows = [{"url": c.url, "name": c.name, "kind": c.kind, "level": c.level, "items": c.item_count,
             "parent_url": c.parent_url, "parent": names.get(c.parent_url) if c.parent_url else None,
             "newest": newest.get(c.url).isoformat() if newest.get(c.url) else None,
             "list_pages": len(c.list_pages or []), "added": before is not None and c.url not in before}
            for c in cols]
    removed = sorted(before - now) if before is not None else []
    return rows, [r["url"] for r in rows if r["added"]], removed


def register(group: click.Group) -> None:
    @group.command("columns")
    @click.option("--site", "site_key", required=True, help="网站 key（sites.yaml 中的 key）")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                  help="输出格式")
    @click.pass_obj
    def columns_cmd(obj, site_key, fmt):
        """列出网站最近一次抓取发现的栏目：上级栏目、类型、层级、信息条数、最新日期，并标出新增和消失的栏目。"""
        store = obj.store(read_only=True)
        rows, added, removed = inventory(store, site_key)
        if fmt == "json":
            click.echo(json.dumps({"columns": rows, "added": added, "removed": removed}, ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo(f"网站 {site_key} 还没有完成的抓取；请先运行 monitor crawl --site {site_key}")
            return
        t = Table(title=f"{site_key} 的栏目（{len(rows)} 个）")
        for col in ("栏目", "上级栏目", "类型", "层级", "信息条数", "最新日期", "变化", "地址"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(r["name"], r["parent"] or r["parent_url"] or "", r["kind"], str(r["level"]), str(r["items"]),
                      r["newest"] or "—", "新增" if r["added"] else "", r["url"])
        for url in removed:
            t.add_row("—", "", "", "", "", "", "消失", url)
        click.echo("")
        from monitor.cli.commands.core import console

        console().print(t)
