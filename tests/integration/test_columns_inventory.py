"""Columns as an inspector sees them: script-only pagination followed, breadcrumb levels, and the inventory
from crawl to crawl (added and removed columns)."""

from __future__ import annotations

import json

from tests.conftest import DEMO_DAY, run_monitor
from tests.local_http import serve

STATE = {"with_notice": True}


def _list(name: str, ctype: str, crumb: str, rows: list[tuple[str, str]], script: str = "") -> str:
    items = "".join(f'<li><a href="{href}">{title}</a><span>{day}</span></li>' for href, title, day in rows)
    return (
        f'<html><head><meta name="ColumnName" content="{name}"><meta name="ColumnType" content="{ctype}">'
        f"<title>{name}</title></head><body><div class='position'>当前位置：<a href='/'>首页</a> &gt; {crumb}</div>"
        f"<ul class='list'>{items}</ul>{script}</body></html>"
    )


def route(path: str, server):
    if path == "/":
        notice = '<li><a href="/tzgg/">通知公告</a></li>' if STATE["with_notice"] else ""
        return (
            200,
            {},
            (
                f"<html><head><title>首页</title></head><body><ul id='nav'>"
                f"<li><a href='/xwzx/zwyw/'>政务要闻</a></li>{notice}"
                f"<li><a href='/xxgk/zcwj/gfxwj/'>规范性文件</a></li><li><a href='/xwzx/'>新闻中心</a></li>"
                f"</ul></body></html>"
            ),
        )
    if path == "/xxgk/zcwj/gfxwj/":  # parent by its breadcrumb link, which is not its directory
        return (
            200,
            {},
            _list(
                "规范性文件",
                "政策文件",
                "<a href='/zfxxgk/zc/index.html'>政策</a> &gt; 规范性文件",
                [("/a/g.html", "规范性文件一", "2026-10-01")],
            ),
        )
    if path == "/zfxxgk/zc/index.html":
        return 200, {}, _list("政策", "政策文件", "政策", [("/a/z.html", "政策一", "2026-10-02")])
    if path == "/xwzx/":  # parent of 政务要闻 by the URL (its breadcrumb names 新闻中心 without a link)
        return 200, {}, _list("新闻中心", "工作动态", "新闻中心", [("/a/x.html", "新闻一", "2026-11-02")])
    if path == "/xwzx/zwyw/":
        # page 1 links to no other page: only the TRS script says there are 3 pages
        return (
            200,
            {},
            _list(
                "政务要闻",
                "工作动态",
                "新闻中心 &gt; 政务要闻",
                [("/a/1.html", "要闻一", "2026-11-20")],
                '<script>createPageHTML(3, 0, "index", "html");</script>',
            ),
        )
    if path in ("/xwzx/zwyw/index_1.html", "/xwzx/zwyw/index_2.html"):
        n = path[-6]
        return (
            200,
            {},
            _list(
                "政务要闻",
                "工作动态",
                "新闻中心 &gt; 政务要闻",
                [(f"/a/{n}0.html", f"要闻{n}0", "2026-10-0" + n), (f"/a/{n}1.html", f"要闻{n}1", "2026-09-0" + n)],
            ),
        )
    if path == "/tzgg/" and STATE["with_notice"]:
        return 200, {}, _list("通知公告", "通知公告", "通知公告", [("/a/t.html", "通知", "2026-11-01")])
    if path.startswith("/a/"):
        return 200, {}, "<html><head><title>文章</title></head><body>正文</body></html>"
    return 404, {}, "not found"


def test_script_pagination_levels_and_the_inventory_between_crawls(tmp_path):
    STATE["with_notice"] = True
    db = f"sqlite:///{tmp_path / 'c.db'}"
    with serve(route) as srv:
        home = srv.url("/")
        key = home.split("//", 1)[1].rstrip("/").replace(":", "_")
        args = ("--db", db, "crawl", "--url", home, "--delay", "0", "--as-of", DEMO_DAY.isoformat())
        assert run_monitor(*args, cwd=tmp_path).returncode in (0, 1)
        first = json.loads(run_monitor("--db", db, "columns", "--site", key, "--format", "json", cwd=tmp_path).stdout)
        cols = {c["name"]: c for c in first["columns"]}
        assert cols["政务要闻"]["items"] == 5 and cols["政务要闻"]["list_pages"] == 3  # pages 2-3 found via the script
        assert cols["政务要闻"]["level"] == 2 and cols["通知公告"]["level"] == 1  # from the breadcrumbs
        assert cols["政务要闻"]["newest"] == "2026-11-20" and cols["政务要闻"]["kind"] == "动态要闻"
        # parents: the breadcrumb's link where there is one, else the enclosing directory's column
        assert cols["规范性文件"]["parent_url"] == srv.url("/zfxxgk/zc/") and cols["规范性文件"]["parent"] == "政策"
        assert cols["政务要闻"]["parent_url"] == srv.url("/xwzx/") and cols["政务要闻"]["parent"] == "新闻中心"
        assert cols["通知公告"]["parent_url"] is None and cols["政策"]["parent_url"] is None
        assert first["added"] == [] and first["removed"] == []  # nothing to compare with yet

        STATE["with_notice"] = False  # the site drops its 通知公告 column
        assert run_monitor(*args, cwd=tmp_path).returncode in (0, 1)
        second = json.loads(run_monitor("--db", db, "columns", "--site", key, "--format", "json", cwd=tmp_path).stdout)
        assert sorted(c["name"] for c in second["columns"]) == ["政务要闻", "政策", "新闻中心", "规范性文件"]
        assert second["removed"] == [srv.url("/tzgg/")] and second["added"] == []
    table = run_monitor("--db", db, "columns", "--site", key, cwd=tmp_path).stdout
    assert "消失" in table and "政务要闻" in table
