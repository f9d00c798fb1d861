"""`monitor demo`: the whole job on the bundled demo portal, on loopback, in a folder of its own.

Everything the demo writes (database, notices, a config to continue with) goes under ``var/demo/`` (or
``--dir``), never over a real deployment's ``var/notices`` or database.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

DEMO_DIR = "var/demo"
DEPT_UNIT = "示例县农业农村局"


def demo_settings(
    home: str, db_url: str, notices_dir: str = f"{DEMO_DIR}/notices", dept_home: str | None = None
) -> dict:
    from monitor.demo.feeds import UNITS, demo_accounts

    return {
        "organisation": {
            "name": "示例县人民政府办公室",
            "region": "全县",
            "doc_number": "示政办函〔2026〕",
            "rectify_days": 10,
            "addressees": "各乡镇人民政府，县政府各部门",
            "cc": "县委办公室，县人大常委会办公室，县政协办公室",
            "contact": {"name": "张三", "phone": "0797-1234567"},
        },
        "units": [{"name": "示例县人民政府办公室", "kind": "政府办"}]
        + [{"name": u} for u in UNITS if u != "示例县人民政府办公室"]
        + ([{"name": DEPT_UNIT}] if dept_home else []),
        "accounts": demo_accounts(home.rstrip("/")),
        "sites": [
            {
                "key": "demo-portal",
                "name": "示例县人民政府门户网站",
                "home": home,
                "unit": "示例县人民政府办公室",
                # loopback demo: no need to be polite to ourselves
                "limits": {
                    "delay_seconds": 0,
                    "concurrency_per_host": 16,
                    "max_pages": 50000,
                    # everything of the demo runs on 127.0.0.1 (the "other site" and the dead
                    # address too): loopback addresses besides the site's own must be allowed
                    "allow_private_network": True,
                },
            }
        ]
        + (
            [
                {
                    "key": "demo-dept",
                    "name": "示例县农业农村局网站",
                    "home": dept_home,
                    "unit": DEPT_UNIT,
                    "limits": {"delay_seconds": 0, "concurrency_per_host": 16, "allow_private_network": True},
                }
            ]
            if dept_home
            else []
        ),
        "storage": {"url": db_url, "notices_dir": notices_dir},
    }


def demo_config(home: str, db_url: str, notices_dir: str = f"{DEMO_DIR}/notices", dept_home: str | None = None):
    from monitor.config import parse_config

    return parse_config(demo_settings(home, db_url, notices_dir, dept_home=dept_home), source="demo")


def write_demo_config(path: Path, settings: dict) -> None:
    """A sites.yaml beside the demo's database, so every other command can read what the demo stored."""
    from monitor.config import dump_yaml

    head = (
        "# 由 monitor demo 生成：示例县的配置，供演示结束后继续使用（查看问题、生成通报、启动看板、添加用户）。\n"
        "# 示例网站只在演示运行期间存在，网址已失效；用它重新抓取请再运行 monitor demo。\n"
    )
    path.write_text(head + dump_yaml(settings), encoding="utf-8")


def register(group: click.Group) -> None:
    @group.command("demo")
    @click.option("--as-of", "as_of", help="按哪一天判断（YYYY-MM-DD），默认今天（北京时间）")
    @click.option(
        "--scale",
        default=1.0,
        show_default=True,
        type=click.FloatRange(0.05, 1000),
        help="示例网站规模倍数（文章数随之增减，可用于压力测试）",
    )
    @click.option(
        "--dir",
        "demo_dir",
        default=DEMO_DIR,
        show_default=True,
        help="演示的工作目录：数据库、通报和配置文件都写在这里",
    )
    @click.option("--out", "out_dir", help="通报输出目录，默认为 <工作目录>/notices")
    @click.pass_obj
    def demo_cmd(obj, as_of, scale, demo_dir, out_dir):
        """启动内置示例县政府网站（127.0.0.1），依次抓取、检查、印发通报，然后关闭网站。

        所有文件写在自己的目录（默认 var/demo/）下，不会覆盖正式部署的数据库和通报。
        """
        from monitor.check.checking import check_accounts, check_sites
        from monitor.cli.commands.core import _as_of, console, export_rows, run_crawl
        from monitor.cli.commands.newmedia import run_feeds
        from monitor.demo.server import serve_demo
        from monitor.notices.notice import issue_notice, register_files
        from monitor.store import Store
        from reports.notice import write_notice, write_unit_extracts

        today = _as_of(as_of)
        folder = Path(demo_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        own_db = folder / "demo.db"
        db_url = obj.db_url or f"sqlite:///{own_db}"
        if db_url == f"sqlite:///{own_db}":
            for suffix in ("", "-wal", "-shm"):  # the demo's own file: start afresh every time
                Path(f"{own_db}{suffix}").unlink(missing_ok=True)
        out = Path(out_dir).resolve() if out_dir else folder / "notices"
        with serve_demo(today, scale=scale) as demo:
            click.echo(f"示例网站已启动：{demo.home}（{len(demo.site.pages)} 个地址）", err=True)
            settings = demo_settings(demo.home, db_url, str(out), dept_home=demo.dept_home)
            config = demo_config(demo.home, db_url, str(out), dept_home=demo.dept_home)
            store = Store(db_url)
            results = run_crawl(config, store, today=today)
            announced = len(demo.site.pages)
            crawled = sum(r.pages for r in results)
            if crawled < announced:
                lim = config.sites[0].limits
                click.echo(
                    f"说明：示例网站共 {announced} 个地址，本次抓取了 {crawled} 个。抓取不追求穷尽：每个栏目最多翻 "
                    f"{lim.max_list_pages} 页（limits.max_list_pages），从首页起最多 {lim.max_depth} 层链接"
                    f"（limits.max_depth），一次最多 {lim.max_pages} 个页面（limits.max_pages）；"
                    "更早、更深的文章不在范围内，检查只看最新的信息。",
                    err=True,
                )
            run_feeds(config, store)
            click.echo("正在检查……", err=True)
            check_sites(store, config, as_of=today)
            check_accounts(store, config, as_of=today)
            view, issue_id = issue_notice(store, config, month=f"{today:%Y-%m}", as_of=today, actor="演示", force=True)
            (path,) = write_notice(view, out, ("html",))
            extracts = write_unit_extracts(view, out, ("html",))
            register_files(
                store, config, issue_id, view.month, [(path, None, "notice")] + [(p, u, "extract") for u, p in extracts]
            )
        cfg_path = folder / "sites.yaml"
        write_demo_config(cfg_path, settings)
        rows = export_rows(store, status="open")
        t = Table(title=f"示例网站检查结果（截至 {today:%Y-%m-%d}）：{len(rows)} 个问题")
        for col in ("规则", "严重程度", "问题"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(r["rule"], r["severity"], r["evidence"])
        console().print(t)
        click.echo(f"督查通报：{Path(path).resolve()}")
        import sys

        prog = sys.argv[0] if Path(sys.argv[0]).name == "monitor" else f"{Path(sys.executable)} -m monitor"
        c = f"{prog} -c {cfg_path}"
        click.echo(
            "\n".join(
                [
                    f"演示数据都在 {folder}（配置 {cfg_path}）。接下来可以：",
                    f"  {c} findings                        # 查看问题清单",
                    f"  {c} report --month {today:%Y-%m} --format pdf --format xlsx   # 生成征求意见稿和整改台账",
                    f"  {c} user add admin --role admin     # 添加看板账号（交互输入密码）",
                    f"  {c} serve --port 8000               # 启动看板，浏览器打开 http://127.0.0.1:8000/",
                ]
            )
        )
