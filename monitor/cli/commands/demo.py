"""`monitor demo`: the whole job on the bundled demo portal, on loopback, with a fresh SQLite file."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

DEMO_DB = "var/demo.db"


def demo_config(home: str, db_url: str, notices_dir: str = "var/notices"):
    from monitor.config import parse_config
    from monitor.demo.feeds import UNITS, demo_accounts

    return parse_config({
        "organisation": {"name": "示例县人民政府办公室", "region": "全县", "doc_number": "示政办函〔2026〕",
                         "rectify_days": 10},
        "units": [{"name": "示例县人民政府办公室", "kind": "政府办"}]
                 + [{"name": u} for u in UNITS if u != "示例县人民政府办公室"],
        "accounts": demo_accounts(home.rstrip("/")),
        "sites": [{"key": "demo-portal", "name": "示例县人民政府门户网站", "home": home, "unit": "示例县人民政府办公室",
                   # loopback demo: no need to be polite to ourselves
                   "limits": {"delay_seconds": 0, "concurrency_per_host": 16, "max_pages": 50000,
                              # everything of the demo runs on 127.0.0.1 (the "other site" and the dead
                              # address too): loopback addresses besides the site's own must be allowed
                              "allow_private_network": True}}],
        "storage": {"url": db_url, "notices_dir": notices_dir},
    }, source="demo")


def register(group: click.Group) -> None:
    @group.command("demo")
    @click.option("--as-of", "as_of", help="按哪一天判断（YYYY-MM-DD），默认今天（北京时间）")
    @click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.05, 1000),
                  help="示例网站规模倍数（文章数随之增减，可用于压力测试）")
    @click.option("--out", "out_dir", default="var/notices", show_default=True, help="通报输出目录")
    @click.pass_obj
    def demo_cmd(obj, as_of, scale, out_dir):
        """启动内置示例县政府网站（127.0.0.1），依次抓取、检查、生成通报，然后关闭网站。"""
        from monitor.check.checking import check_accounts, check_sites
        from monitor.cli.commands.core import _as_of, console, export_rows, run_crawl
        from monitor.cli.commands.newmedia import run_feeds
        from monitor.demo.server import serve_demo
        from monitor.notices.notice import build_notice
        from monitor.store import Store
        from reports.notice import write_notice_html

        today = _as_of(as_of)
        db_url = obj.db_url or f"sqlite:///{DEMO_DB}"
        if db_url == f"sqlite:///{DEMO_DB}":
            for suffix in ("", "-wal", "-shm"):  # the demo's own file: start afresh every time
                Path(DEMO_DB + suffix).unlink(missing_ok=True)
        with serve_demo(today, scale=scale) as demo:
            click.echo(f"示例网站已启动：{demo.home}（{len(demo.site.pages)} 个地址）", err=True)
            config = demo_config(demo.home, db_url, out_dir)
            store = Store(db_url)
            run_crawl(config, store, today=today)
            run_feeds(config, store)
            click.echo("正在检查……", err=True)
            check_sites(store, config, as_of=today)
            check_accounts(store, config, as_of=today)
            view = build_notice(store, config, month=f"{today:%Y-%m}", as_of=today)
            path = write_notice_html(view, out_dir)
        rows = export_rows(store, status="open")
        t = Table(title=f"示例网站检查结果（截至 {today:%Y-%m-%d}）：{len(rows)} 个问题")
        for col in ("规则", "严重程度", "问题"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(r["rule"], r["severity"], r["evidence"])
        console().print(t)
        click.echo(f"督查通报：{Path(path).resolve()}")
